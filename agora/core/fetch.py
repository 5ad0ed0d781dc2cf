"""Outbound HTTP: fetching what users point the platform at (remote files, harvested portals).

Any address a user types is a way into the machine's own network (server-side request
forgery), so every hop is checked: only http and https, only public addresses unless
OUTBOUND_ALLOW_PRIVATE says otherwise, a resolved address pinned for the connection (no DNS
rebinding between check and connect), redirects followed by hand and checked again, a size
cap while reading and a time limit on every read. Built on http.client because it lets the
connection go to the address that was checked while TLS still verifies the host name.
"""

from __future__ import annotations

import hashlib
import http.client
import ipaddress
import socket
import ssl
import time
from dataclasses import dataclass, field
from typing import IO
from urllib.parse import urljoin, urlsplit

from django.conf import settings
from django.template.defaultfilters import filesizeformat
from django.utils.translation import gettext as _

MAX_REDIRECTS = 5
CHUNK = 1024 * 1024
REDIRECTS = {301, 302, 303, 307, 308}


class FetchError(Exception):
    """The address could not be read; the message says why, in the user's language."""


@dataclass
class Fetched:
    url: str  # after redirects
    status: int
    headers: dict[str, str] = field(default_factory=dict)  # lower-case names
    size: int = 0
    sha256: str = ""

    @property
    def not_modified(self) -> bool:
        return self.status == 304


def _public(address: str) -> bool:
    ip = ipaddress.ip_address(address)
    if isinstance(ip, ipaddress.IPv6Address) and ip.ipv4_mapped is not None:
        ip = ip.ipv4_mapped
    return ip.is_global and not ip.is_multicast


def _resolve(host: str, port: int) -> str:
    try:
        infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    except (socket.gaierror, UnicodeError) as exc:
        raise FetchError(
            _("The server name %(host)s could not be found.") % {"host": host}
        ) from exc
    addresses = [str(info[4][0]) for info in infos]
    if not settings.OUTBOUND_ALLOW_PRIVATE and not all(_public(a) for a in addresses):
        raise FetchError(
            _("%(host)s is on a private network; only public addresses can be read.")
            % {"host": host}
        )
    return addresses[0]


class _PinnedHTTP(http.client.HTTPConnection):
    def __init__(self, host: str, port: int, address: str, timeout: float) -> None:
        super().__init__(host, port, timeout=timeout)
        self._address = address

    def connect(self) -> None:
        self.sock = socket.create_connection((self._address, self.port), self.timeout)


class _PinnedHTTPS(http.client.HTTPSConnection):
    def __init__(self, host: str, port: int, address: str, timeout: float) -> None:
        super().__init__(host, port, timeout=timeout, context=ssl.create_default_context())
        self._address = address

    def connect(self) -> None:
        sock = socket.create_connection((self._address, self.port), self.timeout)
        self.sock = self._context.wrap_socket(sock, server_hostname=self.host)  # type: ignore[attr-defined]


def _connection(url: str, timeout: float) -> tuple[http.client.HTTPConnection, str]:
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise FetchError(_("Only http:// and https:// addresses can be read."))
    if parts.username or parts.password:
        raise FetchError(_("Addresses with a user name or password cannot be read."))
    https = parts.scheme == "https"
    try:
        port = parts.port or (443 if https else 80)
    except ValueError as exc:
        raise FetchError(_("The address has an invalid port.")) from exc
    address = _resolve(parts.hostname, port)
    cls = _PinnedHTTPS if https else _PinnedHTTP
    target = parts.path or "/"
    if parts.query:
        target += "?" + parts.query
    return cls(parts.hostname, port, address, timeout), target


def fetch(
    url: str,
    *,
    into: IO[bytes] | None = None,
    headers: dict[str, str] | None = None,
    max_bytes: int | None = None,
    timeout: float | None = None,
) -> Fetched:
    """GETs `url`, writing the body into `into` (or only checking it can be read).

    Raises FetchError when the address is refused, cannot be reached, answers with an error
    status, or sends more than `max_bytes`. A 304 answer to conditional headers is returned.
    """
    limit = settings.MAX_UPLOAD_SIZE if max_bytes is None else max_bytes
    timeout = settings.OUTBOUND_TIMEOUT if timeout is None else timeout
    request_headers = {
        "User-Agent": f"Agora (+{settings.SITE_URL})",
        "Accept-Encoding": "identity",
        **(headers or {}),
    }
    for _hop in range(MAX_REDIRECTS + 1):
        connection, target = _connection(url, timeout)
        try:
            connection.request("GET", target, headers=request_headers)
            response = connection.getresponse()
            status = response.status
            answer = {k.lower(): v for k, v in response.getheaders()}
            if status in REDIRECTS and "location" in answer:
                url = urljoin(url, answer["location"])
                continue
            if status == 304:
                return Fetched(url, status, answer)
            if status >= 400:
                raise FetchError(
                    _("The server answered %(status)d %(reason)s.")
                    % {"status": status, "reason": response.reason}
                )
            return _read(response, Fetched(url, status, answer), into, limit, timeout)
        except (OSError, http.client.HTTPException) as exc:
            raise FetchError(
                _("The server could not be reached: %(error)s") % {"error": exc}
            ) from exc
        finally:
            connection.close()
    raise FetchError(_("Too many redirections (more than %(n)d).") % {"n": MAX_REDIRECTS})


def _read(
    response: http.client.HTTPResponse,
    fetched: Fetched,
    into: IO[bytes] | None,
    limit: int,
    timeout: float,
) -> Fetched:
    declared = fetched.headers.get("content-length", "")
    too_big = FetchError(
        _("The file is larger than %(limit)s, the most that can be read.")
        % {"limit": filesizeformat(limit)}
    )
    if declared.isdigit() and int(declared) > limit:
        raise too_big
    # A slow server that trickles bytes must not hold a worker for ever.
    deadline = time.monotonic() + max(timeout * 20, 60)
    sha = hashlib.sha256()
    while chunk := response.read(CHUNK):
        fetched.size += len(chunk)
        if fetched.size > limit:
            raise too_big
        if time.monotonic() > deadline:
            raise FetchError(_("The server is sending the file too slowly."))
        sha.update(chunk)
        if into is not None:
            into.write(chunk)
    fetched.sha256 = sha.hexdigest()
    return fetched
