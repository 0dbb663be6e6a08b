"""The resident search finds exactly the matching residents of the caller's scope, for
every kind of query, scope and page, whichever order scopes and queries come in (the
statements are built once per shape and reused)."""
from datetime import date

import pytest
from sqlalchemy import select

from healthgrid.auth.scope import Scope, scope_for
from healthgrid.records import rules
from healthgrid.records.models import Resident
from healthgrid.records.services import search_query, search_residents
from tests import factories


@pytest.fixture
def people(district, db):
    """Residents in both grids of the centre and in a grid of another centre."""
    other_centre = factories.institution(name="别的中心")
    other_grid = factories.grid(factories.community(other_centre))
    grids = [*district.grids, other_grid]
    names = ["张三", "张三丰", "张_明", "张%华", "张山", "李四", "zhang"]
    for i, name in enumerate(names * 2):
        factories.resident(factories.household(grids[i % 3]), name=name,
                           birth_date=date(1950 + i, 1 + i % 12, 1 + i),
                           phone=f"1380013{i:04d}")
    return grids


def _scopes(district):
    return {
        "admin": Scope(None, None, None, "admin"),
        "manager": scope_for(factories.user_for(district, "manager")),
        "doctor_a": scope_for(factories.user_for(district, "doctor")),
        "doctor_b": scope_for(factories.user_for(district, "doctor", team_index=1)),
        "referral_desk": scope_for(factories.user_for(district, "referral_desk")),
    }


def _matches(resident: Resident, q: str) -> bool:
    q = q.strip()
    if not q:
        return True
    kind, value = rules.classify_query(q)
    return {
        "archive_no": lambda: resident.archive_no == value,
        "archive_prefix": lambda: resident.archive_no.startswith(value),
        "id_number": lambda: resident.id_number == value,
        "phone": lambda: (resident.phone or "").startswith(value),
        "initials": lambda: resident.name_initials.startswith(value)
        or (resident.name_pinyin or "").startswith(value),
        "tail": lambda: value in (resident.phone_tail, resident.id_tail)
        or (resident.phone or "").startswith(value),
        "name": lambda: resident.name.startswith(value),
    }[kind]()


def _queries(db):
    some = db.session.scalars(select(Resident).order_by(Resident.id)).all()
    return ["", "张", "张三", "张_", "张%", "%", "_", "zs", "ZS", "z", "13800130", "0007",
            "zhangsan", "zhang", some[3].id_number[-4:], "张 三",
            some[0].id_number, some[0].id_number.lower(), some[4].archive_no,
            some[4].archive_no[:15], f" {some[8].archive_no} ", "李四x", "无此人"]


def test_search_finds_exactly_the_matches_in_scope(district, people, db):
    everyone = db.session.scalars(select(Resident)).all()
    scopes = _scopes(district)
    for q in _queries(db):
        for name, scope in scopes.items():
            for grid_id in (None, *(g.id for g in people)):
                expected = sorted(
                    (r for r in everyone if scope.allows_grid(r.grid_id)
                     and grid_id in (None, r.grid_id) and _matches(r, q)),
                    key=lambda r: (r.name, r.id))
                items, total = search_residents(scope, q, grid_id, 1, 100)
                where = f"{name} q={q!r} grid={grid_id}"
                assert [r.id for r in items] == [r.id for r in expected], where
                assert total == len(expected), where
                found = db.session.scalars(search_query(scope, q, grid_id)).all()
                assert sorted(r.id for r in found) == sorted(r.id for r in expected), where


def test_no_scope_finds_nobody(district, people, db):
    nobody = Scope(frozenset(), frozenset(), None, "referral_desk")
    for q in _queries(db):
        assert search_residents(nobody, q, None, 1, 20) == ([], 0)
        assert search_residents(nobody, q, people[0].id, 1, 20) == ([], 0)


def test_scopes_of_the_same_shape_do_not_share_residents(district, people, db):
    """One doctor's search right after another's, same query: each sees their own grid."""
    scopes = _scopes(district)
    for _ in range(2):
        for doctor, grid in (("doctor_a", people[0]), ("doctor_b", people[1])):
            items, total = search_residents(scopes[doctor], "张", None, 1, 20)
            assert items and {r.grid_id for r in items} == {grid.id} and total == len(items)


def test_pages_split_the_ordered_answer(district, people, db):
    admin = Scope(None, None, None, "admin")
    whole, total = search_residents(admin, "张", None, 1, 100)
    pages = [search_residents(admin, "张", None, page, 3) for page in (1, 2, 3, 4)]
    assert all(t == total for _, t in pages) and total == len(whole) == 10
    assert [r.id for items, _ in pages for r in items] == [r.id for r in whole]
    assert [r.name for r in whole] == sorted(r.name for r in whole)


def test_rows_carry_the_listed_columns(district, people, db):
    resident = db.session.scalars(select(Resident).order_by(Resident.id)).first()
    (row,), total = search_residents(Scope(None, None, None, "admin"), resident.id_number,
                                     None, 1, 20)
    assert total == 1
    assert (row.id, row.archive_no, row.name, row.sex, row.birth_date, row.id_number,
            row.phone, row.household_id, row.grid_id, row.status) == (
        resident.id, resident.archive_no, resident.name, resident.sex, resident.birth_date,
        resident.id_number, resident.phone, resident.household_id, resident.grid_id,
        resident.status)
    assert isinstance(row.birth_date, date)


def test_search_sees_the_sessions_unflushed_changes(district, people, db):
    resident = db.session.scalars(select(Resident).order_by(Resident.id)).first()
    resident.name = "欧阳新名"  # not flushed: the search flushes first, as ORM queries do
    items, total = search_residents(Scope(None, None, None, "admin"), "欧阳", None, 1, 20)
    assert [r.id for r in items] == [resident.id] and total == 1


def test_database_errors_are_sqlalchemys_and_keep_identifiers_out(district, db):
    from sqlalchemy import bindparam, literal_column
    from sqlalchemy.exc import DBAPIError

    from healthgrid.records.services import _Prepared
    connection = db.session.connection()
    c = Resident.__table__.c
    broken = _Prepared(select(c.id).where(c.id_number == bindparam("search_value"),
                                          literal_column("no_such_column IS NULL")),
                       connection.dialect)
    with pytest.raises(DBAPIError) as raised:
        broken.rows(connection, {"search_value": "110105197005010011"})
    assert "no_such_column" in str(raised.value)
    assert "110105197005010011" not in str(raised.value)


def test_the_search_reads_on_the_connection_of_the_sessions_transaction(app):
    """The connection is looked up once per transaction: a new transaction (after commit
    or rollback) gets its own, a failed one answers as the session would."""
    from sqlalchemy.exc import IntegrityError, PendingRollbackError
    from sqlalchemy.orm import Session

    from healthgrid.extensions import db
    from healthgrid.records.services import _search_connection
    with app.app_context(), Session(db.engine) as session:
        first = _search_connection(session)
        assert first is session.connection() and _search_connection(session) is first
        session.commit()
        assert first.closed
        second = _search_connection(session)
        assert second is session.connection() and not second.closed
        session.rollback()
        third = _search_connection(session)
        assert third is not second and third is session.connection()
        session.add(Resident())  # no archive number, no name: the flush fails
        with pytest.raises(IntegrityError):
            session.flush()
        with pytest.raises(PendingRollbackError):
            _search_connection(session)
