"""Marshmallow's validation, row by row, at import speed."""
from __future__ import annotations

from collections import defaultdict

from marshmallow import Schema, ValidationError, missing
from marshmallow.decorators import POST_LOAD, PRE_LOAD, VALIDATES, VALIDATES_SCHEMA


class RowLoader:
    """`schema.load(row)` for a hundred thousand rows, built from the schema's own parts.

    Marshmallow re-runs its whole machinery for every row (about 150 µs here, 15 s for an
    import of 100,000). This runs the very pieces the schema declares — each field's
    deserialize (type conversion and validators), its @validates methods, its @pre_load,
    @validates_schema and @post_load hooks, in marshmallow's order — but remembers each
    field's outcome per distinct value: a column holds few distinct values (sexes, labels,
    birth dates), so mostly what needs the whole row (the ID number against the birth date
    and sex) runs per row. Field outcomes must depend on the value only, which holds for
    every field of the archive schemas. tests/records/test_imports.py checks that it agrees
    with Schema.load."""

    _CACHE_LIMIT = 250_000

    def __init__(self, schema: Schema):
        self.schema = schema
        hooks = type(schema)._hooks  # marshmallow's own table of decorated methods
        if any(many for tag in (PRE_LOAD, POST_LOAD, VALIDATES_SCHEMA)
               for _n, many, _k in hooks[tag]):
            raise ValueError("RowLoader loads one row at a time; collection hooks are not run")
        self._pre = [(getattr(schema, n), k.get("pass_original", False))
                     for n, _m, k in hooks[PRE_LOAD]]
        self._post = [(getattr(schema, n), k.get("pass_original", False))
                      for n, _m, k in hooks[POST_LOAD]]
        self._checks = [(getattr(schema, n), k.get("skip_on_field_errors", True),
                         k.get("pass_original", False)) for n, _m, k in hooks[VALIDATES_SCHEMA]]
        self._fields = [(name, f.data_key or name, f) for name, f in schema.load_fields.items()]
        self._field_checks: dict[str, list] = defaultdict(list)
        for name, _m, kwargs in hooks[VALIDATES]:
            for field_name in kwargs["field_names"]:
                self._field_checks[field_name].append(getattr(schema, name))
        self._known = {key for _n, key, _f in self._fields}
        # (name, input key, output key, field, {raw value: outcome})
        self._plan = [(name, key, fld.attribute or name, fld, {})
                      for name, key, fld in self._fields]
        self._hook_kw = {"many": False, "partial": None, "unknown": schema.unknown}

    def _outcome(self, name: str, key: str, fld, raw, data) -> tuple[bool, object]:
        try:
            value = fld.deserialize(raw, key, data)
        except ValidationError as exc:
            return False, as_list(exc.messages)
        if value is missing:
            return True, missing
        for check in self._field_checks.get(name, ()):
            try:
                if check(value, data_key=key) is missing:
                    return True, missing
            except ValidationError as exc:
                return False, as_list(exc.messages)
        return True, value

    def load(self, data: dict) -> tuple[dict | None, dict[str, list]]:
        """(loaded data, {}) or (None, {field: [messages]}), as Schema.load would decide."""
        original = data
        try:
            for hook, pass_original in self._pre:
                data = hook(data, original, **self._hook_kw) if pass_original \
                    else hook(data, **self._hook_kw)
        except ValidationError as exc:
            return None, exc.normalized_messages()
        result: dict = {}
        errors: dict[str, list] = {}
        for name, key, attribute, fld, cache in self._plan:
            raw = data.get(key, missing)
            try:
                outcome = cache.get(raw)
            except TypeError:  # an unhashable value: not remembered
                outcome = self._outcome(name, key, fld, raw, data)
            if outcome is None:
                outcome = self._outcome(name, key, fld, raw, data)
                if len(cache) < self._CACHE_LIMIT:
                    cache[raw] = outcome
            if outcome[0]:
                if outcome[1] is not missing:
                    result[attribute] = outcome[1]
            else:
                errors[key] = list(outcome[1])  # the cached list stays untouched
        for key in data.keys() - self._known:
            errors[key] = ["Unknown field."]  # marshmallow's message (RAISE on unknown fields)
        field_errors = bool(errors)
        for check, skip_on_field_errors, pass_original in self._checks:
            if field_errors and skip_on_field_errors:
                continue
            try:
                if pass_original:
                    check(result, original, **self._hook_kw)
                else:
                    check(result, **self._hook_kw)
            except ValidationError as exc:
                messages = exc.messages
                if isinstance(messages, dict):
                    for key, value in messages.items():
                        errors.setdefault(key, []).extend(as_list(value))
                else:
                    errors.setdefault(exc.field_name, []).extend(as_list(messages))
        if errors:
            return None, errors
        try:
            for hook, pass_original in self._post:
                result = hook(result, original, **self._hook_kw) if pass_original \
                    else hook(result, **self._hook_kw)
        except ValidationError as exc:
            return None, exc.normalized_messages()
        return result, {}


def as_list(messages) -> list:
    return messages if isinstance(messages, list) else [messages]
