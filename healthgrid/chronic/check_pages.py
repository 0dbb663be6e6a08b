"""The annual check page's form fields and the API's shape, both ways: the page sends flat
fields (selfcare_eating, med_name_0, stay_reason_1...), the schema takes nested lists."""
from __future__ import annotations

from . import checkform, rules

ROWS = {"medicines": ("med", ("name", "usage", "dose", "duration", "adherence"), 4),
        "stays": ("stay", ("kind", "admitted", "discharged", "reason", "institution",
                           "record_no"), 2),
        "vaccinations": ("vac", ("name", "date", "place"), 2)}
MULTI = tuple(item.name for item in checkform.ITEMS.values() if item.kind == "multi")


def payload(form) -> dict:
    """A posted check form (a MultiDict) as the schema's input."""
    out = {}
    for key in form.keys():
        if key == "csrf_token" or key.startswith(("selfcare_", "med_", "stay_", "vac_")):
            continue
        if key in MULTI:
            out[key] = [v for v in form.getlist(key) if v]
        elif form.get(key, "").strip():
            out[key] = form.get(key).strip()
    out["selfcare"] = {item: form.get(f"selfcare_{item}") for item in rules.SELFCARE_ITEMS
                       if form.get(f"selfcare_{item}", "") != ""}
    for name, (prefix, keys, count) in ROWS.items():
        rows = []
        for n in range(count):
            row = {k: form.get(f"{prefix}_{k}_{n}", "").strip() for k in keys}
            row = {k: v for k, v in row.items() if v}
            if set(row) - {"kind", "adherence"}:
                rows.append(row)
        out[name] = rows
    return out


def page_errors(errors: dict, form) -> dict:
    """Nested errors back onto the page's field names."""
    flat = {}
    for key, messages in errors.items():
        if key == "selfcare" and isinstance(messages, dict):
            flat.update({f"selfcare_{k}": v for k, v in messages.items()})
        elif key in ROWS and isinstance(messages, dict):
            prefix, keys, count = ROWS[key]
            filled = [n for n in range(count)
                      if any(form.get(f"{prefix}_{k}_{n}", "").strip() for k in keys
                             if k not in ("kind", "adherence"))]
            for index, row in messages.items():
                n = filled[int(index)] if int(index) < len(filled) else 0
                for field, text in (row.items() if isinstance(row, dict) else []):
                    flat[f"{prefix}_{field}_{n}"] = text
        else:
            flat[key] = messages
    return flat


def form_values(form) -> dict:
    """What the page shows again after a refused post: lists for tick boxes."""
    return {key: (form.getlist(key) if key in MULTI else form.get(key)) for key in form.keys()}
