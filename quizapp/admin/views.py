"""Admin pages: the statistics dashboard, exports, accounts and rubric quality."""

from __future__ import annotations

from flask import (
    Blueprint,
    abort,
    current_app,
    flash,
    redirect,
    render_template,
    request,
    url_for,
)
from flask import session as flask_session
from flask_login import current_user

from .. import db
from ..account_links import issue
from ..assessment.item_stats import explain, two_places
from ..auth.identity import admin_required
from ..auth.views import set_password_url
from ..catalog import default_rubric, rubrics, scored_with
from ..cohort import privacy_spend
from ..dashboard import build_dashboard
from ..exports import EXPORTS, ExportRefused, export_response
from ..models import User, utc_now
from ..rubric_quality import rubric_quality
from ..users import (
    A_ROLE,
    UserError,
    active_admins,
    create_user,
    keep_an_admin,
    link_count,
    list_users,
    password_min,
    removal_summary,
    remove_user,
    set_active,
    set_role,
)
from .forms import ConfirmForm, FilterForm, NewCounselorForm, RemoveForm, RoleForm

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
    """Results, summary or codebook as CSV or JSON (results also as XLSX); ?bom=1 for Excel."""
    if (name, fmt) not in EXPORTS:
        abort(404)
    _, filters, rubric = filter_form()
    bom = request.args.get("bom") == "1"
    try:
        return export_response(db.session(), name, fmt, filters, rubric, bom)
    except ExportRefused as exc:
        abort(403, description=str(exc))


@bp.get("/quality")
@admin_required
def quality():
    form, filters, rubric = filter_form()
    report = rubric_quality(db.session(), rubric, filters)
    asked = next(
        (c.label for c in form.link.choices if c.value and c.value == form.link.data), None
    )
    return render_template(
        "admin/quality.html",
        form=form,
        report=report,
        rubric=rubric,
        explain=explain,
        two_places=two_places,
        asked_link=asked,
    )


@bp.route("/users", methods=["GET", "POST"])
@admin_required
def users():
    form = NewCounselorForm()
    session = db.session()
    if form.validate_on_submit():
        try:
            user = create_user(session, form.username.data, None, form.role.data)
        except UserError as exc:
            form.username.errors.append(str(exc))
        else:
            return show_link_once(user, f"Created the {user.role} account {user.username!r}.")
    status = 422 if form.errors else 200
    return render_template(
        "admin/users.html",
        form=form,
        users=list_users(session),
        link_hours=current_app.config["SET_PASSWORD_HOURS"],
        password_min=password_min,
    ), status


LINK_KEY = "account_link"  # the browser session's slot for a link shown on the next page


def show_link_once(user: User, message: str):
    """Issue a set-password link for ``user``, commit, and show it on the next page only.

    The token travels in the admin's own session cookie to the page after the redirect,
    which takes it out again: reloading that page cannot issue another link (which would
    silently close the one already copied) and never shows it twice.
    """
    session = db.session()
    issued = issue(session, user, current_app.config["SET_PASSWORD_HOURS"], utc_now())
    session.commit()
    flash(message, "success")
    flask_session[LINK_KEY] = {"user_id": user.id, "token": issued.token}
    return redirect(url_for("admin.account_link", user_id=user.id), code=303)


@bp.get("/users/<int:user_id>/link")
@admin_required
def account_link(user_id: int):
    user = _user_or_404(user_id)
    held = flask_session.pop(LINK_KEY, None)
    url = None
    if held and held.get("user_id") == user.id:
        url = set_password_url(held["token"])
    return render_template(
        "admin/account_link.html",
        user=user,
        url=url,
        hours=current_app.config["SET_PASSWORD_HOURS"],
        confirm=ConfirmForm(),
    )


def _user_or_404(user_id: int) -> User:
    return db.session().get(User, user_id) or abort(404)


def _back_to_accounts():
    return redirect(url_for("admin.users"), code=303)


@bp.post("/users/<int:user_id>/active")
@admin_required
def toggle_user(user_id: int):
    user = _user_or_404(user_id)
    if not ConfirmForm().validate_on_submit():
        abort(400)
    if user.id == current_user.user.id:
        flash("You cannot disable your own account.", "error")
        return _back_to_accounts()
    try:
        set_active(db.session(), user, not user.active)
    except UserError as exc:
        flash(str(exc), "error")
        return _back_to_accounts()
    db.session().commit()
    flash(
        f"{user.username!r} is {'enabled' if user.active else 'disabled; its sessions have ended'}.",
        "success",
    )
    return _back_to_accounts()


@bp.post("/users/<int:user_id>/password")
@admin_required
def reset_password(user_id: int):
    """A new set-password link; the current password works until the new one is chosen."""
    user = _user_or_404(user_id)
    if not ConfirmForm().validate_on_submit():
        abort(400)
    if not user.active:
        flash(f"Enable {user.username!r} first: a disabled account cannot set a password.", "error")
        return _back_to_accounts()
    return show_link_once(user, f"A new set-password link for {user.username!r} is ready.")


@bp.post("/users/<int:user_id>/role")
@admin_required
def change_role(user_id: int):
    user = _user_or_404(user_id)
    form = RoleForm()
    if not form.validate_on_submit():
        abort(400)
    session = db.session()
    try:
        needs_link = set_role(session, user, form.role.data)
    except UserError as exc:
        flash(str(exc), "error")
        return _back_to_accounts()
    if needs_link:
        return show_link_once(
            user,
            f"{user.username!r} is now an admin. An admin's password needs at least "
            f"{password_min('admin')} characters, so their password was cleared and their "
            "sessions ended: send them this link to choose a new one.",
        )
    session.commit()
    flash(f"{user.username!r} is now {A_ROLE[user.role]}.", "success")
    if user.id == current_user.user.id:
        return redirect(url_for("counselor.dashboard"), code=303)
    return _back_to_accounts()


@bp.route("/users/<int:user_id>/remove", methods=["GET", "POST"])
@admin_required
def remove(user_id: int):
    """Ask what becomes of an account's quiz links, then remove the account."""
    user = _user_or_404(user_id)
    session = db.session()
    acting = current_user.user
    admins = [a for a in active_admins(session) if a.id != user.id]
    # The acting admin first: the default holder of the links.
    admins.sort(key=lambda a: a.id != acting.id)
    links = link_count(session, user)
    form = RemoveForm(admins, has_links=bool(links))
    if form.validate_on_submit():
        holder = session.get(User, int(form.to.data)) if links else None
        archive = bool(links) and form.links.data == "archive"
        try:
            moved = remove_user(session, user, holder, archive=archive)
        except UserError as exc:
            form.form_errors.append(str(exc))
        else:
            session.commit()
            flash(removal_summary(user, moved, holder, archive), "success")
            if user.id == acting.id:
                return redirect(url_for("auth.login"), code=303)
            return _back_to_accounts()
    status = 422 if form.errors or form.form_errors else 200
    return render_template(
        "admin/remove_user.html",
        form=form,
        user=user,
        links=links,
        blocked=_removal_blocked(session, user, admins),
    ), status


def _removal_blocked(session, user: User, admins: list[User]) -> str | None:
    """Why the account cannot be removed, in words, or None."""
    try:
        keep_an_admin(session, user, f"remove {user.username!r}")
    except UserError as exc:
        return str(exc)
    if not admins:
        return "There is no other active admin to take over its quiz links."
    return None
