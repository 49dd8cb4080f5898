"""riskctl: the terminal CLI that talks to the supervisor's control socket."""
