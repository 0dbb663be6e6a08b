"""The whole JSON API fuzzed from its own OpenAPI document by schemathesis, as an
integrator's test team would run it: every check, the coverage, fuzzing and stateful phases
(the stateful phase chains operations through the document's links), against gunicorn
serving a demo district in a database of its own (SQLite, or PostgreSQL when DATABASE_URL
names one).

A failure that the check gets wrong for this API is accepted in
tests/data/api_fuzz_baseline.json, each with the reason ("why"); anything else fails the
test. CI runs a bounded number of examples per operation within a time budget;
HEALTHGRID_FUZZ_EXAMPLES raises the number and HEALTHGRID_FUZZ_SECONDS the budget."""
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
SECONDS = int(os.environ.get("HEALTHGRID_FUZZ_SECONDS", "100"))
BASELINE = Path(__file__).resolve().parents[1] / "data" / "api_fuzz_baseline.json"
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
                                    env=env, stdout=subprocess.DEVNULL, stderr=log)
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


def test_the_api_keeps_its_document_under_every_check(fuzzed_server, tmp_path):
    report = tmp_path / "report.json"
    command = [
        str(BIN / "st"), "run", f"{fuzzed_server}/api/v1/openapi.json",
        "--checks", "all", "--phases", "coverage,fuzzing,stateful",
        "--max-examples", str(EXAMPLES), "--max-time", str(SECONDS), "--seed", "1",
        # The administrator reaches every operation (both referral directions).
        "--header", f"Authorization: Bearer {_token(fuzzed_server)}",
        "--baseline", str(BASELINE),
        "--report", "json", "--report-json-path", str(report), "--no-color"]
    # Run in the test's directory: schemathesis keeps a cache where it runs.
    done = subprocess.run(command, capture_output=True, text=True, timeout=SECONDS + 240,
                          cwd=tmp_path)
    summary = done.stdout[done.stdout.rfind("SUMMARY"):] if "SUMMARY" in done.stdout else ""
    print(summary)
    assert done.returncode == 0, f"{done.stdout[-20000:]}\n{done.stderr[-4000:]}"
    run = json.loads(report.read_text())
    assert run["operations"]["tested"] == run["operations"]["total"] >= 30
    assert run["phases"]["stateful"]["status"] != "skip", run["phases"]
