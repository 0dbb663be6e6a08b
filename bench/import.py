"""Benchmark of the Excel import: N residents from one .xlsx, against pandas reading the file.

    .venv/bin/python bench/import.py --residents 100000

Builds a district (one centre, 2 communities, 20 grids) in a fresh SQLite database in a
temporary directory (schema by the migrations), and a filled-in template with N valid
residents (unique ID numbers, 3 to a household, household columns repeated on every row,
some optional columns filled), written by openpyxl. Then times
  (a) the baseline: pandas.read_excel of the file alone, with pandas' default engine
      (openpyxl);
  (b) the import: read + validate + write + commit, as `flask records import` does it.
The issue's limits: (b) at most 30 s for 100,000 residents, and at most 2x (a).
Prints one JSON object on stdout (progress on stderr).
"""
from __future__ import annotations

import argparse
import json
import os
import platform
import random
import sys
import tempfile
import time
from datetime import date, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from healthgrid import create_app  # noqa: E402
from healthgrid.extensions import db  # noqa: E402

LIMIT_SECONDS, LIMIT_RATIO = 30, 2.0
AREAS = ("110105", "110101", "110102", "310104", "310101")
SURNAMES = "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗"
GIVEN = "伟芳娜敏静丽强磊军洋勇艳杰娟涛明超秀英华"
FIRST_DAY, LAST_DAY = date(1930, 1, 1), date(2024, 12, 31)


def _log(message: str) -> None:
    print(f"bench/import.py: {message}", file=sys.stderr, flush=True)


def _district() -> list[tuple[str, str]]:
    """One centre, two communities of ten grids each; returns (community, grid) codes."""
    from healthgrid.org.models import Community, Grid, Institution
    centre = Institution(code="BENCH", name="基准社区卫生服务中心", kind="health_center",
                         county_code="110105", township_code="001")
    db.session.add(centre)
    db.session.flush()
    codes = []
    for c in (1, 2):
        community = Community(institution_id=centre.id, code=f"{c:03d}", name=f"社区{c}",
                              kind="neighborhood")
        db.session.add(community)
        db.session.flush()
        for g in range(1, 11):
            code = f"G{c}{g:02d}"
            db.session.add(Grid(community_id=community.id, code=code, name=f"第{g}网格",
                                kind="residential", population=1500, households=500))
            codes.append((community.code, code))
    db.session.commit()
    return codes


def _id_number(area: str, birth: date, order: int) -> str:
    from stdnum.cn import ric
    body = f"{area}{birth:%Y%m%d}{order:03d}"
    return body + ric.calc_check_digit(body + "?")


