"""Counselor reports built on released group figures: a printable group report and a comparison."""

from __future__ import annotations

from flask import Blueprint, abort, render_template, request
from flask_login import current_user

from ..identity import staff_required
from ..reporting.cohort import CohortReport
from ..storage import db
from ..storage.catalog import rubrics
from ..storage.links import links_with_counts
from ..storage.models import QuizLink, today
from .views import own_link, released

bp = Blueprint("counselor_reports", __name__, url_prefix="/counselor")


def released_or_none(link: QuizLink) -> CohortReport | None:
    """The link's group figures as released to counselors (None: its quiz is gone)."""
    rubric = rubrics().get(link.rubric_id)
    return None if rubric is None else released(link, rubric)


@bp.get("/links/<int:link_id>/report")
@staff_required
def group_report(link_id: int):
    """One printable page (A4 or Letter) to hand out or keep after a group session."""
    link = own_link(link_id)
    return render_template(
        "counselor/report.html",
        link=link,
        rubric=rubrics().get(link.rubric_id),
        report=released_or_none(link),
        printed_on=today(),
    )


def _choice(name: str, links: dict[int, QuizLink]) -> QuizLink | None:
    raw = request.args.get(name, "")
    if not raw:
        return None
    if not raw.isdigit() or int(raw) not in links:
        abort(404)
    return links[int(raw)]


@bp.get("/compare")
@staff_required
def compare():
    """Two of the counselor's links side by side, each under its own release rules."""
    owner = None if current_user.is_admin else current_user.user
    links = {link.id: link for link, _ in links_with_counts(db.session(), owner)}
    first, second = _choice("a", links), _choice("b", links)
    pair = [(link, released_or_none(link)) for link in (first, second) if link is not None]
    same = first is not None and first is second
    return render_template(
        "counselor/compare.html",
        links=list(links.values()),
        first=first,
        second=second,
        pair=pair if len(pair) == 2 and not same else [],
        same=same,
    )
