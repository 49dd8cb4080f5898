"""riskd's processes, one package each (entry: python -m services.<name>)."""
