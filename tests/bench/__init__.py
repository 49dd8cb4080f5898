"""Benchmarks (`make bench`): each module measures with real code and reports figures."""
