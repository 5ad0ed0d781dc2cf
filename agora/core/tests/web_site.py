"""A web site on loopback for tests of outbound reading: pages set by the test, requests kept.

It stands for the other sites the platform reads (a portal to harvest, a file behind a link),
with real HTTP over a real socket.
"""

from __future__ import annotations

import threading
from collections.abc import Iterator
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest


@dataclass
class Page:
    body: bytes = b""
    status: int = 200
    headers: dict[str, str] = field(default_factory=dict)


class WebSite:
    def __init__(self) -> None:
        self.pages: dict[str, Page] = {}
        self.requests: list[tuple[str, dict[str, str]]] = []  # (path with query, headers)
        site = self

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self) -> None:
                site.requests.append((self.path, dict(self.headers.items())))
                page = site.pages.get(self.path) or site.pages.get(self.path.split("?")[0])
                if page is None:
                    page = Page(b"not found", 404)
                etag = page.headers.get("ETag")
                if etag is not None and self.headers.get("If-None-Match") == etag:
                    page = Page(status=304, headers={"ETag": etag})
                self.send_response(page.status)
                for name, value in page.headers.items():
                    self.send_header(name, value)
                self.send_header("Content-Length", str(len(page.body)))
                self.end_headers()
                self.wfile.write(page.body)

            def log_message(self, format: str, *args: object) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}"
        self._thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self._thread.start()

    def serve(self, path: str, body: bytes, status: int = 200, **headers: str) -> str:
        """Serves `body` at `path` (headers given as Content_Type=… become Content-Type)."""
        self.pages[path] = Page(body, status, {k.replace("_", "-"): v for k, v in headers.items()})
        return self.url + path

    def close(self) -> None:
        self.server.shutdown()
        self.server.server_close()


@pytest.fixture
def web_site(settings) -> Iterator[WebSite]:  # type: ignore[no-untyped-def]
    """A site on 127.0.0.1, which the platform may read in this test only."""
    settings.OUTBOUND_ALLOW_PRIVATE = True
    site = WebSite()
    yield site
    site.close()
