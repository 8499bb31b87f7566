"""Quiz views: the landing page, the questionnaire, and the private result page and JSON."""

from __future__ import annotations

from flask import (
    Blueprint,
    abort,
    current_app,
    flash,
    jsonify,
    redirect,
    render_template,
    request,
    url_for,
)
from sqlalchemy.exc import DBAPIError

from .. import db
from ..assessment.rubric import Rubric
from ..assessment.scoring import score
from ..catalog import default_rubric, rubric_or_404, rubrics, scored_with
from ..errors import RETRY_AFTER_SECONDS, unavailable
from ..extensions import limiter
from ..links import LinkState, find_by_code, response_count, state_of
from ..models import QuizLink
from ..report import as_json, build_report
from ..results import LinkClosedError, find_result, find_submission, store_result
from ..stats import compare
from .forms import questionnaire_form

bp = Blueprint("quiz", __name__)

NO_STORE = {"Cache-Control": "no-store", "X-Robots-Tag": "noindex"}


def submit_limit() -> str:
    """How many questionnaires one address may submit, e.g. "20 per minute" (configurable)."""
    return current_app.config["SUBMIT_RATE_LIMIT"]


@bp.get("/")
def landing():
    return render_template("quiz/landing.html", rubric=default_rubric())


@bp.route("/quiz", methods=["GET", "POST"])
@limiter.limit(submit_limit, methods=["POST"])
def take_default():
    return take(default_rubric())


@bp.route("/quiz/<rubric_id>", methods=["GET", "POST"])
@limiter.limit(submit_limit, methods=["POST"])
def take_rubric(rubric_id: str):
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
    form = questionnaire_form(rubric)()
    if request.method == "POST":
        problem = form.tampering(request.form)
        if problem:
            abort(400, description=problem + " Nothing was stored.")
        try:
            return submit(rubric, form, link, closed) or questionnaire(
                rubric, form, link, closed, action
            )
        except DBAPIError as error:
            if not unavailable(error):
                raise
            return questionnaire(rubric, form, link, closed, action, unavailable_now=True)
    return questionnaire(rubric, form, link, closed, action)


def submit(rubric: Rubric, form, link: QuizLink | None, closed: LinkState | None):
    """Store a valid posted questionnaire and redirect to its result; None if it is not valid."""
    session = db.session()
    key = request.form.get("submission_key") or None
    earlier = find_submission(session, key) if key else None
    if earlier is not None:  # this page was posted before: Back and resubmit, or a reload
        return redirect(url_for("quiz.result", token=earlier.token), code=303)
    if not form.validate():
        return None
    answers = form.answers()
    scored = score(rubric, answers)
    try:
        result = store_result(session, rubric, answers, scored, link, key)
    except LinkClosedError as late:  # the last place went while they answered
        closed = late.state
        result = store_result(session, rubric, answers, scored, None, key)
    if closed is not None and result.link_id is None:
        flash(INDIVIDUAL.format(reason=closed.message), "info")
    return redirect(url_for("quiz.result", token=result.token), code=303)


def questionnaire(rubric, form, link, closed, action, unavailable_now: bool = False):
    """The questionnaire page, with the person's answers so far (422 with errors, 503 when the
    database is out of reach for a moment: the answers are kept on the page to send again)."""
    status = 503 if unavailable_now else 422 if form.errors else 200
    page = render_template(
        "quiz/questionnaire.html",
        rubric=rubric,
        form=form,
        link=link,
        closed=closed,
        unavailable=unavailable_now,
        action=action or request.path,
    )
    headers = {**NO_STORE, "Retry-After": str(RETRY_AFTER_SECONDS)} if unavailable_now else NO_STORE
    return page, status, headers


@bp.route("/q/<code>", methods=["GET", "POST"])
@limiter.limit(submit_limit, methods=["POST"])
def take_link(code: str):
    """The quiz through a counselor's link; a closed link says why and stores nothing."""
    session = db.session()
    link = find_by_code(session, code) or abort(404)
    rubric = rubrics().get(link.rubric_id) or abort(404)
    state = state_of(link, response_count(session, link))
    if state.is_open:
        return take(rubric, link=link)
    if request.method == "POST":  # finished after the link closed: keep it, outside the group
        return take(rubric, action=request.path, closed=state)
    page = render_template("quiz/link_closed.html", state=state, rubric=rubric)
    return page, 410, NO_STORE


@bp.get("/r/<token>")
def result(token: str):
    found = find_result(db.session(), token) or abort(404)
    rubric = scored_with(found.rubric_id, found.rubric_version) or abort(404)
    report = build_report(rubric, found)
    comparison = compare(db.session(), found, current_app.config["COMPARE_MIN_RESULTS"])
    page = render_template("quiz/result.html", report=report, comparison=comparison)
    return page, NO_STORE


@bp.get("/r/<token>.json")
def result_json(token: str):
    found = find_result(db.session(), token) or abort(404)
    return jsonify(as_json(found)), NO_STORE
