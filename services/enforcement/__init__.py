"""Enforcement worker: executes decided actions against the broker, idempotently."""
