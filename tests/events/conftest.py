"""Grid event fixtures: a pinned day, photos kept in a temporary folder, events made in any
state, and API clients for the people who act at each level."""
from datetime import date, timedelta
from io import BytesIO

import pytest
from PIL import Image

from healthgrid.events.models import GridEvent, GridEventStep
from healthgrid.extensions import db
from tests import factories
from tests.helpers import today_is

DAY = date(2026, 3, 2)
PNG = (b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x00\x01\x00\x00\x00\x01\x08\x06\x00"
       b"\x00\x00\x1f\x15\xc4\x89\x00\x00\x00\rIDATx\x9cc\xf8\xcf\xc0\xf0\x1f\x00\x05\x00"
       b"\x01\xff\x89\x99=\x1d\x00\x00\x00\x00IEND\xaeB`\x82")


def _picture(fmt: str) -> bytes:
    """A real 2×1 picture: photos are decoded and encoded afresh on upload."""
    out = BytesIO()
    Image.new("RGB", (2, 1), (200, 30, 30)).save(out, fmt)
    return out.getvalue()


JPEG = _picture("JPEG")
WEBP = _picture("WEBP")


@pytest.fixture(autouse=True)
def pinned_today():
    with today_is(DAY):
        yield DAY


@pytest.fixture(autouse=True)
def photo_dir(app, tmp_path):
    """Photos of these tests go to a temporary folder, never to the real instance folder."""
    before = app.config.get("EVENT_PHOTO_DIR")
    folder = tmp_path / "event_photos"
    app.config["EVENT_PHOTO_DIR"] = str(folder)
    yield folder
    app.config["EVENT_PHOTO_DIR"] = before


def stored_photos(folder) -> list:
    return sorted(p.name for p in folder.iterdir()) if folder.exists() else []


def payload(district, grid_index=0, **kw):
    return {"event_type": "food_safety", "grid_id": district.grids[grid_index].id,
            "place": "幸福里菜市场 3 号摊位", "description": "无证售卖散装熟食，现场无冷藏设施",
            "mode": "coordination", "urgency": "routine", **kw}


def make_event(grid, *, status="reported", level="grid", mode="general", deadline=None,
               reported_on=DAY, closed_on=None, event_type="drinking_water", **kw) -> GridEvent:
    """An event put straight into a state, with its report step (for tables of states)."""
    event = GridEvent(event_type=event_type, grid_id=grid.id, place="二次供水水箱",
                      description="水箱盖未上锁", mode=mode, urgency="routine", level=level,
                      status=status, deadline=deadline or reported_on + timedelta(days=10),
                      reported_on=reported_on, closed_on=closed_on, **kw)
    db.session.add(event)
    db.session.add(GridEventStep(event=event, action="report", to_status="reported",
                                 level=level))
    db.session.flush()
    return event


@pytest.fixture
def people(api_as, district):
    """API clients of everyone who matters to an event of grid A (team A's grid)."""
    other_centre = factories.institution(name="别的中心")
    users = {
        "doctor": factories.user_for(district, "doctor"),              # team A: grid A
        "doctor_b": factories.user_for(district, "doctor", team_index=1),
        "manager": factories.user_for(district, "manager"),
        "admin": factories.user("admin"),
        "other_manager": factories.user("manager", institution_id=other_centre.id),
        "referral_desk": factories.user_for(district, "referral_desk"),
    }
    return {name: api_as(user) for name, user in users.items()}


def call(people, who, method, url, **kw):
    client, headers = people[who]
    return client.open(url, method=method, headers=headers, **kw)


def act(people, who, event_id, action, **fields):
    return call(people, who, "POST", f"/api/v1/events/{event_id}/transitions",
                json={"action": action, **fields})
