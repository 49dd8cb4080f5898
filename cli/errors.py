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
