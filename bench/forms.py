"""Benchmark of the national forms on paper (FORMS.md §5): one resident's forms PDF, and one
grid's hypertension follow-up sheets for a year, rendered as the API does.

    .venv/bin/python bench/forms.py --db-file /tmp/hg16-bench-1m.db            # 1,000,000
    .venv/bin/python bench/forms.py --residents 100000 --db-file /tmp/hg16-100k.db

Builds the demo district once into --db-file (or reuses it). One resident: --residents-
sampled residents under hypertension or diabetes management (65+ ones have their annual
checks too), each forms PDF timed (loading, HTML, PDF), limit 1 s. One grid: the grid
whose hypertension patients of the year are nearest 250, its whole file timed (loading,
HTML, PDF); the baseline is bare WeasyPrint rendering the very same HTML; limits 15 s and
1.3 × the baseline. Prints one JSON object on stdout.
"""
from __future__ import annotations

import argparse
import json
import os
import platform
import sys
import time
from pathlib import Path
from random import Random

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from sqlalchemy import func, select  # noqa: E402

from healthgrid.demo.benchdb import (BENCH_AS_OF, add_district_arguments,  # noqa: E402
                                      database_url, demo_database, median_p95_ms)
from healthgrid.extensions import db  # noqa: E402

LIMITS = {"resident_seconds": 1.0, "grid_seconds": 15.0, "grid_ratio": 1.3}
GRID_PATIENTS = 250


def _timed(fn):
    started = time.perf_counter()
    value = fn()
    return value, time.perf_counter() - started


def _pages(pdf: bytes) -> int:
    import io
    from pypdf import PdfReader
    return len(PdfReader(io.BytesIO(pdf)).pages)


def _grid_nearest(year: int, wanted: int) -> tuple[int, int]:
    """(grid id, hypertension patients of the year) nearest `wanted`."""
    from datetime import date
    from healthgrid.chronic.models import Enrollment
    from healthgrid.records.models import Resident
    start, end = date(year, 1, 1), date(year, 12, 31)
    rows = db.session.execute(
        select(Resident.grid_id, func.count(Enrollment.id))
        .join(Resident, Resident.id == Enrollment.resident_id)
        .where(Enrollment.program == "hypertension", Enrollment.enrolled_on <= end,
               (Enrollment.exited_on.is_(None)) | (Enrollment.exited_on >= start))
        .group_by(Resident.grid_id)).all()
    return min(rows, key=lambda row: (abs(row[1] - wanted), row[0]))


def _sample_residents(n: int, seed: int) -> list[int]:
    from healthgrid.chronic.models import Enrollment
    ids = db.session.scalars(select(Enrollment.resident_id).where(
        Enrollment.program.in_(("hypertension", "diabetes")), Enrollment.status == "active")
        .order_by(Enrollment.resident_id)).all()
    return sorted(Random(seed).sample(ids, min(n, len(ids))))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    add_district_arguments(parser)
    parser.add_argument("--year", type=int, default=BENCH_AS_OF.year - 1,
                        help="the sheets' year (the demo's visits span the year to its as-of)")
    parser.add_argument("--sampled", type=int, default=20, help="residents timed one by one")
    parser.add_argument("--out-dir", default=None, help="keep the PDFs here")
    args = parser.parse_args()
    url, _workdir = database_url(args)
    app, _built = demo_database(url, args.residents, args.seed)
    from weasyprint import HTML
    from healthgrid.chronic import printing
    from healthgrid.records.models import Resident
    out = {"benchmark": "forms", "residents": args.residents, "year": args.year,
           "limits": LIMITS, "machine": {"cpus": os.cpu_count(),
                                         "python": platform.python_version()}}
    with app.test_request_context():
        # One resident: loading, HTML, PDF, as GET /residents/<id>/forms.pdf does.
        sample = _sample_residents(args.sampled, args.seed)
        for resident_id in sample:  # warm-up: connections, caches, the PDF worker processes
            printing.resident_forms_pdf(db.session.get(Resident, resident_id), args.year)
            db.session.rollback()
        timings, pages = [], []
        for resident_id in sample:
            resident = db.session.get(Resident, resident_id)
            pdf, seconds = _timed(lambda: printing.resident_forms_pdf(resident, args.year))
            db.session.rollback()  # the audit entry: nothing kept
            timings.append(seconds)
            pages.append(_pages(pdf))
        median_ms, p95_ms = median_p95_ms(timings)
        out["resident"] = {"sampled": len(sample), "median_ms": median_ms, "p95_ms": p95_ms,
                           "max_ms": round(max(timings) * 1000, 1),
                           "pages_median": sorted(pages)[len(pages) // 2],
                           "ok": max(timings) <= LIMITS["resident_seconds"]}

        # One grid's hypertension file of the year.
        from healthgrid.org.models import Grid
        grid_id, patients = _grid_nearest(args.year, GRID_PATIENTS)
        grid = db.session.get(Grid, grid_id)
        db.session.expire_all()
        pdf, whole_s = _timed(lambda: printing.grid_forms_pdf(grid, "hypertension", args.year))
        db.session.rollback()
        # The same HTML, for the baseline (built again, outside the timing).
        db.session.expire_all()
        packets, load_s = _timed(lambda: printing.grid_packets(grid_id, "hypertension",
                                                               args.year))
        html, html_s = _timed(lambda: printing.forms_html(packets, args.year, BENCH_AS_OF))
        bare, bare_s = _timed(lambda: HTML(string=html, base_url=app.static_folder).write_pdf())
        sheets = sum(len(p.sheets) for p in packets)
        out_pages = _pages(pdf)
        out["grid"] = {"grid_id": grid_id, "patients": patients, "printed": len(packets),
                       "sheets": sheets, "pages": out_pages, "seconds": round(whole_s, 3),
                       "seconds_per_page": round(whole_s / max(1, out_pages), 3),
                       "load_seconds": round(load_s, 3), "html_seconds": round(html_s, 3),
                       "bytes": len(pdf), "ratio": round(whole_s / bare_s, 3),
                       "ok": whole_s <= LIMITS["grid_seconds"]
                       and whole_s / bare_s <= LIMITS["grid_ratio"]}
        out["baseline"] = {"what": "bare WeasyPrint: HTML(string=the same html).write_pdf()",
                           "seconds": round(bare_s, 3), "bytes": len(bare)}
        if args.out_dir:
            Path(args.out_dir).mkdir(parents=True, exist_ok=True)
            Path(args.out_dir, "grid-hypertension.pdf").write_bytes(pdf)
            resident = db.session.get(Resident, sample[0])
            Path(args.out_dir, "resident.pdf").write_bytes(
                printing.resident_forms_pdf(resident, args.year))
            db.session.rollback()
    print(json.dumps(out, ensure_ascii=False))


if __name__ == "__main__":
    main()
