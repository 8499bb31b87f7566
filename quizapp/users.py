"""Staff accounts: creating, listing, disabling, passwords and sign-in sessions."""

from __future__ import annotations

import unicodedata

from sqlalchemy import delete, select
from sqlalchemy.orm import Session
from werkzeug.security import check_password_hash, generate_password_hash

from .models import StaffSession, User

ROLES = ("admin", "counselor")
PASSWORD_MIN, PASSWORD_MAX = 8, 128
USERNAME_MAX = 64
HASH_METHOD = "scrypt"  # werkzeug's scrypt with its default cost (n=2**15, r=8, p=1)
# A hash to compare against when the username is unknown, so both paths take as long.
_DUMMY_HASH = generate_password_hash("not-a-real-password", method="scrypt")


class UserError(ValueError):
    """A request about a user that cannot be carried out; the message says why."""


def normalise_username(raw: str) -> str:
    """Fold case, width and surrounding spaces so look-alike names are the same name."""
    return unicodedata.normalize("NFKC", raw).strip().casefold()


def check_username(raw: str) -> str:
    name = normalise_username(raw)
    if not name:
        raise UserError("A username is required.")
    if len(name) > USERNAME_MAX:
        raise UserError(f"A username can be at most {USERNAME_MAX} characters.")
    if any(c.isspace() for c in name):
        raise UserError("A username cannot contain spaces.")
    return name


def check_password(password: str) -> str:
    if len(password) < PASSWORD_MIN:
        raise UserError(f"A password needs at least {PASSWORD_MIN} characters.")
    if len(password) > PASSWORD_MAX:
        raise UserError(f"A password can be at most {PASSWORD_MAX} characters.")
    return password


def find_user(session: Session, username: str) -> User | None:
    return session.scalars(
        select(User).where(User.username == normalise_username(username))
    ).first()


def create_user(session: Session, username: str, password: str, role: str) -> User:
    """Create an active account; the caller commits."""
    name = check_username(username)
    if role not in ROLES:
        raise UserError(f"The role must be one of: {', '.join(ROLES)}.")
    if find_user(session, name) is not None:
        raise UserError(f"There is already a user called {name!r}.")
    user = User(username=name, role=role, password_hash=hash_password(password))
    session.add(user)
    return user


def hash_password(password: str) -> str:
    return generate_password_hash(check_password(password), method=HASH_METHOD)


def set_password(session: Session, user: User, password: str) -> None:
    """Change a password and end every open session of the account; the caller commits."""
    user.password_hash = hash_password(password)
    end_sessions(session, user)


def set_active(session: Session, user: User, active: bool) -> None:
    """Enable or disable an account; disabling ends its open sessions. The caller commits."""
    user.active = active
    if not active:
        end_sessions(session, user)


def end_sessions(session: Session, user: User) -> None:
    session.execute(delete(StaffSession).where(StaffSession.user_id == user.id))


def authenticate(session: Session, username: str, password: str) -> User | None:
    """Return the active user with this username and password, or None."""
    user = find_user(session, username)
    if user is None:
        check_password_hash(_DUMMY_HASH, password)
        return None
    if not check_password_hash(user.password_hash, password) or not user.active:
        return None
    return user


def start_session(session: Session, user: User) -> StaffSession:
    """Record a new sign-in; its random key is what the browser's session cookie holds."""
    staff_session = StaffSession(user=user)
    session.add(staff_session)
    return staff_session


def end_session(session: Session, key: str) -> None:
    session.execute(delete(StaffSession).where(StaffSession.key == key))


def list_users(session: Session) -> list[User]:
    return list(session.scalars(select(User).order_by(User.role, User.username)))
