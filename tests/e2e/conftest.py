"""Browser fixtures: one live server (+ worker) per xdist worker, Debian's Chromium via Playwright."""
from __future__ import annotations

import os
import re
from pathlib import Path

import pytest

from e2e.live import LiveServer, artifacts_dir

CHROMIUM = os.environ.get("CHROMIUM_PATH", "/usr/bin/chromium")
# Generous but bounded: the machine the suite runs on may be busy with other test runs.
TIMEOUT_MS = int(os.environ.get("E2E_TIMEOUT_MS", "30000"))
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
                 "--disable-sync", "--no-first-run", "--disable-quic", "--disable-dev-shm-usage"]


def pytest_collection_modifyitems(items):
    for item in items:
        if "/e2e/" in str(item.fspath):
            item.add_marker(pytest.mark.e2e)


@pytest.fixture(scope="session")
def live_server_proc(django_db_setup, django_db_blocker, _isolated_broker):
    from django.db import connection

    server = LiveServer(db_name=connection.settings_dict["NAME"], env={"CELERY_QUEUE": _isolated_broker},
                        log_name="e2e-server")
    server.start()
    yield server
    server.stop()


@pytest.fixture(scope="session")
def chromium():
    from playwright.sync_api import sync_playwright

    # Playwright's sync API keeps an asyncio loop running in this thread, which makes Django
    # refuse ORM calls ("async context"). The tests' own ORM calls are plain synchronous
    # code, so allow them for the rest of this process (set only once a browser is needed).
    os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"
    from playwright.sync_api import expect

    expect.set_options(timeout=TIMEOUT_MS)
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS)
        yield browser
        browser.close()


def _new_page(chromium):
    context = chromium.new_context(locale="nl-NL", viewport={"width": 1280, "height": 900})
    context.set_default_timeout(TIMEOUT_MS)
    return context.new_page()


def _finish(page, request, name: str) -> None:
    failed = getattr(request.node, "rep_call", None)
    if failed is not None and failed.failed:
        shot(page, f"FAILED-{request.node.name}{name}")
    page.context.close()


@pytest.fixture
def page(chromium, request):
    page = _new_page(chromium)
    yield page
    _finish(page, request, "")


@pytest.fixture
def other_page(chromium, request):
    """A second, independent browser context (another user's browser)."""
    page = _new_page(chromium)
    yield page
    _finish(page, request, "-other")


@pytest.hookimpl(wrapper=True, tryfirst=True)
def pytest_runtest_makereport(item, call):
    report = yield
    if report.when == "call":
        item.rep_call = report
    return report


def shot(page, name: str) -> Path:
    folder = artifacts_dir() / "screenshots"
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / (re.sub(r"[^\w.-]+", "_", name) + ".png")
    page.screenshot(path=str(path), full_page=True)
    return path


def login(page, server, slug: str | None, email: str, password: str = "pw-123456!"):
    page.goto(server.url(slug, "/accounts/login/"))
    page.fill("input[name=username]", email)
    page.fill("input[name=password]", password)
    page.locator("form:has(input[name=password]) [type=submit]").click()
    page.wait_for_load_state("networkidle")
    assert "/accounts/login/" not in page.url, f"login failed for {email}: {page.url}"
