"""Screenshot an HTML report for the README.

    python benchmarks/screenshot.py [--html reports/audit.html] [--out docs/report.png] [--details N ...]

Needs the ``playwright`` Python package and a Chromium binary (Debian's
``chromium`` package; ``playwright install`` is not needed). The page is opened
from disk with networking disabled, exactly as a reviewer would open it.
"""

from __future__ import annotations

import argparse
import os
import shutil
import sys
from pathlib import Path

CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]


def find_chromium(explicit: str | None) -> str:
    for candidate in (explicit, os.environ.get("CHROMIUM"), "/usr/bin/chromium",
                      shutil.which("chromium"), shutil.which("chromium-browser")):
        if candidate and Path(candidate).exists():
            return candidate
    raise SystemExit("screenshot: no Chromium found; install Debian's 'chromium' package "
                     "or pass --chromium PATH")


def screenshot(html: Path, out: Path, chromium: str, width: int, height: int,
               full_page: bool, details: tuple[int, ...] = ()) -> None:
    from playwright.sync_api import sync_playwright

    out.parent.mkdir(parents=True, exist_ok=True)
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=chromium, args=CHROMIUM_ARGS)
        try:
            page = browser.new_page(viewport={"width": width, "height": height})
            page.goto(html.resolve().as_uri())
            page.wait_for_selector("#claims-table")
            # Open the side-by-side view of some claims, as a reviewer would.
            toggles = page.locator("tbody.finding button.toggle-details")
            for number in details:
                if 1 <= number <= toggles.count():
                    toggles.nth(number - 1).click()
            page.screenshot(path=str(out), full_page=full_page)
        finally:
            browser.close()


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--html", type=Path, default=Path("reports/audit.html"))
    parser.add_argument("--out", type=Path, default=Path("docs/report.png"))
    parser.add_argument("--chromium", help="path to the Chromium binary")
    parser.add_argument("--width", type=int, default=1280)
    parser.add_argument("--height", type=int, default=900)
    parser.add_argument("--full-page", action="store_true", help="capture the whole page")
    parser.add_argument("--details", type=int, nargs="+", default=[], metavar="N",
                        help="open the details of claim number N (repeatable) before capturing")
    args = parser.parse_args(argv)
    if not args.html.is_file():
        print(f"screenshot: {args.html} not found; run `claimaudit audit` first", file=sys.stderr)
        return 2
    try:
        import playwright  # noqa: F401
    except ImportError:
        print("screenshot: pip install playwright", file=sys.stderr)
        return 2
    screenshot(args.html, args.out, find_chromium(args.chromium), args.width, args.height,
               args.full_page, tuple(args.details))
    print(f"wrote {args.out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
