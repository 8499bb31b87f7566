"""Counselor pages: the list of links, creating, editing and archiving one, its page with QR code
and group results."""

from __future__ import annotations

import io

import segno
from flask import (
    Blueprint,
    Response,
    abort,
    current_app,
    flash,
    redirect,
    render_template,
    request,
    url_for,
)
from flask_login import current_user

from ..assessment.rubric import Rubric
from ..identity import staff_required
from ..reporting.cohort import CohortReport, cohort_report
from ..reporting.disclosure import count_range
from ..reporting.exports import cohort_rows, csv_download
from ..storage import db
from ..storage.catalog import rubrics
from ..storage.links import (
    archived_count,
    counted_maximum,
    label_in_use,
    links_with_counts,
    response_count,
    state_of,
)
from ..storage.models import QuizLink
from .forms import EditLinkForm, LinkForm, ToggleForm

bp = Blueprint("counselor", __name__, url_prefix="/counselor")


def own_link(link_id: int) -> QuizLink:
    """The link, if the signed-in user may see it: its owner, or any admin. Otherwise 404."""
    link = db.session().get(QuizLink, link_id)
    if link is None or (not current_user.is_admin and link.owner_id != current_user.user.id):
        abort(404)
    return link


def released(link: QuizLink, rubric: Rubric) -> CohortReport:
    """The link's group figures as released to counselors (quizapp/disclosure.py)."""
    config = current_app.config
    return cohort_report(
        db.session(), link, rubric, config["COHORT_MIN_SIZE"], config["SECRET_KEY"]
    )


def share_url(link: QuizLink) -> str:
    return url_for("quiz.take_link", code=link.code, _external=True)


def warn_if_label_in_use(link: QuizLink) -> None:
    """Flash a warning when the link's owner has another link with the same label."""
    if label_in_use(db.session(), link):
        mine = link.owner_id == current_user.user.id
        who = "You already have" if mine else f"{link.owner.username} already has"
        flash(
            f"{who} a link called “{link.label}” — consider a label that tells them apart.",
            "warning",
        )


@bp.get("/")
@staff_required
def dashboard():
    owner = None if current_user.is_admin else current_user.user
    archived = request.args.get("archived") == "1"
    session = db.session()
    k = current_app.config["COHORT_MIN_SIZE"]
    rows = [
        (link, n, state_of(link, n, k), counted_maximum(link.max_responses, k))
        for link, n in links_with_counts(session, owner, archived=archived)
    ]
    return render_template(
        "counselor/dashboard.html",
        rows=rows,
        archived=archived,
        archived_count=archived_count(session, owner),
        toggle=ToggleForm(),
        rubrics=rubrics(),
    )


@bp.route("/links/new", methods=["GET", "POST"])
@staff_required
def new_link():
    form = LinkForm()
    if form.validate_on_submit():
        link = QuizLink(
            label=form.label.data,
            rubric_id=form.rubric_id.data,
            owner_id=current_user.user.id,
            expires_on=form.expires_on.data,
            max_responses=form.max_responses.data,
        )
        session = db.session()
        session.add(link)
        session.commit()
        flash("Your quiz link is ready to share.", "success")
        warn_if_label_in_use(link)
        return redirect(url_for("counselor.link", link_id=link.id), code=303)
    return render_template("counselor/new_link.html", form=form), 422 if form.errors else 200


@bp.route("/links/<int:link_id>/edit", methods=["GET", "POST"])
@staff_required
def edit_link(link_id: int):
    link = own_link(link_id)
    session = db.session()
    count = response_count(session, link)
    form = EditLinkForm(link=link, responses=count)
    if form.validate_on_submit():
        link.label = form.label.data
        link.expires_on = form.expires_on.data
        link.max_responses = form.max_responses.data
        session.commit()
        flash("Your changes are saved.", "success")
        warn_if_label_in_use(link)
        return redirect(url_for("counselor.link", link_id=link.id), code=303)
    page = render_template(
        "counselor/edit_link.html", form=form, link=link, rubric=rubrics().get(link.rubric_id)
    )
    return page, 422 if form.errors else 200


@bp.get("/links/<int:link_id>")
@staff_required
def link(link_id: int):
    link = own_link(link_id)
    session = db.session()
    rubric = rubrics().get(link.rubric_id)
    count = response_count(session, link)
    k = current_app.config["COHORT_MIN_SIZE"]
    report = released(link, rubric) if rubric else None
    return render_template(
        "counselor/link.html",
        link=link,
        rubric=rubric,
        state=state_of(link, count, k),
        shown_count=count_range(count, k),
        maximum=counted_maximum(link.max_responses, k),
        report=report,
        url=share_url(link),
        toggle=ToggleForm(),
    )


@bp.post("/links/<int:link_id>/active")
@staff_required
def toggle(link_id: int):
    link = own_link(link_id)
    if not ToggleForm().validate_on_submit():
        abort(400)
    link.active = not link.active
    db.session().commit()
    flash(
        "The link is open again."
        if link.active
        else "The link is closed: it takes no more responses until you reopen it.",
        "success",
    )
    return redirect(url_for("counselor.link", link_id=link.id), code=303)


@bp.post("/links/<int:link_id>/archive")
@staff_required
def archive(link_id: int):
    """Archive a link (hide it, stop its responses, keep its results), or take it out again."""
    link = own_link(link_id)
    if not ToggleForm().validate_on_submit():
        abort(400)
    link.archived = not link.archived
    db.session().commit()
    if link.archived:
        flash(
            f"“{link.label}” is archived: it takes no responses and is hidden from your list. "
            "Its results are kept; you can reopen it under “Show archived links”.",
            "success",
        )
    else:
        still_closed = (
            "" if link.active else " It is still closed: reopen it on its page to take responses."
        )
        flash(f"“{link.label}” is back in your list of links.{still_closed}", "success")
    return redirect(url_for("counselor.dashboard"), code=303)


@bp.get("/links/<int:link_id>/qr.svg")
@staff_required
def qr_code(link_id: int):
    link = own_link(link_id)
    out = io.BytesIO()
    segno.make(share_url(link), error="m").save(
        out, kind="svg", scale=8, border=2, title="QR code for a quiz link", xmldecl=False
    )
    response = Response(out.getvalue(), mimetype="image/svg+xml")
    response.headers["Content-Disposition"] = f'inline; filename="quiz-link-{link.id}-qr.svg"'
    return response


@bp.get("/links/<int:link_id>/cohort.csv")
@staff_required
def cohort_csv(link_id: int):
    link = own_link(link_id)
    rubric = rubrics().get(link.rubric_id) or abort(404)
    report = released(link, rubric)
    return csv_download(cohort_rows(report), f"quiz-link-{link.id}-group-summary.csv")
