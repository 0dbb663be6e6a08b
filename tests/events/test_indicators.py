"""The events' figures per grid and period on the indicator dashboard and in the performance
report: events reported, closed on time, average days to close (the 17 indicators stay)."""
from datetime import date
from io import BytesIO

import pytest
from pypdf import PdfReader

from healthgrid.auth.scope import scope_for
from healthgrid.kpi import rules as kpi_rules, services as kpi
from tests import factories

from .conftest import make_event


@pytest.fixture
def history(district, db):
    """Grid A: five events around 2026-Q1; grid B: one closed the day it was reported."""
    a, b = district.grids
    make_event(a, status="closed", reported_on=date(2026, 1, 10), closed_on=date(2026, 1, 12),
               deadline=date(2026, 1, 20))                                     # on time, 2 d
    make_event(a, status="closed", reported_on=date(2026, 2, 1), closed_on=date(2026, 2, 15),
               deadline=date(2026, 2, 11))                                     # late, 14 d
    make_event(a, status="dispatched", reported_on=date(2026, 2, 20),
               deadline=date(2026, 2, 25))                                     # overdue
    make_event(a, status="closed", reported_on=date(2025, 12, 20),
               closed_on=date(2026, 1, 5), deadline=date(2026, 1, 10))        # on time, 16 d
    make_event(a, status="accepted", reported_on=date(2026, 2, 25),
               deadline=date(2026, 3, 5))                                      # open, in time
    make_event(a, status="closed", reported_on=date(2025, 3, 1), closed_on=date(2025, 3, 2),
               deadline=date(2025, 3, 5))                                      # another year
    make_event(b, status="closed", reported_on=date(2026, 1, 15),
               closed_on=date(2026, 1, 15), deadline=date(2026, 1, 15))       # on time, 0 d
    db.session.commit()
    return district


def _result(district, period, user):
    scope = kpi.resolve_scope(f"institution:{district.centre.id}",
                              scope_for(user, date(2026, 3, 2)))
    parsed = kpi_rules.parse_period(period)
    return kpi.compute(scope, parsed, parsed.as_of(date(2026, 3, 2)), date(2026, 3, 2))


def test_figures_per_grid_and_in_total(history, db):
    manager = factories.user_for(history, "manager")
    result = _result(history, "2026-Q1", manager)
    rows, total = kpi.event_figures(result)
    a, b = rows
    assert (a.reported, a.closed, a.on_time, a.close_days, a.overdue) == (4, 3, 2, 32, 1)
    assert (b.reported, b.closed, b.on_time, b.close_days, b.overdue) == (1, 1, 1, 0, 0)
    assert (total.reported, total.closed, total.on_time, total.overdue) == (5, 4, 3, 1)
    assert total.on_time_rate == 0.75 and total.average_days == 8.0  # from sums, not rates
    assert round(a.average_days, 2) == 10.67
    assert len(result.values) == 17 and set(result.values) == set(kpi_rules.BY_CODE)


def test_figures_follow_the_period(history):
    manager = factories.user_for(history, "manager")
    rows, total = kpi.event_figures(_result(history, "2025", manager))
    assert (total.reported, total.closed, total.on_time, total.overdue) == (2, 1, 1, 0)
    rows, total = kpi.event_figures(_result(history, "2026-01", manager))
    assert (total.reported, total.closed, total.on_time, total.close_days) == (2, 3, 3, 18)


def test_dashboard_shows_the_events_figures(history, login_as):
    url = f"/kpi/?scope=institution:{history.centre.id}&period=2026-Q1"
    page = login_as("manager").get(url).get_data(as_text=True)
    table = page.split('id="event-figures"')[1].split("</table>")[0]
    assert history.grids[0].name in table and "合计" in table
    assert "10.7" in table and "8.0" in table and "75.0%" in table
    assert 'id="indicator-table"' in page and page.count('data-code="') == 17


def test_a_doctor_sees_the_figures_of_the_team_only(history, login_as):
    page = login_as("doctor").get("/kpi/?period=2026-Q1").get_data(as_text=True)
    table = page.split('id="event-figures"')[1].split("</table>")[0]
    assert history.grids[0].name in table and history.grids[1].name not in table


def test_the_performance_report_shows_them(history, login_as):
    url = f"/kpi/report.pdf?scope=institution:{history.centre.id}&period=2026-Q1"
    response = login_as("manager").get(url)
    assert response.status_code == 200 and response.mimetype == "application/pdf"
    text = "\n".join(page.extract_text() for page in PdfReader(BytesIO(response.data)).pages)
    assert "网格事件" in text and "平均办结天数" in text
    line = next(line for line in text.splitlines() if line.strip().startswith("合计"))
    assert line.split()[1:] == ["5", "4", "3", "75.0%", "8.0", "1"]


def test_grids_without_events_are_summed_up_in_a_line(history, login_as):
    client = login_as("manager")
    busy = client.get(f"/kpi/?scope=institution:{history.centre.id}&period=2026-Q1")
    page = busy.get_data(as_text=True)
    assert 'id="quiet-grids"' not in page    # both grids had events in the quarter
    quiet = client.get(f"/kpi/?scope=institution:{history.centre.id}&period=2025-Q2")
    page = quiet.get_data(as_text=True)
    table = page.split('id="event-figures"')[1].split("</table>")[0]
    assert all(grid.name not in table for grid in history.grids) and "合计" in table
    assert "另有 2 个网格在统计期内无事件" in page
