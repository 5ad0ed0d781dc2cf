"""Outbound reading: what it follows, what it refuses, and the limits it keeps."""

from __future__ import annotations

import io

import pytest

from agora.core import fetch as fetch_module
from agora.core.fetch import FetchError, fetch
from agora.core.tests.web_site import WebSite


def test_it_reads_a_file_and_follows_redirects(web_site: WebSite) -> None:
    web_site.serve("/data.csv", b"a,b\n1,2\n", Content_Type="text/csv", ETag='"v1"')
    web_site.serve("/old", b"", 301, Location="/moved")
    web_site.serve("/moved", b"", 302, Location=web_site.url + "/data.csv")
    body = io.BytesIO()
    fetched = fetch(web_site.url + "/old", into=body)
    assert body.getvalue() == b"a,b\n1,2\n"
    assert fetched.url == web_site.url + "/data.csv"
    assert fetched.size == 8 and len(fetched.sha256) == 64
    assert fetched.headers["etag"] == '"v1"'
    assert web_site.requests[0][1]["User-Agent"].startswith("Agora")

    again = fetch(web_site.url + "/data.csv", headers={"If-None-Match": '"v1"'})
    assert again.not_modified and again.size == 0


@pytest.mark.parametrize(
    ("address", "reason"),
    [
        ("http://127.0.0.1:9/", "private network"),
        ("http://localhost/", "private network"),
        ("http://10.0.0.1/", "private network"),
        ("http://169.254.169.254/latest/meta-data/", "private network"),
        ("http://[::1]/", "private network"),
        ("http://[::ffff:127.0.0.1]/", "private network"),
        ("http://0.0.0.0/", "private network"),
        ("file:///etc/passwd", "Only http"),
        ("ftp://example.org/x", "Only http"),
        ("http://user:pw@example.org/", "user name or password"),
        ("http://example.org:99999/", "invalid port"),
    ],
)
def test_addresses_off_the_public_internet_are_refused(address: str, reason: str) -> None:
    with pytest.raises(FetchError, match=reason):
        fetch(address)


def test_every_redirect_is_checked_again(
    web_site: WebSite,
    settings,
    monkeypatch: pytest.MonkeyPatch,  # type: ignore[no-untyped-def]
) -> None:
    """A public site that redirects into the private network is stopped at the redirect."""
    web_site.serve("/go", b"", 302, Location="http://127.0.0.1:9/secret")
    settings.OUTBOUND_ALLOW_PRIVATE = False
    # The test's site is on loopback: it stands for a public one on the first hop only.
    verdicts = iter([True])
    monkeypatch.setattr(fetch_module, "_public", lambda address: next(verdicts, False))
    with pytest.raises(FetchError, match=r"127\.0\.0\.1 is on a private network"):
        fetch(web_site.url + "/go")
    assert [path for path, _h in web_site.requests] == ["/go"]


def test_limits_errors_and_loops_are_reported(web_site: WebSite) -> None:
    web_site.serve("/big", b"x" * 5000)
    with pytest.raises(FetchError, match="larger than"):
        fetch(web_site.url + "/big", max_bytes=4000)
    with pytest.raises(FetchError, match="answered 404"):
        fetch(web_site.url + "/missing")
    web_site.serve("/loop", b"", 302, Location="/loop")
    with pytest.raises(FetchError, match="Too many redirections"):
        fetch(web_site.url + "/loop")
    assert sum(path == "/loop" for path, _h in web_site.requests) == 6
    with pytest.raises(FetchError, match="could not be reached"):
        fetch("http://127.0.0.1:9/")  # nothing listens on the discard port
