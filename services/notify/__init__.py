"""Notify worker: Telegram and Discord alerts."""
