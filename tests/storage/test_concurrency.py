"""A class submitting at once through one counselor link, on PostgreSQL where contention is real.

A threaded server and many client threads post whole questionnaires at the same moment. Every
post must be acknowledged (303), every acknowledged result stored exactly once, a link's maximum
never exceeded, and the running totals must add up to the stored results.
"""

import threading
import urllib.error
import urllib.parse
import urllib.request
from concurrent.futures import ThreadPoolExecutor

from sqlalchemy import func, select
from werkzeug.serving import make_server

from quizapp import create_app
from quizapp.reporting.stats import fold_pending
from quizapp.storage import db
from quizapp.storage.models import Result, StatRollup
from tests.conftest import MINI_RUBRICS, add_link, add_user, mini_answers


class NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args, **kwargs):
        return None


OPENER = urllib.request.build_opener(NoRedirect)


def post(url: str, data: dict, location: bool = False, cookie: str | None = None):
    """POST a form; return the status (with ``location``: the status and the redirect target).
    ``cookie`` is a browser's session cookie ("session=..."), for a page's own submission key."""
    body = urllib.parse.urlencode(data).encode()
    headers = {"Cookie": cookie} if cookie else {}
    try:
        with OPENER.open(urllib.request.Request(url, body, headers), timeout=60) as response:
            status, target = response.status, response.headers.get("Location")
    except urllib.error.HTTPError as error:
        status, target = error.code, error.headers.get("Location")
    return (status, target) if location else status


def serve(app):
    server = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    return server, thread


def postgres_app(url: str):
    db.upgrade(url)
    return create_app(
        {
            "TESTING": True,
            "SECRET_KEY": "x",
            "DATABASE_URL": url,
            "RUBRICS_DIR": str(MINI_RUBRICS),
            "DEFAULT_RUBRIC": "mini",
            "WTF_CSRF_ENABLED": False,
            "RATELIMIT_ENABLED": False,
        }
    )


def storm(base: str, path: str, clients: int, each: int) -> list[int]:
    data = mini_answers()
    with ThreadPoolExecutor(max_workers=clients) as pool:
        futures = [pool.submit(post, base + path, data) for _ in range(clients * each)]
        return [f.result() for f in futures]


def totals(app, link_id):
    with app.app_context():
        session = db.session()
        fold_pending(session)  # running totals are added on the next read
        stored = session.scalar(select(func.count()).select_from(Result))
        through_link = session.scalar(
            select(func.count()).select_from(Result).where(Result.link_id == link_id)
        )
        rolled = session.scalar(
            select(func.sum(StatRollup.n)).where(
                StatRollup.kind == "all", StatRollup.link_key == -1
            )
        )
        db.engine().dispose()
        return stored, through_link, rolled


def test_a_class_submits_at_once_through_one_link_on_postgresql(postgres_url):
    app = postgres_app(postgres_url)
    add_user(app, "anna")
    link_id, code = add_link(app, max_responses=100)
    server, thread = serve(app)
    try:
        base = f"http://127.0.0.1:{server.server_port}"
        statuses = storm(base, f"/q/{code}", clients=25, each=4)
        more = storm(base, f"/q/{code}", clients=10, each=1)  # the link is full now
    finally:
        server.shutdown()
        thread.join(timeout=5)
    assert statuses == [303] * 100
    assert more == [303] * 10  # kept as individual results, outside the full group
    stored, through_link, rolled = totals(app, link_id)
    assert (stored, through_link, rolled) == (110, 100, 110)


def test_plain_quiz_and_link_submissions_mix_without_errors_on_postgresql(postgres_url):
    app = postgres_app(postgres_url)
    add_user(app, "anna")
    link_id, code = add_link(app)
    server, thread = serve(app)
    try:
        base = f"http://127.0.0.1:{server.server_port}"
        with ThreadPoolExecutor(max_workers=2) as pool:
            a = pool.submit(storm, base, f"/q/{code}", 20, 3)
            b = pool.submit(storm, base, "/quiz", 20, 3)
            statuses = a.result() + b.result()
    finally:
        server.shutdown()
        thread.join(timeout=5)
    assert statuses == [303] * 120
    assert totals(app, link_id) == (120, 60, 120)
