"""riskctl replay: what riskd would have done on the trader's own past trading days.

One module per job: model (the history's types), cache (disk, per account/contract/day),
fetch (read-only broker calls inside the rate limits), events (the history rebuilt in time
order), guarded (the counterfactual book), runner (the live risk engine driven over it),
report (tables, totals, per-rule figures, JSON), html (the self-contained report), chart (the
terminal chart), overrides (--set). The user guide is docs/replay.md.
"""
