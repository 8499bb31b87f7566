"""Quiz links: their state (open, expired, closed, full, archived) and looking them up for staff."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from .models import QuizLink, Result, User, today


@dataclass(frozen=True)
class LinkState:
    """Whether a link takes responses, and if not, why (in words for the visitor)."""

    code: str  # open | closed | expired | full | archived
    label: str
    message: str

    @property
    def is_open(self) -> bool:
        return self.code == "open"


OPEN = LinkState("open", "Open", "")
CLOSED = LinkState("closed", "Closed", "The counselor who shared this link has closed it for now.")
EXPIRED = LinkState(
    "expired", "Expired", "This link was open for a limited time, and that time has passed."
)
FULL = LinkState("full", "Full", "This link has received all the responses it was set up for.")
ARCHIVED = LinkState(
    "archived",
    "Archived",
    "The counselor who shared this link has archived it: it is no longer in use.",
)


def response_count(session: Session, link: QuizLink) -> int:
    return session.scalar(select(func.count()).where(Result.link_id == link.id)) or 0


def counted_maximum(maximum: int | None, k: int) -> int | None:
    """A link's maximum as it is applied: the whole blocks of k it holds (with k = 5,
    12 counts as 10).

    Counselors see a response count only as its block of k ("5–9"), so a link that filled
    up inside a block would tell them the exact count. Maxima are chosen in whole blocks; one
    saved before that rule, or before k changed, counts as its whole blocks, which can be none.
    """
    return None if maximum is None else maximum // k * k


def state_of(link: QuizLink, responses: int, k: int, on: dt.date | None = None) -> LinkState:
    """Return the state of a link given how many responses it has; k is the block size of the
    response counts counselors see (``counted_maximum``)."""
    on = on or today()
    if link.archived:
        return ARCHIVED
    if not link.active:
        return CLOSED
    if link.expires_on is not None and on > link.expires_on:
        return EXPIRED
    maximum = counted_maximum(link.max_responses, k)
    if maximum is not None and responses >= maximum:
        return FULL
    return OPEN


def find_by_code(session: Session, code: str) -> QuizLink | None:
    return session.scalars(select(QuizLink).where(QuizLink.code == code)).first()


def links_with_counts(session: Session, owner: User | None, *, archived: bool = False):
    """Return (link, response count) pairs, newest first; all owners' links when owner is None.

    Only archived links when ``archived``, otherwise only the links in use.
    """
    counts = (
        select(Result.link_id, func.count().label("n"))
        .where(Result.link_id.is_not(None))
        .group_by(Result.link_id)
        .subquery()
    )
    query = (
        select(QuizLink, func.coalesce(counts.c.n, 0))
        .outerjoin(counts, counts.c.link_id == QuizLink.id)
        .where(QuizLink.archived == archived)
        .order_by(QuizLink.id.desc())
    )
    if owner is not None:
        query = query.where(QuizLink.owner_id == owner.id)
    return [(link, n) for link, n in session.execute(query)]


def archived_count(session: Session, owner: User | None) -> int:
    """How many archived links there are: the owner's, or everyone's when owner is None."""
    query = select(func.count()).select_from(QuizLink).where(QuizLink.archived.is_(True))
    if owner is not None:
        query = query.where(QuizLink.owner_id == owner.id)
    return session.scalar(query) or 0


def label_in_use(session: Session, link: QuizLink) -> bool:
    """Whether another of the link owner's links has the same label, ignoring case and spaces."""
    labels = session.scalars(
        select(QuizLink.label).where(QuizLink.owner_id == link.owner_id, QuizLink.id != link.id)
    )
    wanted = _label_key(link.label)
    return any(_label_key(label) == wanted for label in labels)


def _label_key(label: str) -> str:
    # casefold in Python, not lower() in SQL: SQLite lowercases ASCII letters only.
    return " ".join(label.split()).casefold()
