"""Browser tests: Playwright for Python drives Debian's Chromium against pytest-django's live
server, which runs in a thread of this process on the test database.

Playwright's own browser download does not work here, so the system's Chromium is launched by
path. axe-core comes from npm (package.json at the repository root). `make test` installs both;
when either is missing the tests fail and say so rather than being skipped, so that a run that
checked nothing cannot look green.
"""

from __future__ import annotations

import os
import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest
from django.conf import settings
from django.test import Client
from playwright.sync_api import (
    Browser,
    BrowserContext,
    ConsoleMessage,
    Page,
    Playwright,
    Response,
    expect,
    sync_playwright,
)

from agora.accounts.models import User

REPO = Path(__file__).resolve().parents[2]
CHROMIUM = Path("/usr/bin/chromium")
AXE_JS = REPO / "node_modules" / "axe-core" / "axe.min.js"
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
# Every browser test starts from English, whatever the machine's locale.
BROWSER_LOCALE = "en-GB"
TIMEOUT_MS = 15_000
ASYNC_UNSAFE = "DJANGO_ALLOW_ASYNC_UNSAFE"
AXE_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]
BLOCKING_IMPACTS = {"serious", "critical"}


def _require(path: Path, what: str) -> None:
    if not path.exists():
        pytest.fail(
            f"{what} is missing ({path}). Run `make test`: it installs Debian's chromium "
            "package and axe-core (`npm ci`) before running the tests.",
            pytrace=False,
        )


# One browser for all the browser tests, but no longer than they run: Playwright's sync API keeps
# an asyncio event loop running in the test thread, which would break any later test of the
# session that runs a loop of its own (asyncio.run, async_to_sync). Hence "package" (this
# directory), not "session".
@pytest.fixture(scope="package")
def playwright() -> Iterator[Playwright]:
    # Django's ORM refuses to run in a thread with a running event loop, and the test thread
    # uses it (fixtures, assertions, the test database's set-up and flushes) while the loop
    # runs. That thread is plain synchronous code waiting on the browser, so the check
    # protects nothing here; it is switched off for exactly as long as the loop runs.
    previous = os.environ.get(ASYNC_UNSAFE)
    os.environ[ASYNC_UNSAFE] = "true"
    try:
        with sync_playwright() as p:
            yield p
    finally:
        if previous is None:
            del os.environ[ASYNC_UNSAFE]
        else:
            os.environ[ASYNC_UNSAFE] = previous


@pytest.fixture(scope="package")
def browser(playwright: Playwright) -> Iterator[Browser]:
    _require(CHROMIUM, "Debian's Chromium")
    browser = playwright.chromium.launch(
        executable_path=str(CHROMIUM), args=CHROMIUM_ARGS, headless=True
    )
    yield browser
    browser.close()


@pytest.fixture(scope="package")
def axe_source() -> str:
    _require(AXE_JS, "axe-core")
    return AXE_JS.read_text(encoding="utf-8")


@dataclass
class ConsoleLog:
    """What the browser reported while a test ran: console messages and page errors."""

    messages: list[ConsoleMessage] = field(default_factory=list)
    page_errors: list[str] = field(default_factory=list)

    def errors(self) -> list[str]:
        return [_describe(m) for m in self.messages if m.type == "error"] + self.page_errors

    def csp_errors(self) -> list[str]:
        """Whatever the browser said about the Content-Security-Policy, at any level."""
        return [_describe(m) for m in self.messages if _CSP.search(m.text)] + [
            error for error in self.page_errors if _CSP.search(error)
        ]


_CSP = re.compile(r"content[ -]security[ -]policy", re.IGNORECASE)


def _describe(message: ConsoleMessage) -> str:
    return f"{message.type}: {message.text} ({message.location.get('url', '')})"


@dataclass
class BrowserPage:
    page: Page
    console: ConsoleLog


