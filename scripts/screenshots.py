"""Take full-page screenshots of the quiz, counselor and admin pages at desktop and phone widths.

Run from the project folder with the test tools installed (see the Makefile):

    .venv/bin/python scripts/screenshots.py [output folder, default docs/screenshots]

The app runs on its own temporary database with the shipped rubric, exactly as the browser
tests start it; nothing touches the instance folder. A demo counselor account is created in that
database, and made-up people answer the quiz through the counselor's links so that the group
figures have something to show. For the admin pages, ``flask demo seed`` adds a year of
realistic made-up results (or, without that command, a few dozen people answer the quiz), and an
admin account looks at them. Addresses the app prints (the shareable quiz link and its QR
code) read https://quiz.example.org instead of the local test server.
"""

from __future__ import annotations

import datetime as dt
import logging
import random
import sys
import tempfile
from collections import Counter
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "tests"))

from e2e.helpers import (  # noqa: E402  (the helpers live with the browser tests)
    DEFAULT_LIKERT,
    DEFAULT_RUBRIC,
    add_staff,
    answer_quiz,
    create_link,
    launch_chromium,
    live_app,
    missing_tools,
    post_quiz,
    quiz_values,
    serve,
    sign_in,
    submit_form,
    submit_quiz,
)
from playwright.sync_api import sync_playwright  # noqa: E402

from quizapp.assessment.rubric import load_file  # noqa: E402
from quizapp.assessment.scoring import score  # noqa: E402
from quizapp.storage.models import today  # noqa: E402

WIDTHS = (1280, 375)
SHOWN_AT = ("https", "quiz.example.org")
COUNSELOR = "jordan.lee"
ADMIN = "sam.rivera"
# Counselor accounts the admin creates on the accounts page, one for each window width.
NEW_ACCOUNTS = {1280: "alex.morgan", 375: "casey.kim"}
# The questionnaire with answers kept from earlier in the tab: this many answered.
RESTORED_ANSWERS = 6
DEMO_RESULTS, DEMO_LINKS = 3000, 4
# The dashboard is shown filtered to this many days ending today.
FILTER_DAYS = 90
COHORT_LABEL = "Spring cohort, evening class"
NEW_LABEL = "Career fair stand, 14 May"
CLOSED_LABEL = "Workshop: moving into tech"
# Overall fit of the made-up people in the spring cohort (0 to 1); each dimension varies
# around it, so the group spreads over all three bands and some dimensions are common gaps.
COHORT_LEVELS = (0.9,) * 4 + (0.8,) * 3 + (0.7,) * 3 + (0.6,) * 3 + (0.35,) * 3 + (0.2,) * 2


class ShownAt:
    """WSGI middleware: make the app build its absolute addresses for another scheme and host."""

    def __init__(self, wsgi_app, scheme: str, host: str):
        self.wsgi_app, self.scheme, self.host = wsgi_app, scheme, host

    def __call__(self, environ, start_response):
        environ["wsgi.url_scheme"] = self.scheme
        environ["HTTP_HOST"] = self.host
        return self.wsgi_app(environ, start_response)


def window(browser, url: str, width: int):
    """A fresh browser context (no cookies, no stored answers) with a window ``width`` pixels wide."""
    return browser.new_context(
        base_url=url, viewport={"width": width, "height": 900}, device_scale_factor=1
    )


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
    """Screenshot the landing, quiz, quiz with restored answers, quiz-with-error and result pages
    at one window width."""
    context = window(browser, url, width)
    page = context.new_page()
    taken = []
    page.goto("/")
    taken.append(shoot(page, folder, "landing", width))
    page.goto("/quiz")
    taken.append(shoot(page, folder, "quiz", width))
    taken.append(restored_quiz(page, folder, width))
    skipped = page.locator("fieldset.question").nth(3).get_attribute("id").removeprefix("q-")
    answer_quiz(page, skip=[skipped])
    submit_quiz(page)
    page.evaluate("window.scrollTo(0, 0)")
    # The rest of the page is the quiz again: stop below the question that needs an answer.
    taken.append(shoot(page, folder, "quiz-error", width, page.locator(f"#q-{skipped}")))
    page.goto("/quiz")
    # Someone fairly strong on people and delivery, lighter on architecture: a Possible fit.
    rubric = load_file(ROOT / "rubrics" / f"{DEFAULT_RUBRIC}.yaml")
    levels = {"architecture": 0.45, "coordination": 0.85, "communication": 0.8, "risk": 0.5}
    for name, value in quiz_values(rubric, 0.65, levels).items():
        page.locator(f"#q-{name} input[value='{value}']").check()
    submit_quiz(page)
    taken.append(shoot(page, folder, "result", width))
    context.close()
    return taken


