#!/usr/bin/env python3
"""Takes a full-page screenshot of a running Agora with Debian's Chromium.

Starts nothing itself: serve the site first, for instance

    DEBUG=1 agora demo && DEBUG=1 agora serve --port 8000 &
    .venv/bin/python scripts/screenshot.py                 # -> docs/screenshot.png
    .venv/bin/python scripts/screenshot.py http://127.0.0.1:8000/organisations/ -o /tmp/orgs.png
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from playwright.sync_api import Error, sync_playwright

REPO = Path(__file__).resolve().parent.parent
CHROMIUM = Path("/usr/bin/chromium")
# The same flags as the browser tests (tests/e2e/conftest.py).
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("url", nargs="?", default="http://127.0.0.1:8000/")
    parser.add_argument(
        "-o",
        "--output",
        type=Path,
        default=REPO / "docs" / "screenshot.png",
        help="where to write the PNG (default: docs/screenshot.png)",
    )
    parser.add_argument("--width", type=int, default=1280)
    parser.add_argument("--height", type=int, default=800)
    parser.add_argument("--language", default="en", help="sent as Accept-Language (default: en)")
    args = parser.parse_args(argv)

    if not CHROMIUM.exists():
        print(f"{CHROMIUM} is missing: install Debian's chromium package.", file=sys.stderr)
        return 1
    args.output.parent.mkdir(parents=True, exist_ok=True)
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        try:
            context = browser.new_context(
                viewport={"width": args.width, "height": args.height}, locale=args.language
            )
            page = context.new_page()
            try:
                response = page.goto(args.url, wait_until="load")
            except Error as exc:
                print(f"Cannot open {args.url}: is the server running? ({exc})", file=sys.stderr)
                return 1
            if response is None or not response.ok:
                status = response.status if response else "no response"
                print(f"{args.url} answered {status}.", file=sys.stderr)
                return 1
            page.screenshot(path=str(args.output), full_page=True)
        finally:
            browser.close()
    print(f"Wrote {args.output}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
