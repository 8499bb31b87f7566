"""Sign-in and sign-out for admins and counselors."""

from __future__ import annotations

import hmac
from urllib.parse import urlsplit

from flask import (
    Blueprint,
    current_app,
    flash,
    redirect,
    render_template,
    request,
    session,
    url_for,
)
from flask_login import current_user, login_user, logout_user

from .. import db
from ..extensions import limiter, login_manager
from ..models import utc_now
from ..users import SessionLimits, end_session, normalise_username, start_session
from .forms import LoginForm
from .identity import StaffUser, send_to_sign_in

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
    secret = current_app.secret_key.encode()
    digest = hmac.new(secret, submitted_account().encode(), "sha256").hexdigest()
    return f"account:{digest[:32]}"


@bp.route("/login", methods=["GET", "POST"])
@limiter.limit(lambda: current_app.config["LOGIN_RATE_LIMIT"], methods=["POST"])
@limiter.limit(
    lambda: current_app.config["LOGIN_ACCOUNT_RATE_LIMIT"],
    methods=["POST"],
    key_func=account_key,
    exempt_when=lambda: not submitted_account(),
    deduct_when=lambda response: response.status_code == 422,  # only refused attempts count
)
def login():
    if current_user.is_authenticated:
        return redirect(home_for(current_user))
    form = LoginForm()
    if form.validate_on_submit():
        limits = SessionLimits.from_config(current_app.config)
        staff_session = start_session(db.session(), form.user, limits, utc_now())
        db.session().commit()
        session.clear()  # a new session at sign-in: nothing from before carries over
        login_user(StaffUser(form.user, staff_session.key))
        return redirect(safe_next(request.args.get("next")) or home_for(form.user))
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
