"""Gunicorn settings: access lines without client addresses, and secret paths redacted."""

from gunicorn.glogging import Logger

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
