"""Questionnaire pages' one-time submission keys: made by the server, for one browser, for a while.

A key is ``NONCE.ISSUED.SIGNATURE``: 16 random bytes, the second it was issued, and an HMAC-SHA256
(under the app's secret key, labelled for this one use) of both and of the browser session it was
given to (the session's CSRF secret, which only that browser's signed cookie carries). So a key is
recognised only when this site made it, for the browser that posts it. The result's token is made
from the whole key (``models.submission_token``), so the same page posted twice finds its first
result; how long a key keeps leading back to that result is the caller's rule (``KeyCheck``).
"""

from __future__ import annotations

import base64
import hmac
import re
import secrets
from enum import Enum

LABEL = b"quizapp submission key\0"
SIGNATURE_BYTES = 16
CLOCK_SKEW = 300  # seconds a key may seem to come from the future (servers' clocks differ)
PATTERN = re.compile(r"[A-Za-z0-9_-]{22}\.[0-9]{1,12}\.[A-Za-z0-9_-]{22}")


class KeyCheck(Enum):
    """What a posted key is: not ours (or not this browser's), recent, or older than the limit."""

    FORGED = "forged"
    FRESH = "fresh"
    STALE = "stale"


def _signature(secret: bytes, body: str, binding: str) -> str:
    digest = hmac.digest(secret, LABEL + body.encode() + b"\0" + binding.encode(), "sha256")
    return base64.urlsafe_b64encode(digest[:SIGNATURE_BYTES]).decode().rstrip("=")


def issue(secret: str, binding: str, now: float) -> str:
    """A new key for the browser session whose CSRF secret is ``binding``, issued at ``now``."""
    body = f"{secrets.token_urlsafe(16)}.{int(now)}"
    return f"{body}.{_signature(secret.encode(), body, binding)}"


def check(secret: str, key: str, binding: str | None, now: float, lifetime: float) -> KeyCheck:
    """Whether ``key`` was issued by this site to this browser, and within ``lifetime`` seconds.

    ``key`` has already matched ``PATTERN``. A browser without a session (``binding`` None) has
    no key of its own, so any key it posts is forged.
    """
    body, _, signature = key.rpartition(".")
    if not binding or not hmac.compare_digest(
        signature, _signature(secret.encode(), body, binding)
    ):
        return KeyCheck.FORGED
    age = now - int(body.rpartition(".")[2])
    return KeyCheck.FRESH if -CLOCK_SKEW <= age < lifetime else KeyCheck.STALE
