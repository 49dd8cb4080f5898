"""Risk worker: account state, the rules, lockouts, timers, the trading day."""
