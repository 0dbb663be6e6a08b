"""The whole JSON API fuzzed from its own OpenAPI document by schemathesis, as an
integrator's test team would run it: every check, the coverage, fuzzing and stateful phases
(the stateful phase chains operations through the document's links), against gunicorn
serving a demo district in a database of its own (SQLite, or PostgreSQL when DATABASE_URL
names one).

A failure that the check gets wrong for this API is accepted in
tests/data/api_fuzz_baseline.json, each with the reason ("why"); anything else fails the
test. CI runs a bounded number of examples per operation within a time budget;
HEALTHGRID_FUZZ_EXAMPLES raises the number, HEALTHGRID_FUZZ_SECONDS and
HEALTHGRID_FUZZ_STATEFUL_SECONDS the budgets of the single-operation and stateful runs."""
from __future__ import annotations

import json
import os
import subprocess
import sys
import urllib.request
from pathlib import Path

import pytest

from tests.e2e.conftest import (ServerDatabase, _free_port, _run_command, _stop,
                                _wait_until_answering)

EXAMPLES = int(os.environ.get("HEALTHGRID_FUZZ_EXAMPLES", "25"))
SECONDS = int(os.environ.get("HEALTHGRID_FUZZ_SECONDS", "80"))
STATEFUL_SECONDS = int(os.environ.get("HEALTHGRID_FUZZ_STATEFUL_SECONDS", "45"))
BASELINE = Path(__file__).resolve().parents[1] / "data" / "api_fuzz_baseline.json"
ROOT = Path(__file__).resolve().parents[2]   # gunicorn reads gunicorn.conf.py from here
BIN = Path(sys.executable).parent
PASSWORD = "HealthGrid-2026"


@pytest.fixture(scope="module")
def fuzzed_server(tmp_path_factory):
    """Base URL of gunicorn serving a demo district that only the fuzzer writes to."""
    tmp = tmp_path_factory.mktemp("api-fuzz")
    database = ServerDatabase(tmp, name="healthgrid_fuzz")
    database.create()
    env = {**os.environ, "DATABASE_URL": database.url, "SECRET_KEY": "fuzz-not-for-production"}
    proc = None
    try:
        _run_command([str(BIN / "flask"), "--app", "healthgrid", "db", "upgrade"], env,
                     tmp / "setup.log")
        _run_command([str(BIN / "flask"), "--app", "healthgrid", "demo", "--residents", "3000",
                      "--seed", "1"], env, tmp / "setup.log")
        port = _free_port()
        with (tmp / "server.log").open("wb") as log:
            proc = subprocess.Popen([str(BIN / "gunicorn"), "-w", "2", "-b", f"127.0.0.1:{port}",
                                     "healthgrid:create_app()"],
                                    cwd=ROOT, env=env, stdout=subprocess.DEVNULL, stderr=log)
        base = f"http://127.0.0.1:{port}"
        problem = _wait_until_answering(f"{base}/login", proc, 30)
        if problem:
            pytest.fail(f"the fuzzed server did not start: {problem}\n"
                        + (tmp / "server.log").read_text(errors="replace")[-4000:])
        yield base
    finally:
        if proc is not None:
            _stop(proc)
        database.drop()


def _token(base: str) -> str:
    request = urllib.request.Request(
        f"{base}/api/v1/auth/token", method="POST",
        data=json.dumps({"username": "admin", "password": PASSWORD}).encode(),
        headers={"Content-Type": "application/json"})
    with urllib.request.urlopen(request, timeout=10) as response:
        return json.load(response)["token"]


def _schemathesis(base: str, token: str, phases: str, seconds: int, tmp_path: Path) -> dict:
    """One bounded `st run` with every check; its JSON report, or the test fails with
    schemathesis's own account of each failure."""
    report = tmp_path / f"{phases.replace(',', '-')}.json"
    command = [
        str(BIN / "st"), "run", f"{base}/api/v1/openapi.json",
        "--checks", "all", "--phases", phases,
        "--max-examples", str(EXAMPLES), "--max-time", str(seconds), "--seed", "1",
        # The administrator reaches every operation (both referral directions).
        "--header", f"Authorization: Bearer {token}",
        # A grid's national forms for every enrolled resident are hundreds of pages, some
        # seconds each call: the fuzzer's time goes to the other operations. tests/chronic
        # prints them, bench/forms.py times them.
        "--exclude-path", "/api/v1/grids/{grid_id}/forms.pdf",
        "--baseline", str(BASELINE),
        "--report", "json", "--report-json-path", str(report), "--no-color"]
    # Run in the test's directory: schemathesis keeps a cache where it runs.
    done = subprocess.run(command, capture_output=True, text=True, timeout=seconds + 240,
                          cwd=tmp_path)
    print(done.stdout[done.stdout.rfind("SUMMARY"):] if "SUMMARY" in done.stdout else "")
    if done.returncode != 0:
        pytest.fail(f"{done.stdout[-30000:]}\n{done.stderr[-4000:]}", pytrace=False)
    return json.loads(report.read_text())


def test_the_api_keeps_its_document_under_every_check(fuzzed_server, tmp_path):
    token = _token(fuzzed_server)  # once: the fuzzer soon meets the sign-in rate limit
    # Two runs, so that the stateful phase has its own share of the time.
    single = _schemathesis(fuzzed_server, token, "coverage,fuzzing", SECONDS, tmp_path)
    assert single["operations"]["tested"] == single["operations"]["selected"] >= 30
    chained = _schemathesis(fuzzed_server, token, "stateful", STATEFUL_SECONDS, tmp_path)
    assert chained["phases"]["stateful"]["status"] != "skip", chained["phases"]
    assert chained["test_cases"]["generated"] > 0
