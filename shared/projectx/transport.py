"""HTTP for the ProjectX client: one keep-alive connection pool, urllib3 called directly.

A call through requests.Session costs about 0.5 ms of Python before and after the network on
this project's machines (the environment's proxy settings looked up again on every call,
cookies, hooks, building a Response), measured against 0.2 ms for urllib3, the library
requests itself sends with. On the breach path that is a tenth of riskd's whole reaction, and
every enforcement call pays it. So the client sends through urllib3 (installed with requests,
no new dependency) and keeps requests' behaviour where it matters:

- the errors are requests' types (ConnectTimeout, ReadTimeout, ConnectionError, SSLError), so
  the client's retry rules and messages stay as they were;
- proxies come from the environment as requests reads them (HTTPS_PROXY, HTTP_PROXY,
  ALL_PROXY, NO_PROXY), read once when the client is made;
- certificates are always verified: against the configured CA bundle, else
  REQUESTS_CA_BUNDLE / CURL_CA_BUNDLE, else certifi's, as requests does;
- no redirects are followed and nothing is retried here (the client decides what may run
  twice).
"""
from __future__ import annotations

import os
from typing import Optional
from urllib.parse import urlsplit

import certifi
import requests
import urllib3
from requests.utils import get_environ_proxies
from urllib3.exceptions import (ConnectTimeoutError, HTTPError, NewConnectionError,
                                ProxyError, ReadTimeoutError, SSLError)

POOL_SIZE = 4               # connections kept alive per host (one client is used by one thread)


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
        proxies = get_environ_proxies(base_url)
        proxy: Optional[str] = proxies.get(scheme) or proxies.get("all")
        options = dict(num_pools=2, maxsize=POOL_SIZE, block=False, retries=False)
        if scheme == "https":
            options.update(cert_reqs="CERT_REQUIRED", ca_certs=ca_file(verify))
        self.pool = urllib3.ProxyManager(proxy, **options) if proxy else \
            urllib3.PoolManager(**options)

    def request(self, method: str, url: str, *, body: Optional[bytes] = None,
                headers: Optional[dict] = None, timeout: float = 10.0) -> Answer:
        try:
            r = self.pool.request(method, url, body=body, headers=headers,
                                  timeout=urllib3.Timeout(connect=timeout, read=timeout),
                                  retries=False, redirect=False, preload_content=True)
        except SSLError as exc:
            raise requests.exceptions.SSLError(exc) from exc
        except ProxyError as exc:
            raise requests.exceptions.ProxyError(exc) from exc
        except NewConnectionError as exc:      # before ConnectTimeoutError: its subclass
            raise requests.ConnectionError(exc) from exc
        except ConnectTimeoutError as exc:
            raise requests.ConnectTimeout(exc) from exc
        except ReadTimeoutError as exc:
            raise requests.ReadTimeout(exc) from exc
        except (HTTPError, OSError) as exc:    # reset, refused, aborted, a broken answer
            raise requests.ConnectionError(exc) from exc
        return Answer(r.status, r.data, r.headers)

    def close(self) -> None:
        self.pool.clear()