def restored_quiz(page, folder: Path, width: int) -> Path:
    """Answer the first few questions, reload the tab, and show the answers coming back."""
    questions = page.locator("fieldset.question")
    for n in range(RESTORED_ANSWERS):
        text = DEFAULT_LIKERT[n % len(DEFAULT_LIKERT)]
        choices = questions.nth(n).locator("label.choice")
        choices.filter(has=page.get_by_text(text, exact=True)).click()
    page.reload()
    page.locator("#restored").wait_for()
    page.evaluate("window.scrollTo(0, 0)")
    # Stop below the first unanswered question, where the notice's link leads.
    shot = shoot(page, folder, "quiz-restored", width, questions.nth(RESTORED_ANSWERS))
    # Leave the tab as it was: the next shots start from an empty questionnaire.
    page.evaluate("window.sessionStorage.clear()")
    page.reload()
    return shot


def cohort_people(rubric) -> list[dict[str, str]]:
    """Form values for the spring cohort: the same varied people on every run."""
    rng = random.Random(7)  # noqa: S311  (repeatable made-up data, not a secret)
    people = []
    for level in COHORT_LEVELS:
        dims = {d.id: level + rng.uniform(-0.3, 0.3) for d in rubric.dimensions}
        people.append(quiz_values(rubric, level, dims))
    return people


def respond(browser, url: str, share_url: str, people: list[dict[str, str]]) -> None:
    """Post a whole quiz through a link once for each person, each from a fresh browser."""
    path = share_url[share_url.index("/q/") :]
    for values in people:
        context = browser.new_context(base_url=url)
        posted = post_quiz(context.request, path, values)
        assert posted.status == 303, f"posting a quiz through {path} gave {posted.status}"
        context.close()


def set_up_counselor(app, browser, url: str) -> dict[str, str]:
    """Create the demo counselor and three links with responses; return each link page's path."""
    rubric = app.extensions["quizapp.rubrics"][DEFAULT_RUBRIC]
    add_staff(app, COUNSELOR)
    context = browser.new_context(base_url=url, viewport={"width": 1280, "height": 900})
    page = context.new_page()
    sign_in(page, COUNSELOR)
    paths = {}

    create_link(page, CLOSED_LABEL)
    respond(browser, url, page.locator("#share-url").input_value(), cohort_people(rubric)[2:5])
    page.reload()
    submit_form(page, "Close this link")

    people = cohort_people(rubric)
    bands = Counter(score(rubric, as_answers(v)).band for v in people)
    print(f"spring cohort: {len(people)} people, bands {dict(bands)}")
    create_link(page, COHORT_LABEL)
    paths["cohort"] = page.url.removeprefix(url)
    respond(browser, url, page.locator("#share-url").input_value(), people)

    create_link(page, NEW_LABEL, max_responses=40)
    paths["new"] = page.url.removeprefix(url)
    respond(browser, url, page.locator("#share-url").input_value(), people[5:11])
    context.close()
    return paths


def as_answers(values: dict[str, str]) -> dict[str, int | str]:
    return {k: int(v) if v.isdigit() else v for k, v in values.items()}


def staff_pages_at(browser, url: str, width: int, folder: Path, paths: dict[str, str]):
    """Screenshot the sign-in page, the list of links, a new link and a group's figures."""
    context = window(browser, url, width)
    page = context.new_page()
    taken = []
    page.goto("/login")
    taken.append(shoot(page, folder, "login", width))
    sign_in(page, COUNSELOR)
    taken.append(shoot(page, folder, "counselor-dashboard", width))
    page.goto(paths["new"])
    taken.append(shoot(page, folder, "counselor-link", width))
    page.goto(paths["cohort"])
    taken.append(shoot(page, folder, "counselor-cohort", width))
    page.goto(paths["cohort"] + "/report")
    taken.append(shoot(page, folder, "counselor-report", width))
    page.goto(paths["new"] + "/edit")
    taken.append(shoot(page, folder, "counselor-edit", width))
    cohort_id, new_id = (p.rstrip("/").rsplit("/", 1)[1] for p in (paths["cohort"], paths["new"]))
    page.goto(f"/counselor/compare?a={cohort_id}&b={new_id}")
    taken.append(shoot(page, folder, "counselor-compare", width))
    context.close()
    return taken


