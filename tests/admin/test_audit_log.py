"""The audit log page: admins see every entry, managers those of their institution."""
from __future__ import annotations

import re
from datetime import datetime

import pytest

from healthgrid.auth.models import AuditEntry
from healthgrid.extensions import db as database
from tests import factories


def entry(at: datetime, action: str, user=None, resident=None, **kw) -> AuditEntry:
    e = AuditEntry(at=at, action=action, user_id=getattr(user, "id", None),
                   username=getattr(user, "username", None),
                   resident_id=getattr(resident, "id", None), ip=kw.pop("ip", "10.0.0.7"), **kw)
    database.session.add(e)
    database.session.flush()
    return e


def listed(response) -> list[str]:
    """The details shown, in the page's order (tests put a unique marker in each; the
    factories' own entries have none)."""
    assert response.status_code == 200, response.status_code
    return [d for d in re.findall(r'class="audit-detail">([^<]*)<',
                                  response.get_data(as_text=True)) if d]


@pytest.fixture
def story(district, db):
    """Entries by users of the centre, of another centre, and about residents of each."""
    other_centre = factories.institution(name="别的中心")
    other_grid = factories.grid(factories.community(other_centre))
    doctor = factories.user_for(district, "doctor", username="dr_wang")
    outsider = factories.user("doctor", institution_id=other_centre.id, username="dr_other")
    admin = factories.user("admin", username="root_admin")
    ours = factories.resident(factories.household(district.grids[0]), name="李四")
    theirs = factories.resident(factories.household(other_grid), name="赵六")
    entries = {
        "m1": entry(datetime(2026, 3, 1, 1, 0), "resident.view", doctor, ours, detail="m1",
                    object_type="resident", object_id=ours.id),
        "m2": entry(datetime(2026, 3, 2, 1, 0), "resident.update", outsider, ours, detail="m2"),
        "m3": entry(datetime(2026, 3, 3, 1, 0), "resident.view", outsider, theirs, detail="m3"),
        "m4": entry(datetime(2026, 3, 4, 1, 0), "user.create", admin, detail="m4"),
        "m5": entry(datetime(2026, 3, 5, 1, 0), "login.failed", detail="m5"),
        "m6": entry(datetime(2026, 3, 6, 1, 0), "login", doctor, detail="m6", ip="192.0.2.9"),
    }
    return {"doctor": doctor, "outsider": outsider, "admin": admin, "ours": ours,
            "theirs": theirs, "entries": entries}


def test_admin_sees_every_entry_newest_first(login_as, story):
    shown = listed(login_as(story["admin"]).get("/admin/audit"))
    assert shown[:6] == ["m6", "m5", "m4", "m3", "m2", "m1"]


def test_page_shows_who_when_what_where(login_as, story):
    page = login_as(story["admin"]).get("/admin/audit?action=resident.view&user=dr_wang") \
        .get_data(as_text=True)
    assert "dr_wang" in page and "resident.view" in page and "10.0.0.7" in page
    # The object in words (issue #17), its number beside it.
    assert f"居民档案 #{story['ours'].id}" in page and story["ours"].archive_no in page
    assert "2026-03-01 09:00:00" in page  # 01:00 UTC is 09:00 in Beijing
    assert "查看健康档案" in page  # the action in words, beside its code


@pytest.mark.parametrize("action,words", [
    ("login.failed", "登录失败"), ("referral.accept", "转诊：接收"),
    ("event.dispatch", "网格事件：派遣处置"), ("something.new", "something.new"),
])
def test_actions_are_named_in_words(login_as, story, action, words):
    entry(datetime(2026, 3, 7, 1, 0), action, story["admin"], detail="m7")
    page = login_as(story["admin"]).get(f"/admin/audit?action={action}").get_data(as_text=True)
    assert f'{words} <code class="muted">{action}</code>' in page


def test_manager_sees_own_users_and_own_residents_only(login_as, story):
    shown = listed(login_as("manager").get("/admin/audit"))
    assert set(shown) >= {"m1", "m2", "m6"}
    assert not set(shown) & {"m3", "m4", "m5"}


def test_manager_cannot_reach_other_entries_through_filters(login_as, story):
    manager = login_as("manager")
    assert listed(manager.get(f"/admin/audit?resident={story['theirs'].id}")) == []
    assert listed(manager.get("/admin/audit?user=root_admin")) == []


@pytest.mark.parametrize("query, expected", [
    ("user=dr_wang", ["m6", "m1"]),
    ("user=dr_other", ["m3", "m2"]),
    ("action=resident.view", ["m3", "m1"]),
    ("action=resident", ["m3", "m2", "m1"]),
    ("action=login", ["m6", "m5"]),
    ("date_from=2026-03-02&date_to=2026-03-04", ["m4", "m3", "m2"]),
    ("user=dr_other&action=resident.update", ["m2"]),
])
def test_filters(login_as, story, query, expected):
    assert [d for d in listed(login_as(story["admin"]).get(f"/admin/audit?{query}"))
            if d.startswith("m")] == expected


def test_resident_filter_takes_id_or_archive_number(login_as, story):
    admin = login_as(story["admin"])
    ours = story["ours"]
    by_id = listed(admin.get(f"/admin/audit?resident={ours.id}"))
    by_archive_no = listed(admin.get(f"/admin/audit?resident={ours.archive_no}"))
    assert by_id == by_archive_no == ["m2", "m1"]


def test_date_range_follows_the_centres_days(login_as, story, db):
    # 17:30 UTC on 6 March is already 7 March in Beijing.
    entry(datetime(2026, 3, 6, 17, 30), "login", story["doctor"], detail="late")
    admin = login_as(story["admin"])
    assert listed(admin.get("/admin/audit?date_from=2026-03-07&date_to=2026-03-07")) == ["late"]
    assert "late" not in listed(admin.get("/admin/audit?date_to=2026-03-06"))


def test_paging(login_as, story, db):
    for n in range(30):
        entry(datetime(2026, 4, 1, 0, n), "kpi.export", story["admin"], detail=f"p{n:02d}")
    admin = login_as(story["admin"])
    first = admin.get("/admin/audit?action=kpi.export&per_page=20")
    assert listed(first) == [f"p{n:02d}" for n in range(29, 9, -1)]
    page = first.get_data(as_text=True)
    assert "第 1 / 2 页" in page or "1 / 2" in page
    assert "page=2" in page and "action=kpi.export" in page
    second = admin.get("/admin/audit?action=kpi.export&per_page=20&page=2")
    assert listed(second) == [f"p{n:02d}" for n in range(9, -1, -1)]


@pytest.mark.parametrize("query", ["resident=abc", "resident=110105197001011234",
                                   "resident=2147483648", "resident=%C2%B2", "resident=0",
                                   "date_from=2026-03-05&date_to=2026-03-01", "page=0",
                                   "date_from=yesterday"])
def test_bad_filters_are_explained(login_as, story, query):
    response = login_as(story["admin"]).get(f"/admin/audit?{query}")
    assert response.status_code == 422
    assert "flash-error" in response.get_data(as_text=True)


@pytest.mark.parametrize("role", ["doctor", "referral_desk"])
def test_other_roles_may_not_read_the_audit_log(login_as, role):
    assert login_as(role).get("/admin/audit").status_code == 403


def test_navigation_links_the_audit_log_for_admins_and_managers(login_as):
    for role, shown in [("admin", True), ("manager", True), ("doctor", False)]:
        page = login_as(role).get("/records/residents").get_data(as_text=True)
        assert ('href="/admin/audit"' in page) == shown, role
