"""Typed SQLAlchemy models: anonymous results, their dimension scores, quiz links and staff users."""

from __future__ import annotations

import base64
import datetime as dt
import hmac
import secrets

from sqlalchemy import (
    JSON,
    Boolean,
    Date,
    DateTime,
    Float,
    ForeignKey,
    Index,
    Integer,
    String,
    UniqueConstraint,
    false,
    text,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from .db import Base

TOKEN_BYTES = 24  # 192 bits, well over the 128 the result link needs
LINK_CODE_BYTES = 12


def today() -> dt.date:
    """The current day in UTC: results keep the day only, never the time."""
    return dt.datetime.now(dt.UTC).date()


def new_token() -> str:
    return secrets.token_urlsafe(TOKEN_BYTES)


def submission_token(secret: str | bytes, submission_key: str) -> str:
    """The result token of the questionnaire page with this one-time submission key.

    A keyed hash (HMAC-SHA256 under the app's secret key, labelled for this one use) cut to
    ``TOKEN_BYTES``, in ``new_token``'s alphabet and length: as unguessable as a random token
    without the secret, and the same for every post of one page, so the token's own unique
    index finds a page posted twice and no index of submission keys is kept. The key is random
    per page (``quiz.forms.new_submission_key``) and is not stored.
    """
    if isinstance(secret, str):
        secret = secret.encode()
    digest = hmac.digest(secret, b"quizapp result token\0" + submission_key.encode(), "sha256")
    return base64.urlsafe_b64encode(digest[:TOKEN_BYTES]).decode()


def new_link_code() -> str:
    return secrets.token_urlsafe(LINK_CODE_BYTES)


class User(Base):
    """A staff account: an admin or a counselor. Quiz takers never have accounts."""

    __tablename__ = "users"

    id: Mapped[int] = mapped_column(primary_key=True)
    username: Mapped[str] = mapped_column(String(64), unique=True)
    password_hash: Mapped[str] = mapped_column(String(255))
    role: Mapped[str] = mapped_column(String(16))
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    created_on: Mapped[dt.date] = mapped_column(Date, default=today)
    # The day of the latest sign-in, for spotting unused accounts; never the time.
    last_sign_in_on: Mapped[dt.date | None] = mapped_column(Date, default=None)

    links: Mapped[list[QuizLink]] = relationship(back_populates="owner")
    sessions: Mapped[list[StaffSession]] = relationship(
        back_populates="user", cascade="all, delete-orphan"
    )
    password_links: Mapped[list[PasswordLink]] = relationship(
        back_populates="user", cascade="all, delete-orphan"
    )

    @property
    def has_password(self) -> bool:
        """False for an account made with a set-password link and not yet used."""
        return bool(self.password_hash)


def utc_now() -> dt.datetime:
    """The current UTC time without a zone, as DateTime columns keep it on every database."""
    return dt.datetime.now(dt.UTC).replace(tzinfo=None)


class StaffSession(Base):
    """One signed-in browser of a staff user; deleting the row ends that session everywhere.

    Staff are not anonymous, so their sessions keep times of day (UTC): a session ends when it
    has been idle too long or is too old, whichever comes first (quizapp/users.py).
    """

    __tablename__ = "staff_sessions"

    id: Mapped[int] = mapped_column(primary_key=True)
    key: Mapped[str] = mapped_column(String(64), unique=True, default=new_token)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    started_at: Mapped[dt.datetime] = mapped_column(DateTime, default=utc_now)
    last_seen_at: Mapped[dt.datetime] = mapped_column(DateTime, default=utc_now)

    user: Mapped[User] = relationship(back_populates="sessions")


class PasswordLink(Base):
    """A one-time, expiring set-your-password link of a staff account (quizapp/account_links.py).

    Only the SHA-256 of the link's random token is stored, so a copy of the database opens no
    account. An account has at most one open link: a new one replaces the old.
    """

    __tablename__ = "password_links"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), unique=True)
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    expires_at: Mapped[dt.datetime] = mapped_column(DateTime)

    user: Mapped[User] = relationship(back_populates="password_links")


class QuizLink(Base):
    """A shareable quiz link that a counselor made for a group of clients."""

    __tablename__ = "quiz_links"

    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(String(32), unique=True, default=new_link_code)
    label: Mapped[str] = mapped_column(String(120))
    rubric_id: Mapped[str] = mapped_column(String(64))
    owner_id: Mapped[int] = mapped_column(ForeignKey("users.id"), index=True)
    expires_on: Mapped[dt.date | None] = mapped_column(Date, default=None)
    max_responses: Mapped[int | None] = mapped_column(Integer, default=None)
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    # Archived links are hidden from the dashboard and take no responses; their results are kept.
    archived: Mapped[bool] = mapped_column(Boolean, default=False, server_default=false())
    created_on: Mapped[dt.date] = mapped_column(Date, default=today)

    owner: Mapped[User] = relationship(back_populates="links")


LINKED = text("link_id IS NOT NULL")  # results taken through a quiz link


