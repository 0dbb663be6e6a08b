"""Full ID numbers and phone numbers never reach the audit trail or the logs, whichever
way a resident's archive is registered, read, searched, exported, imported or changed."""
from __future__ import annotations

import logging
from datetime import date, datetime
from io import BytesIO

from openpyxl import load_workbook
from sqlalchemy import select

from healthgrid.auth.models import AuditEntry
from healthgrid.records import imports
from healthgrid.records.exports import template_workbook
from healthgrid.records.models import Resident
from tests import factories
from tests.helpers import csrf_from, submit


def _xlsx(rows: list[dict]) -> bytes:
    workbook = load_workbook(BytesIO(template_workbook().save()))
    sheet = workbook.worksheets[0]
    index = {column.code: n for n, column in enumerate(imports.COLUMNS, start=1)}
    for offset, row in enumerate(rows):
        for code, value in row.items():
            sheet.cell(row=imports.FIRST_DATA_ROW + offset, column=index[code], value=value)
    buffer = BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def _exercise_every_archive_path(api_as, login_as, district, db) -> set[str]:
    """Register, read, search, edit, export and import residents; the identifiers used."""
    secrets = set()

    def new_id(birth: date, sex: str) -> str:
        number = factories.id_number_for(birth, sex)
        secrets.add(number)
        return number

    def phone(n: int) -> str:
        number = f"1391234{n:04d}"
        secrets.add(number)
        return number

    # The API: register, read, search, change.
    client, headers = api_as("doctor")
    hh = client.post("/api/v1/households", headers=headers, json={
        "grid_id": district.grids[0].id, "address": "幸福里9号", "phone": phone(1)})
    assert hh.status_code == 201, hh.json
    created = client.post("/api/v1/residents", headers=headers, json={
        "household_id": hh.json["id"], "name": "周七", "sex": "male", "birth_date": "1960-04-02",
        "id_number": new_id(date(1960, 4, 2), "male"), "phone": phone(2)})
    assert created.status_code == 201, created.json
    rid = created.json["id"]
    read = client.get(f"/api/v1/residents/{rid}", headers=headers)
    assert read.status_code == 200
    for q in (created.json["id_number"], created.json["phone"]):
        assert client.get("/api/v1/residents", headers=headers,
                          query_string={"q": q}).json["total"] == 1
    patched = client.patch(f"/api/v1/residents/{rid}", headers=headers, json={
        "version": read.json["version"], "phone": phone(3),
        "id_number": new_id(date(1960, 4, 2), "male")})
    assert patched.status_code == 200, patched.json
    refused = client.post("/api/v1/residents", headers=headers, json={
        "household_id": hh.json["id"], "name": "重复", "sex": "male", "birth_date": "1960-04-02",
        "id_number": patched.json["id_number"], "phone": phone(4)})
    assert refused.status_code == 409

    # The pages: register, read, search, edit, export.
    doctor = login_as("doctor")
    response = submit(doctor, "/records/households/new", {
        "grid_id": district.grids[0].id, "address": "幸福里10号", "phone": phone(5)})
    assert response.status_code == 302
    household_url = response.headers["Location"]
    id_number = new_id(date(1985, 7, 9), "female")
    response = submit(doctor, household_url, {
        "name": "吴八", "sex": "female", "birth_date": "1985-07-09", "id_number": id_number,
        "phone": phone(6), "residence_type": "registered", "archive_medium": "electronic"})
    assert response.status_code == 302, response.get_data(as_text=True)[:500]
    resident = db.session.scalar(select(Resident).where(Resident.id_number == id_number))
    assert doctor.get(f"/records/residents/{resident.id}").status_code == 200
    for q in (id_number, resident.phone):
        assert doctor.get("/records/residents", query_string={"q": q}).status_code == 200
        assert doctor.get("/records/export.xlsx", query_string={"q": q}).status_code == 200
    edit_url = f"/records/residents/{resident.id}/edit"
    response = submit(doctor, edit_url, {
        "name": "吴八", "sex": "female", "birth_date": "1985-07-09",
        "id_number": new_id(date(1985, 7, 9), "female"), "phone": phone(7),
        "version": str(resident.version)})
    assert response.status_code == 302, response.get_data(as_text=True)[:500]

    # The Excel import, by a manager.
    manager = login_as("manager")
    rows = [{"household_key": "户1", "grid_code": district.grids[1].code,
             "address": "幸福里11号", "name": "郑九", "sex": "男",
             "birth_date": datetime(1950, 1, 5),
             "id_number": new_id(date(1950, 1, 5), "male"), "phone": phone(8),
             "relation_to_head": "户主"}]
    token = csrf_from(manager, "/records/import")
    response = manager.post("/records/import", content_type="multipart/form-data", data={
        "csrf_token": token, "file": (BytesIO(_xlsx(rows)), "居民.xlsx")})
    assert response.status_code == 302, response.get_data(as_text=True)[:1000]
    imported = db.session.scalar(select(Resident).where(Resident.name == "郑九"))
    assert imported is not None and imported.phone == rows[0]["phone"]

    # A failed import names rows and columns, never the values, in the trail.
    bad = [{**rows[0], "household_key": "户2", "id_number": new_id(date(1951, 2, 6), "male")[:-1]}]
    token = csrf_from(manager, "/records/import")
    manager.post("/records/import", content_type="multipart/form-data", data={
        "csrf_token": token, "file": (BytesIO(_xlsx(bad)), "居民.xlsx")})
    return secrets


def test_audit_trail_never_holds_full_id_or_phone_numbers(api_as, login_as, district, db):
    secrets = _exercise_every_archive_path(api_as, login_as, district, db)
    db.session.expire_all()
    entries = db.session.scalars(select(AuditEntry)).all()
    actions = {e.action for e in entries}
    assert {"resident.create", "resident.view", "resident.update", "records.export",
            "records.import", "household.create"} <= actions
    for e in entries:
        stored = " ".join(str(v) for v in (e.detail, e.username, e.object_type, e.ip) if v)
        for secret in secrets:
            assert secret not in stored, (e.action, e.detail)
            assert secret[-8:] not in stored, (e.action, e.detail)


def test_logs_never_hold_full_id_or_phone_numbers(api_as, login_as, district, db, caplog):
    caplog.set_level(logging.DEBUG)
    caplog.set_level(logging.DEBUG, logger="healthgrid")
    logging.getLogger("healthgrid.records").debug("canary 4711")  # the capture works
    secrets = _exercise_every_archive_path(api_as, login_as, district, db)
    assert "canary 4711" in caplog.text
    logged = caplog.text + "".join(
        f"{r.getMessage()} {r.args!r} {r.exc_text or ''}" for r in caplog.records)
    for secret in secrets:
        assert secret not in logged
