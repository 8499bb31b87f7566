"""Take full-page screenshots of the public quiz pages at desktop and phone widths.

Run from the project folder with the test tools installed (see the Makefile):

    .venv/bin/python scripts/screenshots.py [output folder, default docs/screenshots]

The app runs on its own temporary database with the shipped rubric, exactly as the browser
tests start it; nothing touches the instance folder.
"""

from __future__ import annotations

import logging
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "tests"))

from e2e.helpers import (  # noqa: E402  (the helpers live with the browser tests)
    answer_quiz,
    launch_chromium,
    live_app,
    missing_tools,
    serve,
    submit_quiz,
)
from playwright.sync_api import sync_playwright  # noqa: E402

WIDTHS = (1280, 375)


def shoot(page, folder: Path, name: str, width: int, down_to=None) -> Path:
    """Save a full-page screenshot, or only the part of the page down to the ``down_to`` element."""
    path = folder / f"{name}-{width}.png"
    clip = None
    if down_to is not None:
        bottom = page.evaluate(
            "el => el.getBoundingClientRect().bottom + window.scrollY", down_to.element_handle()
        )
        clip = {"x": 0, "y": 0, "width": width, "height": bottom + 24}
    page.screenshot(path=str(path), full_page=True, clip=clip, animations="disabled")
    return path


def pages_at(browser, url: str, width: int, folder: Path) -> list[Path]:
    """Screenshot the landing, quiz, quiz-with-error and result pages at one window width."""
    context = browser.new_context(
        base_url=url, viewport={"width": width, "height": 900}, device_scale_factor=1
    )
    page = context.new_page()
    taken = []
    page.goto("/")
    taken.append(shoot(page, folder, "landing", width))
    page.goto("/quiz")
    taken.append(shoot(page, folder, "quiz", width))
    skipped = page.locator("fieldset.question").nth(3).get_attribute("id").removeprefix("q-")
    answer_quiz(page, skip=[skipped])
    submit_quiz(page)
    page.evaluate("window.scrollTo(0, 0)")
    # The rest of the page is the quiz again: stop below the question that needs an answer.
    taken.append(shoot(page, folder, "quiz-error", width, page.locator(f"#q-{skipped}")))
    page.goto("/quiz")
    answer_quiz(page, likert=("Agree", "Strongly agree", "Disagree", "Agree"), scenario_option=1)
    submit_quiz(page)
    taken.append(shoot(page, folder, "result", width))
    context.close()
    return taken


def main(argv: list[str]) -> int:
    folder = Path(argv[1]) if len(argv) > 1 else ROOT / "docs" / "screenshots"
    missing = missing_tools()
    if missing:
        print("cannot take screenshots without " + "; ".join(missing), file=sys.stderr)
        return 1
    folder.mkdir(parents=True, exist_ok=True)
    logging.getLogger("werkzeug").setLevel(logging.WARNING)
    with (
        tempfile.TemporaryDirectory(prefix="quizapp-shots-") as data,
        serve(live_app(Path(data))) as url,
        sync_playwright() as playwright,
    ):
        browser = launch_chromium(playwright)
        for width in WIDTHS:
            for path in pages_at(browser, url, width, folder):
                print(path.relative_to(ROOT) if path.is_relative_to(ROOT) else path)
        browser.close()
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
