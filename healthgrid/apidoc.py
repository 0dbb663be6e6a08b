"""What the OpenAPI document states beyond what apispec reads from each schema, so that a
generated client or a fuzzer can respect it: an operationId per operation, one schema per
variant where a schema says it is one of several (a discriminator), and links from the
answer of an operation to the operations that take what it returns.

Links follow the paths, no table to keep: an answer's `id` names the object of the path's
last collection (`POST /referrals` -> `{referral_id}`, `POST /enrollments/{enrollment_id}/
followups` -> `{followup_id}`); an answer's `<name>_id` field names a `{<name>_id}`; a list's
first item does the same; and an operation's own path parameters carry over to the other
operations on that object (accept, then arrive, then read the referral)."""
from __future__ import annotations

import re

from apispec import BasePlugin
from flask import current_app, json
from flask_smorest import Api as SmorestApi

METHODS = ("get", "put", "post", "patch", "delete")


class DocumentPlugin(BasePlugin):
    def init_spec(self, spec):
        self.spec = spec
        self.operation_ids: dict[str, str] = {}

    def operation_helper(self, path=None, operations=None, **kwargs):
        """operationId: the domain and the view function, e.g. `referral.transition`."""
        rule = kwargs.get("rule")
        if rule is None:
            return
        blueprint, _, function = rule.endpoint.rpartition(".")
        name = f"{blueprint.removesuffix('_api')}.{function}"
        for method, operation in operations.items():
            operation_id = name if len(operations) == 1 else f"{name}_{method}"
            owner = self.operation_ids.setdefault(operation_id, f"{method} {path}")
            if owner != f"{method} {path}":
                raise ValueError(f"operationId {operation_id} names {owner} and {method} {path}")
            operation.setdefault("operationId", operation_id)

    def schema_helper(self, name, definition, **kwargs):
        """A schema with ONE_OF_BY = (property, {value: schema}) is documented as one of
        the variants, told apart by that property (each variant's own fields, required as
        its schema requires them, and the property fixed to its value)."""
        schema = kwargs.get("schema")
        schema_class = schema if isinstance(schema, type) else type(schema)
        one_of = getattr(schema_class, "ONE_OF_BY", None)
        if one_of is None:
            return None
        prop, variants = one_of
        mapping = {}
        for value, variant in variants.items():
            variant_name = f"{name}{value.capitalize()}"
            if variant_name not in self.spec.components.schemas:
                self.spec.components.schema(variant_name, schema=variant)
                component = self.spec.components.schemas[variant_name]
                component["properties"] = {prop: {"type": "string", "enum": [value]},
                                           **component.get("properties", {})}
                component["required"] = [prop, *component.get("required", [])]
            mapping[value] = f"#/components/schemas/{variant_name}"
        definition.clear()
        return {"oneOf": [{"$ref": ref} for ref in mapping.values()],
                "discriminator": {"propertyName": prop, "mapping": mapping}}


class Api(SmorestApi):
    """flask-smorest's Api whose served document carries the links between operations."""

    def _openapi_json(self):
        return current_app.response_class(json.dumps(with_links(self.spec.to_dict()), indent=2),
                                          mimetype="application/json")


def _object_parameter(path: str) -> str | None:
    """`{resident_id}` for a path whose last collection is `residents` (an answer's id)."""
    literals = [part for part in path.split("/") if part and not part.startswith("{")]
    if not literals:
        return None
    return re.sub(r"s$", "", literals[-1]).replace("-", "_") + "_id"


def _resolve(spec: dict, schema: dict) -> dict:
    while "$ref" in schema:
        schema = spec["components"]["schemas"][schema["$ref"].rsplit("/", 1)[-1]]
    return schema


def _answer_fields(spec: dict, operation: dict) -> tuple[str, set[str]] | None:
    """(JSON pointer prefix, field names) of an operation's success answer: the object's
    own, or those of a list's first item (a bare list or a page's `items`)."""
    for status, response in operation.get("responses", {}).items():
        if not status.startswith("2"):
            continue
        schema = response.get("content", {}).get("application/json", {}).get("schema")
        if not schema:
            continue
        schema = _resolve(spec, schema)
        prefix = ""
        if schema.get("type") == "array":
            schema, prefix = _resolve(spec, schema.get("items", {})), "/0"
        elif "items" in schema.get("properties", {}):
            items = schema["properties"]["items"]
            if items.get("type") == "array":
                schema, prefix = _resolve(spec, items.get("items", {})), "/items/0"
        return status, prefix, set(schema.get("properties", {}))
    return None


def _body_fields(spec: dict, operation: dict) -> set[str]:
    """The JSON body's field names (none for a body that is one of several schemas)."""
    content = operation.get("requestBody", {}).get("content", {}).get("application/json", {})
    schema = _resolve(spec, content.get("schema", {}))
    return set(schema.get("properties", {}))


def with_links(spec: dict) -> dict:
    operations = [(path, op) for path, item in spec.get("paths", {}).items()
                  for method, op in item.items() if method in METHODS]
    for path, op in operations:
        answer = _answer_fields(spec, op)
        if answer is None:
            continue
        status, prefix, names = answer
        # What the answer names: its object (by the path's last collection) and others.
        named = {}
        if "id" in names and (param := _object_parameter(path)):
            named[param] = f"$response.body#{prefix}/id"
        for name in sorted(names):
            if name.endswith("_id"):
                named.setdefault(name, f"$response.body#{prefix}/{name}")
        carried = {name: f"$request.path.{name}" for name in re.findall(r"{(\w+)}", path)}
        links = {}
        for target_path, target in operations:
            if target is op:
                continue
            needed = re.findall(r"{(\w+)}", target_path)
            same_object = target_path.startswith(path.split("{")[0]) if carried else False
            sources = {**(carried if same_object else {}), **named}
            if not set(needed) <= set(sources):
                continue
            parameters = {name: sources[name] for name in needed}
            body = {} if needed else {name: named[name] for name in
                                      sorted(_body_fields(spec, target) & set(named))}
            if not parameters and not body:
                continue
            link = {"operationId": target["operationId"]}
            if parameters:
                link["parameters"] = parameters
            if body:
                link["requestBody"] = body
            links[target["operationId"]] = link
        if links:
            op["responses"][status]["links"] = links
    return spec
