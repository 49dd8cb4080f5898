"""HTTP for the ProjectX client: one keep-alive connection pool, urllib3 called directly.

A call through requests.Session costs about 0.5 ms of Python before and after the network on
this project's machines (the environment's proxy settings looked up again on every call,
cookies, hooks, building a Response), measured against 0.2 ms for urllib3, the library
requests itself sends with. On the breach path that is a tenth of riskd's whole reaction, and
every enforcement call pays it. So the client sends through urllib3 (installed with requests,
no new dependency) and keeps requests' behaviour where it matters:

- the errors are the same kinds as requests' (ConnectTimeout, ReadTimeout, ConnectionError,
  SSLError, ProxyError, all a TransportError), defined here: importing requests only for them
  cost enforcement ~4.5 MB of memory (round 7: the 250 MB goal of all processes together had
  0.6 MB left);
- proxies come from the environment as requests reads them (HTTPS_PROXY, HTTP_PROXY,
  ALL_PROXY, NO_PROXY; the standard library's getproxies and proxy_bypass, which requests
  uses too), read once when the client is made; where the standard library reads them only
  from the environment (not Windows, not macOS) and it names none, there is nothing to read
  and urllib.request is not imported (0.25 MB in enforcement);
- certificates are always verified: against the configured CA bundle, else
  REQUESTS_CA_BUNDLE / CURL_CA_BUNDLE, else certifi's, as requests does;
- no redirects are followed and nothing is retried here (the client decides what may run
  twice).

A call to the gateway's own address (every call the client makes) goes straight to that
host's connection pool: the URL is not parsed again, nor the pool looked up, nor the headers
copied into a case-insensitive dict, nor the retry and timeout settings made again, on every
call (~15-25 us of Python before an enforcement close leaves; round 18, docs/performance.md).
Through a proxy, or for any other URL, urllib3's PoolManager does all of it as before.
"""
from __future__ import annotations

import os
import re
import sys
from typing import Mapping, Optional
from urllib.parse import urlsplit

import certifi
import urllib3
from urllib3 import exceptions as u3

POOL_SIZE = 4               # connections kept alive per host (one client is used by one thread)
# what retries=False, redirect=False becomes inside urllib3 on every call (Retry.from_int):
# made once (a Retry is never changed; increment() makes a new one)
NO_RETRY = urllib3.Retry(total=False, redirect=False)
# a path urllib3's URL parse leaves as it is: sent as given on the short way (request)
_PLAIN_PATH = re.compile(r"/[A-Za-z0-9/_.~-]*\Z")


class TransportError(OSError):
    """The call did not get an HTTP answer (requests' RequestException)."""


class ConnectionError(TransportError):          # noqa: A001 (requests' name, on purpose)
    """Refused, reset, aborted, a broken answer."""


class Timeout(TransportError):
    """No answer in time."""


class ConnectTimeout(ConnectionError, Timeout):
    """No connection in time: the request was never sent (safe to send again)."""


class ReadTimeout(Timeout):
    """Sent, no answer in time: the broker may have acted."""


class SSLError(ConnectionError):
    """The TLS handshake failed (a certificate does not get better by retrying)."""


class ProxyError(ConnectionError):
    """The proxy of the environment refused or failed."""


def no_proxy_settings(environ: Mapping[str, str] = os.environ, platform: str = sys.platform,
                      os_name: str = os.name) -> bool:
    """True where getproxies would find nothing: it reads only the environment here (Windows
    has the registry, macOS its network settings) and no set variable ends in _proxy."""
    if platform == "darwin" or os_name == "nt":
        return False
    return not any(value and name.lower().endswith("_proxy") for name, value in environ.items())


def environ_proxies(url: str) -> dict:
    """The environment's proxies for url ({} when NO_PROXY covers its host), as requests
    reads them."""
    if no_proxy_settings():
        return {}
    from urllib.request import getproxies, proxy_bypass
    host = urlsplit(url).hostname or ""
    try:
        if host and proxy_bypass(host):
            return {}
    except OSError:                  # Windows: an unreadable registry entry
        pass
    return getproxies()


