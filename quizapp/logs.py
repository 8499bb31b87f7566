"""Logging that keeps the anonymity promise: result tokens and link codes never reach a log.

Nor do staff accounts' set-password tokens: whoever reads one in a log could take the account.
"""

from __future__ import annotations

import logging
import re

_SECRET_PATHS = re.compile(r"/(r|q|account/set-password)/[A-Za-z0-9_-]{8,}")


def redact(text: str) -> str:
    """Replace the secret part of result, link and set-password paths with a placeholder."""
    return _SECRET_PATHS.sub(lambda m: f"/{m.group(1)}/<redacted>", text)


class RedactFilter(logging.Filter):
    """A logging filter that redacts secret paths in the formatted message."""

    def filter(self, record: logging.LogRecord) -> bool:
        message = record.getMessage()
        cleaned = redact(message)
        if cleaned != message:
            record.msg, record.args = cleaned, None
        return True


def install() -> None:
    """Attach the filter to the loggers that print request lines."""
    for name in ("werkzeug", "gunicorn.access", "gunicorn.error", "quizapp"):
        logger = logging.getLogger(name)
        if not any(isinstance(f, RedactFilter) for f in logger.filters):
            logger.addFilter(RedactFilter())
