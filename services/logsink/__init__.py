"""Logging worker: structured JSON log files, rotation, audit chain, live tail."""
