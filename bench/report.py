"""Benchmark of the PDF performance report: the institution report (a page per team) and a
single team's report, rendered as the API does.

    .venv/bin/python bench/report.py --db-file /tmp/hg-bench-1m.db [--period 2026]

The baseline is the indicator computation alone (what the report adds is layout and PDF).
Prints one JSON object.
"""
from __future__ import annotations

import argparse
import json
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from sqlalchemy import select  # noqa: E402

from healthgrid import create_app  # noqa: E402
from healthgrid.auth.scope import Scope  # noqa: E402
from healthgrid.clock import today  # noqa: E402
from healthgrid.extensions import db  # noqa: E402


def _timed(fn):
    started = time.perf_counter()
    value = fn()
    return value, time.perf_counter() - started


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--db-file")
    parser.add_argument("--database-url")
    parser.add_argument("--period", default=str(today().year))
    parser.add_argument("--out-dir", default=None, help="keep the PDFs here")
    args = parser.parse_args()
    url = args.database_url or f"sqlite:///{Path(args.db_file).resolve()}"
    app = create_app({"SQLALCHEMY_DATABASE_URI": url, "TESTING": True})
    from healthgrid.kpi import rules, services
    from healthgrid.kpi.report import render_report
    from healthgrid.org.models import Institution, Team
    out = {"benchmark": "report", "period": args.period, "limits": {
        "institution_seconds": 5.0, "team_seconds": 1.5}}
    with app.test_request_context():
        admin = Scope(None, None, None, "admin")
        period = rules.parse_period(args.period)
        as_of = period.as_of(today())
        centre = db.session.scalar(select(Institution).where(
            Institution.kind == "health_center").order_by(Institution.id))
        team = db.session.scalar(select(Team).order_by(Team.id))
        for key, scope_text in (("institution", f"institution:{centre.id}"),
                                ("team", f"team:{team.id}")):
            render_report(services.compute(services.resolve_scope(scope_text, admin), period,
                                           as_of, today(), with_trend=True))  # warm-up
            scope, _ = _timed(lambda: services.resolve_scope(scope_text, admin))
            result, compute_s = _timed(lambda: services.compute(scope, period, as_of, today(),
                                                                with_trend=True))
            pdf, render_s = _timed(lambda: render_report(result))
            out[key] = {"scope": scope_text, "grids": len(scope.grids),
                        "teams": len(scope.teams), "seconds": round(compute_s + render_s, 3),
                        "compute_seconds": round(compute_s, 3),
                        "render_seconds": round(render_s, 3), "bytes": len(pdf)}
            if args.out_dir:
                Path(args.out_dir, f"report-{key}.pdf").write_bytes(pdf)
        out["baseline"] = {"what": "indicator computation alone (no layout, no PDF)",
                           "institution_seconds": out["institution"]["compute_seconds"],
                           "team_seconds": out["team"]["compute_seconds"]}
    print(json.dumps(out, ensure_ascii=False))


if __name__ == "__main__":
    main()
