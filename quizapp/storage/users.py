"""Staff accounts: creating, listing, roles, disabling, removing, passwords and sign-in sessions."""

from __future__ import annotations

import datetime as dt
import functools
import unicodedata
from collections.abc import Mapping
from dataclasses import dataclass

from sqlalchemy import ColumnElement, Connection, delete, func, or_, select, update
from sqlalchemy.orm import Session
from werkzeug.security import check_password_hash, generate_password_hash

from .models import QuizLink, StaffSession, User

ROLES = ("admin", "counselor")
A_ROLE = {"admin": "an admin", "counselor": "a counselor"}  # for sentences
# NIST SP 800-63B: a length floor, a generous ceiling, no composition rules, no known passwords.
PASSWORD_MIN, PASSWORD_MAX = 8, 128  # PASSWORD_MIN is the counselors' floor
ADMIN_PASSWORD_MIN = 12  # an admin account reaches every result and account
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


def password_min(role: str) -> int:
    """The shortest password an account of this role may have."""
    return ADMIN_PASSWORD_MIN if role == "admin" else PASSWORD_MIN


@functools.cache
def common_passwords() -> frozenset[str]:
    """The 30,000 most common passwords of public breach corpora, lowercased (from zxcvbn)."""
    from zxcvbn.frequency_lists import FREQUENCY_LISTS

    return frozenset(FREQUENCY_LISTS["passwords"])


def check_password(password: str, role: str, username: str = "") -> str:
    """Return the password if an account of this role may have it; else say why not."""
    minimum = password_min(role)
    if len(password) < minimum:
        whose = "An admin's password" if role == "admin" else "A password"
        raise UserError(f"{whose} needs at least {minimum} characters.")
    if len(password) > PASSWORD_MAX:
        raise UserError(f"A password can be at most {PASSWORD_MAX} characters.")
    if not password.strip():
        raise UserError("A password cannot be only spaces.")
    if len(set(password)) == 1:
        raise UserError("A password cannot be one character repeated.")
    folded = password.strip().lower()
    if folded in common_passwords():
        raise UserError(
            "This password is on a list of common or breached passwords; choose another."
        )
    if username and folded == normalise_username(username):
        raise UserError("A password cannot be the username.")
    return password


def find_user(session: Session, username: str) -> User | None:
    return session.scalars(
        select(User).where(User.username == normalise_username(username))
    ).first()


def check_role(role: str) -> str:
    if role not in ROLES:
        raise UserError(f"The role must be one of: {', '.join(ROLES)}.")
    return role


def create_user(session: Session, username: str, password: str | None, role: str) -> User:
    """Create an active account; the caller commits.

    Without a password the account cannot sign in until its owner sets one through a
    set-password link (quizapp/account_links.py), so no admin ever knows it.
    """
    name = check_username(username)
    check_role(role)
    if find_user(session, name) is not None:
        raise UserError(f"There is already a user called {name!r}.")
    if password is not None:
        check_password(password, role, name)
    user = User(
        username=name,
        role=role,
        password_hash="" if password is None else hash_password(password),
    )
    session.add(user)
    session.flush()  # the id, for a set-password link made in the same transaction
    return user


def hash_password(password: str) -> str:
    return generate_password_hash(password, method=HASH_METHOD)


def set_password(session: Session, user: User, password: str) -> None:
    """Change a password and end every open session of the account; the caller commits."""
    check_password(password, user.role, user.username)
    user.password_hash = hash_password(password)
    end_sessions(session, user)


def set_active(session: Session, user: User, active: bool) -> None:
    """Enable or disable an account; disabling ends its open sessions. The caller commits."""
    if not active:
        keep_an_admin(session, user, f"disable {user.username!r}")
    user.active = active
    if not active:
        end_sessions(session, user)


