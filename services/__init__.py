"""riskd's processes, one package each (entry: python -m services.<name>)."""
from shared.gencode import keep_generated_code
from shared.gensource import drop_generated_source

drop_generated_source()     # before any attrs class is built (shared/gensource.py)
keep_generated_code()       # attrs' compiled methods from the last start (shared/gencode.py)
