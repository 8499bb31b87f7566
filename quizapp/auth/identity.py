"""The signed-in staff member as Flask-Login sees them, and loading them from the session."""

from __future__ import annotations

from flask_login import UserMixin

from .. import db
from ..models import User


class StaffUser(UserMixin):
    """A thin wrapper whose id carries the session version, so bumping it ends old sessions."""

    def __init__(self, user: User):
        self.user = user
        self.role = user.role
        self.username = user.username

    def get_id(self) -> str:
        return f"{self.user.id}:{self.user.session_version}"

    @property
    def is_active(self) -> bool:
        return self.user.active

    @property
    def is_admin(self) -> bool:
        return self.role == "admin"


def load_user(user_id: str) -> StaffUser | None:
    """Return the user for a session id, or None if it is malformed, stale or disabled."""
    try:
        raw_id, raw_version = user_id.split(":", 1)
        key, version = int(raw_id), int(raw_version)
    except ValueError:
        return None
    user = db.session().get(User, key)
    if user is None or not user.active or user.session_version != version:
        return None
    return StaffUser(user)
