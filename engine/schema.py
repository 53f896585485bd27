"""The record JSON Schema, which editors use through the records' `$schema` line.

It is the model's own schema, with the list of kinds of decision: the engine's and the office's
own, so that editors complete `kind:` and flag any other. An office's schema is therefore its
own: `decisions schema` writes it from the project's office.yaml.
"""

from __future__ import annotations

import json
from typing import Any

from .kinds import ENGINE_KINDS, Kind
from .model import Decision
from .office import CONSTRAINABLE, Office

DIALECT = "https://json-schema.org/draft/2020-12/schema"


def kinds_of(office: Office | None) -> dict[str, Kind]:
    """The kinds a record may name: the engine's, then the office's own."""
    return {**ENGINE_KINDS, **office.kinds} if office is not None else dict(ENGINE_KINDS)


def _any_of(node: Any) -> Any:
    """oneOf -> anyOf, throughout. Pydantic writes a discriminated union as oneOf, but the
    model picks the alternative by its discriminator, and to a JSON Schema validator the
    alternatives overlap: 'not stated' is both the `const` and a valid text, so under oneOf
    every `fund: not stated` would be flagged as matching two. anyOf accepts what the model
    accepts."""
    if isinstance(node, dict):
        return {("anyOf" if key == "oneOf" else key): _any_of(value) for key, value in node.items()}
    if isinstance(node, list):
        return [_any_of(value) for value in node]
    return node


def schema_data(office: Office | None = None) -> dict[str, Any]:
    schema = _any_of(Decision.model_json_schema())
    kinds = kinds_of(office)
    kind = schema["properties"]["kind"]
    kind["enum"] = list(kinds)
    listed = "; ".join(f"{name}: {k.label}" for name, k in kinds.items())
    kind["description"] = f"{kind.get('description', 'The kind of decision')}. Kinds: {listed}"
    if office is not None:
        schema["properties"]["fields"] = _office_fields(office)
        if "required" in schema["properties"]["fields"]:
            schema["required"] = [*schema.get("required", []), "fields"]
    return {"$schema": DIALECT, **schema}


_TYPES: dict[str, dict[str, Any]] = {"text": {"type": "string", "pattern": "\\S"}, "date": {"type": "string", "format": "date"},
                                     "number": {"type": "integer"}, "yes_no": {"type": "boolean"}}


def _office_fields(office: Office) -> dict[str, Any]:
    """The record's `fields:` as the office declares them: each field's type, allowed values
    and label; no other field; the required ones required."""
    own = {name: f for name, f in office.fields.items() if name not in CONSTRAINABLE}
    properties = {}
    for name, declared in own.items():
        spec = dict(_TYPES[declared.type])
        if declared.values:
            spec["enum"] = list(declared.values)
        spec["title"] = declared.label
        if declared.description:
            spec["description"] = declared.description
        properties[name] = spec
    node: dict[str, Any] = {"type": "object", "properties": properties, "additionalProperties": False,
                            "description": "The office's own fields (office.yaml `fields:`)"}
    required = [name for name, f in own.items() if f.required]
    if required:
        node["required"] = required
    return node


def schema_text(office: Office | None = None) -> str:
    return json.dumps(schema_data(office), indent=2, ensure_ascii=False, sort_keys=True) + "\n"
