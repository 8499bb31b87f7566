"""What quizapp/extensions.py's shortcuts around Flask's and Flask-WTF's signing buy on the
questionnaire page (docs/benchmarks.md, "Library shortcuts"): GET /quiz for a new visitor, in
process, with each shortcut swapped for the library's public API, rounds interleaved so that
the machine's drift falls on every variant alike.

    .venv/bin/python scripts/bench_shortcuts.py [--rounds 15]
"""

from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from alembic import command  # noqa: E402
from flask.sessions import SecureCookieSessionInterface  # noqa: E402
from flask_wtf.csrf import generate_csrf  # noqa: E402

import quizapp.extensions as ext  # noqa: E402
import quizapp.quiz.forms as quiz_forms  # noqa: E402
import quizapp.quiz.views as quiz_views  # noqa: E402
from quizapp import create_app  # noqa: E402
from quizapp.storage.db import alembic_config  # noqa: E402

VARIANTS = {
    "as shipped": (True, True, True),
    "Flask's session serializer": (False, True, True),
    "Flask-WTF's generate_csrf": (True, False, True),
    "no short-payload signing": (True, True, False),
    "library APIs only": (False, False, False),
}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=15)
    parser.add_argument("--requests", type=int, default=300)
    args = parser.parse_args()
    folder = tempfile.mkdtemp()
    app = create_app(
        {"SECRET_KEY": "benchmark-only" * 3, "DATABASE_URL": f"sqlite:///{folder}/b.db"}
    )
    command.upgrade(alembic_config(app.config["DATABASE_URL"]), "head")
    ours_csrf, ours_short = ext.csrf_token, ext.short_tokens

    def use(cached_session: bool, our_csrf: bool, short: bool) -> None:
        ext.short_tokens = ours_short if short else (lambda made: made)
        ext._CSRF_SERIALIZERS.clear()
        app.session_interface = (
            ext.SignedCookieSessions() if cached_session else SecureCookieSessionInterface()
        )
        quiz_views.csrf_token = quiz_forms.csrf_token = ours_csrf if our_csrf else generate_csrf
        if not short:  # our CSRF tokens without the short-payload path
            ext.ShortTokens.SHORT = 0
        else:
            ext.ShortTokens.SHORT = 200

    def per_request(n: int) -> float:
        start = time.perf_counter()
        for _ in range(n):
            assert app.test_client().get("/quiz").status_code == 200  # a new visitor each time
        return (time.perf_counter() - start) / n * 1e6

    times: dict[str, list[float]] = {name: [] for name in VARIANTS}
    for _ in range(args.rounds):
        for name, flags in VARIANTS.items():
            use(*flags)
            per_request(30)
            times[name].append(per_request(args.requests))
    base = statistics.median(times["as shipped"])
    print(f"GET /quiz, new visitor, in process; median of {args.rounds} rounds")
    for name, values in times.items():
        median = statistics.median(values)
        print(f"  {name:28s} {median:7.0f} us   {100 * (median / base - 1):+5.1f}% vs as shipped")


if __name__ == "__main__":
    main()
