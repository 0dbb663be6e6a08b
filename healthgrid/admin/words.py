"""The audit log in words: an entry's object and its detail ("code=htn_control
scope=team:1" → 指标：管理人群血压控制率；范围：团队 甲团队). The codes stay stored as
written (the log is evidence); only what the page shows is put into words."""
from __future__ import annotations

import re

from flask_babel import gettext as _, lazy_gettext as _l

from healthgrid.labels import label

OBJECTS = {
    "resident": _l("Resident archive"), "household": _l("Household"),
    "referral": _l("Referral"), "enrollment": _l("Enrollment"), "followup": _l("Follow-up"),
    "elderlycheck": _l("Annual check"), "contract": _l("Contract"), "user": _l("User"),
    "team": _l("Team"), "grid": _l("Grid"), "staff": _l("Staff"),
    "institution": _l("Institution"), "community": _l("Community"),
    "gridevent": _l("Grid event"), "surveyresponse": _l("Survey answer"),
}
# key -> (its name, how its value reads: a label kind, "ref:<kind>" for an object's name)
KEYS = {
    "code": (_l("Indicator"), "indicator"), "scope": (_l("Scope"), "scope"),
    "program": (_l("Program"), "program"), "selfcare": (_l("Self-care"), "selfcare_level"),
    "direction": (_l("Direction"), "direction"), "assigned": (_l("Team"), "ref:team"),
    "team": (_l("Team"), "ref:team"), "grid": (_l("Grid"), "ref:grid"),
    "grid_id": (_l("Grid"), "ref:grid"), "institution": (_l("Institution"), "ref:institution"),
    "staff": (_l("Staff"), "ref:staff"), "role": (_l("Role"), "role"),
    "status": (_l("Status"), "status"), "reason": (_l("Reason"), "exit_reason"),
    "classification": (_l("Result"), "classification"), "referral": (_l("Referral"), "referral"),
    "channel": (_l("Channel"), None), "period": (_l("Period"), None),
    "rows": (_l("Rows"), None), "items": (_l("Items"), None), "count": (_l("Count"), None),
    "residents": (_l("Residents"), None), "features": (_l("Areas"), None),
    "fields": (_l("Fields"), None), "username": (_l("Username"), None),
    "type": (_l("Type"), None), "mode": (_l("Mode"), None), "level": (_l("Level"), None),
    "membership": (_l("Membership"), None), "household": (_l("Household"), None),
    "source": (_l("Source"), None),
}
SCOPE_KINDS = {"institution": _l("Institution"), "community": _l("Community"),
               "grid": _l("Grid"), "team": _l("Team")}
_PAIR = re.compile(r"([a-z_]+)=([^\s;]*)")


def object_text(kind: str | None) -> str:
    return str(OBJECTS.get(kind, kind or ""))


def references(details) -> set[tuple[str, int]]:
    """The (kind, id) of the objects named in these details, to look their names up."""
    refs = set()
    for detail in details:
        for key, value in _PAIR.findall(detail or ""):
            how = KEYS.get(key, (None, None))[1]
            if how == "scope":
                kind, _sep, raw = value.partition(":")
                if kind in SCOPE_KINDS and raw.isdigit():
                    refs.add((kind, int(raw)))
            elif how and how.startswith("ref:") and value.isdigit():
                refs.add((how[4:], int(value)))
    return refs


def detail_text(detail: str | None, names: dict[tuple[str, int], str]) -> str:
    """The detail in words where its keys are known; anything else as it was written."""
    if not detail or not _PAIR.search(detail):
        return detail or ""
    parts = []
    for key, value in _PAIR.findall(detail):
        name, how = KEYS.get(key, (None, None))
        if name is None:
            parts.append(f"{key}={value}")
            continue
        parts.append(_("%(key)s: %(value)s", key=name, value=_value(how, value, names)))
    return _("; ").join(parts)


def _value(how: str | None, value: str, names: dict) -> str:
    if how == "scope":
        kind, _sep, raw = value.partition(":")
        if kind in SCOPE_KINDS and raw.isdigit():
            return f"{SCOPE_KINDS[kind]} {names.get((kind, int(raw)), '#' + raw)}"
        return value
    if how and how.startswith("ref:"):
        return names.get((how[4:], int(value)), f"#{value}") if value.isdigit() else \
            (_("all") if value == "all" else value)
    if how:
        return label(how, value)
    return value
