"""Gunicorn settings: the app checked once before any worker starts, and access lines without
client addresses or secret paths."""

from gunicorn.glogging import Logger

from quizapp import StartupError, create_app
from quizapp.logs import redact

# Threaded workers keep answering the arbiter's heartbeat while a thread streams a long export,
# so a million-row download is not cut off by the worker timeout.
worker_class = "gthread"
threads = 4
accesslog = "-"
# No %(h)s (client address), no referrer, no user agent: only what the request was and how it went.
access_log_format = '"%(m)s %(U)s" %(s)s %(B)s %(M)sms'


class RedactingLogger(Logger):
    """Gunicorn's logger, with result tokens and link codes removed from access lines."""

    def access(self, resp, req, environ, request_time):
        environ = dict(environ, PATH_INFO=redact(environ.get("PATH_INFO", "")), QUERY_STRING="")
        super().access(resp, req, environ, request_time)


logger_class = RedactingLogger
# No control socket (gunicorn 25.1+ puts one in ~/.gunicorn): nothing is written outside the project.
control_socket_disable = True


def on_starting(server):
    """Build the app once in the master, before any worker is forked.

    A worker that cannot build the app (a broken rubric, no secret key in production) exits and
    the master boots another, forever. Building it here first stops gunicorn with the reason,
    said once. Nothing built here holds a connection for the workers to inherit: the database
    engine connects on first use, which only a worker's request makes.
    """
    try:
        create_app()
    except StartupError as exc:
        server.log.error("%s", exc)
        raise SystemExit(1) from None
