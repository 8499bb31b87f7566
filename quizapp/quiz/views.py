"""Quiz views: the landing page, the questionnaire, and the private result page and JSON."""

from __future__ import annotations

from flask import (
    Blueprint,
    Response,
    abort,
    current_app,
    flash,
    jsonify,
    render_template,
    request,
    url_for,
)
from sqlalchemy.exc import DBAPIError

from ..assessment.rubric import Rubric
from ..assessment.scoring import score
from ..errors import RETRY_AFTER_SECONDS, unavailable
from ..extensions import csrf_token, limiter
from ..reporting.report import as_json, build_report
from ..reporting.stats import compare
from ..storage import db
from ..storage.catalog import default_rubric, rubric_or_404, rubrics, scored_with
from ..storage.links import LinkState, find_by_code, response_count, state_of
from ..storage.models import QuizLink, today
from ..storage.results import (
    LinkClosedError,
    find_result,
    find_submission,
    result_exists,
    store_result,
)
from .forms import (
    FORGED_KEY,
    check_submission_key,
    complete_answers,
    new_submission_key,
    questionnaire_form,
    read_post,
)
from .keys import KeyCheck
from .page_cache import PageCache, filled, plain_request

bp = Blueprint("quiz", __name__)

NO_STORE = {"Cache-Control": "no-store", "X-Robots-Tag": "noindex"}


def submit_limit() -> str:
    """How many questionnaires one address may submit, e.g. "20 per minute" (configurable)."""
    return current_app.config["SUBMIT_RATE_LIMIT"]


# Every post of this blueprint (a questionnaire submitted, through any of its addresses) is
# rate-limited per address and route; reads are exempt (extensions._reads_are_not_limited). On
# the blueprint, the limiter checks it once, before the view; on each view it also went through
# the view's wrapper, a second round of its bookkeeping (about 5% of a submission).
limiter.limit(submit_limit)(bp)


@bp.get("/")
def landing():
    return render_template("quiz/landing.html", rubric=default_rubric())


# Each questionnaire address has a GET view and a POST view.
@bp.get("/quiz")
def take_default():
    return take(default_rubric())


@bp.post("/quiz")
def submit_default():
    return take(default_rubric())


@bp.get("/quiz/<rubric_id>")
def take_rubric(rubric_id: str):
    return take(rubric_or_404(rubric_id))


@bp.post("/quiz/<rubric_id>")
def submit_rubric(rubric_id: str):
    return take(rubric_or_404(rubric_id))


INDIVIDUAL = (
    "{reason} So your answers were kept as an individual result: it is yours alone and is "
    "not counted in your counselor's group figures."
)


def take(
    rubric: Rubric,
    link: QuizLink | None = None,
    action: str | None = None,
    closed: LinkState | None = None,
):
    """Show the questionnaire, or score and store a submitted one and redirect to its result.

    A link that closed while the person was answering never costs them their answers: the
    finished quiz is stored as an individual result, outside the group, and the page says why.
    """
    if request.method != "POST":  # GET, and HEAD, which Flask answers with the GET view
        return blank_questionnaire(rubric, link, closed, action)
    problem, given = read_post(rubric, request.form)
    if problem:
        abort(400, description=problem + " Nothing was stored.")
    key = request.form.get("submission_key") or None
    if key:
        refuse_other_keys(key)
    # Every answer given and every value one of the choices: no form object is needed (the
    # CSRF token was checked before the view, for every post). Otherwise the form says what.
    answers = complete_answers(rubric, given)
    form = None
    if answers is None:
        form = questionnaire_form(rubric)()
        form.validate()  # for its messages: some question is unanswered
    try:
        return submit(rubric, answers, link, closed, key) or questionnaire(
            rubric, form, link, closed, action
        )
    except DBAPIError as error:
        if not unavailable(error):
            raise
        form = form or questionnaire_form(rubric)()
        return questionnaire(rubric, form, link, closed, action, unavailable_now=True)


ALREADY_SENT = (
    "This questionnaire was sent some time ago and its answers are stored. A copy of the page "
    "kept since then does not open the result again, so that nobody who finds it later can: "
    "use the private link you were given. Nothing new was stored."
)


def refuse_other_keys(key: str) -> None:
    """400 for a submission key this site did not give this browser; 409 for an old page that
    was already sent (its result opens only through its private link)."""
    state = check_submission_key(key)
    if state is KeyCheck.FORGED:
        abort(400, description=FORGED_KEY + " Nothing was stored.")
    if state is KeyCheck.STALE and find_submission(db.session(), key) is not None:
        abort(409, description=ALREADY_SENT)


def submit(rubric: Rubric, answers, link, closed: LinkState | None, key: str | None):
    """Store a complete posted questionnaire and redirect to its result; None if incomplete."""
    if answers is None:
        earlier = find_submission(db.session(), key) if key else None
        if earlier is not None:  # this page was posted before: Back and resubmit, or a reload
            return see_result(earlier.token)
        return None
    # A complete page posted before (Back and resubmit, a reload, a double click) is found by
    # store_result through its submission key, and nothing new is stored.
    scored = score(rubric, answers)
    try:
        result = store_result(db.engine(), rubric, answers, scored, link, key)
    except LinkClosedError as late:  # the last place went while they answered
        closed = late.state
        result = store_result(db.engine(), rubric, answers, scored, None, key)
    if closed is not None and result.link_id is None:
        flash(INDIVIDUAL.format(reason=closed.message), "info")
    return see_result(result.token)


