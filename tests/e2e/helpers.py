"""Browser-test helpers: a live server, the test tools (axe-core, the Nu Html Checker), answering the quiz."""

from __future__ import annotations

import json
import math
import re
import shutil
import subprocess
import tempfile
import threading
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

from werkzeug.serving import make_server

from quizapp import create_app
from quizapp.assessment.rubric import load_file
from quizapp.storage import db

ROOT = Path(__file__).resolve().parents[2]
RUBRICS = ROOT / "rubrics"
DEFAULT_RUBRIC = "technical-project-manager"
AXE = ROOT / "node_modules" / "axe-core" / "axe.min.js"
VNU = ROOT / "node_modules" / "vnu-jar" / "build" / "dist" / "vnu.jar"
CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-dev-shm-usage",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
WCAG_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]

# Likert answers cycled over the statements when nothing else is asked for.
DEFAULT_LIKERT = ("Agree", "Strongly agree")
# The shipped rubric's attention checks and the answer each asks for.
CHECK_ANSWERS = {
    c.id: str(c.accept[0])
    for c in load_file(
        Path(__file__).resolve().parents[2] / "rubrics" / f"{DEFAULT_RUBRIC}.yaml"
    ).checks
}


def missing_tools() -> list[str]:
    """Say which of the browser, axe-core, the Nu Html Checker and Java are not installed."""
    missing = []
    if not CHROMIUM.exists():
        missing.append(f"Chromium ({CHROMIUM}; apt-get install chromium)")
    if not AXE.exists():
        missing.append(f"axe-core ({AXE.relative_to(ROOT)}; run npm install)")
    if not VNU.exists():
        missing.append(f"the Nu Html Checker ({VNU.relative_to(ROOT)}; run npm install)")
    if shutil.which("java") is None:
        missing.append("Java (needed by the Nu Html Checker; apt-get install default-jre-headless)")
    return missing


def live_app(folder: Path, database_url: str | None = None, **overrides):
    """The app as deployed (real rubric, CSRF on) on a migrated database.

    ``database_url`` is an already migrated database; without it, a new SQLite file in ``folder``.
    """
    url = database_url or f"sqlite:///{folder / 'quizapp.sqlite'}"
    if database_url is None:
        db.upgrade(url)
    config = {
        "SECRET_KEY": "browser-test-secret",
        "DATABASE_URL": url,
        "RUBRICS_DIR": str(RUBRICS),
        "DEFAULT_RUBRIC": DEFAULT_RUBRIC,
        "WTF_CSRF_ENABLED": True,
    }
    config.update(overrides)
    return create_app(config)


@contextmanager
def serve(app) -> Iterator[str]:
    """Serve ``app`` on a free local port in a background thread; yield its base URL."""
    server = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, name="live-server", daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_port}"
    finally:
        server.shutdown()
        thread.join(timeout=5)
        server.server_close()


def launch_chromium(playwright):
    """Launch Debian's Chromium headless (Playwright's own browser download is not used)."""
    return playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)


# --- answering the quiz --------------------------------------------------------------------


@dataclass(frozen=True)
class Answered:
    """What the test clicked: form values by question name, as the server will receive them."""

    values: dict[str, str]

    def as_answers(self, not_sure: str = "ns") -> dict[str, int | str | None]:
        """The answers the way the app scores and stores them (Likert as int, "Not sure" as None)."""
        out: dict[str, int | str | None] = {}
        for name, value in self.values.items():
            if value == not_sure:
                out[name] = None
            elif value.isdigit():
                out[name] = int(value)
            else:
                out[name] = value
        return out