def _write_file(path: Path, residents: int, grids: list[tuple[str, str]], seed: int) -> None:
    """The filled-in template: its two header rows, then one row per resident."""
    from openpyxl import Workbook
    from healthgrid.records.imports import COLUMNS, header_text
    from flask_babel import force_locale

    rnd = random.Random(seed)
    span = (LAST_DAY - FIRST_DAY).days + 1
    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet("居民")
    with force_locale("zh_CN"):
        sheet.append([header_text(c) for c in COLUMNS])
    sheet.append([c.code for c in COLUMNS])
    relations = ("户主", "配偶", "子女")
    for i in range(residents):
        household = i // 3
        community, grid = grids[household % len(grids)]
        birth = FIRST_DAY + timedelta(days=(i * 7919) % span)
        male = rnd.random() < 0.5
        # (area, birth day, order) is unique by construction: order grows every `span` rows.
        order = (i // span) * 10 + (1 if male else 2)
        name = rnd.choice(SURNAMES) + rnd.choice(GIVEN) + (rnd.choice(GIVEN) if i % 2 else "")
        sheet.append([
            f"H{household:06d}", None, community, grid, f"幸福里{household // 10}号楼{household % 10}室",
            f"1380{household:07d}", name, "男" if male else "女", birth,
            _id_number(AREAS[i % len(AREAS)], birth, order), f"139{i:08d}",
            relations[i % 3], "户籍" if i % 5 else "非户籍", "汉族",
            rnd.choice(("A", "B", "O", "AB")), "城乡居民基本医疗保险",
            "青霉素" if i % 10 == 0 else None, "高血压" if i % 7 == 0 else None, None, None,
            None, None, "否", "电子"])
    workbook.save(path)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--residents", type=lambda v: int(v.replace("_", "")), default=100_000)
    parser.add_argument("--seed", type=int, default=1)
    args = parser.parse_args(argv)

    import pandas
    from flask_babel import force_locale
    from flask_migrate import upgrade

    from healthgrid.auth.scope import Scope
    from healthgrid.clock import today
    from healthgrid.records import imports
    from healthgrid.records.imports import reading
    from healthgrid.records.models import Resident
    from sqlalchemy import func, select

    with tempfile.TemporaryDirectory(prefix="healthgrid-bench-import-") as workdir:
        app = create_app({"SQLALCHEMY_DATABASE_URI": f"sqlite:///{workdir}/bench.db"})
        with app.app_context():
            upgrade(directory=str(ROOT / "migrations"))
            grids = _district()
            path = Path(workdir) / "residents.xlsx"
            _log(f"writing {args.residents} residents to {path.name}…")
            _write_file(path, args.residents, grids, args.seed)

            _log("baseline: pandas.read_excel…")
            started = time.perf_counter()
            frame = pandas.read_excel(path, engine="openpyxl")  # pandas 3's default for .xlsx
            pandas_seconds = time.perf_counter() - started
            assert len(frame) == args.residents + 1  # the code row, then the residents

            _log("import…")
            stages: dict[str, float] = {}

            def progress(stage, _done, _total):
                stages.setdefault(stage, time.perf_counter())

            started = time.perf_counter()
            with force_locale("zh_CN"):
                report = imports.import_residents(
                    path, filename=path.name, scope=Scope(None, None, None, "admin"),
                    day=today(), progress=progress)
            db.session.commit()
            finished = time.perf_counter()
            if not report.ok:
                for error in report.errors[:20]:
                    _log(f"row {error.row} {error.column}: {error.message}")
                raise SystemExit("bench/import.py: the generated file did not import")
            stored = db.session.scalar(select(func.count(Resident.id)))
            assert stored == args.residents, stored
            import_seconds = finished - started
            # Each stage runs from its first progress call to the next stage's (the last
            # one includes the commit).
            marks = sorted(stages.items(), key=lambda kv: kv[1]) + [("end", finished)]
            stage_seconds = {name: round(marks[i + 1][1] - at, 2)
                             for i, (name, at) in enumerate(marks[:-1])}
            size_mb = path.stat().st_size / 2**20
            db.session.remove()
            db.engine.dispose()

    ratio = import_seconds / pandas_seconds
    print(json.dumps({
        "benchmark": "import",
        "residents": args.residents,
        "households": report.households,
        "import_seconds": round(import_seconds, 2),
        "pandas_read_seconds": round(pandas_seconds, 2),
        "ratio": round(ratio, 2),
        "limits": {"seconds": LIMIT_SECONDS, "ratio": LIMIT_RATIO},
        "within_limits": import_seconds <= LIMIT_SECONDS and ratio <= LIMIT_RATIO,
        "stages_seconds": stage_seconds,
        "reader": reading.reader().__name__.removeprefix("rows_"),
        "baseline": "pandas.read_excel(file) with pandas' default .xlsx engine (openpyxl); "
                    "ratio = import_seconds / pandas_read_seconds",
        "file_mb": round(size_mb, 1),
        "database": "sqlite",
        "machine": {"cpus": os.cpu_count(), "python": platform.python_version(),
                    "pandas": pandas.__version__},
    }, ensure_ascii=False, indent=2))
    return 0


if __name__ == "__main__":
    sys.exit(main())
