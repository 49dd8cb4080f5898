"""riskctl exit codes and the one error type commands raise to end with a message."""
from __future__ import annotations

EXIT_OK, EXIT_ERROR, EXIT_USAGE, EXIT_AUTH = 0, 1, 2, 3

# Reply codes that mean "authentication refused" (exit 3 rather than 1).
AUTH_CODES = ("auth_required", "auth_refused", "auth_locked", "session_expired")


class CliError(Exception):
    """Print `message` on stderr and exit with `code`."""

    def __init__(self, message: str, code: int = EXIT_ERROR):
        self.code = code
        super().__init__(message)


class NotRunning(CliError):
    """No riskd answers on the control socket (nothing listens, or no answer in time). A
    command that can read riskd's stored files instead (`riskctl history`) catches it and says
    `short` ("riskd is stopped (...)") above what it read; any other ends with its message
    like every CliError."""

    def __init__(self, message: str, short: str = ""):
        super().__init__(message)
        self.short = short or message
