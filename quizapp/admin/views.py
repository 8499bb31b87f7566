"""Admin pages: the statistics dashboard, exports, accounts and rubric quality."""

from __future__ import annotations

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_login import current_user

from .. import db
from ..assessment.item_stats import explain, two_places
from ..auth.identity import admin_required
from ..catalog import default_rubric, rubrics, scored_with
from ..cohort import privacy_spend
from ..dashboard import build_dashboard
from ..exports import EXPORTS, export_response
from ..models import User
from ..rubric_quality import rubric_quality
from ..users import UserError, create_user, list_users, password_min, set_active, set_password
from .forms import ConfirmForm, FilterForm, NewCounselorForm, PasswordForm

bp = Blueprint("admin", __name__, url_prefix="/admin")


def filter_form():
    form = FilterForm(request.args)
    form.validate()
    rubric_id, version = form.rubric_version(default_rubric())
    rubric = scored_with(rubric_id, version) if rubric_id in rubrics() else abort(404)
    return form, form.filters(rubric), rubric


@bp.get("/")
@admin_required
def dashboard():
    form, filters, rubric = filter_form()
    session = db.session()
    board = build_dashboard(session, rubric, filters)
    return render_template(
        "admin/dashboard.html",
        form=form,
        board=board,
        query=request.args,
        privacy=privacy_spend(session),
    )


@bp.get("/export/<name>.<fmt>")
@admin_required
def export(name: str, fmt: str):
    if (name, fmt) not in EXPORTS:
        abort(404)
    _, filters, rubric = filter_form()
    return export_response(db.session(), name, fmt, filters, rubric)


@bp.get("/quality")
@admin_required
def quality():
    form, filters, rubric = filter_form()
    report = rubric_quality(db.session(), rubric, filters)
    return render_template(
        "admin/quality.html",
        form=form,
        report=report,
        rubric=rubric,
        explain=explain,
        two_places=two_places,
    )


@bp.route("/users", methods=["GET", "POST"])
@admin_required
def users():
    form = NewCounselorForm()
    session = db.session()
    if form.validate_on_submit():
        try:
            user = create_user(session, form.username.data, form.password.data, form.role.data)
            session.commit()
        except UserError as exc:
            form.username.errors.append(str(exc))
        else:
            flash(f"Created the {user.role} account {user.username!r}.", "success")
            return redirect(url_for("admin.users"), code=303)
    status = 422 if form.errors else 200
    return render_template(
        "admin/users.html",
        form=form,
        users=list_users(session),
        confirm=ConfirmForm(),
        password_form=PasswordForm(),
        password_min=password_min,
    ), status


def _user_or_404(user_id: int) -> User:
    return db.session().get(User, user_id) or abort(404)


@bp.post("/users/<int:user_id>/active")
@admin_required
def toggle_user(user_id: int):
    user = _user_or_404(user_id)
    if not ConfirmForm().validate_on_submit():
        abort(400)
    if user.id == current_user.user.id:
        flash("You cannot disable your own account.", "error")
        return redirect(url_for("admin.users"), code=303)
    set_active(db.session(), user, not user.active)
    db.session().commit()
    flash(
        f"{user.username!r} is {'enabled' if user.active else 'disabled; its sessions have ended'}.",
        "success",
    )
    return redirect(url_for("admin.users"), code=303)


@bp.post("/users/<int:user_id>/password")
@admin_required
def reset_password(user_id: int):
    user = _user_or_404(user_id)
    form = PasswordForm()
    if not form.validate_on_submit():
        flash(f"Enter a new password for {user.username!r}; nothing was changed.", "error")
        return redirect(url_for("admin.users"), code=303)
    try:
        set_password(db.session(), user, form.password.data)
    except UserError as exc:
        flash(f"{exc} The password of {user.username!r} was not changed.", "error")
        return redirect(url_for("admin.users"), code=303)
    db.session().commit()
    flash(f"New password set for {user.username!r}; their open sessions have ended.", "success")
    return redirect(url_for("admin.users"), code=303)
