"""Headless Chromium for the browser tests: Debian's chromium package (Playwright cannot download
its own browser here), driven by Playwright's sync API against pytest-django's live server.
The `browser_page` fixture of tests/conftest.py opens a page of a browser shared by the tests of a
module; these helpers act on it, and load the seed data for the live server faster than loaddata does."""

from __future__ import annotations

import os
import shutil
from collections.abc import Iterator
from contextlib import contextmanager

from django.core.servers.basehttp import WSGIServer
from django.db import connections
from playwright.sync_api import Browser, Page, expect, sync_playwright

CHROMIUM = os.environ.get("CHROMIUM", shutil.which("chromium") or "/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-dev-shm-usage",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
SITE_NAME = "开发区招商引资项目调度台账"


class SerialWSGIServer(WSGIServer):
    """The live server for an in-memory SQLite test database: one request at a time.

    pytest-django hands the live server's threads the test's single in-memory SQLite connection;
    Django's threaded server would then use it from two threads when Chromium sends two requests at
    once (sqlite3.InterfaceError: bad parameter or other API misuse). Served in the server's own
    thread instead, requests wait their turn; Django answers `Connection: close` from a server
    without threads, so the browser does not hold a kept-alive socket that blocks the next one."""

    def __init__(self, *args, connections_override=None, **kwargs):
        super().__init__(*args, **kwargs)


@contextmanager
def launch_chromium() -> Iterator[Browser]:
    """Headless Chromium, for the tests of one module (starting it takes seconds)."""
    # Playwright's sync API runs an event loop in this thread until the browser is closed; the
    # ORM calls of the tests meanwhile are still synchronous and safe.
    os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"
    try:
        with sync_playwright() as playwright:
            browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
            try:
                yield browser
            finally:
                browser.close()
    finally:
        os.environ.pop("DJANGO_ALLOW_ASYNC_UNSAFE", None)


@contextmanager
def open_page(browser: Browser, base_url: str) -> Iterator[Page]:
    """A page in a fresh browser context (no cookies, no cache) whose relative URLs go to `base_url`."""
    context = browser.new_context(base_url=base_url, locale="en-US", accept_downloads=True)
    try:
        yield context.new_page()
    finally:
        context.close()
        # Django's connections are local to the asyncio context, and Playwright runs an event
        # loop: ORM calls made meanwhile had their own connection, which must not outlive the test.
        connections.close_all()


def log_in(page: Page, username: str, password: str) -> None:
    """Log in through the admin's login form, as staff do."""
    page.goto("/admin/login/")
    page.fill("#id_username", username)
    page.fill("#id_password", password)
    page.click("input[type=submit]")
    expect(page.locator("#site-name")).to_contain_text(SITE_NAME)
    expect(page.locator("#user-tools")).to_contain_text(username)


def choose_autocomplete(page: Page, field: str, typed: str, option: str) -> None:
    """Pick `option` in the admin's select2 autocomplete of form field `field` after typing `typed`."""
    page.click(f"#id_{field} + .select2 .select2-selection")
    page.fill(".select2-container--open .select2-search__field", typed)
    page.click(f".select2-results__option:has-text('{option}')")
