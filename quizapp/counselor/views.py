"""Counselor pages: the list of links, creating one, its page with QR code and group results."""

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
    url_for,
)
from flask_login import current_user

from .. import db
from ..auth.identity import staff_required
from ..catalog import rubrics
from ..cohort import cohort_report
from ..exports import cohort_rows, csv_download
from ..links import links_with_counts, response_count, state_of
from ..models import QuizLink
from .forms import LinkForm, ToggleForm

bp = Blueprint("counselor", __name__, url_prefix="/counselor")


def own_link(link_id: int) -> QuizLink:
    """The link, if the signed-in user may see it: its owner, or any admin. Otherwise 404."""
    link = db.session().get(QuizLink, link_id)
    if link is None or (not current_user.is_admin and link.owner_id != current_user.user.id):
        abort(404)
    return link


def share_url(link: QuizLink) -> str:
    return url_for("quiz.take_link", code=link.code, _external=True)


@bp.get("/")
@staff_required
def dashboard():
    owner = None if current_user.is_admin else current_user.user
    rows = [(link, n, state_of(link, n)) for link, n in links_with_counts(db.session(), owner)]
    return render_template(
        "counselor/dashboard.html", rows=rows, toggle=ToggleForm(), rubrics=rubrics()
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
        return redirect(url_for("counselor.link", link_id=link.id), code=303)
    return render_template("counselor/new_link.html", form=form), 422 if form.errors else 200


@bp.get("/links/<int:link_id>")
@staff_required
def link(link_id: int):
    link = own_link(link_id)
    session = db.session()
    rubric = rubrics().get(link.rubric_id)
    count = response_count(session, link)
    minimum = current_app.config["COHORT_MIN_SIZE"]
    report = cohort_report(session, link, rubric, minimum) if rubric else None
    return render_template(
        "counselor/link.html",
        link=link,
        rubric=rubric,
        state=state_of(link, count),
        count=count,
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
    report = cohort_report(db.session(), link, rubric, current_app.config["COHORT_MIN_SIZE"])
    return csv_download(cohort_rows(report), f"quiz-link-{link.id}-group-summary.csv")
