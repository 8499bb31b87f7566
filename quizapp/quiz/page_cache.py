"""Pages rendered once and then served again: the questionnaire, and each private result page.

The questionnaire is the same page for everyone who opens it (for one rubric version and one
address) except its CSRF token and its one-time submission key. Rendering its radio inputs
through WTForms and Jinja is most of the cost of a request, so the first plain request renders
it as usual and keeps the text with those two values replaced by markers; later requests copy
that text with their own values put back. Anything out of the ordinary (a form with errors, a
pending message, a signed-in staff member, whose header differs) is rendered as usual.

A result page never changes once stored but for the comparison with others, which is frozen for
the day, so a worker keeps the last pages it rendered for the day; each request still checks
that the result exists (it may have been purged).
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from collections.abc import Callable, Hashable

from flask import session
from flask_login import current_user

SIZE = 256  # pages per process: one per rubric version and quiz address (links included)


class Page:
    """A rendered page as UTF-8 bytes, cut where the per-request values go."""

    def __init__(self, text: str, csrf_token: str, submission_key: str):
        self.csrf_first = text.index(csrf_token) < text.index(submission_key)
        first, second = (
            (csrf_token, submission_key) if self.csrf_first else (submission_key, csrf_token)
        )
        head, rest = text.split(first)
        middle, tail = rest.split(second)
        self.parts = (head.encode(), middle.encode(), tail.encode())

    def fill(self, csrf_token: str, submission_key: str) -> bytes:
        first, second = (
            (csrf_token, submission_key) if self.csrf_first else (submission_key, csrf_token)
        )
        head, middle, tail = self.parts
        return b"".join((head, first.encode(), middle, second.encode(), tail))


class PageCache:
    """A small least-recently-used map of rendered pages, safe for a worker's threads."""

    def __init__(self, size: int = SIZE):
        self.size = size
        self._pages: OrderedDict[Hashable, object] = OrderedDict()
        self._lock = threading.Lock()

    def get(self, key: Hashable):
        with self._lock:
            page = self._pages.get(key)
            if page is not None:
                self._pages.move_to_end(key)
            return page

    def put(self, key: Hashable, page) -> None:
        with self._lock:
            self._pages[key] = page
            self._pages.move_to_end(key)
            while len(self._pages) > self.size:
                self._pages.popitem(last=False)

    def clear(self) -> None:
        with self._lock:
            self._pages.clear()


def plain_request() -> bool:
    """Whether the page would look as it does for an anonymous visitor with nothing pending."""
    if "_flashes" in session:
        return False
    return not ("_user_id" in session and current_user.is_authenticated)


def filled(
    cache: PageCache,
    key: Hashable,
    render: Callable[[], str],
    csrf_token: str,
    submission_key: str,
) -> bytes:
    """The page for ``key`` with this request's token and key, rendering it on first use.

    ``render`` must produce the page with exactly ``csrf_token`` and ``submission_key`` in it
    once each; a page in which either does not appear exactly once is served but not kept.
    """
    page = cache.get(key)
    if page is None:
        text = render()
        if text.count(csrf_token) != 1 or text.count(submission_key) != 1:
            return text.encode()
        cache.put(key, Page(text, csrf_token, submission_key))
        return text.encode()
    return page.fill(csrf_token, submission_key)
