"""Browser-test fixtures: one live server with the real rubric and CSRF on, one headless Chromium."""

from __future__ import annotations

import os
from dataclasses import dataclass

import pytest
from flask import Flask

from tests.conftest import fresh_database_url

from .helpers import launch_chromium, live_app, missing_tools, serve

SIGN_IN_LIMIT = "200 per minute; 2000 per day"
# Group figures need 10 and 30 responses through a link, posted from 127.0.0.1 within seconds:
# the deployed limit (120 submissions a minute from one address) would refuse some of them.
SUBMIT_LIMIT = "1000 per minute"


def require_tools() -> None:
    """Skip when the browser tools are missing, except in CI, where that is a failure."""
    missing = missing_tools()
    if not missing:
        return
    message = "browser tests need " + "; ".join(missing)
    if os.environ.get("CI", "").strip().lower() not in {"", "0", "false", "no"}:
        pytest.fail(f"{message}. CI is set, so this fails instead of skipping.", pytrace=False)
    pytest.skip(message)


@dataclass(frozen=True)
class LiveServer:
    app: Flask
    url: str


@pytest.fixture(scope="session")
def live_server(tmp_path_factory, migrated_db) -> LiveServer:
    """The app as deployed, on its own migrated database, served on a free local port."""
    require_tools()
    folder = tmp_path_factory.mktemp("live")
    database_url = fresh_database_url(folder, migrated_db, for_session=True)
    # Every browser test signs in from 127.0.0.1, so the deployed limit (10 a minute) would
    # refuse sign-ins depending on how many tests ran in the last minute; the same goes for
    # quiz submissions. tests/auth checks the limits themselves; here they are only raised,
    # never turned off.
    app = live_app(
        folder, database_url, LOGIN_RATE_LIMIT=SIGN_IN_LIMIT, SUBMIT_RATE_LIMIT=SUBMIT_LIMIT
    )
    with serve(app) as url:
        yield LiveServer(app, url)


@pytest.fixture(scope="session")
def browser():
    """One headless Chromium for the whole session."""
    require_tools()
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        chromium = launch_chromium(playwright)
        yield chromium
        chromium.close()


@pytest.fixture
def new_context(browser, live_server):
    """Open fresh browser contexts (cookies, storage) for one test; all are closed afterwards."""
    opened = []

    def make(**options):
        context = browser.new_context(base_url=live_server.url, **options)
        context.set_default_timeout(10_000)
        opened.append(context)
        return context

    yield make
    for context in opened:
        context.close()


@pytest.fixture
def page(new_context):
    """A page in a fresh context with JavaScript on and a desktop-sized window."""
    return new_context(viewport={"width": 1280, "height": 900}).new_page()
