"""Database wiring: the declarative base, one engine per app, a session per request, migrations."""

from __future__ import annotations

import logging
import os
import threading
import time
import weakref
from collections.abc import Iterator
from contextlib import AbstractContextManager, contextmanager, nullcontext, suppress
from pathlib import Path

from flask import Flask, current_app, g
from sqlalchemy import MetaData, create_engine, event
from sqlalchemy.engine import Engine
from sqlalchemy.engine.interfaces import DBAPICursor
from sqlalchemy.exc import DBAPIError
from sqlalchemy.orm import DeclarativeBase, Session, sessionmaker

try:
    import fcntl
except ImportError:  # not on Windows: threads still queue, processes rely on SQLite's wait
    fcntl = None

log = logging.getLogger(__name__)

NAMING_CONVENTION = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}

MIGRATIONS = Path(__file__).parent / "migrations"


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING_CONVENTION)


# How long a SQLite writer waits for another writer's lock before the request gets a 503 page.
# Below gunicorn's worker timeout (30 s), so the worker is never killed while it waits.
SQLITE_BUSY_MS = 15_000


# SQLite appends each commit's pages to its write-ahead log, and a checkpoint copies them into the
# database file and waits for both files to reach the disk. By default the commit that takes the
# log past 1,000 pages runs it, so one submission in about eighty waited ~5 ms for the disk
# (a quarter of all the time spent storing results). A thread in each process that writes
# results checkpoints every CHECKPOINT_EVERY_S instead; a commit still runs one if the log
# reaches FALLBACK_CHECKPOINT_PAGES (40 MB), say while no such thread runs (commands, tests).
CHECKPOINT_EVERY_S = 0.5
FALLBACK_CHECKPOINT_PAGES = 10_000


def _sqlite_pragmas(dbapi_connection, _record) -> None:
    cursor = dbapi_connection.cursor()
    cursor.execute(f"PRAGMA busy_timeout={SQLITE_BUSY_MS}")  # first: the next one may wait
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute("PRAGMA synchronous=NORMAL")
    cursor.execute(f"PRAGMA wal_autocheckpoint={FALLBACK_CHECKPOINT_PAGES}")
    cursor.close()


class _Writers:
    """This process's queue of one SQLite engine's submission writers: a thread lock, the open
    ``<database>-writers`` file to flock, and the thread that checkpoints the log (see above).

    Made anew in a process forked from one that had it (a fork shares the open file, and with it
    the flock, and keeps no thread); the file is closed and the thread ends with the engine.
    """

    def __init__(self, engine: Engine) -> None:
        self.pid = os.getpid()
        self.lock = threading.Lock()
        self.writes = 0  # commits so far; the thread checkpoints when the count moved
        self.fd = _open_writers_file(engine.url.database or "")
        if self.fd is not None:  # a database file of ours
            weakref.finalize(engine, _close_quietly, self.fd, self.pid)
            thread = threading.Thread(
                target=self._checkpoints,
                args=(weakref.ref(engine),),
                name="sqlite-checkpoints",
                daemon=True,
            )
            thread.start()

    def _checkpoints(self, engine_ref) -> None:
        seen = 0
        while True:
            time.sleep(CHECKPOINT_EVERY_S)
            engine = engine_ref()
            if engine is None:
                return  # the app is gone
            if self.writes != seen:
                seen = self.writes
                try:
                    with engine.connect() as connection:
                        connection.exec_driver_sql("PRAGMA wal_checkpoint(PASSIVE)")
                except Exception:  # a busy or lost database: the next round tries again
                    log.debug("background checkpoint skipped", exc_info=True)
            del engine


_WRITERS: weakref.WeakKeyDictionary[Engine, _Writers] = weakref.WeakKeyDictionary()
_WRITERS_MADE = threading.Lock()


def _writers_of(engine: Engine) -> _Writers:
    """The engine's writers' queue in this process, made on its first write."""
    writers = _WRITERS.get(engine)
    if writers is None or writers.pid != os.getpid():
        with _WRITERS_MADE:
            writers = _WRITERS.get(engine)
            if writers is None or writers.pid != os.getpid():  # none yet, or forked since
                writers = _WRITERS[engine] = _Writers(engine)
    return writers