def answer_quiz(
    page,
    *,
    likert: Sequence[str] = DEFAULT_LIKERT,
    scenario_option: int = 0,
    skip: Sequence[str] = (),
) -> Answered:
    """Answer every question on the page by clicking the visible label, like a person would.

    Statements get the ``likert`` labels in turn; scenarios get option number ``scenario_option``.
    Questions whose field name is in ``skip`` are left unanswered.
    """
    values: dict[str, str] = {}
    questions = page.locator("fieldset.question")
    count = questions.count()
    assert count > 0, "no questions found on the page"
    statement = 0
    for n in range(count):
        question = questions.nth(n)
        name = question.get_attribute("id").removeprefix("q-")
        if name in skip:
            continue
        if name in CHECK_ANSWERS:  # an attention check: answered as it asks, like a reader would
            label = question.locator("label.choice").filter(
                has=page.locator(f"input[value='{CHECK_ANSWERS[name]}']")
            )
        elif question.locator(".likert").count():
            text = likert[statement % len(likert)]
            statement += 1
            label = question.locator("label.choice").filter(has=page.get_by_text(text, exact=True))
        else:
            label = question.locator("label.choice").nth(scenario_option)
        label.click()
        radio = label.locator("input[type=radio]")
        assert radio.is_checked(), f"clicking the label did not select an answer for {name}"
        values[name] = radio.get_attribute("value")
    return Answered(values)


def checked_values(page) -> dict[str, str]:
    """The currently selected answer of every question on the page, by field name."""
    return page.evaluate(
        """() => Object.fromEntries(
            [...document.querySelectorAll('fieldset.question input[type=radio]:checked')]
              .map(el => [el.name, el.value]))"""
    )


def is_uncovered(locator) -> bool:
    """Whether the top-left corner of the element is actually on top (not under a sticky box)."""
    return locator.evaluate(
        """el => {
            const r = el.getBoundingClientRect();
            return r.top >= 0 && el.contains(document.elementFromPoint(r.left + 4, r.top + 4));
        }"""
    )


def _is_form_post(response) -> bool:
    return response.request.method == "POST" and response.request.is_navigation_request()


def submit_quiz(page):
    """Press the submit button, wait for the next page to load, and return the response to the
    form post itself (the 303 redirect, or the page with errors)."""
    with page.expect_navigation(), page.expect_response(_is_form_post) as posted:
        page.get_by_role("button", name="See my result").click()
    return posted.value


TOKEN_PATH = re.compile(r"/r/([A-Za-z0-9_-]+)$")


def result_token(url: str) -> str:
    """The private token from a result page URL."""
    found = TOKEN_PATH.search(url)
    assert found, f"not a result page URL: {url}"
    return found.group(1)


# --- accessibility ------------------------------------------------------------------------


AXE_URL = "/__browser-tests__/axe.min.js"


def run_axe(page) -> list[dict]:
    """Run axe-core's WCAG 2.1 A and AA rules on the page; return the violations.

    The page's Content-Security-Policy forbids inline scripts, so axe is loaded as a same-origin
    script whose request the browser context answers from node_modules: the policy stays on.
    """
    if not page.evaluate("typeof window.axe !== 'undefined'"):
        pattern = "**" + AXE_URL
        page.route(pattern, lambda route: route.fulfill(path=AXE, content_type="text/javascript"))
        try:
            page.add_script_tag(url=AXE_URL)
        finally:
            page.unroute(pattern)
    return page.evaluate(
        """async (tags) => {
            const results = await axe.run(document, {runOnly: {type: "tag", values: tags}});
            return results.violations;
        }""",
        WCAG_TAGS,
    )


def format_violations(violations: list[dict]) -> str:
    """Describe axe violations readably: rule, impact, help text and the offending nodes."""
    lines = []
    for v in violations:
        lines.append(f"- {v['id']} ({v.get('impact')}): {v['help']}  [{v.get('helpUrl', '')}]")
        for node in v["nodes"][:10]:
            target = " ".join(str(t) for t in node.get("target", []))
            lines.append(f"    at {target}")
            summary = (node.get("failureSummary") or "").strip().replace("\n", " / ")
            if summary:
                lines.append(f"       {summary}")
        if len(v["nodes"]) > 10:
            lines.append(f"    ... and {len(v['nodes']) - 10} more")
    return "\n".join(lines)


def assert_accessible(page, what: str = "") -> None:
    """Fail with a readable list if axe finds any WCAG 2.1 A/AA violation on the page."""
    violations = run_axe(page)
    where = what or page.url
    assert not violations, f"axe found WCAG 2.1 A/AA violations on {where}:\n" + format_violations(
        violations
    )


