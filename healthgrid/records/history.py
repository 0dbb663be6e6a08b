"""A resident's dated history as child rows (ResidentHistory) and as the API and pages show
it. "Not recorded" is no row at all; "none" is a row with code "none"."""
from __future__ import annotations

from . import profile
from .models import Resident, ResidentHistory

EVENT_FIELDS = profile.EVENT_FIELDS
FIELDS = ("past_diseases", *EVENT_FIELDS, "family_history_codes")


def _rows(field: str, value) -> list[ResidentHistory]:
    if field == "past_diseases":
        return [ResidentHistory(kind="disease", code=row["code"], name=row.get("detail"),
                                on_date=row.get("diagnosed_on")) for row in value]
    if field in EVENT_FIELDS:
        if not value:  # the doctor said: none
            return [ResidentHistory(kind=EVENT_FIELDS[field], code="none")]
        return [ResidentHistory(kind=EVENT_FIELDS[field], name=row["name"],
                                on_date=row.get("date")) for row in value]
    return [ResidentHistory(kind="family", relative=relative, code=code)
            for relative in profile.RELATIVES
            for code in profile.split_codes((value or {}).get(relative))]


def _kinds(field: str) -> set[str]:
    return {"disease"} if field == "past_diseases" else (
        {EVENT_FIELDS[field]} if field in EVENT_FIELDS else {"family"})


def apply(resident: Resident, data: dict) -> list[str]:
    """Replace the history lists present in `data` (popping them); their names if changed."""
    changed = []
    for field in FIELDS:
        if field not in data:
            continue
        value = data.pop(field)
        kinds = _kinds(field)
        kept = [row for row in resident.history if row.kind not in kinds]
        new = [] if value is None else _rows(field, value)
        if _shape(new) != _shape([r for r in resident.history if r.kind in kinds]):
            resident.history = kept + new
            changed.append(field)
    return changed


def _shape(rows) -> list[tuple]:
    return sorted((r.kind, r.relative or "", r.code or "", r.name or "", str(r.on_date or ""))
                  for r in rows)


def as_dict(resident: Resident) -> dict:
    """The history in the API's shape: None where nothing is recorded."""
    by_kind: dict[str, list[ResidentHistory]] = {}
    for row in resident.history:
        by_kind.setdefault(row.kind, []).append(row)
    out = {"past_diseases": [
        {"code": r.code, "detail": r.name, "diagnosed_on": _iso(r.on_date)}
        for r in by_kind.get("disease", [])] or None}
    for field, kind in EVENT_FIELDS.items():
        rows = by_kind.get(kind)
        out[field] = None if not rows else [
            {"name": r.name, "date": _iso(r.on_date)} for r in rows if r.code != "none"]
    family = {}
    for row in by_kind.get("family", []):
        family.setdefault(row.relative, []).append(row.code)
    out["family_history_codes"] = family or None
    return out


def _iso(day) -> str | None:
    return day.isoformat() if day else None