def see_result(token: str) -> Response:
    """303 See Other to a result page, with an empty body, as after every stored questionnaire.

    Browsers follow the Location header and never show a redirect's body, and without one the
    server sends the whole response in one write instead of two. The address is the result
    pages' prefix (``url_for`` once per script root: building each one took 2% of a
    submission) and the token, which is URL-safe as it is made (``models.new_token``)."""
    return Response(status=303, headers={"Location": result_prefix() + token})


def result_prefix() -> str:
    """Where result pages live under this request's script root, e.g. "/r/"."""
    prefixes = current_app.extensions.setdefault("quizapp.result_prefixes", {})
    prefix = prefixes.get(request.script_root)
    if prefix is None:
        prefix = prefixes[request.script_root] = url_for("quiz.result", token="-")[:-1]  # noqa: S106
    return prefix


def pages() -> PageCache:
    """This app's kept questionnaire pages (quizapp/quiz/page_cache.py)."""
    return _kept("quizapp.pages")


def _kept(name: str) -> PageCache:
    """The app's PageCache under ``name``, made on first use."""
    kept = current_app.extensions.get(name)
    return kept if kept is not None else current_app.extensions.setdefault(name, PageCache())


def blank_questionnaire(rubric: Rubric, link: QuizLink | None, closed, action):
    """The questionnaire as first shown: rendered once per rubric version and address, then
    copied with this request's CSRF token and submission key."""
    token, key = csrf_token(), new_submission_key()
    action = action or request.path

    def render() -> str:
        return questionnaire_page(
            rubric, questionnaire_form(rubric)(submission_key=key), link, closed, action
        )

    if plain_request():
        which = (rubric.id, rubric.version, rubric.content_hash, action, link is not None)
        page = filled(pages(), (*which, closed.message if closed else None), render, token, key)
    else:
        page = render()
    return page, 200, NO_STORE


def questionnaire_page(rubric, form, link, closed, action, unavailable: bool = False) -> str:
    return render_template(
        "quiz/questionnaire.html",
        rubric=rubric,
        form=form,
        link=link,
        closed=closed,
        unavailable=unavailable,
        action=action,
    )


def questionnaire(rubric, form, link, closed, action, unavailable_now: bool = False):
    """The questionnaire page, with the person's answers so far (422 with errors, 503 when the
    database is out of reach for a moment: the answers are kept on the page to send again)."""
    status = 503 if unavailable_now else 422 if form.errors else 200
    page = questionnaire_page(rubric, form, link, closed, action or request.path, unavailable_now)
    headers = {**NO_STORE, "Retry-After": str(RETRY_AFTER_SECONDS)} if unavailable_now else NO_STORE
    return page, status, headers


@bp.get("/q/<code>")
def take_link(code: str):
    """The quiz through a counselor's link; a closed link says why and stores nothing."""
    return through_link(code)


@bp.post("/q/<code>")
def submit_link(code: str):
    """A finished quiz through a counselor's link (kept as an individual result if it closed)."""
    return through_link(code)


def through_link(code: str):
    session = db.session()
    link = find_by_code(session, code) or abort(404)
    rubric = rubrics().get(link.rubric_id) or abort(404)
    # Responses matter only to a link with a maximum: counting a busy link's on every page
    # would make its questionnaire slower with every response (the count stays below the
    # maximum where there is one).
    responses = response_count(session, link) if link.max_responses is not None else 0
    state = state_of(link, responses, current_app.config["COHORT_MIN_SIZE"])
    if request.method == "POST":
        session.commit()  # the reads are done; a submission is written in a transaction of its own
    if state.is_open:
        return take(rubric, link=link)
    if request.method == "POST":  # finished after the link closed: keep it, outside the group
        return take(rubric, action=request.path, closed=state)
    page = render_template("quiz/link_closed.html", state=state, rubric=rubric)
    return page, 410, NO_STORE


def result_pages() -> PageCache:
    """This worker's recently rendered result pages (quizapp/quiz/page_cache.py)."""
    return _kept("quizapp.result_pages")


@bp.get("/r/<token>")
def result(token: str):
    session = db.session()
    plain = plain_request()
    key = (token, today(), request.host_url)
    if plain:
        kept = result_pages().get(key)
        if kept is not None and result_exists(session, token):
            return kept, NO_STORE
    found = find_result(session, token) or abort(404)
    rubric = scored_with(found.rubric_id, found.rubric_version) or abort(404)
    report = build_report(rubric, found)
    comparison = compare(session, found, current_app.config["COMPARE_MIN_RESULTS"])
    page = render_template("quiz/result.html", report=report, comparison=comparison).encode()
    if plain:
        result_pages().put(key, page)
    return page, NO_STORE


@bp.get("/r/<token>.json")
def result_json(token: str):
    """The result as a JSON file to download (never cached, never indexed)."""
    found = find_result(db.session(), token) or abort(404)
    download = {"Content-Disposition": 'attachment; filename="quizapp-result.json"'}
    return jsonify(as_json(found)), {**NO_STORE, **download}