@contextmanager
def one_writer_at_a_time(engine: Engine) -> Iterator[None]:
    """On SQLite, queue submission writers (this process's threads, then other processes on the
    machine) before they ask for the database's write lock; elsewhere, nothing.

    SQLite makes a writer that finds the lock taken poll for it, sleeping 1, 2, 5, 10 ms and
    longer between tries: with a class submitting at once, two gunicorn workers of four threads
    spent more time asleep than writing. A thread lock and an flock on a file beside the
    database hand the turn straight to the next writer instead.
    """
    if engine.dialect.name != "sqlite":
        yield
        return
    writers = _writers_of(engine)
    with writers.lock:
        if writers.fd is None:
            yield
            return
        writers.writes += 1
        fcntl.flock(writers.fd, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(writers.fd, fcntl.LOCK_UN)


def _open_writers_file(database: str) -> int | None:
    """Open ``<database>-writers``; None for a database in memory, or a folder we may not write
    to (SQLite's own wait still holds)."""
    path = database.removeprefix("file:").split("?")[0]  # a URI names its file first
    if not path or path == ":memory:" or fcntl is None:
        return None
    try:
        return os.open(path + "-writers", os.O_RDWR | os.O_CREAT | os.O_CLOEXEC, 0o600)
    except OSError:
        return None


def _close_quietly(fd: int, pid: int) -> None:
    if os.getpid() == pid:
        with suppress(OSError):
            os.close(fd)


def make_engine(url: str) -> Engine:
    """Create the engine; SQLite gets WAL, a busy timeout and enforced foreign keys.

    ``hide_parameters`` keeps bound values (result tokens, answers, password hashes) out of
    SQL logging and out of the text of database errors, which end up in server logs.
    """
    if url.startswith("sqlite"):
        engine = create_engine(url, connect_args={"check_same_thread": False}, hide_parameters=True)
        event.listen(engine, "connect", _sqlite_pragmas)
        return engine
    engine = create_engine(url, pool_pre_ping=True, hide_parameters=True)
    event.listen(engine, "handle_error", _without_server_detail)
    return engine


def _without_server_detail(context):
    """Drop PostgreSQL's DETAIL lines ("Key (token)=(...) already exists", "Failing row
    contains (...)") from database errors: they repeat stored values, which must not reach logs.
    The error's class and SQLSTATE stay, so callers still tell a duplicate from a deadlock."""
    wrapped = context.sqlalchemy_exception
    if wrapped is None or not _drop_detail(context.original_exception):
        return None
    return type(wrapped)(wrapped.statement, wrapped.params, wrapped.orig, hide_parameters=True)


def _drop_detail(original: BaseException) -> bool:
    """Cut a driver error's text before PostgreSQL's DETAIL line; whether there was one. The
    driver's exception is chained to the one raised, so it is cleaned in place."""
    text = str(original)
    if "\nDETAIL:" not in text:
        return False
    original.args = (text.split("\nDETAIL:", 1)[0],)
    return True


_NO_TURN = nullcontext()


@contextmanager
def driver_transaction(
    engine: Engine, turn: AbstractContextManager = _NO_TURN
) -> Iterator[DBAPICursor]:
    """A cursor on a pooled connection of the driver's own, for one short transaction: committed
    when the block ends, rolled back if it raises. ``turn`` (``one_writer_at_a_time``) is held
    from the block's start to the commit, not while the connection is taken from the pool or
    given back, so writers queue for no longer than they write.

    For the busiest write, a submission, whose few INSERTs spent more time in SQLAlchemy's
    statement layer than in the database. What the engine does for its own statements still
    holds: a driver error comes out as SQLAlchemy's (IntegrityError, OperationalError, ...)
    with its bound values hidden and PostgreSQL's DETAIL line dropped, and a connection found
    broken is discarded from the pool. Statements here are not echoed to SQL logging.
    """
    dialect = engine.dialect
    try:
        connection = engine.raw_connection()
    except dialect.loaded_dbapi.Error as error:  # unreachable, refused, or locked on opening
        raise _as_sqlalchemy_error(error, dialect, lost=False) from error
    cursor = None
    try:
        cursor = connection.cursor()
        with turn:
            try:
                yield cursor
                connection.commit()
            except dialect.loaded_dbapi.Error as error:
                lost = dialect.is_disconnect(error, connection.dbapi_connection, cursor)
                _roll_back(connection, lost, error)
                raise _as_sqlalchemy_error(error, dialect, lost) from error
            except BaseException:
                _roll_back(connection, False, None)
                raise
    finally:
        if cursor is not None:
            with suppress(Exception):
                cursor.close()
        connection.close()  # back to the pool


def _as_sqlalchemy_error(error: Exception, dialect, lost: bool) -> Exception:
    """A driver's error as SQLAlchemy raises it: its class, bound values hidden, no DETAIL."""
    if dialect.name == "postgresql":
        _drop_detail(error)
    return DBAPIError.instance(
        None,
        None,
        error,
        dialect.loaded_dbapi.Error,
        hide_parameters=True,
        connection_invalidated=lost,
        dialect=dialect,
    )


def _roll_back(connection, lost: bool, error: BaseException | None) -> None:
    if lost:
        connection.invalidate(error)
        return
    with suppress(Exception):  # the pool rolls back again, and discards it if that fails
        connection.rollback()


def init_app(app: Flask) -> None:
    engine = make_engine(app.config["SQLALCHEMY_URL"])
    app.extensions["quizapp.storage.db"] = sessionmaker(engine, expire_on_commit=False)
    app.teardown_appcontext(_close_session)


def engine() -> Engine:
    return current_app.extensions["quizapp.storage.db"].kw["bind"]


def session() -> Session:
    """Return this request's (or app context's) session, opening it on first use."""
    if "db_session" not in g:
        g.db_session = current_app.extensions["quizapp.storage.db"]()
    return g.db_session


def _close_session(_exc: BaseException | None) -> None:
    db_session = g.pop("db_session", None)
    if db_session is not None:
        db_session.close()


def alembic_config(url: str):
    """Return an Alembic configuration for the packaged migrations and a database URL."""
    from alembic.config import Config

    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    config.set_main_option("sqlalchemy.url", url.replace("%", "%%"))
    return config


def upgrade(url: str, revision: str = "head") -> None:
    """Bring the database schema up to date (run from a command, never at import)."""
    from alembic import command

    command.upgrade(alembic_config(url), revision)
