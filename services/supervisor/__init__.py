"""The supervisor (`riskd`): worker lifecycle, restart policy, control socket, admin audit."""
