"""Admin pages: the statistics dashboard, exports, accounts and rubric quality."""

from __future__ import annotations

from flask import Blueprint, render_template

from .. import db
from ..auth.identity import admin_required
from ..stats import Filters, band_counts, result_count

bp = Blueprint("admin", __name__, url_prefix="/admin")


@bp.get("/")
@admin_required
def dashboard():
    session = db.session()
    filters = Filters()
    return render_template(
        "admin/dashboard.html",
        total=result_count(session, filters),
        bands=band_counts(session, filters),
    )
