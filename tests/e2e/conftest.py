"""Browser tests: one real server per session (gunicorn on a fresh database filled by
`flask demo`), driven by Debian's Chromium through Playwright.

The server gets its own database so that the unit tests' database is untouched: a SQLite
file in a temporary directory, or, when DATABASE_URL names a PostgreSQL server, a separate
database `healthgrid_e2e` on that server (dropped at the end).

Screenshots (`shot(page, name)`, and one of every failed test) go to $HEALTHGRID_SCREENSHOTS
or a temporary directory, never into the repository; the run's summary names the directory.
"""
from __future__ import annotations

import os
import re
import socket
import subprocess
import tempfile
import time
import urllib.error
import urllib.request
from contextlib import contextmanager
from pathlib import Path
from urllib.parse import urlsplit

import pytest

from ..helpers import postgres_base_url, recreate_pg_database

HERE = Path(__file__).resolve().parent
ROOT = HERE.parents[1]
VENV_BIN = ROOT / ".venv" / "bin"

PASSWORD = "HealthGrid-2026"
SECRET_KEY = "e2e-secret-key-not-for-production"
E2E_DATABASE = "healthgrid_e2e"

MIGRATE_COMMAND = [str(VENV_BIN / "flask"), "--app", "healthgrid", "db", "upgrade"]
DEMO_COMMAND = [str(VENV_BIN / "flask"), "--app", "healthgrid", "demo",
                "--residents", "3000", "--seed", "7"]
COMMAND_TIMEOUT = 600      # seconds for migrations / demo data
STARTUP_TIMEOUT = 30       # seconds for gunicorn to answer /login

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = ["--no-sandbox", "--headless", "--disable-gpu",
                 "--disable-background-networking", "--disable-component-update",
                 "--disable-sync", "--no-first-run", "--disable-quic"]
DEFAULT_TIMEOUT_MS = 10_000


def pytest_collection_modifyitems(config, items):
    for item in items:
        if HERE in Path(item.path).parents:
            item.add_marker(pytest.mark.e2e)


# --- the server's database ----------------------------------------------------------------

class ServerDatabase:
    """A database of its own for one server: the browser tests', or the fuzzed API's."""

    def __init__(self, tmp: Path, name: str = E2E_DATABASE):
        self.pg_base = postgres_base_url()
        if self.pg_base is None:
            self.url = f"sqlite:///{tmp / (name + '.db')}"
            return
        # One database per xdist worker, should the suite ever run with -n.
        worker = os.environ.get("PYTEST_XDIST_WORKER")
        self.name = f"{name}_{worker}" if worker else name
        self.url = self.pg_base.set(database=self.name).render_as_string(hide_password=False)

    def create(self) -> None:
        if self.pg_base is not None:
            recreate_pg_database(self.pg_base, self.name, create=True)

    def drop(self) -> None:
        if self.pg_base is not None:
            recreate_pg_database(self.pg_base, self.name, create=False)



# --- the server ---------------------------------------------------------------------------

def _free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _run_command(cmd: list[str], env: dict, log: Path) -> None:
    try:
        done = subprocess.run(cmd, cwd=ROOT, env=env, capture_output=True, text=True,
                              timeout=COMMAND_TIMEOUT)
    except subprocess.TimeoutExpired as exc:
        pytest.fail(f"e2e set-up: `{' '.join(cmd)}` took more than {COMMAND_TIMEOUT} s\n"
                    f"{exc.stdout or ''}{exc.stderr or ''}", pytrace=False)
    with log.open("a", encoding="utf-8") as fh:
        fh.write(f"$ {' '.join(cmd)}\n{done.stdout}{done.stderr}\n")
    if done.returncode != 0:
        pytest.fail(f"e2e set-up: `{' '.join(cmd)}` failed (exit {done.returncode})\n"
                    f"--- stdout ---\n{done.stdout}\n--- stderr ---\n{done.stderr}",
                    pytrace=False)


def _wait_until_answering(url: str, proc: subprocess.Popen, timeout: float) -> str | None:
    """None once `url` answers 200; otherwise why not."""
    deadline = time.monotonic() + timeout
    last = "no answer"
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            return f"gunicorn exited with code {proc.returncode}"
        try:
            with urllib.request.urlopen(url, timeout=2) as response:
                if response.status == 200:
                    return None
                last = f"HTTP {response.status}"
        except urllib.error.HTTPError as exc:
            last = f"HTTP {exc.code}"
        except (urllib.error.URLError, OSError) as exc:
            last = str(exc)
        time.sleep(0.2)
    return f"/login did not answer 200 within {timeout:.0f} s ({last})"


def _stop(proc: subprocess.Popen) -> None:
    if proc.poll() is None:
        proc.terminate()  # gunicorn's master stops its workers on SIGTERM
        try:
            proc.wait(timeout=15)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait(timeout=5)


@pytest.fixture(scope="session")
def demo_database(tmp_path_factory):
    """URL of a database of its own, migrated and filled with the demo district."""
    tmp = tmp_path_factory.mktemp("e2e-database")
    database = ServerDatabase(tmp)
    database.create()
    try:
        env = {**os.environ, "DATABASE_URL": database.url}
        _run_command(MIGRATE_COMMAND, env, tmp / "setup.log")
        _run_command(DEMO_COMMAND, env, tmp / "setup.log")
        yield database.url
    finally:
        database.drop()


