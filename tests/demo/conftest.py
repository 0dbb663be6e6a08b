"""Fixtures for the demo generator: one generated district per module, rolled back
after it, and throw-away in-memory apps for comparing two runs."""
from __future__ import annotations

from datetime import date

import pytest
from flask_migrate import upgrade

from healthgrid import create_app
from healthgrid.demo.generate import generate
from healthgrid.extensions import db as _db

from ..conftest import rolled_back

DEMO_AS_OF = date(2026, 3, 31)
DEMO_RESIDENTS = 3000
DEMO_SEED = 7


@pytest.fixture(scope="module")
def demo_district(app):
    """A 3,000-resident district generated once on the test database (SQLite or
    PostgreSQL), inside a transaction rolled back after the module: the
    generator's commits only release savepoints."""
    with rolled_back(app):
        yield generate(DEMO_RESIDENTS, DEMO_SEED, DEMO_AS_OF)


@pytest.fixture
def demo_app_factory():
    """demo_app_factory() → a new app on its own empty in-memory SQLite database."""
    apps = []

    def _make():
        app = create_app({"SQLALCHEMY_DATABASE_URI": "sqlite://", "TESTING": True,
                          "SECRET_KEY": "demo-tests"})
        with app.app_context():
            # The migrations, as everywhere: create_all() on SpatiaLite would take the
            # spatial indexes out of the shared metadata (GeoAlchemy2 removes them from
            # the Table while creating it), and the schema test would then see them missing.
            upgrade()
        apps.append(app)
        return app

    yield _make
    for app in apps:
        with app.app_context():
            _db.engine.dispose()