# --- HTML validity ------------------------------------------------------------------------


def check_html(pages: dict[str, str]) -> list[dict]:
    """Validate HTML documents (name -> markup) with one Nu Html Checker run; return the errors.

    Errors include vnu's own failures to read a file ("non-document-error"); each error dict
    gets a ``page`` key naming the document it came from.
    """
    with tempfile.TemporaryDirectory(prefix="vnu-") as folder:
        files: dict[str, str] = {}
        for n, (name, html) in enumerate(pages.items()):
            path = Path(folder).resolve() / f"{n:02d}-{re.sub(r'[^A-Za-z0-9_-]+', '-', name)}.html"
            path.write_text(html, encoding="utf-8")
            files[str(path)] = name
        run = subprocess.run(
            ["java", "-jar", str(VNU), "--format", "json", "--exit-zero-always", *files],
            capture_output=True,
            text=True,
            timeout=300,
            check=False,
        )
    assert run.returncode == 0, f"vnu failed to run ({run.returncode}):\n{run.stderr[-2000:]}"
    report = json.loads(run.stderr or run.stdout)
    errors = []
    for message in report["messages"]:
        if message.get("type") in {"error", "non-document-error"}:
            path = message.get("url", "").removeprefix("file:")
            errors.append({**message, "page": files.get(path, path)})
    return errors


def format_html_errors(errors: list[dict]) -> str:
    """Describe vnu errors readably: page, line, message and the markup around it."""
    return "\n".join(
        f"- {e['page']} line {e.get('lastLine', '?')}: {e.get('message')}\n"
        f"    {(e.get('extract') or '').strip()}"
        for e in errors
    )


# --- staff accounts and pages -------------------------------------------------------------


STAFF_PASSWORD = "browser-test password"


def add_staff(app, username: str, role: str = "counselor", password: str = STAFF_PASSWORD) -> str:
    """Create an active account directly in the app's database; return its username."""
    from quizapp.storage.users import create_user

    with app.app_context():
        session = db.session()
        user = create_user(session, username, password, role)
        session.commit()
        return user.username


def add_link(app, owner: str, label: str) -> tuple[int, str]:
    """Create an open quiz link owned by ``owner`` directly in the database; return (id, code)."""
    from quizapp.storage.models import QuizLink
    from quizapp.storage.users import find_user

    with app.app_context():
        session = db.session()
        user = find_user(session, owner)
        assert user is not None, f"no account called {owner!r}"
        link = QuizLink(label=label, rubric_id=DEFAULT_RUBRIC, owner_id=user.id)
        session.add(link)
        session.commit()
        return link.id, link.code


def count_results(app, **where) -> int:
    """How many results the database holds (optionally only those matching column=value)."""
    from sqlalchemy import func, select

    from quizapp.storage.models import Result

    query = select(func.count()).select_from(Result)
    for column, value in where.items():
        query = query.where(getattr(Result, column) == value)
    with app.app_context():
        return db.session().scalar(query)


def submit_form(page, button: str):
    """Press the named submit button and wait for the next page to load.

    Returns (the response to the form post itself, the response of the page the browser ended
    on): for a redirect these differ, for a page with errors they are the same.
    """
    with (
        page.expect_navigation() as landed,
        page.expect_response(_is_form_post) as posted,
    ):
        page.get_by_role("button", name=button, exact=True).click()
    return posted.value, landed.value


def sign_in(page, username: str, password: str = STAFF_PASSWORD):
    """Fill in and send the sign-in form like a person; return the response to the post."""
    page.goto("/login")
    page.get_by_label("Username", exact=True).fill(username)
    page.get_by_label("Password", exact=True).fill(password)
    posted, _ = submit_form(page, "Sign in")
    return posted


def create_link(page, label: str, *, max_responses: int | None = None):
    """Create a quiz link through the form; the page ends on the new link's page."""
    page.goto("/counselor/links/new")
    page.get_by_label("Label", exact=True).fill(label)
    if max_responses is not None:
        page.get_by_label("Maximum number of responses (optional)").fill(str(max_responses))
    posted, _ = submit_form(page, "Create link")
    assert posted.status == 303, f"creating a link gave {posted.status}"
    return page.locator("#share-url").input_value()


