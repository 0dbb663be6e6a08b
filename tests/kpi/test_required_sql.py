"""The visits a managed patient needs are counted in SQL (queries.required_sql) and in Python
(rules.required_followups): the two must agree for every enrollment and period."""
from datetime import date, timedelta

from hypothesis import HealthCheck, given, settings, strategies as st
from sqlalchemy import text

from healthgrid.kpi import queries, rules

DAYS = st.integers(min_value=0, max_value=3 * 366)
BASE = date(2023, 1, 1)


@st.composite
def cases(draw):
    """An enrollment that overlaps the period by at least one day (the only ones counted)."""
    start = BASE + timedelta(days=draw(DAYS))
    as_of = start + timedelta(days=draw(st.integers(min_value=0, max_value=400)))
    enrolled = start + timedelta(days=draw(st.integers(min_value=-800,
                                                       max_value=(as_of - start).days)))
    exited = draw(st.none() | st.integers(min_value=max(0, (start - enrolled).days),
                                          max_value=900).map(
        lambda d: enrolled + timedelta(days=d)))
    return enrolled, exited, start, as_of


@settings(max_examples=300, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(case=cases())
def test_required_sql_equals_required_followups(db, case):
    enrolled, exited, start, as_of = case
    # PostgreSQL must be told the parameters' type; SQLite keeps dates as ISO text (its CAST
    # AS DATE would turn them into numbers).
    as_date = "CAST({} AS DATE)" if db.engine.dialect.name == "postgresql" else "{}"
    sql = (f"SELECT {queries.required_sql(db.session)} FROM (SELECT "
           f"{as_date.format(':enrolled')} AS enrolled_on, "
           f"{as_date.format(':exited')} AS exited_on) e")
    got = db.session.execute(text(sql), {"enrolled": enrolled, "exited": exited,
                                         "start": start, "as_of": as_of}).scalar()
    assert got == rules.required_followups(enrolled, exited, start, as_of)
