"""The national forms on paper (FORMS.md §5): the personal basic information form, the
annual checks and the year's follow-up sheets (four visits side by side), for one
resident or for a grid's residents of one program, as one PDF set by WeasyPrint. The
sheets are national paper forms: always in Chinese."""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

from flask import current_app, render_template
from flask_babel import force_locale
from sqlalchemy import or_, select
from sqlalchemy.orm import selectinload

from healthgrid.auth.models import User
from healthgrid import pdfparts
from healthgrid.auth.services import audit
from healthgrid.extensions import db
from healthgrid.records import history
from healthgrid.records.models import Resident
from healthgrid.records.rules import age_on

from . import checkform, rules
from .models import ElderlyCheck, Enrollment, FollowUp

VISITS_PER_SHEET = 4
PROFILE_PAGES, CHECK_PAGES = 1, 2   # as the demo's forms lay out; a sheet is one page

# WeasyPrint's HTML defaults for just the elements templates/chronic/print/forms.html uses
# (pdfparts.render_counted: its own 250 rules were a fifth of the layout time). The test
# renders the forms with both sheets and compares the pages pixel for pixel.
FORMS_UA_CSS = """
html, body, section, h1, h2, p { display: block }
head, style, title, meta { display: none }
body { margin: 8px }
p { margin: 1em 0 }
h1 { font-size: 2em; margin: .67em 0 }
h2 { font-size: 1.5em; margin: .83em 0 }
h1, h2 { font-weight: bold; hyphens: manual; break-after: avoid; break-inside: avoid }
b, th { font-weight: bold }
table { display: table; box-sizing: border-box; border-spacing: 2px; border-collapse: separate;
        text-indent: initial }
colgroup { display: table-column-group }
col { display: table-column }
tbody { display: table-row-group; vertical-align: middle }
tr { display: table-row; vertical-align: inherit }
td, th { display: table-cell; vertical-align: inherit; padding: 1px }
table, td, th { border-color: gray }
tbody, tr { border-color: inherit }
br::before { content: "\\A"; white-space: pre-line }
@page { margin: 75px; @bottom-center { text-align: center; vertical-align: middle } }
"""


@dataclass
class Packet:
    """One resident's pages: what the sheets print about them."""
    resident: Resident
    profile: dict | None = None            # history lists, when the profile form prints
    checks: list = field(default_factory=list)
    sheets: list = field(default_factory=list)   # (program, [up to four visits])


def _sheets(enrollment: Enrollment, year: int) -> list:
    visits = [v for v in enrollment.followups if v.visit_date.year == year]
    return [(enrollment.program, visits[i:i + VISITS_PER_SHEET])
            for i in range(0, len(visits), VISITS_PER_SHEET)]


def _visit_options():
    return (selectinload(Enrollment.followups).selectinload(FollowUp.medicines),
            selectinload(Enrollment.followups).selectinload(FollowUp.recorded_by)
            .selectinload(User.staff),
            selectinload(Enrollment.checks).selectinload(ElderlyCheck.rows),
            selectinload(Enrollment.checks).selectinload(ElderlyCheck.recorded_by)
            .selectinload(User.staff))


def resident_packet(resident: Resident, year: int) -> Packet:
    """Everything of one resident: the profile form, every annual check, the sheets of
    the year of each chronic program."""
    enrollments = db.session.scalars(
        select(Enrollment).where(Enrollment.resident_id == resident.id)
        .order_by(Enrollment.program, Enrollment.enrolled_on).options(*_visit_options())).all()
    packet = Packet(resident, profile=history.as_dict(resident))
    for enrollment in enrollments:
        packet.checks.extend(enrollment.checks)
        packet.sheets.extend(_sheets(enrollment, year))
    return packet


def grid_packets(grid_id: int, program: str, year: int, with_profile: bool = False) -> list:
    """The grid's residents under `program` at some time in `year`, by archive number:
    each one's follow-up sheets of the year (the annual checks for the elderly program)."""
    start, end = date(year, 1, 1), date(year, 12, 31)
    query = (select(Enrollment).join(Resident, Resident.id == Enrollment.resident_id)
             .where(Resident.grid_id == grid_id, Enrollment.program == program,
                    Enrollment.enrolled_on <= end,
                    or_(Enrollment.exited_on.is_(None), Enrollment.exited_on >= start))
             .order_by(Resident.archive_no, Enrollment.enrolled_on)
             .options(selectinload(Enrollment.resident), *_visit_options()))
    if with_profile:
        query = query.options(selectinload(Enrollment.resident).selectinload(Resident.history))
    packets = []
    for enrollment in db.session.scalars(query):
        packet = Packet(enrollment.resident, profile=history.as_dict(enrollment.resident)
                        if with_profile else None)
        if program == "elderly":
            packet.checks = [c for c in enrollment.checks if c.check_date.year == year]
        else:
            packet.sheets = _sheets(enrollment, year)
        if packet.checks or packet.sheets or packet.profile is not None:
            packets.append(packet)
    return packets


def expected_pages(packet: Packet) -> int:
    """The pages a packet takes but for a form that runs over (pdfparts renumbers then)."""
    return ((packet.profile is not None) * PROFILE_PAGES + len(packet.checks) * CHECK_PAGES
            + len(packet.sheets))


def forms_html(packets: list, year: int, day: date, first_page: int = 1) -> str:
    """The packets as one HTML document, Chinese whatever the interface language, its
    pages numbered from first_page."""
    with force_locale("zh_CN"):
        return render_template("chronic/print/forms.html", packets=packets, year=year,
                               first_page=first_page,
                               day=day, age_on=age_on, sections=checkform.SECTIONS,
                               points=rules.SETTINGS.selfcare_points,
                               level_names=[level for level, _upper
                                            in rules.SETTINGS.selfcare_levels],
                               items=rules.SELFCARE_ITEMS, per_sheet=VISITS_PER_SHEET)


def render_pdf(packets: list, year: int, day: date) -> bytes:
    """The packets' forms as one PDF, laid out on several processes when they are many."""
    return pdfparts.render_parts(
        lambda some, first_page: forms_html(some, year, day, first_page), packets,
        expected_pages, workers=current_app.config.get("PDF_WORKERS",
                                                       pdfparts.default_workers()),
        base_url=current_app.static_folder, ua_css=FORMS_UA_CSS)


def resident_forms_pdf(resident: Resident, year: int) -> bytes:
    packet = resident_packet(resident, year)
    audit("forms.print", resident, resident_id=resident.id, detail=f"year={year}")
    return render_pdf([packet], year, date.today())


def grid_forms_pdf(grid, program: str, year: int, with_profile: bool = False) -> bytes:
    packets = grid_packets(grid.id, program, year, with_profile)
    audit("forms.print_grid", grid, detail=f"program={program} year={year} "
                                           f"residents={len(packets)}")
    return render_pdf(packets, year, date.today())