@pytest.fixture(scope="session")
def live_server(demo_database, tmp_path_factory):
    """Base URL (http://127.0.0.1:PORT) of gunicorn serving the demo district."""
    tmp = tmp_path_factory.mktemp("e2e-server")
    env = {**os.environ,
           "DATABASE_URL": demo_database,
           "SECRET_KEY": SECRET_KEY,
           # Every test signs in from 127.0.0.1; the production limit would lock us out.
           "HEALTHGRID_LOGIN_RATE_LIMIT": "1000 per minute"}
    server_log = tmp / "server.stderr.log"
    port = _free_port()
    base_url = f"http://127.0.0.1:{port}"
    with server_log.open("wb") as stderr:
        proc = subprocess.Popen(
            [str(VENV_BIN / "gunicorn"), "-w", "2", "-b", f"127.0.0.1:{port}",
             "healthgrid:create_app()"],
            cwd=ROOT, env=env, stdout=subprocess.DEVNULL, stderr=stderr)
    try:
        problem = _wait_until_answering(f"{base_url}/login", proc, STARTUP_TIMEOUT)
        if problem:
            log = server_log.read_text(encoding="utf-8", errors="replace")
            print(f"--- gunicorn stderr ({server_log}) ---\n{log}")
            pytest.fail(f"e2e server did not start: {problem}\n"
                        f"--- gunicorn stderr ---\n{log[-6000:]}", pytrace=False)
        yield base_url
    finally:
        _stop(proc)


# --- the browser --------------------------------------------------------------------------

@pytest.fixture(scope="session")
def browser():
    if not os.access(CHROMIUM, os.X_OK):
        pytest.fail(f"{CHROMIUM} not found (Debian: apt-get install chromium)", pytrace=False)
    from playwright.sync_api import sync_playwright
    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        try:
            yield chromium
        finally:
            chromium.close()


@pytest.hookimpl(wrapper=True)
def pytest_runtest_makereport(item, call):
    """Keep each phase's report on the item, so that `page` knows whether the test failed."""
    report = yield
    setattr(item, f"e2e_report_{report.when}", report)
    return report


def _page_fixture(request, browser, live_server, **options):
    context = browser.new_context(base_url=live_server, locale="zh-CN", **options)
    context.set_default_timeout(DEFAULT_TIMEOUT_MS)
    page = context.new_page()
    try:
        yield page
        report = getattr(request.node, "e2e_report_call", None)
        if report is not None and report.failed and not page.is_closed():
            try:
                path = shot(page, f"FAILED-{request.node.name}")
                print(f"screenshot of the failed page: {path}")
            except Exception as exc:  # a screenshot must not hide the real failure
                print(f"no screenshot of the failed page: {exc}")
    finally:
        context.close()


@pytest.fixture
def page(request, browser, live_server):
    """A desktop page in a fresh context (no cookies), Chinese browser locale."""
    yield from _page_fixture(request, browser, live_server,
                             viewport={"width": 1280, "height": 900})


@pytest.fixture
def phone_page(request, browser, live_server):
    """A phone-sized touch page in a fresh context, Chinese browser locale."""
    yield from _page_fixture(request, browser, live_server,
                             viewport={"width": 390, "height": 844},
                             is_mobile=True, has_touch=True)


# --- helpers for the tests ----------------------------------------------------------------

def login(page, base_url: str, username: str, password: str = PASSWORD) -> None:
    """Sign in through the login form; fails the test if the server refuses."""
    page.goto(f"{base_url}/login")
    form = page.locator("form:has(input[name=password])")
    form.locator("input[name=username]").fill(username)
    form.locator("input[name=password]").fill(password)
    with page.expect_navigation():
        form.locator("button[type=submit]").click()
    if urlsplit(page.url).path.rstrip("/") == "/login":
        flashes = page.locator(".flash, .error").all_inner_texts()
        raise AssertionError(f"signing in as {username!r} failed: {flashes}")


@contextmanager
def signed_in(browser, live_server, username):
    """A desktop page of another user, in a context of its own (its own cookies)."""
    context = browser.new_context(base_url=live_server, locale="zh-CN",
                                  viewport={"width": 1280, "height": 900})
    context.set_default_timeout(DEFAULT_TIMEOUT_MS)
    try:
        page = context.new_page()
        login(page, live_server, username)
        yield page
    finally:
        context.close()


_screenshot_dir: Path | None = None


@pytest.fixture(scope="session", autouse=True)
def _screenshot_directory(tmp_path_factory):
    """Where `shot` saves: $HEALTHGRID_SCREENSHOTS (outside the repository), or else
    pytest's temporary tree, which keeps only the last few runs."""
    global _screenshot_dir
    wanted = os.environ.get("HEALTHGRID_SCREENSHOTS")
    if wanted:
        path = Path(wanted).expanduser().resolve()
        if path == ROOT or ROOT in path.parents:
            pytest.fail(f"HEALTHGRID_SCREENSHOTS={wanted} lies inside the repository; "
                        "choose a directory outside it", pytrace=False)
    else:
        path = tmp_path_factory.getbasetemp() / "screenshots"
    _screenshot_dir = path


def screenshot_dir() -> Path:
    global _screenshot_dir
    if _screenshot_dir is None:  # `shot` used outside these tests' fixtures
        _screenshot_dir = Path(tempfile.mkdtemp(prefix="healthgrid-e2e-shots-"))
    _screenshot_dir.mkdir(parents=True, exist_ok=True)
    return _screenshot_dir


def shot(page, name: str) -> Path:
    """Save a full-page PNG named `name` for a developer to look at; returns its path."""
    safe = re.sub(r"[^\w.-]+", "_", name).strip("_") or "page"
    path = screenshot_dir() / f"{safe}.png"
    page.screenshot(path=str(path), full_page=True)
    return path


def pytest_terminal_summary(terminalreporter):
    if _screenshot_dir is not None and _screenshot_dir.is_dir():
        terminalreporter.write_line(f"e2e screenshots: {_screenshot_dir}")
