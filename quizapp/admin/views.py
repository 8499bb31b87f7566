"""Admin pages: the statistics dashboard, exports, accounts and rubric quality."""

from __future__ import annotations

from dataclasses import replace

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
from flask_login import current_user

from ..assessment.item_stats import explain, two_places
from ..identity import admin_required, set_password_url
from ..reporting.cohort import privacy_spend
from ..reporting.dashboard import build_dashboard, selection_refusal
from ..reporting.exports import EXPORTS, ExportRefused, downloads, export_response
from ..reporting.item_review import rubric_quality
from ..storage import db
from ..storage.account_links import issue
from ..storage.catalog import default_rubric, rubrics, scored_with
from ..storage.models import User, utc_now
from ..storage.users import (
    A_ROLE,
    ROLES,
    UserError,
    active_admins,
    clear_password,
    create_user,
    link_count,
    list_users,
    password_min,
    removal_refusal,
    removal_summary,
    remove_user,
    role_refusal,
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


def group_minimum() -> int:
    """k: no admin page or export shows a figure about fewer people (docs/privacy.md)."""
    return int(current_app.config["COHORT_MIN_SIZE"])


@bp.get("/")
@admin_required
def dashboard():
    form, filters, rubric = filter_form()
    session = db.session()
    board = build_dashboard(session, rubric, filters, group_minimum())
    return render_template(
        "admin/dashboard.html",
        form=form,
        board=board,
        downloads=downloads(about_people=not board.withheld),
        export_query=form.query(),
        privacy=privacy_spend(session),
    )


@bp.get("/export/<name>.<fmt>")
@admin_required
def export(name: str, fmt: str):
    """Results, summary or codebook in a registered format that has it; ?bom=1 for Excel."""
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
    session = db.session()
    everyone = replace(filters, link_id=None)  # the sums behind these figures have no links
    minimum = group_minimum()
    withheld = selection_refusal(session, everyone, minimum, "no quality figures are shown")
    report = None if withheld else rubric_quality(session, rubric, everyone)
    asked = next(
        (c.label for c in form.link.choices if c.value and c.value == form.link.data), None
    )
    return render_template(
        "admin/quality.html",
        form=form,
        report=report,
        withheld=withheld,
        minimum=minimum,
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
            return link_page(user, f"Created the {user.role} account {user.username!r}.")
    status = 422 if form.errors else 200
    return render_template(
        "admin/users.html",
        form=form,
        users=list_users(session),
        link_hours=current_app.config["SET_PASSWORD_HOURS"],
        password_min=password_min,
    ), status


def link_page(user: User, message: str):
    """Issue a set-password link for ``user``, commit, and show it in this response only."""
    # The token is in this page and nowhere else: not in the admin's session cookie, not
    # behind a redirect, and the database keeps only its hash. Reloading the page sends the
    # form again, which never shows the same link twice.
    session = db.session()
    hours = current_app.config["SET_PASSWORD_HOURS"]
    issued = issue(session, user, hours, utc_now())
    session.commit()
    page = render_template(
        "admin/account_link.html",
        user=user,
        url=set_password_url(issued.token),
        hours=hours,
        message=message,
    )
    return page, 200, {"Cache-Control": "no-store"}


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
    return link_page(user, f"A new set-password link for {user.username!r} is ready.")


@bp.route("/users/<int:user_id>/role", methods=["GET", "POST"])
@admin_required
def change_role(user_id: int):
    """Say what a change of role does (?to=admin or counselor); make it once confirmed."""
    user = _user_or_404(user_id)
    form = RoleForm(role=request.args.get("to"))
    if form.is_submitted() and not form.validate():
        abort(400)
    role = form.role.data
    if role not in ROLES:
        abort(404)
    if role == user.role:
        flash(f"{user.username!r} is already {A_ROLE[role]}.", "info")
        return _back_to_accounts()
    if form.confirmed():
        return _make_role(user, role)
    if form.is_submitted():  # the confirmation page was skipped
        return redirect(url_for("admin.change_role", user_id=user.id, to=role), code=303)
    return render_template(
        "admin/change_role.html",
        form=form,
        user=user,
        role=role,
        a_role=A_ROLE[role],
        admin_min=password_min("admin"),
        blocked=role_refusal(db.session(), user, role),
    )


def _make_role(user: User, role: str):
    """Give ``user`` the confirmed role; a counselor made admin gets a set-password link."""
    session = db.session()
    try:
        set_role(session, user, role)
        if role == "admin":
            # An admin's password needs more characters than a counselor's, and a stored
            # hash cannot tell how long the password was.
            clear_password(session, user)
    except UserError as exc:
        flash(str(exc), "error")
        return _back_to_accounts()
    if role == "admin":
        return link_page(
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
    """Ask what becomes of an account's quiz links, then remove the account once confirmed."""
    user = _user_or_404(user_id)
    session = db.session()
    acting = current_user.user
    admins = [a for a in active_admins(session) if a.id != user.id]
    # The acting admin first: the default holder of the links.
    admins.sort(key=lambda a: a.id != acting.id)
    links = link_count(session, user)
    form = RemoveForm(admins, has_links=bool(links))
    if form.is_submitted() and not form.confirmed():  # the confirmation page was skipped
        return redirect(url_for("admin.remove", user_id=user.id), code=303)
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
    refusal = removal_refusal(session, user)
    if refusal:
        return refusal
    if not admins:
        return "There is no other active admin to take over its quiz links."
    return None
