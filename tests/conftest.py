"""Shared fixtures: one schema per run (built by the migrations), one rolled-back
transaction per test, and signed-in clients for every role."""
from __future__ import annotations

import os
import tempfile
from contextlib import contextmanager
from pathlib import Path

import pytest
from hypothesis import settings as hypothesis_settings
from flask_migrate import upgrade
from sqlalchemy import text

from flask.testing import FlaskClient
from flask_sqlalchemy.session import Session as FlaskSession

from healthgrid import create_app
from healthgrid.extensions import db as _db

from . import factories

# Speed is measured in bench/, not in tests: no per-example deadline (the first ID check
# loads stdnum's area table and would trip it).
hypothesis_settings.register_profile("healthgrid", deadline=None)
hypothesis_settings.load_profile("healthgrid")

TEST_SECRET = "test-secret-key-not-for-production"


def database_url(tmp_root: Path) -> str:
    return os.environ.get("DATABASE_URL") or f"sqlite:///{tmp_root / 'test.db'}"


def reset_database(app) -> None:
    """Empty the test database (PostgreSQL keeps it between runs), then migrate."""
    with app.app_context():
        if _db.engine.dialect.name == "postgresql":
            with _db.engine.begin() as conn:
                conn.execute(text("DROP SCHEMA public CASCADE"))
                conn.execute(text("CREATE SCHEMA public"))
        upgrade()


class FreshContextClient(FlaskClient):
    """Each request gets its own app context (and `g`), as in production, even though
    the test itself holds one open for its database session."""

    def open(self, *args, **kwargs):
        with self.application.app_context():
            return super().open(*args, **kwargs)


class ConnectionBoundSession(FlaskSession):
    """Flask-SQLAlchemy's session picks the app's engine even when given a connection;
    tests need it to use the connection that holds the test's transaction."""

    def get_bind(self, mapper=None, clause=None, bind=None, **kwargs):
        return bind if bind is not None else self.bind


@pytest.fixture(scope="session")
def app():
    tmp_root = Path(tempfile.mkdtemp(prefix="healthgrid-test-"))
    app = create_app({
        "TESTING": True,
        "SECRET_KEY": TEST_SECRET,
        "SQLALCHEMY_DATABASE_URI": database_url(tmp_root),
        # Tests sign in often from one address; the rate-limit test lowers this itself.
        "LOGIN_RATE_LIMIT": "10000 per minute",
        "SERVER_NAME": "localhost",
    })
    app.test_client_class = FreshContextClient
    reset_database(app)
    return app


@contextmanager
def rolled_back(app):
    """The app's session bound to one connection whose transaction is rolled back at the
    end; the code inside may commit (it only releases a savepoint)."""
    with app.app_context():
        connection = _db.engine.connect()
        outer = connection.begin()
        original = _db.session
        _db.session = _db._make_scoped_session(
            {"bind": connection, "join_transaction_mode": "create_savepoint",
             "class_": ConnectionBoundSession})
        try:
            yield _db
        finally:
            _db.session.remove()
            _db.session = original
            outer.rollback()
            connection.close()


@pytest.fixture
def db(app):
    """One rolled-back transaction per test."""
    with rolled_back(app) as database:
        yield database


@pytest.fixture
def client(app, db):
    return app.test_client()


@pytest.fixture
def district(db):
    """Two grids of one centre, each with its own complete team, plus a hospital."""
    return factories.district()


@pytest.fixture
def login_as(app, db, district):
    """login_as(role or user) → a test client signed in as a user of that role."""
    def _login(who, **kwargs):
        user = who if not isinstance(who, str) else factories.user_for(district, who, **kwargs)
        client = app.test_client()
        with client.session_transaction() as session:
            session["_user_id"] = user.get_id()
            session["_fresh"] = True
        client.user = user
        return client
    return _login


@pytest.fixture
def api_as(app, db, district):
    """api_as(role or user) → (client, headers) with a bearer token of such a user."""
    from healthgrid.auth.services import issue_token

    def _api(who, **kwargs):
        user = who if not isinstance(who, str) else factories.user_for(district, who, **kwargs)
        raw, _ = issue_token(user, 1)
        _db.session.commit()
        client = app.test_client()
        client.user = user
        return client, {"Authorization": f"Bearer {raw}"}
    return _api
