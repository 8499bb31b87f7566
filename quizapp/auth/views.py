"""Sign-in and sign-out for admins and counselors, and choosing a password through a link."""

from __future__ import annotations

from urllib.parse import urlsplit

from flask import (
    Blueprint,
    abort,
    current_app,
    flash,
    make_response,
    redirect,
    render_template,
    request,
    session,
    url_for,
)
from flask_login import current_user, login_user, logout_user

from ..extensions import limiter, login_manager
from ..identity import StaffUser, send_to_sign_in
from ..storage import db
from ..storage.account_links import LinkClosed, open_account, redeem
from ..storage.models import User, utc_now
from ..storage.users import SessionLimits, end_session, normalise_username, start_session
from . import devices
from .forms import LoginForm, SetPasswordForm

bp = Blueprint("auth", __name__)
bp.record_once(lambda _state: login_manager.unauthorized_handler(send_to_sign_in))


def safe_next(target: str | None) -> str | None:
    """Return ``target`` only if it is a path on this site (no scheme, host or '//' trick)."""
    if not target:
        return None
    target = target.replace("\\", "/")
    parts = urlsplit(target)
    if parts.scheme or parts.netloc or not target.startswith("/") or target.startswith("//"):
        return None
    return target


def home_for(user) -> str:
    return url_for("admin.dashboard") if user.role == "admin" else url_for("counselor.dashboard")


def submitted_account() -> str:
    """The account a sign-in attempt names, as stored: case, width and spaces folded."""
    return normalise_username(request.form.get("username", ""))


def account_key() -> str:
    """The per-account counter's key: a keyed hash of the username, never the name itself.

    The counter store and Flask-Limiter's log lines then hold no usernames, nor a password
    that someone typed into the username box.
    """
    return f"account:{devices.account_digest(submitted_account())}"


def device_key() -> str:
    """The counter of one browser that has signed in to the account before (its device cookie)."""
    return f"device:{devices.trusted_for(submitted_account())}:{account_key()}"


def from_a_known_browser() -> bool:
    return devices.trusted_for(submitted_account()) is not None


ADDRESS_PAUSED = "There were too many sign-in attempts from your network in a short time."
ACCOUNT_PAUSED = (
    "After many sign-in attempts to this account, signing in to it from a browser it has not "
    "been used in before is paused for a while. A browser you have signed in with before "
    "still works."
)
DEVICE_PAUSED = "There were too many sign-in attempts to this account from this browser."


# Every limit is counted before the password is checked, so attempts made at the same moment
# cannot slip past one. Failures from elsewhere never lock the account's owner out of a
# browser they have signed in with before (auth/devices.py): it has a counter of its own.
@bp.route("/login", methods=["GET", "POST"])
@limiter.limit(
    lambda: current_app.config["LOGIN_RATE_LIMIT"], methods=["POST"], error_message=ADDRESS_PAUSED
)
@limiter.limit(
    lambda: current_app.config["LOGIN_ACCOUNT_RATE_LIMIT"],
    methods=["POST"],
    key_func=account_key,
    exempt_when=lambda: not submitted_account() or from_a_known_browser(),
    error_message=ACCOUNT_PAUSED,
)
@limiter.limit(
    lambda: current_app.config["LOGIN_DEVICE_RATE_LIMIT"],
    methods=["POST"],
    key_func=device_key,
    exempt_when=lambda: not from_a_known_browser(),
    error_message=DEVICE_PAUSED,
)
def login():
    if current_user.is_authenticated:
        return redirect(home_for(current_user))
    form = LoginForm()
    if form.validate_on_submit():
        sign_in(form.user)
        response = redirect(safe_next(request.args.get("next")) or home_for(form.user))
        devices.remember(response, form.user.username)
        return response
    status = 422 if form.errors or form.form_errors else 200
    return render_template("auth/login.html", form=form), status


@bp.post("/logout")
def logout():
    if current_user.is_authenticated:
        end_session(db.session(), current_user.key)
        db.session().commit()
    logout_user()
    session.clear()
    flash("You have signed out.", "success")
    return redirect(url_for("auth.login"))


def sign_in(user: User) -> None:
    """Start a staff session for ``user`` in this browser, ending any other one it had."""
    if current_user.is_authenticated:
        end_session(db.session(), current_user.key)
    limits = SessionLimits.from_config(current_app.config)
    staff_session = start_session(db.session(), user, limits, utc_now())
    db.session().commit()
    session.clear()  # a new session at sign-in: nothing from before carries over
    login_user(StaffUser(user, staff_session.key))


LINK_CLOSED = (
    "This set-password link does not work any more: it has been used, a newer link has "
    "replaced it, or it has expired. Please ask an admin for a new one."
)


@bp.route("/account/set-password/<token>", methods=["GET", "POST"])
def set_password(token: str):
    """Choose the password of a new or reset account; the link then stops working."""
    db_session = db.session()
    try:
        user = open_account(db_session, token, utc_now())
    except LinkClosed:
        abort(410, description=LINK_CLOSED)
    form = SetPasswordForm(user)
    if form.validate_on_submit():
        try:
            redeem(db_session, token, form.password.data, utc_now())
        except LinkClosed:  # used by another request since the page was checked
            db_session.rollback()
            abort(410, description=LINK_CLOSED)
        sign_in(user)
        flash("Your password is set and you are signed in.", "success")
        return redirect(home_for(user), code=303)
    status = 422 if form.errors else 200
    page = render_template("auth/set_password.html", form=form, user=user)
    response = make_response(page, status)
    response.headers["Cache-Control"] = "no-store"  # the page's address holds the token
    return response