def keep_an_admin(session: Session, user: User, action: str) -> None:
    """Refuse (UserError) a change that would leave nobody able to open the admin pages."""
    # Take the database's write lock before looking (a write that changes nothing: SQLite has
    # one writer at a time, and reads before a first write see no lock), and the admins' rows
    # stay locked until the caller commits (FOR UPDATE on PostgreSQL): two admins stepping down
    # at the same moment are counted one after the other.
    session.execute(update(User).where(User.id == user.id).values(role=User.role))
    refusal = last_admin_refusal(session, user, action, lock=True)
    if refusal:
        raise UserError(refusal)


def last_admin_refusal(session: Session, user: User, action: str, lock: bool = False) -> str | None:
    """Why ``action`` on ``user`` would leave no admin who can sign in, in words; else None."""
    admins = all_admins(session, lock)  # read first: it also refreshes ``user``
    if not signs_in_as_admin(user):
        return None
    others = [a for a in admins if a.id != user.id]
    if any(signs_in_as_admin(a) for a in others):
        return None
    reasons = "".join(f"; {a.username!r} {why_admin_cannot_sign_in(a)}" for a in others)
    if others:
        remedy = "Another admin must be able to sign in first."
    else:
        remedy = "Make another account an admin first."
    only = f"{user.username!r} is the only admin who can sign in"
    return f"You cannot {action}: {only}{reasons}. {remedy}"


def signs_in_as_admin(user: User) -> bool:
    """Whether the account is an admin who can sign in now: active, with a password."""
    return is_active_admin(user) and user.has_password


def why_admin_cannot_sign_in(user: User) -> str:
    return "is disabled" if not user.active else "has no password yet"


def all_admins(session: Session, lock: bool = False) -> list[User]:
    """Every admin account, enabled or not, freshly read (and with ``lock``, locked)."""
    query = select(User).where(User.role == "admin").order_by(User.id)
    if lock:
        query = query.with_for_update()
    return list(session.scalars(query.execution_options(populate_existing=True)))


def set_role(session: Session, user: User, role: str) -> bool:
    """Change the role, keeping password and sessions; return whether it changed."""
    # The caller commits. A promotion on the accounts page then clears the password
    # (clear_password); one from the command line keeps it.
    check_role(role)
    if role == user.role:
        return False
    if role != "admin":
        keep_an_admin(session, user, _role_change(user, role))
    user.role = role
    return True


def role_refusal(session: Session, user: User, role: str) -> str | None:
    """Why ``user`` cannot be made ``role`` now, in words; else None."""
    if role == "admin":
        return None
    return last_admin_refusal(session, user, _role_change(user, role))


def removal_refusal(session: Session, user: User) -> str | None:
    """Why ``user`` cannot be removed now, in words; else None."""
    return last_admin_refusal(session, user, _removal(user))


def _role_change(user: User, role: str) -> str:
    return f"make {user.username!r} {A_ROLE[role]}"


def _removal(user: User) -> str:
    return f"remove {user.username!r}"


def clear_password(session: Session, user: User) -> None:
    """Take the password away and end the sessions, until a set-password link is used."""
    # The caller commits, and issues the link (quizapp/account_links.py).
    keep_an_admin(session, user, f"clear the password of {user.username!r}")
    user.password_hash = ""
    end_sessions(session, user)


def remove_user(session: Session, user: User, links_to: User | None, archive: bool) -> int:
    """Delete an account, passing its quiz links to ``links_to``; return how many passed.

    Results hang from quiz links, never from staff accounts, so they are all kept. The user
    row itself is deleted rather than kept anonymised: once the links have another owner,
    nothing that must be kept refers to it, and its sessions and set-password link go with
    it (ON DELETE CASCADE). Links need an owner, so archived links pass too, closed.
    ``links_to`` may be None only for an account without links. The caller commits.
    """
    keep_an_admin(session, user, _removal(user))
    moved = 0
    if link_count(session, user):
        if links_to is None or links_to.id == user.id or not is_active_admin(links_to):
            raise UserError("Quiz links can only pass to another active admin.")
        values: dict[str, object] = {"owner_id": links_to.id}
        if archive:
            values["archived"] = True
        moved = session.execute(
            update(QuizLink).where(QuizLink.owner_id == user.id).values(**values)
        ).rowcount
        session.expire(user, ["links"])  # they belong to someone else now
    end_sessions(session, user)
    session.delete(user)
    return moved