# --- answering the quiz without a page (to add many responses quickly) ---------------------


def quiz_values(
    rubric, level: float, by_dimension: dict[str, float] | None = None
) -> dict[str, str]:
    """Form values for a whole quiz from someone whose fit is ``level`` (0 to 1).

    ``by_dimension`` overrides the level per dimension id. Statements get the Likert answer
    closest to the level (keyed the right way, alternating a step up and down between levels so
    people do not all answer alike); each scenario gets the option whose rank by total points
    matches the overall level.
    """
    by_dimension = by_dimension or {}
    values: dict[str, str] = {}
    for dim in rubric.dimensions:
        dim_level = min(1.0, max(0.0, by_dimension.get(dim.id, level)))
        nudge = 0.5 if 0 < dim_level < 1 else 0.0
        for n, item in enumerate(dim.items):
            # Half up, so a middling level alternates two answers rather than "Neither" throughout
            # (one answer to most statements gets no verdict from 2.2.0 on).
            step = math.floor(dim_level * 4 + (nudge if n % 2 else -nudge) + 0.5)
            points = min(4, max(0, step))
            values[item.id] = str(1 + points if item.keyed == "plus" else 5 - points)
    values |= {c.id: str(c.accept[0]) for c in rubric.checks}
    for scenario in rubric.scenarios:
        ranked = sorted(scenario.options, key=lambda o: sum(o.points.values()))
        values[scenario.id] = ranked[round(min(1.0, max(0.0, level)) * (len(ranked) - 1))].id
    return values


CSRF_FIELD = re.compile(r'name="csrf_token"[^>]*\bvalue="([^"]+)"')


def post_quiz(request, path: str, values: dict[str, str]):
    """Take the quiz at ``path`` the way a browser form would, without rendering a page.

    ``request`` is a browser context's APIRequestContext (it shares the context's cookies):
    GET the questionnaire, read its CSRF token, POST the answers. Returns the post's response
    (a 303 to the result page when the answers were complete).
    """
    form_page = request.get(path)
    assert form_page.ok, f"GET {path} gave {form_page.status}"
    token = CSRF_FIELD.search(form_page.text())
    assert token, f"no CSRF token on {path}"
    return request.post(path, form={"csrf_token": token.group(1), **values}, max_redirects=0)


# --- layout ----------------------------------------------------------------------------------


def sideways_overflow(page, width: int) -> str | None:
    """Describe how the page is wider than ``width`` (naming the widest elements), or None."""
    scroll_width = page.evaluate("document.documentElement.scrollWidth")
    if scroll_width <= width:
        return None
    culprits = page.evaluate(
        """(width) => [...document.querySelectorAll('body *')]
            .filter(el => el.getBoundingClientRect().right > width)
            .slice(0, 8)
            .map(el => el.tagName.toLowerCase() + (el.className ? '.' + el.className : '')
                 + ' right=' + Math.round(el.getBoundingClientRect().right))""",
        width,
    )
    return f"scrollWidth {scroll_width} at {width}px: {culprits}"


@dataclass(frozen=True)
class Visit:
    """One page as the server sent it and as the browser shows it, with axe's findings."""

    status: int
    served: str
    dom: str
    violations: list[dict]


def record_visit(page, response) -> Visit:
    """Keep a page's status, served HTML, rendered DOM and axe findings for later checks."""
    return Visit(response.status, response.text(), page.content(), run_axe(page))


def assert_no_violations(visits: dict[str, Visit], name: str) -> None:
    violations = visits[name].violations
    assert not violations, f"axe found WCAG 2.1 A/AA violations on the {name} page:\n" + (
        format_violations(violations)
    )


def assert_valid_html(visits: dict[str, Visit]) -> None:
    """Check every visited page, as served and after scripts ran, in one Nu Html Checker run."""
    documents = {}
    for name, visit in visits.items():
        documents[f"{name} (as served)"] = visit.served
        documents[f"{name} (after scripts ran)"] = visit.dom
    errors = check_html(documents)
    assert not errors, "The Nu Html Checker found errors:\n" + format_html_errors(errors)
