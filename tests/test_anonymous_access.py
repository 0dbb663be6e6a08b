"""Every endpoint but the declared public ones sends an anonymous visitor to sign in
(pages) or answers 401 (API)."""
import re

import pytest

# The whole public surface. A later issue that adds a public page adds it here, on purpose.
PUBLIC_ENDPOINTS = {
    "static",
    "auth.login",
    "auth.set_language",
    "auth_api.token",
    "main.api_docs",
    "api-docs.openapi_json",
    "surveys_public.survey",      # a grid's survey, reached by its signed link (QR code)
    "surveys_public.find_team",   # "find my team": work contacts of the grid's team
}


def _concrete(rule) -> str:
    return re.sub(r"<(?:[^:<>]+:)?([^<>]+)>", lambda m: "1", rule.rule)


def _protected_rules(app):
    for rule in app.url_map.iter_rules():
        if rule.endpoint in PUBLIC_ENDPOINTS:
            continue
        for method in sorted(rule.methods - {"HEAD", "OPTIONS"}):
            yield rule, method


def test_every_non_public_endpoint_needs_a_login(app, client):
    app.config["WTF_CSRF_ENABLED"] = False  # so that a POST reaches the login check
    tried = 0
    try:
        for rule, method in _protected_rules(app):
            url = _concrete(rule)
            response = client.open(url, method=method)
            if url.startswith("/api/"):
                assert response.status_code == 401, (method, url, response.status_code)
                assert response.json["code"] == 401
            else:
                assert response.status_code == 302, (method, url, response.status_code)
                assert "/login" in response.headers["Location"], (method, url)
            tried += 1
    finally:
        app.config["WTF_CSRF_ENABLED"] = True
    assert tried > 20


@pytest.mark.parametrize("endpoint", sorted(PUBLIC_ENDPOINTS - {"static", "auth.set_language"}))
def test_public_endpoints_exist(app, endpoint):
    assert endpoint in {rule.endpoint for rule in app.url_map.iter_rules()}


def test_public_pages_answer_anonymous_visitors(client):
    assert client.get("/login").status_code == 200
    assert client.get("/api/v1/openapi.json").status_code == 200
    assert client.get("/api/v1/docs").status_code == 200
    assert client.get("/static/css/app.css").status_code == 200