def removal_summary(user: User, moved: int, holder: User | None, archive: bool) -> str:
    """What a removal did, in a sentence for the page or the terminal."""
    if not moved:
        return f"Removed {user.username!r}; they held no quiz links."
    verb = "archived and passed" if archive else "passed"
    links = "1 quiz link was" if moved == 1 else f"{moved} quiz links were"
    return (
        f"Removed {user.username!r}. {links} {verb} to {holder.username!r}; every result is kept."
    )


def is_active_admin(user: User) -> bool:
    return user.role == "admin" and user.active


def link_count(session: Session, user: User) -> int:
    """How many quiz links the account owns, archived or not."""
    return session.scalar(
        select(func.count()).select_from(QuizLink).where(QuizLink.owner_id == user.id)
    )


def active_admins(session: Session) -> list[User]:
    return list(
        session.scalars(
            select(User).where(User.role == "admin", User.active).order_by(User.username)
        )
    )


def end_sessions(session: Session, user: User) -> None:
    session.execute(delete(StaffSession).where(StaffSession.user_id == user.id))


def authenticate(session: Session, username: str, password: str) -> User | None:
    """Return the active user with this username and password, or None."""
    user = find_user(session, username)
    if user is None or not user.has_password:
        check_password_hash(_DUMMY_HASH, password)
        return None
    if not check_password_hash(user.password_hash, password) or not user.active:
        return None
    return user


TOUCH_EVERY = dt.timedelta(minutes=1)  # last_seen_at is written at most this often


@dataclass(frozen=True)
class SessionLimits:
    """When a staff session ends: unused for ``idle``, or ``lifetime`` after sign-in."""

    idle: dt.timedelta
    lifetime: dt.timedelta

    @classmethod
    def from_config(cls, config: Mapping) -> SessionLimits:
        return cls(
            idle=dt.timedelta(minutes=int(config["STAFF_IDLE_MINUTES"])),
            lifetime=dt.timedelta(hours=int(config["STAFF_MAX_HOURS"])),
        )

    def ended(self, now: dt.datetime) -> ColumnElement[bool]:
        """SQL: true for the sessions that have ended by ``now`` (naive UTC)."""
        return or_(
            StaffSession.last_seen_at <= now - self.idle,
            StaffSession.started_at <= now - self.lifetime,
        )


def start_session(
    session: Session, user: User, limits: SessionLimits, now: dt.datetime
) -> StaffSession:
    """Record a new sign-in (clearing out ended sessions) and its day; the caller commits.

    The row's random key is what the browser's session cookie holds.
    """
    purge_ended_sessions(session, limits, now)
    user.last_sign_in_on = now.date()
    staff_session = StaffSession(user=user, started_at=now, last_seen_at=now)
    session.add(staff_session)
    return staff_session


def touch_session(session: Session | Connection, key: str, now: dt.datetime) -> None:
    """Record that a session was used at ``now``; the caller commits."""
    session.execute(update(StaffSession).where(StaffSession.key == key).values(last_seen_at=now))


def end_session(session: Session | Connection, key: str) -> None:
    session.execute(delete(StaffSession).where(StaffSession.key == key))


def purge_ended_sessions(session: Session, limits: SessionLimits, now: dt.datetime) -> int:
    """Delete every session that has ended by ``now`` and return how many; the caller commits."""
    return session.execute(delete(StaffSession).where(limits.ended(now))).rowcount


def list_users(session: Session) -> list[User]:
    return list(session.scalars(select(User).order_by(User.role, User.username)))
