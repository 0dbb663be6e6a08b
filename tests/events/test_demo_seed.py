"""The demo's grid events are reproducible: the same seed gives the same events. Apart from
test_demo.py, whose module-wide district holds the session while its tests run."""
from __future__ import annotations

from sqlalchemy import select

from healthgrid.demo.generate import generate
from healthgrid.events.models import GridEvent, GridEventStep
from healthgrid.extensions import db
from tests.demo.conftest import DEMO_AS_OF, demo_app_factory  # noqa: F401


def test_the_same_seed_gives_the_same_events(demo_app_factory):  # noqa: F811
    def run(seed):
        with demo_app_factory().app_context():
            generate(300, seed, DEMO_AS_OF)
            return [db.session.execute(select(model.__table__).order_by(model.id)).all()
                    for model in (GridEvent, GridEventStep)]
    first = run(5)
    assert first == run(5) and first[0]
    assert first != run(6)
