"""riskd's processes, one package each (entry: python -m services.<name>)."""
from shared.gensource import drop_generated_source

drop_generated_source()     # before any attrs class is built (shared/gensource.py)
