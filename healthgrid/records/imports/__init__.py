"""Excel import of households and residents: all or nothing, with a report of every bad cell.

The sheet (see exports.write_template) has one row per resident, the household columns
repeated; rows sharing a household key form one household. Header row 1 holds the column
titles (Chinese in the template, "*" marking columns the file must have), row 2 the English
field codes; either row alone is enough to recognise a column, and data starts below them.

Each row is validated by the archive schemas (HouseholdSchema, ResidentBaseSchema) through
RowLoader; grids must lie in the importer's scope; ID numbers must be unique in the file and
in the database. Any error: nothing is written and the report names the row (as Excel numbers
it), the column and the reason. Otherwise households and residents go in with bulk inserts in
one savepoint, archive numbers drawn per community as the rows come; the caller commits.
"""
from __future__ import annotations

import gc
from contextlib import contextmanager
from datetime import date

from flask_babel import gettext as _
from sqlalchemy.exc import IntegrityError

from healthgrid.auth.scope import Scope
from healthgrid.auth.services import audit
from healthgrid.extensions import db

from ..services import signals
from .columns import COLUMN_ORDER, COLUMNS, FIRST_DATA_ROW, Column, header_text
from .reading import check_archive, reader as default_reader
from .report import ImportReport, Progress, Rejected, RowError
from .validation import validate
from .writing import roomy_sqlite_cache, write

__all__ = ["COLUMNS", "FIRST_DATA_ROW", "Column", "ImportReport", "RowError", "header_text",
           "import_residents", "residents_imported"]

# One signal per import, not one `resident_registered` per row: subscribers (elderly
# enrolment) get the new ids and the day, and may do their own work in bulk.
residents_imported = signals.signal("residents-imported")


@contextmanager
def collector_paused():
    """An import keeps a few hundred thousand small objects alive until it is done, and
    Python's cycle collector would sweep them again and again (15 % of a 100,000-row
    import) though they hold no cycles; it resumes, and catches up, afterwards."""
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_enabled:
            gc.enable()


def import_residents(source, *, filename: str, scope: Scope, day: date,
                     progress: Progress | None = None, dry_run: bool = False,
                     reader=None) -> ImportReport:
    """Validate a filled template and, if every row is right, write it all (flushed, not
    committed: the caller commits, or rolls back on an exception). `source` is a path or a
    binary file object; `scope` limits the grids; messages follow the current locale."""
    with collector_paused():
        return _import(source, filename, scope, day, progress, dry_run, reader)


def _import(source, filename, scope, day, progress, dry_run, reader) -> ImportReport:
    report = ImportReport(filename=filename)
    errors: list[RowError] = []
    try:
        if progress:
            progress("read", 0, None)
        check_archive(source)
        total, rows, close = (reader or default_reader())(source)
    except Rejected as exc:
        report.errors.append(exc.error)
        return report
    except Exception:  # noqa: BLE001  (a broken workbook: whatever the reader raises)
        report.errors.append(RowError(None, None, _(
            "The file could not be read as an Excel workbook. Open it in Excel or WPS, save "
            "it as .xlsx and try again.")))
        return report
    try:
        if progress:
            progress("read", total or 0, total)
        plan = validate(iter(rows), total, scope, errors, progress)
    except Rejected as exc:
        errors.append(exc.error)
        plan = None
    finally:
        if close:
            close()
    errors.sort(key=lambda e: (e.row or 0, COLUMN_ORDER.get(e.column, -1)))
    report.errors = errors
    if plan is None or errors:
        return report
    report.households = sum(1 for h in plan.households.values() if h.rows)
    report.residents = len(plan.residents)
    if dry_run:
        return report
    try:
        with roomy_sqlite_cache(), db.session.begin_nested():
            report.households, report.resident_ids = write(plan, day, progress)
            audit("records.import", detail=(
                f"file={filename[:120]}; households={report.households}; "
                f"residents={len(report.resident_ids)}"))
            # Inside the savepoint: what subscribers write stands or falls with the import.
            residents_imported.send(None, resident_ids=report.resident_ids, day=day)
            db.session.flush()
    except Rejected as exc:
        report.errors.append(exc.error)
        return report
    except IntegrityError:
        report.errors.append(RowError(None, None, _(
            "Someone registered one of these residents while the file was being imported; "
            "nothing was imported. Import the file again to see which.")))
        return report
    report.written = True
    return report
