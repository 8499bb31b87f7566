"""The signed-in staff member as Flask-Login sees them, loaded from a server-side session row."""

from __future__ import annotations

from functools import wraps

from flask import (
    abort,
    current_app,
    flash,
    g,
    has_request_context,
    redirect,
    request,
    session,
    url_for,
)
from flask_login import UserMixin, current_user, login_required, login_url
from sqlalchemy import select
from sqlalchemy.orm import joinedload

from .extensions import login_manager
from .storage import db
from .storage.models import StaffSession, User, utc_now
from .storage.users import TOUCH_EVERY, SessionLimits, end_session, touch_session

SESSION_ENDED = "Your session has ended; please sign in again."
WRITING_METHODS = frozenset({"GET", "POST"})  # the methods whose requests record a session's use
STAFF_AREAS = frozenset({"counselor", "admin", "login", "logout"})  # first path segments


class StaffUser(UserMixin):
    """A signed-in staff member; the id Flask-Login keeps is the session row's random key."""

    def __init__(self, user: User, key: str):
        self.user = user
        self.key = key
        self.role = user.role
        self.username = user.username

    def get_id(self) -> str:
        return self.key

    @property
    def is_active(self) -> bool:
        return self.user.active

    @property
    def is_admin(self) -> bool:
        return self.role == "admin"


def load_user(key: str) -> StaffUser | None:
    """Return the user of a live session, or None if it ended or the account is disabled.

    A session that has timed out is deleted here. A live one has its last use recorded, at
    most once a minute so that browsing does not write on every request. Both writes go
    through a transaction of their own, apart from whatever the request itself is doing, and
    only a GET or a POST makes them: no other method writes anything.
    """
    now = utc_now()
    query = (
        select(StaffSession, SessionLimits.from_config(current_app.config).ended(now))
        .where(StaffSession.key == key)
        .options(joinedload(StaffSession.user))
    )
    found = db.session().execute(query).first()
    if found is None:
        return None
    row, ended = found
    writes = request.method in WRITING_METHODS
    if ended:
        if writes:
            with db.engine().begin() as connection:
                end_session(connection, key)
        g.staff_session_ended = True  # send_to_sign_in says why
        return None
    if not row.user.active:
        return None
    if writes and now - row.last_seen_at >= TOUCH_EVERY:
        with db.engine().begin() as connection:
            touch_session(connection, key, now)
    return StaffUser(row.user, row.key)


def send_to_sign_in():
    """Send a signed-out visitor of a staff page to sign in, saying why (Flask-Login's handler)."""
    ended = g.pop("staff_session_ended", False)
    flash(
        SESSION_ENDED if ended else login_manager.login_message,
        login_manager.login_message_category,
    )
    return redirect(login_url(login_manager.login_view, next_url=request.url))


def is_staff_request() -> bool:
    """Whether this request is for a staff page or comes from a signed-in staff member."""
    if request.path.split("/")[1] in STAFF_AREAS:
        return True
    # Only a signed-in browser's session names a user; anyone else is not loaded at all.
    if request.endpoint == "static" or "_user_id" not in session:
        return False
    return current_user.is_authenticated


def role_required(*roles: str):
    """Require a signed-in user with one of the roles; others get 403, anonymous users /login."""

    def decorator(view):
        @wraps(view)
        @login_required
        def wrapped(*args, **kwargs):
            if current_user.role not in roles:
                abort(403)
            return view(*args, **kwargs)

        return wrapped

    return decorator


staff_required = role_required("admin", "counselor")
admin_required = role_required("admin")


def set_password_url(token: str, base_url: str | None = None) -> str:
    """The address of a set-password link: on ``base_url`` or QUIZAPP_BASE_URL if given, else
    on this request's host, else (from the command line) on SERVER_NAME; else only the path."""
    config = current_app.config
    base = base_url or config.get("BASE_URL")
    if has_request_context():
        path = url_for("auth.set_password", token=token)
        base = base or request.host_url
    else:
        with current_app.test_request_context():
            path = url_for("auth.set_password", token=token)
        if not base and config.get("SERVER_NAME"):
            base = f"{config['PREFERRED_URL_SCHEME']}://{config['SERVER_NAME']}"
    return base.rstrip("/") + path if base else path
