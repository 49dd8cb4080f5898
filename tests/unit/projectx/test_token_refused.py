"""A hub connect refused with HTTP 401 is told apart from other failures, and the REST client
replaces a refused token with one fresh login, shared by both hubs."""
from __future__ import annotations

import pytest
from signalrcore.hub.errors import HubError, UnAuthorizedHubError
from signalrcore.transport.sockets.errors import SocketHandshakeError

from shared.projectx.errors import AuthError
from shared.projectx.realtime import token_refused
from shared.projectx.rest import ProjectXRest


@pytest.mark.parametrize("exc", [
    SocketHandshakeError("Handshake failed: HTTP/1.1 401 Unauthorized\r\nContent-Length: 14"),
    SocketHandshakeError("Handshake failed: HTTP/1.0 401 \r\n\r\n"),
    UnAuthorizedHubError(),                          # the negotiate answered 401
    HubError(401)])
def test_a_401_on_the_handshake_or_the_negotiate_is_a_refused_token(exc):
    assert token_refused(exc)


@pytest.mark.parametrize("exc", [
    SocketHandshakeError("Handshake failed: HTTP/1.1 503 Service Unavailable\r\n"),
    SocketHandshakeError("Handshake failed: HTTP/1.1 404 Not Found\r\n\r\nno hub 401"),
    SocketHandshakeError("Connection closed during handshake"),
    HubError(500), ConnectionRefusedError(111, "Connection refused"), TimeoutError()])
def test_other_failures_are_not(exc):
    assert not token_refused(exc)


class Counting(ProjectXRest):
    """login() without HTTP: hands out token-1, token-2, ... (or refuses)."""

    def __init__(self, refuse: bool = False):
        super().__init__("http://127.0.0.1:9", "user", "secret-key")
        self.refuse = refuse

    def login(self) -> str:
        if self.refuse:
            raise AuthError(3, "invalid user name or API key", "/api/Auth/loginKey")
        self.logins += 1
        self._set_token(f"token-{self.logins}")
        return self._token


def test_a_refused_token_is_replaced_once_for_both_hubs():
    client = Counting()
    first = client.ensure_token()
    assert client.replace_token(first) == "token-2"         # the user hub's 401: log in
    assert client.replace_token(first) == "token-2"         # the market hub's: already newer
    assert client.logins == 2
    assert client.replace_token("token-2") == "token-3"     # the new one refused as well
    assert client.replace_token(None) == "token-3"          # a hub that never connected


def test_a_refused_login_raises_and_keeps_no_dead_token():
    client = Counting()
    old = client.ensure_token()
    client.refuse = True
    with pytest.raises(AuthError) as refused:
        client.replace_token(old)
    assert refused.value.endpoint == "/api/Auth/loginKey"
    assert client.token is None                  # the next call logs in, not the dead token