class Answer:
    """What the client reads of an HTTP answer."""

    __slots__ = ("status_code", "content", "headers")

    def __init__(self, status_code: int, content: bytes, headers):
        self.status_code = status_code
        self.content = content
        self.headers = headers          # case-insensitive (urllib3's HTTPHeaderDict)

    @property
    def text(self) -> str:
        return self.content.decode("utf-8", "replace")


def ca_file(verify: str | bool) -> str:
    """The CA bundle to trust: the configured one, else the environment's, else certifi's."""
    if isinstance(verify, str):
        return verify
    return os.environ.get("REQUESTS_CA_BUNDLE") or os.environ.get("CURL_CA_BUNDLE") \
        or certifi.where()


class Transport:
    """Keep-alive HTTP(S) to one gateway; not thread-safe (one per client, like a Session)."""

    def __init__(self, base_url: str, verify: str | bool = True):
        scheme = urlsplit(base_url).scheme
        proxies = environ_proxies(base_url)
        proxy: Optional[str] = proxies.get(scheme) or proxies.get("all")
        options = dict(num_pools=2, maxsize=POOL_SIZE, block=False, retries=False)
        if scheme == "https":
            options.update(cert_reqs="CERT_REQUIRED", ca_certs=ca_file(verify))
        self.pool = urllib3.ProxyManager(proxy, **options) if proxy else \
            urllib3.PoolManager(**options)
        # the short way (request): the gateway's own origin, straight to its host's pool
        parts = urlsplit(base_url)
        plain = not proxy and parts.hostname and not any(c in parts.netloc for c in "@[")
        self._origin = f"{parts.scheme}://{parts.netloc}" if plain else ""
        self._host = (parts.hostname or "", parts.port, scheme)
        self._direct = None          # the host's HTTPConnectionPool, once asked for
        self._timeouts: dict[float, urllib3.Timeout] = {}

    def _timeout(self, seconds: float) -> urllib3.Timeout:
        t = self._timeouts.get(seconds)
        if t is None:
            t = self._timeouts[seconds] = urllib3.Timeout(connect=seconds, read=seconds)
        return t

    def request(self, method: str, url: str, *, body: Optional[bytes] = None,
                headers: Optional[dict] = None, timeout: float = 10.0) -> Answer:
        origin = self._origin
        path = url[len(origin):] if origin and url.startswith(origin) else ""
        try:
            if path and _PLAIN_PATH.match(path):
                pool = self._direct
                if pool is None or pool.pool is None:       # not asked yet, or closed since
                    host, port, scheme = self._host
                    pool = self._direct = self.pool.connection_from_host(host, port, scheme)
                r = pool.urlopen(method, path, body=body,
                                 headers=headers if headers is not None else {},
                                 timeout=self._timeout(timeout), retries=NO_RETRY,
                                 redirect=False, assert_same_host=False, preload_content=True)
            else:
                r = self.pool.request(method, url, body=body, headers=headers,
                                      timeout=self._timeout(timeout), retries=False,
                                      redirect=False, preload_content=True)
        except u3.SSLError as exc:
            raise SSLError(exc) from exc
        except u3.ProxyError as exc:
            raise ProxyError(exc) from exc
        except u3.NewConnectionError as exc:   # before ConnectTimeoutError: its subclass
            raise ConnectionError(exc) from exc
        except u3.ConnectTimeoutError as exc:
            raise ConnectTimeout(exc) from exc
        except u3.ReadTimeoutError as exc:
            raise ReadTimeout(exc) from exc
        except (u3.HTTPError, OSError) as exc:  # reset, refused, aborted, a broken answer
            raise ConnectionError(exc) from exc
        return Answer(r.status, r.data, r.headers)

    def close(self) -> None:
        self._direct = None
        self.pool.clear()
