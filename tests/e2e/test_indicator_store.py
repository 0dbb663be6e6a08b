"""The indicator store against the running server (gunicorn, two workers): writes from
parallel clients leave it equal to the reference counting, and a saved record shows in the
dashboard's figures at once."""
import random
import threading
import time
from datetime import date, timedelta

from sqlalchemy import select

from healthgrid import create_app
from healthgrid.clock import today
from healthgrid.extensions import db
from healthgrid.org.models import Institution

from .test_concurrency import _call, _token

WRITERS = ("doctor", "doctor2", "nurse")
WRITES_EACH = 25


def _worklist(base, token) -> list[int]:
    status, body = _call(base, "GET", "/api/v1/worklist?as_of=2099-01-01", token)
    assert status == 200, body
    return [item["enrollment_id"] for item in body["overdue"] + body["due_soon"]]


def _grids(base, token) -> list[int]:
    status, body = _call(base, "GET", "/api/v1/residents?per_page=50", token)
    assert status == 200, body
    return sorted({item["grid_id"] for item in body["items"]})


def _writes(base, who, seed, failures, saved):
    rng = random.Random(seed)
    token = _token(base, who)
    enrollments, grids = _worklist(base, token), _grids(base, token)
    day = today()
    for _ in range(WRITES_EACH):
        kind = rng.choice(("visit", "visit", "visit", "survey", "exit"))
        if kind == "survey" or not enrollments:
            status, body = _call(base, "POST", "/api/v1/survey-responses", token, {
                "grid_id": rng.choice(grids), "channel": "door",
                "date": (day - timedelta(days=rng.randrange(60))).isoformat(),
                "aware": rng.random() < 0.6, "satisfaction": rng.choice((None, 3, 4, 5))})
        elif kind == "visit":
            status, body = _call(
                base, "POST", f"/api/v1/enrollments/{rng.choice(enrollments)}/followups", token,
                {"visit_date": (day - timedelta(days=rng.randrange(40))).isoformat(),
                 "sbp": rng.randrange(115, 165), "dbp": rng.randrange(70, 100),
                 "fpg": round(rng.uniform(5, 9), 1)})
        else:
            enrollment = enrollments.pop(rng.randrange(len(enrollments)))
            status, body = _call(base, "POST", f"/api/v1/enrollments/{enrollment}/exit", token,
                                 {"reason": "refused", "exited_on": day.isoformat()})
        if status in (200, 201):
            saved.append(kind)
        elif status not in (409, 422):  # a refused write changes nothing
            failures.append((kind, status, body))


def _in_process(database_url: str, work):
    """work(centre_id) run in this process on the server's database."""
    app = create_app({"SQLALCHEMY_DATABASE_URI": database_url, "TESTING": True})
    with app.test_request_context():
        centre = db.session.scalar(select(Institution.id).where(
            Institution.kind == "health_center").order_by(Institution.id))
        try:
            return work(centre)
        finally:
            db.session.remove()
            db.engine.dispose()


def _differences(database_url: str, periods) -> list[str]:
    from tests.kpi.store_check import differences

    def work(centre):
        found = []
        for period, as_of in periods:
            found += differences(period, as_of, today(), [f"institution:{centre}"])
        return found
    return _in_process(database_url, work)


def test_parallel_writes_leave_the_store_equal_to_the_reference(live_server, demo_database):
    failures: list = []
    saved: list = []
    threads = [threading.Thread(target=_writes, args=(live_server, who, n, failures, saved))
               for n, who in enumerate(WRITERS)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert failures == []
    assert saved.count("visit") >= 15 and "survey" in saved and "exit" in saved
    day = today()
    assert _differences(demo_database, [
        (str(day.year), day), (f"{day.year}-{day.month:02d}", day),
        (str(day.year), max(date(day.year, 1, 1), day - timedelta(days=20)))]) == []


def _awareness(base, token, scope) -> tuple[int, int]:
    day = today()
    status, body = _call(base, "GET", f"/api/v1/kpi?scope={scope}&period={day.year}", token)
    assert status == 200, body
    row = next(r for r in body["indicators"] if r["code"] == "awareness")
    return row["numerator"], row["denominator"]


def test_a_saved_record_shows_in_the_dashboard_within_5_seconds(live_server, demo_database):
    base = live_server
    doctor, manager = _token(base, "doctor"), _token(base, "manager")
    scope = f"institution:{_in_process(demo_database, lambda centre: centre)}"
    before = _awareness(base, manager, scope)
    status, body = _call(base, "POST", "/api/v1/survey-responses", doctor, {
        "grid_id": _grids(base, doctor)[0], "channel": "door", "date": today().isoformat(),
        "aware": True, "satisfaction": 5})
    assert status == 201, body
    saved = time.monotonic()
    while True:
        now = _awareness(base, manager, scope)
        if now == (before[0] + 1, before[1] + 1):
            break
        assert time.monotonic() - saved < 5, f"still {now} after 5 s (before: {before})"
        time.sleep(0.2)
