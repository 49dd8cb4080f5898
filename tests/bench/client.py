"""The benchmarks' own REST client: paced by the config's (lifted) rate limit, not the default.

A ProjectXRest without a budget paces itself at the gateway's 200 calls per 60 s (a burst of
100, then 1.7 calls a second). The benches lift [broker] rate_limit for riskd and the sim, but
their own clients kept the default: after the first 100 calls every buy waited ~0.6 s, so a
12 s storm held 20 breaches (its "p99" was their maximum) while the floor chain sends its
frames back to back. Found 2026-12-05; every bench client is made here.
"""
from __future__ import annotations

from shared.projectx.ratebudget import RateBudget
from shared.projectx.rest import ProjectXRest


def bench_client(rest_url: str, broker, timeout: float = 10.0) -> ProjectXRest:
    """A client for `broker` (the config's [broker] section) at its rate_limit per window."""
    return ProjectXRest(rest_url, broker.user_name, broker.api_key, timeout=timeout,
                        budget=RateBudget(broker.rate_limit, broker.rate_window))
