"""riskctl watch: the trader's live screen (model: pure state, view: pure layout, source: data, app: blessed loop)."""
