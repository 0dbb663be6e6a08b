"""Every response carries the security headers; cookies are HttpOnly, SameSite=Lax and,
served over HTTPS, Secure; no response names the server software's version."""
from __future__ import annotations

import os
import re
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest

from healthgrid import create_app
from tests.conftest import TEST_SECRET

ROOT = Path(__file__).resolve().parents[2]


def _concrete(rule) -> str:
    return re.sub(r"<(?:[^:<>]+:)?([^<>]+)>", "1", rule.rule)


def assert_safe_headers(response, where: str) -> None:
    headers = response.headers
    csp = headers.get("Content-Security-Policy", "")
    assert csp, f"{where}: no Content-Security-Policy"
    sources = [token for directive in csp.split(";") for token in directive.split()[1:]]
    for token in sources:
        assert not token.startswith(("http:", "https:", "ws:", "wss:")), (where, token)
        assert "*" not in token, (where, token)
        assert "://" not in token, (where, token)
    assert "frame-ancestors 'none'" in csp, where
    assert "object-src 'none'" in csp, where
    assert headers.get("X-Frame-Options") == "DENY", where
    assert headers.get("X-Content-Type-Options") == "nosniff", where
    server = headers.get("Server", "")
    assert not re.search(r"werkzeug|python|gunicorn|/\d", server, re.I), (where, server)
    assert "X-Powered-By" not in headers, where


def _rules(app):
    for rule in sorted(app.url_map.iter_rules(), key=lambda r: r.rule):
        yield rule, _concrete(rule)


def test_every_page_has_the_headers_signed_in_or_not(app, login_as, db):
    admin = login_as("admin")
    anonymous = app.test_client()
    tried = 0
    for rule, url in _rules(app):
        if url.startswith("/api/"):
            continue
        for client, who in ((admin, "admin"), (anonymous, "anonymous")):
            for method in sorted(rule.methods - {"HEAD", "OPTIONS"}):
                response = client.open(url, method=method)
                assert_safe_headers(response, f"{who} {method} {url} → {response.status_code}")
                tried += 1
    assert tried > 50


def test_every_api_answer_has_the_headers(app, api_as):
    client, headers = api_as("admin")
    anonymous = app.test_client()
    tried = 0
    for rule, url in _rules(app):
        if not url.startswith("/api/"):
            continue
        for method in sorted(rule.methods - {"HEAD", "OPTIONS"}):
            for c, h, who in ((client, headers, "token"), (anonymous, {}, "anonymous")):
                kwargs = {"json": {}} if method in ("POST", "PUT", "PATCH") else {}
                response = c.open(url, method=method, headers=h, **kwargs)
                assert_safe_headers(response, f"{who} {method} {url} → {response.status_code}")
                tried += 1
    assert tried > 20


def test_errors_and_static_files_have_the_headers(client):
    assert_safe_headers(client.get("/no/such/page"), "404 page")
    assert_safe_headers(client.get("/api/v1/no/such"), "404 API")
    assert_safe_headers(client.get("/static/css/app.css"), "static file")


def _session_cookie(response) -> str:
    cookies = [c for c in response.headers.getlist("Set-Cookie") if c.startswith("session=")]
    assert cookies, "no session cookie set"
    return cookies[0]


def test_session_cookie_is_httponly_and_samesite_lax(client):
    cookie = _session_cookie(client.get("/login"))  # the CSRF token lives in the session
    assert "HttpOnly" in cookie and "SameSite=Lax" in cookie


@pytest.fixture
def https_app(app, db):
    """The app as configured for HTTPS (HEALTHGRID_HTTPS=true), on the test database."""
    https = create_app({**{k: app.config[k] for k in (
        "TESTING", "SECRET_KEY", "SQLALCHEMY_DATABASE_URI", "LOGIN_RATE_LIMIT", "SERVER_NAME")},
        "HTTPS": True})
    https.test_client_class = app.test_client_class
    yield https
    from healthgrid.extensions import db as _db
    with https.app_context():
        _db.engine.dispose()


def test_https_configuration_makes_cookies_secure(https_app):
    assert https_app.config["SESSION_COOKIE_SECURE"] is True
    assert https_app.config["REMEMBER_COOKIE_SECURE"] is True
    assert https_app.config["PREFERRED_URL_SCHEME"] == "https"
    response = https_app.test_client().get("/login", base_url="https://localhost")
    cookie = _session_cookie(response)
    assert "Secure" in cookie and "HttpOnly" in cookie and "SameSite=Lax" in cookie
    assert response.headers["Strict-Transport-Security"].startswith("max-age=")


def test_https_comes_from_the_environment(monkeypatch):
    monkeypatch.setenv("HEALTHGRID_HTTPS", "true")
    configured = create_app({"SQLALCHEMY_DATABASE_URI": "sqlite://", "TESTING": True})
    assert configured.config["SESSION_COOKIE_SECURE"] is True


def test_plain_http_development_keeps_cookies_usable(client):
    assert "Secure" not in _session_cookie(client.get("/login"))


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def test_gunicorn_names_itself_without_a_version(tmp_path):
    """gunicorn always sends `Server: gunicorn` (an app cannot remove it); it must carry no
    version, and the app must not add one of its own."""
    gunicorn = Path(sys.executable).with_name("gunicorn")
    if not gunicorn.exists():
        pytest.skip("gunicorn is not installed")
    port = _free_port()
    env = {**os.environ, "DATABASE_URL": f"sqlite:///{tmp_path / 'g.db'}",
           "SECRET_KEY": TEST_SECRET}
    proc = subprocess.Popen([str(gunicorn), "-w", "1", "-b", f"127.0.0.1:{port}",
                             "healthgrid:create_app()"], cwd=ROOT, env=env,
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        deadline = time.monotonic() + 30
        while True:
            try:
                with urllib.request.urlopen(f"http://127.0.0.1:{port}/static/css/app.css",
                                            timeout=2) as response:
                    servers = response.headers.get_all("Server") or []
                    csp = response.headers["Content-Security-Policy"]
                break
            except OSError:
                if time.monotonic() > deadline or proc.poll() is not None:
                    pytest.fail("gunicorn did not answer")
                time.sleep(0.2)
    finally:
        proc.terminate()
        proc.wait(timeout=15)
    assert servers == ["gunicorn"] and "frame-ancestors 'none'" in csp