def seed_demo(app, browser, url: str) -> None:
    """Add realistic results for the admin pages: ``flask demo seed`` if the app has it."""
    try:
        from quizapp.cli.demo_data import demo_cli  # noqa: F401  (only checks that the command exists)
    except ImportError:
        print("no flask demo seed command", file=sys.stderr)
    else:
        args = ["demo", "seed", "--results", str(DEMO_RESULTS), "--links", str(DEMO_LINKS)]
        seeded = app.test_cli_runner().invoke(args=[*args, "--jobs", "1"])
        if seeded.exit_code == 0:
            print(seeded.output.strip().splitlines()[-1])
            return
        print(f"flask demo seed failed ({seeded.exit_code}):\n{seeded.output}", file=sys.stderr)
    # Without the command: a few dozen varied people answer the quiz directly.
    rubric = app.extensions["quizapp.rubrics"][DEFAULT_RUBRIC]
    rng = random.Random(11)  # noqa: S311  (repeatable made-up data, not a secret)
    people = []
    for _ in range(60):
        level = min(1.0, max(0.0, rng.gauss(0.6, 0.2)))
        dims = {d.id: level + rng.uniform(-0.3, 0.3) for d in rubric.dimensions}
        people.append(quiz_values(rubric, level, dims))
    context = browser.new_context(base_url=url)
    for values in people:
        posted = post_quiz(context.request, "/quiz", values)
        assert posted.status == 303, f"posting a quiz gave {posted.status}"
    context.close()
    print(f"posted {len(people)} made-up results (no demo seed command)")


def admin_pages_at(browser, url: str, width: int, folder: Path) -> list[Path]:
    """Screenshot the statistics (filtered to recent weeks) and the rubric quality page."""
    context = window(browser, url, width)
    page = context.new_page()
    taken = []
    sign_in(page, ADMIN)
    last = today()
    page.get_by_label("From", exact=True).fill(f"{last - dt.timedelta(days=FILTER_DAYS - 1)}")
    page.get_by_label("To", exact=True).fill(f"{last}")
    with page.expect_navigation():
        page.get_by_role("button", name="Apply filters").click()
    taken.append(shoot(page, folder, "admin-dashboard", width))
    page.goto("/admin/quality")
    taken.append(shoot(page, folder, "admin-quality", width))
    context.close()
    return taken


def account_pages(browser, url: str, folder: Path) -> list[Path]:
    """Screenshot creating a counselor account: the one-time link, the accounts page, and the
    page the link opens (not used, so the account stays without a password)."""
    taken, links = [], []
    for width, username in NEW_ACCOUNTS.items():
        context = window(browser, url, width)
        page = context.new_page()
        sign_in(page, ADMIN)
        page.goto("/admin/users")
        page.get_by_label("Username", exact=True).fill(username)
        page.get_by_label("Role", exact=True).select_option("counselor")
        posted, _ = submit_form(page, "Create account")
        assert posted.status == 200, f"creating an account gave {posted.status}"
        links.append(page.get_by_label("Set-password link", exact=True).input_value())
        taken.append(shoot(page, folder, "account-link", width))
        context.close()
    shown_at = "{}://{}".format(*SHOWN_AT)
    for width in NEW_ACCOUNTS:
        context = window(browser, url, width)
        page = context.new_page()
        sign_in(page, ADMIN)
        page.goto("/admin/users")
        taken.append(shoot(page, folder, "admin-accounts", width))
        context.close()
        # The counselor opens the link in a browser of their own.
        context = window(browser, url, width)
        page = context.new_page()
        page.goto(links[0].removeprefix(shown_at))
        taken.append(shoot(page, folder, "set-password", width))
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
    with tempfile.TemporaryDirectory(prefix="quizapp-shots-") as data:
        # Behind the pretend https address the browser still talks plain http to the test
        # server, which sends no Referer header: the strict https Referer check must be off.
        app = live_app(Path(data), WTF_CSRF_SSL_STRICT=False)
        app.wsgi_app = ShownAt(app.wsgi_app, *SHOWN_AT)
        with serve(app) as url, sync_playwright() as playwright:
            browser = launch_chromium(playwright)
            paths = set_up_counselor(app, browser, url)
            shots = []
            for width in WIDTHS:
                shots += pages_at(browser, url, width, folder)
                shots += staff_pages_at(browser, url, width, folder, paths)
            # Only now the demo data: the quiz and counselor pages show the small set above.
            seed_demo(app, browser, url)
            add_staff(app, ADMIN, role="admin")
            for width in WIDTHS:
                shots += admin_pages_at(browser, url, width, folder)
            shots += account_pages(browser, url, folder)
            for path in shots:
                print(path.relative_to(ROOT) if path.is_relative_to(ROOT) else path)
            browser.close()
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
