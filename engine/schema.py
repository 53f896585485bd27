"""The record JSON Schema, which editors use through the records' `$schema` line."""

from __future__ import annotations

import json

from .model import Decision


def schema_text() -> str:
    schema = Decision.model_json_schema()
    schema = {"$schema": "https://json-schema.org/draft/2020-12/schema", **schema}
    return json.dumps(schema, indent=2, ensure_ascii=False, sort_keys=True) + "\n"
