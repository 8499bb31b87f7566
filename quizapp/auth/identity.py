"""The signed-in staff member as Flask-Login sees them, loaded from a server-side session row."""

from __future__ import annotations

from functools import wraps

from flask import abort
from flask_login import UserMixin, current_user, login_required
from sqlalchemy import select
from sqlalchemy.orm import joinedload

from .. import db
from ..models import StaffSession, User


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
    """Return the user of a live session, or None if it ended or the account is disabled."""
    query = (
        select(StaffSession).where(StaffSession.key == key).options(joinedload(StaffSession.user))
    )
    row = db.session().scalars(query).first()
    if row is None or not row.user.active:
        return None
    return StaffUser(row.user, row.key)


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
