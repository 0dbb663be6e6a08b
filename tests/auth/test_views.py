"""Signing in and out, as a person at the login page sees it."""
from sqlalchemy import select

from healthgrid.auth.models import AuditEntry, User
from tests import factories


def _login(client, username, password, next_url=None):
    client.get("/login")  # sets the CSRF token in the session
    with client.session_transaction() as session:
        token = session.get("csrf_token")
    from flask_wtf.csrf import generate_csrf  # noqa: F401  (token comes from the page)
    page = client.get("/login").get_data(as_text=True)
    import re
    token = re.search(r'name="csrf_token" value="([^"]+)"', page).group(1)
    url = "/login" + (f"?next={next_url}" if next_url else "")
    return client.post(url, data={"username": username, "password": password,
                                  "csrf_token": token})


def test_login_page_is_chinese_by_default(client):
    page = client.get("/login").get_data(as_text=True)
    assert "登录" in page
    assert 'lang="zh-CN"' in page


def test_language_switch_to_english(client):
    import re
    page = client.get("/login").get_data(as_text=True)
    token = re.search(r'name="csrf_token" value="([^"]+)"', page).group(1)
    client.post("/lang/en", data={"csrf_token": token, "next": "/login"})
    page = client.get("/login").get_data(as_text=True)
    assert "Sign in" in page and 'lang="en"' in page


def test_each_role_lands_where_its_work_is(client, district):
    factories.user_for(district, "manager", username="mgr")
    response = _login(client, "mgr", factories.PASSWORD)
    assert response.status_code == 302
    landing = client.get(response.headers["Location"], follow_redirects=True)
    assert landing.request.path == "/kpi/" and "网格化方案目标" in landing.get_data(as_text=True)
    for role, path in (("doctor", "/chronic/worklist"), ("referral_desk", "/referrals/")):
        factories.user_for(district, role, username=f"u-{role}")
        with client.session_transaction() as session:
            session.clear()
        _login(client, f"u-{role}", factories.PASSWORD)
        assert client.get("/", follow_redirects=True).request.path == path


def test_wrong_password_is_refused_and_audited(client, district, db):
    factories.user_for(district, "manager", username="mgr")
    response = _login(client, "mgr", "wrong-password-123")
    assert response.status_code == 200
    assert "用户名或密码错误" in response.get_data(as_text=True)
    assert db.session.scalar(select(AuditEntry).where(AuditEntry.action == "login.failed"))


def test_next_parameter_cannot_redirect_off_site(client, district):
    factories.user_for(district, "manager", username="mgr")
    for evil in ("https://evil.example/", "//evil.example/", "/\\evil.example"):
        response = _login(client, "mgr", factories.PASSWORD, next_url=evil)
        assert response.status_code == 302
        assert "evil" not in response.headers["Location"]
        client.get("/")  # still signed in; sign out for the next try
        with client.session_transaction() as session:
            session.clear()


def test_next_parameter_keeps_same_site_path(client, district):
    factories.user_for(district, "manager", username="mgr")
    response = _login(client, "mgr", factories.PASSWORD, next_url="/org/teams")
    assert response.headers["Location"].endswith("/org/teams")


def test_repeated_failures_lock_the_account(client, district, db):
    user = factories.user_for(district, "manager", username="mgr")
    for _ in range(5):
        _login(client, "mgr", "wrong-password-123")
    response = _login(client, "mgr", factories.PASSWORD)
    assert response.status_code == 200  # the right password is refused while locked
    db.session.expire_all()
    assert db.session.get(User, user.id).locked_until is not None


def test_login_is_rate_limited(app, client, district):
    factories.user_for(district, "manager", username="mgr")
    from healthgrid.extensions import limiter
    limiter.reset()
    app.config["LOGIN_RATE_LIMIT"] = "10 per minute"
    try:
        codes = [_login(client, "nobody", "wrong-password-123").status_code for _ in range(12)]
    finally:
        app.config["LOGIN_RATE_LIMIT"] = "10000 per minute"
        limiter.reset()
    assert 429 in codes


def test_post_without_csrf_token_is_refused(client, district):
    factories.user_for(district, "manager", username="mgr")
    response = client.post("/login", data={"username": "mgr", "password": factories.PASSWORD})
    assert response.status_code == 400


def test_security_headers_on_every_page(client):
    response = client.get("/login")
    csp = response.headers["Content-Security-Policy"]
    assert "default-src 'self'" in csp and "frame-ancestors 'none'" in csp
    assert "http" not in csp  # no third-party origin
    assert response.headers["X-Frame-Options"] == "DENY"
    assert response.headers["X-Content-Type-Options"] == "nosniff"


def test_session_cookie_is_httponly_and_samesite(client, district):
    factories.user_for(district, "manager", username="mgr")
    response = _login(client, "mgr", factories.PASSWORD)
    cookie = response.headers["Set-Cookie"]
    assert "HttpOnly" in cookie and "SameSite=Lax" in cookie


def test_deactivation_ends_existing_sessions(login_as, db):
    client = login_as("manager")
    assert client.get("/org/grids").status_code == 200
    from healthgrid.auth.services import set_active
    set_active(client.user, False)
    db.session.commit()
    assert client.get("/org/grids").status_code == 302


def test_password_change_keeps_this_session_and_ends_others(app, login_as, db):
    client = login_as("manager")
    other = app.test_client()
    with other.session_transaction() as session:
        session["_user_id"] = client.user.get_id()
    import re
    page = client.get("/account/password").get_data(as_text=True)
    token = re.search(r'name="csrf_token" value="([^"]+)"', page).group(1)
    response = client.post("/account/password", data={
        "csrf_token": token, "current_password": factories.PASSWORD,
        "new_password": "a-new-long-secret", "confirm_password": "a-new-long-secret"})
    assert response.status_code == 302
    assert client.get("/org/grids").status_code == 200
    assert other.get("/org/grids").status_code == 302


def test_weak_new_password_is_refused(login_as):
    client = login_as("manager")
    import re
    page = client.get("/account/password").get_data(as_text=True)
    token = re.search(r'name="csrf_token" value="([^"]+)"', page).group(1)
    response = client.post("/account/password", data={
        "csrf_token": token, "current_password": factories.PASSWORD,
        "new_password": "short", "confirm_password": "short"})
    assert response.status_code == 422
    assert "至少" in response.get_data(as_text=True)
