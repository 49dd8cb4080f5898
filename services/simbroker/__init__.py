"""Sim broker: a local ProjectX-compatible gateway with a simulated market."""