def _new_context(browser: Browser, base_url: str, **options: Any) -> BrowserContext:
    """A fresh browser profile (no cookies) pointed at the live server."""
    options.setdefault("locale", BROWSER_LOCALE)
    context = browser.new_context(base_url=base_url, **options)
    context.set_default_timeout(TIMEOUT_MS)
    return context


def _new_page(context: BrowserContext) -> BrowserPage:
    console = ConsoleLog()
    page = context.new_page()
    page.on("console", lambda message: console.messages.append(message))
    page.on("pageerror", lambda error: console.page_errors.append(str(error)))
    return BrowserPage(page, console)


@pytest.fixture
def open_page(browser: Browser, live_server: Any) -> Iterator[Callable[..., BrowserPage]]:
    """open_page(language="fr", java_script_enabled=False, ...) -> a page in a new browser
    context on the live server.

    `language` presets the language cookie, as if the visitor had chosen it earlier; the other
    keyword arguments are Playwright's context options.
    """
    contexts: list[BrowserContext] = []

    def make(language: str | None = None, **options: Any) -> BrowserPage:
        context = _new_context(browser, live_server.url, **options)
        contexts.append(context)
        if language:
            context.add_cookies(
                [{"name": settings.LANGUAGE_COOKIE_NAME, "value": language, "url": live_server.url}]
            )
        return _new_page(context)

    yield make
    for context in contexts:
        context.close()


@pytest.fixture
def sign_in(live_server: Any) -> Callable[[Page, User], None]:
    """sign_in(page, user): the page's browser context gets a session for `user`, made on the
    server, as after signing in with a password (and a second factor where one is set)."""

    def make(page: Page, user: User) -> None:
        client = Client()
        client.force_login(user, backend="django.contrib.auth.backends.ModelBackend")
        page.context.add_cookies(
            [
                {
                    "name": settings.SESSION_COOKIE_NAME,
                    "value": client.cookies[settings.SESSION_COOKIE_NAME].value,
                    "url": live_server.url,
                }
            ]
        )

    return make


def visit(page: Page, path: str, language: str = "en") -> Response:
    """Opens `path`, which must answer 2xx, in `language`."""
    response = page.goto(path)
    assert response is not None
    assert response.ok, f"{path}: HTTP {response.status}"
    expect(page.locator("html")).to_have_attribute("lang", language)
    return response


def blocking_violations(page: Page, axe_source: str) -> list[dict[str, Any]]:
    """axe-core's serious and critical WCAG 2.0/2.1 A and AA violations on the page as it is."""
    # Evaluated through the DevTools protocol rather than added as a <script>, so the page's
    # Content-Security-Policy stays in force for everything else.
    page.evaluate(axe_source)
    violations: list[dict[str, Any]] = page.evaluate(
        """async (tags) => {
            const results = await axe.run(document, {runOnly: {type: "tag", values: tags}});
            return results.violations;
        }""",
        AXE_TAGS,
    )
    return [v for v in violations if v["impact"] in BLOCKING_IMPACTS]


def describe(violations: list[dict[str, Any]]) -> str:
    """axe-core's violations, one per line with the elements at fault, for a failure message."""
    lines = []
    for violation in violations:
        lines.append(f"{violation['id']} ({violation['impact']}): {violation['help']}")
        lines.append(f"  {violation['helpUrl']}")
        lines.extend(f"  - {' '.join(node['target'])}" for node in violation["nodes"])
    return "\n".join(lines)


def overflowing(page: Page) -> list[str]:
    """The elements that stick out to the right of the viewport, for the failure message."""
    elements: list[str] = page.evaluate(
        """() => {
            const width = document.documentElement.clientWidth;
            return [...document.body.querySelectorAll("*")]
                .filter((e) => e.getBoundingClientRect().right > width + 0.5)
                .slice(0, 10)
                .map((e) => `${e.tagName.toLowerCase()}${e.id ? "#" + e.id : ""}` +
                    `${e.className ? "." + String(e.className).split(" ").join(".") : ""}` +
                    ` (right edge at ${Math.round(e.getBoundingClientRect().right)} px)`);
        }"""
    )
    return elements
