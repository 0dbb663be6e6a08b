"""Survey fixtures: a pinned day, residents with known names in the district's grids, and
the public page's signed links."""
from datetime import date

import pytest

from tests import factories
from tests.helpers import today_is

DAY = date(2026, 5, 20)


@pytest.fixture(autouse=True)
def pinned_today():
    with today_is(DAY):
        yield DAY


@pytest.fixture(autouse=True)
def generous_survey_limit(app):
    """Tests answer the public survey often from one address; the rate-limit test lowers
    the limit itself. Counters start at zero."""
    from healthgrid.extensions import limiter
    app.config["SURVEY_RATE_LIMIT"] = "10000 per hour"
    with app.app_context():
        limiter.reset()
    yield limiter
    app.config.pop("SURVEY_RATE_LIMIT", None)
    with app.app_context():
        limiter.reset()


def resident_in(district, grid_index=0, **kw):
    kw.setdefault("phone", "13912345678")
    hh = factories.household(district.grids[grid_index], address=kw.pop("address", "幸福里8号楼302"))
    return factories.resident(hh, **kw)


@pytest.fixture
def survey_path(app):
    """survey_path(grid) → "/s/<token>", the path the grid's QR code leads to."""
    from healthgrid.surveys.public import grid_token

    def _path(grid):
        with app.test_request_context():
            return f"/s/{grid_token(grid.id)}"
    return _path


def responses_of(grid_id):
    from sqlalchemy import select

    from healthgrid.extensions import db
    from healthgrid.surveys.models import SurveyResponse
    return list(db.session.scalars(select(SurveyResponse).where(SurveyResponse.grid_id == grid_id)
                                   .order_by(SurveyResponse.id)))
