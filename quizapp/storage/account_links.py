"""One-time, expiring set-your-password links of staff accounts: issuing and redeeming them."""

from __future__ import annotations

import datetime as dt
import hashlib
import secrets
from dataclasses import dataclass

from sqlalchemy import delete, select
from sqlalchemy.orm import Session

from .models import PasswordLink, User
from .users import set_password

TOKEN_BYTES = 32  # 256 bits: the token is the only thing that opens the account


class LinkClosed(LookupError):
    """The token opens no account: unknown, used, replaced by a newer link or expired."""


@dataclass(frozen=True)
class IssuedLink:
    """A new link's token (shown once, never stored) and when it stops working (naive UTC)."""

    token: str
    expires_at: dt.datetime


def token_hash(token: str) -> str:
    """What the database keeps of a token: its SHA-256, so a copy of the table opens nothing."""
    return hashlib.sha256(token.encode()).hexdigest()


def issue(session: Session, user: User, hours: int, now: dt.datetime) -> IssuedLink:
    """Make a new link for the account; any older one stops working. The caller commits."""
    session.execute(delete(PasswordLink).where(PasswordLink.user_id == user.id))
    token = secrets.token_urlsafe(TOKEN_BYTES)
    expires_at = now + dt.timedelta(hours=hours)
    session.add(PasswordLink(user_id=user.id, token_hash=token_hash(token), expires_at=expires_at))
    return IssuedLink(token, expires_at)


def open_account(session: Session, token: str, now: dt.datetime) -> User:
    """The active account this token may set a password for; else LinkClosed."""
    user = session.scalars(
        select(User)
        .join(PasswordLink)
        .where(PasswordLink.token_hash == token_hash(token), PasswordLink.expires_at > now)
    ).first()
    if user is None or not user.active:
        raise LinkClosed(token)
    return user


def redeem(session: Session, token: str, password: str, now: dt.datetime) -> User:
    """Set the account's password through its link and close the link; the caller commits.

    Raises UserError when the password breaks the rules (the link stays open) and LinkClosed
    when the link no longer works, including when another request used it a moment earlier:
    the link's row is deleted here, and only the request that deleted it goes on. On either
    error the caller rolls back.
    """
    user = open_account(session, token, now)
    set_password(session, user, password)
    used = session.execute(
        delete(PasswordLink).where(
            PasswordLink.token_hash == token_hash(token), PasswordLink.expires_at > now
        )
    ).rowcount
    if used != 1:
        raise LinkClosed(token)
    return user
