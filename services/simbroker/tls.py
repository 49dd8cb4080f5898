"""HTTPS and WSS for the sim: a private CA and a server certificate it makes in the data dir.

With [broker.sim] tls = true the sim serves its REST API and hubs over TLS
with <data_dir>/sim-tls/server.pem, signed by <data_dir>/sim-tls/ca.pem (made
once, then reused). Clients verify it like any other certificate: riskd with
broker.ca_bundle pointing at ca.pem (docs/simbroker.md). The files are made
with the `openssl` command line tool: the `cryptography` package is not a
dependency of anything riskd ships, and openssl is on every machine that has
Python's ssl module.
"""
from __future__ import annotations

import ipaddress
import os
import shutil
import ssl
import subprocess
import tempfile

import attrs

DIR_NAME = "sim-tls"
DAYS_CA, DAYS_SERVER = 3650, 825


class TlsSetupError(RuntimeError):
    """The certificate could not be made (no openssl, or it failed)."""


@attrs.frozen
class TlsFiles:
    ca: str
    cert: str
    key: str


def _openssl(*args: str) -> None:
    tool = shutil.which("openssl")
    if tool is None:
        raise TlsSetupError("[broker.sim] tls = true needs the openssl command line tool to make "
                            "the sim's certificate; install openssl or set tls = false")
    done = subprocess.run([tool, *args], capture_output=True, text=True, timeout=60)
    if done.returncode != 0:
        raise TlsSetupError(f"openssl {args[0]} failed: {done.stderr.strip()[-300:]}")


def _san(hosts: list[str]) -> str:
    names = []
    for host in dict.fromkeys(["127.0.0.1", "localhost", *hosts]):
        try:
            ipaddress.ip_address(host)
            names.append(f"IP:{host}")
        except ValueError:
            names.append(f"DNS:{host}")
    return ",".join(names)


def ensure_files(data_dir: str, hosts: list[str]) -> TlsFiles:
    """The CA and server certificate under data_dir (made if missing; the key files 0600)."""
    folder = os.path.join(data_dir, DIR_NAME)
    files = TlsFiles(*(os.path.join(folder, n) for n in ("ca.pem", "server.pem", "server.key")))
    if all(os.path.exists(p) for p in attrs.astuple(files)):
        return files
    os.makedirs(folder, mode=0o700, exist_ok=True)
    ca_key = os.path.join(folder, "ca.key")
    with tempfile.TemporaryDirectory(dir=folder) as tmp:
        csr, ext = os.path.join(tmp, "server.csr"), os.path.join(tmp, "server.ext")
        with open(ext, "w") as fh:
            fh.write(f"subjectAltName={_san(hosts)}\nbasicConstraints=CA:FALSE\n"
                     "keyUsage=critical,digitalSignature,keyEncipherment\n"
                     "extendedKeyUsage=serverAuth\n")
        _openssl("req", "-x509", "-newkey", "rsa:2048", "-nodes", "-keyout", ca_key,
                 "-out", files.ca, "-days", str(DAYS_CA), "-subj", "/CN=riskd sim broker CA",
                 "-addext", "basicConstraints=critical,CA:TRUE",
                 "-addext", "keyUsage=critical,keyCertSign,cRLSign")
        _openssl("req", "-newkey", "rsa:2048", "-nodes", "-keyout", files.key, "-out", csr,
                 "-subj", "/CN=localhost")
        _openssl("x509", "-req", "-in", csr, "-CA", files.ca, "-CAkey", ca_key,
                 "-CAcreateserial", "-out", files.cert, "-days", str(DAYS_SERVER),
                 "-extfile", ext)
    for secret in (ca_key, files.key):
        os.chmod(secret, 0o600)
    return files


def server_context(files: TlsFiles) -> ssl.SSLContext:
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    context.minimum_version = ssl.TLSVersion.TLSv1_2
    context.load_cert_chain(files.cert, files.key)
    return context