class Result(Base):
    """One anonymous quiz result. No IP, user agent, referrer, name, email or time of day."""

    __tablename__ = "results"

    id: Mapped[int] = mapped_column(primary_key=True)
    # Random, or made from the questionnaire page's one-time key (``submission_token``), so a
    # second post of the same page finds this result instead of storing another.
    token: Mapped[str] = mapped_column(String(64), unique=True, default=new_token)
    rubric_id: Mapped[str] = mapped_column(String(64))
    rubric_version: Mapped[str] = mapped_column(String(32))
    rubric_hash: Mapped[str] = mapped_column(String(64))
    completed_on: Mapped[dt.date] = mapped_column(Date, default=today)
    link_id: Mapped[int | None] = mapped_column(ForeignKey("quiz_links.id"), default=None)
    overall: Mapped[float | None] = mapped_column(Float)
    band: Mapped[str | None] = mapped_column(String(32))
    answered: Mapped[int] = mapped_column(Integer)
    answers: Mapped[dict] = mapped_column(JSON)
    notes: Mapped[list] = mapped_column(JSON, default=list)
    # Which fit and not-fit criteria, strengths and gaps the scoring found (ids into the rubric).
    profile: Mapped[dict] = mapped_column(JSON, default=dict)

    scores: Mapped[list[ResultScore]] = relationship(
        back_populates="result", cascade="all, delete-orphan", order_by="ResultScore.position"
    )

    __table_args__ = (
        # Every query that picks results by day names the rubric and its version too (versions
        # are never mixed); only the purge of old results reads by day alone, and scans.
        Index("ix_results_rubric_day", "rubric_id", "rubric_version", "completed_on"),
        # Every look-up by link names one, so results taken without a link stay out of it.
        Index(
            "ix_results_link_day",
            "link_id",
            "completed_on",
            sqlite_where=LINKED,
            postgresql_where=LINKED,
        ),
        Index("ix_results_rubric_id", "rubric_id", "id"),  # exports stream in id order
    )


class ResultScore(Base):
    """A result's score on one dimension (None: not enough answers)."""

    __tablename__ = "result_scores"

    result_id: Mapped[int] = mapped_column(
        ForeignKey("results.id", ondelete="CASCADE"), primary_key=True
    )
    dimension_id: Mapped[str] = mapped_column(String(64), primary_key=True)
    position: Mapped[int] = mapped_column(Integer)
    score: Mapped[float | None] = mapped_column(Float)

    result: Mapped[Result] = relationship(back_populates="scores")

    # On SQLite the rows live in their primary key's b-tree alone: one b-tree to write per
    # submission instead of a table and its key's index.
    __table_args__ = ({"sqlite_with_rowid": False},)


class StatRollup(Base):
    """Running totals per day, rubric version and link, kept in step with results.

    Each row adds up ``n`` (a count) and ``total`` (a sum) for one figure: ``kind`` says which
    (see quizapp/rollup.py). Dashboard figures sum these rows instead of scanning every result.
    ``link_key`` is the link id, 0 for results without a link, and -1 for all results together.
    """

    __tablename__ = "stat_rollup"

    kind: Mapped[str] = mapped_column(String(8), primary_key=True)
    link_key: Mapped[int] = mapped_column(Integer, primary_key=True)
    rubric_id: Mapped[str] = mapped_column(String(64), primary_key=True)
    rubric_version: Mapped[str] = mapped_column(String(32), primary_key=True)
    key: Mapped[str] = mapped_column(String(160), primary_key=True)
    day: Mapped[dt.date] = mapped_column(Date, primary_key=True)
    value: Mapped[float] = mapped_column(Float, primary_key=True)
    n: Mapped[int] = mapped_column(Integer, default=0)
    total: Mapped[float] = mapped_column(Float, default=0.0)

    __table_args__ = (Index("ix_stat_rollup_day", "day"), {"sqlite_with_rowid": False})


class CohortRelease(Base):
    """One frozen release of a link's group figures: a block of responses, noise drawn once.

    A counselor sees only releases. Each covers a link's first ``size`` responses (a whole
    number of blocks of k) for one rubric version; its noisy figures are stored so that a
    reload or a re-download shows the same numbers (docs/privacy.md).
    """

    __tablename__ = "cohort_releases"

    id: Mapped[int] = mapped_column(primary_key=True)
    link_id: Mapped[int] = mapped_column(ForeignKey("quiz_links.id", ondelete="CASCADE"))
    rubric_version: Mapped[str] = mapped_column(String(32))
    size: Mapped[int] = mapped_column(Integer)
    epsilon: Mapped[float] = mapped_column(Float)
    figures: Mapped[dict] = mapped_column(JSON)
    created_on: Mapped[dt.date] = mapped_column(Date, default=today)

    __table_args__ = (
        UniqueConstraint("link_id", "rubric_version", "size", name="uq_cohort_releases_block"),
    )


class CompareSnapshot(Base):
    """Decile cut points of a rubric version's scores, frozen for one day.

    Result pages say which tenth a score falls in, read from the day's snapshot, so one new
    result never visibly moves anyone's line the same day (docs/privacy.md).
    """

    __tablename__ = "compare_snapshots"

    rubric_id: Mapped[str] = mapped_column(String(64), primary_key=True)
    rubric_version: Mapped[str] = mapped_column(String(32), primary_key=True)
    day: Mapped[dt.date] = mapped_column(Date, primary_key=True)
    count: Mapped[int] = mapped_column(Integer)
    cuts: Mapped[dict] = mapped_column(JSON)  # "overall" or dimension id -> 9 cut points


class PendingTotal(Base):
    """A stored result whose running totals are not added yet; the next read folds it in.

    A submission writes its result, its scores and this one row, nothing shared with other
    submissions (quizapp/rollup.py).
    """

    __tablename__ = "rollup_pending"

    result_id: Mapped[int] = mapped_column(
        ForeignKey("results.id", ondelete="CASCADE"), primary_key=True, autoincrement=False
    )
