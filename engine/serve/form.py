"""The editor's form for a record, made from the record's JSON Schema (the model's own, with the
office's kinds and fields), never written out field by field: a model field added tomorrow is in
the form tomorrow.

Each input is named by its place in the record, `f.funding.0.amount`; `parse` turns the posted
names back into the record's data, typed as the schema says (a day as a date, pounds as an exact
Decimal), leaving out what is empty or at its default, so that saving an untouched form changes
nothing. A list's items can be added, removed and moved (`op` buttons, answered by drawing the
form again, so that every step works from the keyboard and without JavaScript); a choice between
forms of a value (a paragraph as text, or with options; an approval or "not stated") is a select.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterable
from decimal import Decimal, InvalidOperation
from typing import Any

from html.parser import HTMLParser

from markupsafe import Markup

PREFIX = "f"
FORM_KEY = "__form"  # the select that chooses a union's form: f.recommendation.__form
SECRET_KEY = "__confidential"  # a paragraph written as text, made Part 2: f.sections.0.content.1.__confidential
# Text an officer writes at length: a textarea, not a line.
_LONG = {"text", "why", "note", "recommendation", "reason", "description", "statement", "purpose", "matter", "content",
         "bullets", "partners", "summary", "comments", "result", "criteria"}
_NUMBER = re.compile(r"^-?\d+(\.\d+)?$")  # a sum or a table's figure; the model says which are allowed
_DAY = re.compile(r"^\d{4}-\d{2}-\d{2}$")
Path = tuple[str | int, ...]


def key_of(path: Path) -> str:
    """A place as `check` names it: funding[0].amount."""
    out = ""
    for part in path:
        if part == "":  # a union's text, drawn beside its choice of form, is the union's value
            continue
        out += f"[{part}]" if isinstance(part, int) else (f".{part}" if out else part)
    return out


def name_of(path: Path) -> str:
    return ".".join([PREFIX, *(str(p) for p in path)])


def id_of(path: Path) -> str:
    """The input's id: f-funding-0-amount (a union's text is the union's own: f-recommendation)."""
    return "-".join([PREFIX, *(str(p) for p in path if p != "")])


def _words(title: str) -> str:
    """A model's name as words: FundingLine -> Funding line."""
    return re.sub(r"(?<=[a-z])(?=[A-Z])", " ", title).capitalize()


def _label(name: str | int, node: dict[str, Any]) -> str:
    if isinstance(name, int):
        return f"{_words(node.get('title', 'Item'))} {name + 1}"
    return node.get("title") or name.replace("_", " ").capitalize()


class Form:
    """The schema's form: draw it for data (with each field's problems), read it back."""

    def __init__(self, schema: dict[str, Any]):
        self.schema = schema
        self.defs: dict[str, Any] = schema.get("$defs", {})

    # --- the schema ---------------------------------------------------------------------------

    def resolve(self, node: dict[str, Any]) -> dict[str, Any]:
        """The node, its $ref followed and its nested anyOf flattened; `null` dropped (an
        optional value is one left empty)."""
        while "$ref" in node:
            ref = node["$ref"].rsplit("/", 1)[-1]
            node = {**self.defs[ref], **{k: v for k, v in node.items() if k != "$ref"}}
        if "anyOf" in node:
            options: list[dict[str, Any]] = []
            for option in node["anyOf"]:
                option = self.resolve(option)
                options += option["anyOf"] if "anyOf" in option else [option]
            nullable = any(o.get("type") == "null" for o in options)
            options = [o for o in options if o.get("type") != "null"]
            rest = {k: v for k, v in node.items() if k != "anyOf"}
            if nullable:
                rest["nullable"] = True
            if len(options) == 1:
                return {**options[0], **rest}
            return {**rest, "anyOf": options}
        return node

    @staticmethod
    def _scalar(node: dict[str, Any]) -> bool:
        return "const" in node or node.get("type") in ("string", "integer", "number", "boolean") and "enum" not in node

    def _option_label(self, option: dict[str, Any]) -> str:
        if "const" in option:
            return str(option["const"]).capitalize()
        if option.get("type") == "string":
            return "Text"
        if option.get("type") in ("integer", "number"):
            return "A number"
        return option.get("title", "Details")

    @staticmethod
    def _secret_form(options: list[dict[str, Any]]) -> dict[str, Any] | None:
        """The form of a union that is text with a Part 2 switch (a paragraph's), if it has one."""
        return next((o for o in options if o.get("type") == "object" and {"text", "confidential"} <= set(o.get("properties", {}))),
                    None)

    def _chosen(self, options: list[dict[str, Any]], value: Any) -> int:
        """Which form a value has: a const it equals, a text, a list, a mapping (the first
        form whose fields it has most of)."""
        for index, option in enumerate(options):
            if "const" in option and value == option["const"]:
                return index
        wanted = {str: "string", int: "integer", Decimal: "number", list: "array", dict: "object"}.get(type(value))
        if isinstance(value, dict):
            scored = [(len(set(value) & set(o.get("properties", {}))), -i) for i, o in enumerate(options)
                      if o.get("type") == "object"]
            if scored:
                return -max(scored)[1]
        for index, option in enumerate(options):
            if option.get("type") == wanted:
                return index
        return 0

    # --- drawing ------------------------------------------------------------------------------

    def render(self, data: dict[str, Any], problems: dict[str, list[str]]) -> Markup:
        root = self.resolve(self.schema)
        return self._object((), root, data, problems, top=True)

    def _messages(self, path: Path, problems: dict[str, list[str]]) -> tuple[Markup, Markup]:
        """The problems at this place, drawn beside it, and the attributes that tie them to the input."""
        found = problems.get(key_of(path), [])
        if not found:
            return Markup(""), Markup("")
        ident = id_of(path) + "-problems"
        items = Markup("").join(Markup('<li>{}</li>').format(m) for m in found)
        return (Markup('<ul class="ed-problems" id="{}">{}</ul>').format(ident, items),
                Markup(' aria-invalid="true" aria-describedby="{}"').format(ident))

    def _hint(self, path: Path, node: dict[str, Any]) -> tuple[Markup, str]:
        text = node.get("description")
        if not text:
            return Markup(""), ""
        ident = id_of(path) + "-hint"
        return Markup('<span class="ed-hint" id="{}">{}</span>').format(ident, " ".join(str(text).split())), ident

    def _widget(self, path: Path, node: dict[str, Any], value: Any, problems: dict[str, list[str]], label: str,
                required: bool) -> Markup:
        if "anyOf" in node:
            options = node["anyOf"]
            if all(self._scalar(o) for o in options) and not any(o.get("type") == "boolean" for o in options):
                return self._input(path, node, value, problems, label, required,
                                   money=any(o.get("type") == "number" for o in options),
                                   day=any(o.get("format") == "date" for o in options))
            return self._union(path, node, options, value, problems, label, required)
        kind = node.get("type")
        if "enum" in node or "const" in node:
            return self._select(path, node, value, problems, label, required)
        if kind == "object":
            if "properties" not in node:
                return Markup("")  # a free mapping (the office's fields where it declares none)
            return self._object(path, node, value if isinstance(value, dict) else {}, problems, label=label)
        if kind == "array":
            return self._array(path, node, value if isinstance(value, list) else [], problems, label)
        if kind == "boolean":
            return self._checkbox(path, node, value, problems, label)
        return self._input(path, node, value, problems, label, required, money=kind == "number", day=node.get("format") == "date")

    def _object(self, path: Path, node: dict[str, Any], data: dict[str, Any], problems: dict[str, list[str]],
                label: str = "", top: bool = False) -> Markup:
        required = set(node.get("required", []))
        parts = []
        for name, child in node.get("properties", {}).items():
            child = self.resolve(child)
            value = data.get(name)
            optional_group = (child.get("type") == "object" and "properties" in child and name not in required
                              and value is None and "anyOf" not in child)
            if optional_group:  # an optional group left out: a button adds it, so the form stays short
                parts.append(Markup('<div class="ed-field"><button type="submit" name="op" value="add:{}" class="ed-add">'
                                    'Add {}</button>{}</div>').format(name_of((*path, name)), _label(name, child).lower(),
                                                                       self._messages((*path, name), problems)[0]))
                continue
            parts.append(self._widget((*path, name), child, value, problems, _label(name, child), name in required))
        body = Markup("").join(parts)
        if top:
            return body
        messages = self._messages(path, problems)[0]
        remove = (Markup('<button type="submit" name="op" value="drop:{}" class="ed-remove">Remove {}</button>')
                  .format(name_of(path), label.lower()) if path and not isinstance(path[-1], int) else Markup(""))
        return Markup('<fieldset class="ed-group" id="{}"><legend>{}</legend>{}{}{}</fieldset>').format(
            id_of(path), label, messages, body, remove)

    def _array(self, path: Path, node: dict[str, Any], items: list[Any], problems: dict[str, list[str]], label: str) -> Markup:
        item_node = self.resolve(node.get("items", {"type": "string"}))
        title = _words(item_node.get("title") or ("Paragraph" if path and path[-1] == "content" else "Item"))
        rows = []
        for index, value in enumerate(items):
            where = (*path, index)
            widget = self._widget(where, item_node, value, problems, f"{title} {index + 1}", True)
            buttons = Markup("").join(
                Markup('<button type="submit" name="op" value="{}:{}"{}>{}</button>').format(
                    op, name_of(where), Markup(" disabled") if disabled else Markup(""), text)
                for op, text, disabled in (("up", f"Move {title.lower()} {index + 1} up", index == 0),
                                           ("down", f"Move {title.lower()} {index + 1} down", index == len(items) - 1),
                                           ("remove", f"Remove {title.lower()} {index + 1}", False)))
            rows.append(Markup('<li class="ed-item">{}<div class="ed-item-buttons">{}</div></li>').format(widget, buttons))
        messages = self._messages(path, problems)[0]
        hint, _ = self._hint(path, node)
        add = Markup('<button type="submit" name="op" value="add:{}" class="ed-add">Add {}</button>').format(
            name_of(path), title.lower())
        return Markup('<fieldset class="ed-list" id="{}"><legend>{}</legend>{}{}<ol>{}</ol>{}</fieldset>').format(
            id_of(path), label, hint, messages, Markup("").join(rows), add)

    def _union(self, path: Path, node: dict[str, Any], options: list[dict[str, Any]], value: Any,
               problems: dict[str, list[str]], label: str, required: bool) -> Markup:
        # A value not given stays not given (never the first form, e.g. "not stated", unasked).
        chosen = self._chosen(options, value) if value is not None else -1
        choices = [] if chosen >= 0 and required else [Markup('<option value=""{}>{}</option>').format(
            Markup(" selected") if chosen == -1 else Markup(""), "(choose)" if required else "None")]
        for index, option in enumerate(options):
            choices.append(Markup('<option value="{}"{}>{}</option>').format(
                index, Markup(" selected") if index == chosen else Markup(""), self._option_label(option)))
        select_path = (*path, FORM_KEY)
        select = Markup('<label class="ed-label" for="{}">{}: form</label><select id="{}" name="{}" class="ed-form-choice">{}'
                        '</select>').format(id_of(select_path), label, id_of(select_path), name_of(select_path),
                                            Markup("").join(choices))
        inner = Markup("")
        if chosen >= 0 and "const" not in options[chosen]:
            option = options[chosen]
            # A text's input is named beside the choice (f.recommendation.), a group's fields inside it.
            where = path if option.get("type") in ("object", "array") else (*path, "")
            inner = self._widget(where, option, value, problems, label, required)
            if option.get("type") == "string" and self._secret_form(options) is not None:
                # A paragraph written as text still has its Part 2 switch, at hand.
                switch = (*path, SECRET_KEY)
                inner += Markup('<div class="ed-field ed-check"><input type="checkbox" id="{}" name="{}" value="true">'
                                '<label for="{}">{}: confidential (Part 2)</label></div>').format(
                    id_of(switch), name_of(switch), id_of(switch), label)
        messages = self._messages(path, problems)[0] if chosen < 0 or "const" in options[chosen] else Markup("")
        return Markup('<div class="ed-union">{}{}{}</div>').format(select, messages, inner)

    def _select(self, path: Path, node: dict[str, Any], value: Any, problems: dict[str, list[str]], label: str,
                required: bool) -> Markup:
        values = node.get("enum") or [node["const"]]
        messages, described = self._messages(path, problems)
        options = [] if required and value in values else [Markup('<option value="">(choose)</option>')]
        if value is not None and value not in values:  # kept as the file has it, until the officer chooses
            options.append(Markup('<option value="{}" selected>{} (not one of the choices)</option>').format(value, value))
        options += [Markup('<option value="{}"{}>{}</option>').format(v, Markup(" selected") if v == value else Markup(""), v)
                    for v in values]
        return Markup('<div class="ed-field"><label class="ed-label" for="{}">{}{}</label><select id="{}" name="{}"{}>{}'
                      '</select>{}</div>').format(id_of(path), label, Markup(" (required)") if required else Markup(""),
                                                 id_of(path), name_of(path), described, Markup("").join(options), messages)

    def _checkbox(self, path: Path, node: dict[str, Any], value: Any, problems: dict[str, list[str]], label: str) -> Markup:
        messages, described = self._messages(path, problems)
        hint, _ = self._hint(path, node)
        # The hidden "false" first: an unticked box posts nothing, and the last value posted wins.
        return Markup('<div class="ed-field ed-check"><input type="hidden" name="{}" value="false"><input type="checkbox" '
                      'id="{}" name="{}" value="true"{}{}><label for="{}">{}</label>{}{}</div>').format(
            name_of(path), id_of(path), name_of(path),
            Markup(" checked") if value is True or value is None and node.get("default") is True else Markup(""), described,
            id_of(path), label, hint, messages)

    def _input(self, path: Path, node: dict[str, Any], value: Any, problems: dict[str, list[str]], label: str,
               required: bool, money: bool = False, day: bool = False) -> Markup:
        messages, described = self._messages(path, problems)
        hint, hint_id = self._hint(path, node)
        if hint_id:
            described = Markup(str(described).replace('aria-describedby="', f'aria-describedby="{hint_id} ')) if described \
                else Markup(' aria-describedby="{}"').format(hint_id)
        text = "" if value is None else value.isoformat() if isinstance(value, dt.date) else str(value)
        head = Markup('<label class="ed-label" for="{}">{}{}</label>').format(
            id_of(path), label, Markup(" (required)") if required else Markup(""))
        named = next((p for p in reversed(path) if isinstance(p, str) and p), "")
        if named in _LONG or "\n" in text or len(text) > 90:
            field = Markup('<textarea id="{}" name="{}" rows="{}"{}>{}</textarea>').format(
                id_of(path), name_of(path), min(12, max(2, len(text) // 80 + 1)), described, text)
        else:
            kind = 'type="date"' if day and (not text or _DAY.match(text)) else 'type="text" inputmode="decimal"' if money \
                else 'type="number"' if node.get("type") == "integer" else 'type="text"'
            field = Markup('<input {} id="{}" name="{}" value="{}"{}>').format(Markup(kind), id_of(path), name_of(path),
                                                                                text, described)
        return Markup('<div class="ed-field">{}{}{}{}</div>').format(head, hint, field, messages)

    # --- reading back -------------------------------------------------------------------------

    def parse(self, items: Iterable[tuple[str, str]], original: dict[str, Any] | None = None) -> dict[str, Any]:
        """The record's data from the posted form (the last value of a name wins). original: the
        record's data as opened, so that a value written out at its default (`part: public`,
        `heading:` left empty) stays written out while the officer leaves it so."""
        tree: dict[str, Any] = {}
        for name, value in items:
            parts = name.split(".")
            if parts[0] != PREFIX or len(parts) < 2 or len(parts) > 40:
                continue
            node = tree
            for part in parts[1:-1]:
                node = node.setdefault(part, {})
                if not isinstance(node, dict):
                    break
            else:
                node[parts[-1]] = value
        data = self._value(self.resolve(self.schema), tree, original)
        return data if isinstance(data, dict) else {}

    def _value(self, node: dict[str, Any], raw: Any, original: Any = None) -> Any:
        """raw (the posted tree at a place) as the schema types it; None for nothing. original:
        the value there as opened."""
        if "anyOf" in node:
            options = node["anyOf"]
            if isinstance(raw, dict) and FORM_KEY in raw:
                choice = raw.get(FORM_KEY, "")
                if not choice.isdigit() or int(choice) >= len(options):
                    return None
                option = options[int(choice)]
                if "const" in option:
                    return option["const"]
                secret = raw.get(SECRET_KEY) == "true"
                rest = {k: v for k, v in raw.items() if k not in (FORM_KEY, SECRET_KEY)}
                if secret and option.get("type") == "string" and self._secret_form(options) is not None:
                    text = self._scalar_value(option, [option], rest.get("", "")) if isinstance(rest.get(""), str) else None
                    return {"text": text, "confidential": True} if text is not None else None
                if option.get("type") in ("object", "array"):
                    return self._value(option, rest, original)
                text = rest.get("")
                return self._scalar_value(option, [option], text) if isinstance(text, str) else None
            if isinstance(raw, str):
                return self._scalar_value(node, options, raw)
            return None
        kind = node.get("type")
        if kind == "object":
            if not isinstance(raw, dict) or "properties" not in node:
                return None
            before = original if isinstance(original, dict) else {}
            out = {}
            for name, child in node["properties"].items():
                child = self.resolve(child)
                value = self._value(child, raw[name], before.get(name)) if name in raw else None
                if value is None or value == [] or value == {} or value == child.get("default"):
                    # Left as it was: a value written out at its default, or an explicit empty one, stays.
                    if name in before and (before[name] == value or before[name] in (None, [], {}) and not value
                                           or before[name] == child.get("default")):
                        out[name] = before[name]
                    continue
                out[name] = value
            return out or (dict(before) if before and not raw else None)
        if kind == "array":
            if not isinstance(raw, dict):
                return None
            item = self.resolve(node.get("items", {"type": "string"}))
            keys = sorted((int(k), k) for k in raw if k.isdigit() and len(k) < 6)
            before = original if isinstance(original, list) else []
            values = [self._value(item, raw[k], before[i] if i < len(before) else None) for i, k in keys]
            # An empty table cell is a cell; an empty list item is no item.
            return values if item.get("nullable") else [v for v in values if v is not None]
        if not isinstance(raw, str):
            return None
        if kind == "boolean":  # a yes/no that may be left unsaid (default none) is unsaid when unticked
            return True if raw == "true" else None if "default" in node and node["default"] is None else False
        return self._scalar_value(node, [node], raw)

    @staticmethod
    def _scalar_value(node: dict[str, Any], options: list[dict[str, Any]], raw: str) -> Any:
        text = raw.replace("\r\n", "\n").strip()
        if not text:
            return None
        kinds = {o.get("type") for o in options}
        if "integer" in kinds and re.fullmatch(r"-?\d{1,9}", text):
            return int(text)
        if "number" in kinds and _NUMBER.match(text.replace(",", "")):
            try:
                return Decimal(text.replace(",", ""))
            except InvalidOperation:
                return text
        if _DAY.match(text) and (any(o.get("format") == "date" for o in options) or "integer" in kinds):
            try:  # a day (the paper's date accepts a day, a month or a year)
                return dt.date.fromisoformat(text)
            except ValueError:
                return text
        return text


def apply_op(data: dict[str, Any], op: str, form: Form) -> dict[str, Any]:
    """The data with a list item added, removed or moved, or an optional group added or dropped
    (op: `add:f.funding`, `remove:f.funding.2`, `up:...`, `down:...`, `drop:f.precept`); an op
    that names no such place changes nothing."""
    try:
        return _apply_op(data, op, form)
    except (KeyError, IndexError, TypeError, AttributeError, ValueError):
        return data


def _apply_op(data: dict[str, Any], op: str, form: Form) -> dict[str, Any]:
    verb, _, name = op.partition(":")
    parts = name.split(".")
    if parts[0] != PREFIX or verb not in ("add", "remove", "up", "down", "drop") or len(parts) < 2:
        return data
    path: list[str | int] = [int(p) if p.isdigit() else p for p in parts[1:]]
    node = form.resolve(form.schema)
    holder: Any = data
    for part in path[:-1]:
        node = form.resolve(node["items"] if isinstance(part, int) else node.get("properties", {}).get(part, {}))
        if "anyOf" in node:
            node = next((o for o in node["anyOf"] if o.get("type") in ("object", "array")), node)
        holder = holder[part] if isinstance(part, int) and isinstance(holder, list) and part < len(holder) else \
            holder.setdefault(part, [] if node.get("type") == "array" else {}) if isinstance(holder, dict) else None
        if holder is None:
            return data
    last = path[-1]
    if verb == "add":
        target = form.resolve(node.get("properties", {}).get(last, {})) if isinstance(last, str) else {}
        if "anyOf" in target:
            target = next((o for o in target["anyOf"] if o.get("type") in ("object", "array")), target)
        if target.get("type") == "array" and isinstance(holder, dict):
            item = form.resolve(target.get("items", {}))
            holder.setdefault(last, [])
            if isinstance(holder[last], list):
                holder[last].append({} if item.get("type") == "object" else "")
        elif target.get("type") == "object" and isinstance(holder, dict):
            holder.setdefault(last, {})
        return data
    if isinstance(holder, dict) and verb == "drop":
        holder.pop(last, None)
    elif isinstance(holder, list) and isinstance(last, int) and last < len(holder):
        if verb == "remove":
            holder.pop(last)
        elif verb == "up" and last > 0:
            holder[last - 1], holder[last] = holder[last], holder[last - 1]
        elif verb == "down" and last + 1 < len(holder):
            holder[last + 1], holder[last] = holder[last], holder[last + 1]
    return data


# --- what the officer changed ------------------------------------------------------------------


class _Posted(HTMLParser):
    """The items a browser posts for a drawn form: each named input (a box only when ticked),
    each select's chosen option (else its first), each textarea's text."""

    def __init__(self) -> None:
        super().__init__()
        self.items: list[tuple[str, str]] = []
        self.select: str | None = None
        self.first: str | None = None
        self.chosen = False
        self.textarea: str | None = None
        self.text = ""

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        a = {k: v or "" for k, v in attrs}
        if tag == "input" and a.get("name") and a.get("type") not in ("submit", "button"):
            if a.get("type") != "checkbox" or "checked" in a:
                self.items.append((a["name"], a.get("value", "")))
        elif tag == "select":
            self.select, self.first, self.chosen = a.get("name"), None, False
        elif tag == "option" and self.select is not None:
            if self.first is None:
                self.first = a.get("value", "")
            if "selected" in a:
                self.items.append((self.select, a.get("value", "")))
                self.chosen = True
        elif tag == "textarea":
            self.textarea, self.text = a.get("name"), ""

    def handle_endtag(self, tag: str) -> None:
        if tag == "select" and self.select is not None:
            if not self.chosen and self.first is not None:
                self.items.append((self.select, self.first))
            self.select = None
        elif tag == "textarea" and self.textarea is not None:
            self.items.append((self.textarea, self.text[1:] if self.text.startswith("\n") else self.text))
            self.textarea = None

    def handle_data(self, data: str) -> None:
        if self.textarea is not None:
            self.text += data


def posted_items(html: str) -> list[tuple[str, str]]:
    parser = _Posted()
    parser.feed(html)
    return parser.items


def changed_only(form: Form, original: dict[str, Any], posted: dict[str, Any]) -> dict[str, Any]:
    """The record's data with only what the officer changed: where the form reads back as it
    was drawn from the file, the file's own value stays (a field the form cannot show, a value
    not one of its choices, a `false` it would leave unsaid, spaces around words); what the
    officer changed is theirs."""
    drawn = form.parse(posted_items(str(form.render(original, {}))), original)
    merged = _merge(original, drawn, posted)
    return merged if isinstance(merged, dict) else {}


_NOTHING = object()


def _merge(before: Any, drawn: Any, now: Any) -> Any:
    if now == drawn and type(now) is type(drawn):
        return before  # untouched: what the file says, whatever the form made of it
    if isinstance(before, dict) and isinstance(drawn, dict) and isinstance(now, dict):
        out: dict[str, Any] = {}
        for key in [*now, *(k for k in before if k not in now)]:
            if key in now:
                value = _merge(before.get(key, _NOTHING), drawn.get(key, _NOTHING), now[key])
                if value is not _NOTHING:
                    out[key] = value
            elif key not in drawn:  # a field the form never showed: the file keeps it
                out[key] = before[key]
        return out
    if isinstance(before, list) and isinstance(drawn, list) and isinstance(now, list) and len(before) == len(drawn) == len(now):
        return [_merge(b, d, n) for b, d, n in zip(before, drawn, now)]
    return now


def focus_after(op: str, data: dict[str, Any]) -> str:
    """Where the officer is after an op: the item added, moved, or the one now in the removed
    one's place (an id's start: f-funding-1); "" where there is none."""
    verb, _, name = op.partition(":")
    parts: list[str | int] = [int(p) if p.isdigit() else p for p in name.split(".")[1:]]
    try:
        if verb == "add":
            holder: Any = data
            for part in parts:
                holder = holder[part]
            return id_of((*parts, len(holder) - 1)) if isinstance(holder, list) and holder else id_of(tuple(parts))
        if verb in ("up", "down", "remove") and parts and isinstance(parts[-1], int):
            holder = data
            for part in parts[:-1]:
                holder = holder[part]
            index = parts[-1] + {"up": -1, "down": 1, "remove": 0}[verb]
            index = min(max(index, 0), len(holder) - 1)
            return id_of((*parts[:-1], index)) if index >= 0 else ""
    except (KeyError, IndexError, TypeError):
        return ""
    return ""


_FIELD_TAG = re.compile(r'<(input|select|textarea) (?![^>]*type="hidden")([^>]*?)id="([^"]+)"')


def focused(html: Markup, start: str) -> Markup:
    """The drawn form with its first field whose id starts with start given `autofocus`, so
    that the page opens where the officer was (and a keyboard stays there)."""
    if not start:
        return html
    text = str(html)  # (a Markup's pieces joined to a str would be escaped)
    for match in _FIELD_TAG.finditer(text):
        ident = match.group(3)
        if ident == start or ident.startswith(start + "-"):
            return Markup(text[:match.start()] + match.group(0).replace(" id=", " autofocus id=", 1) + text[match.end():])
    return html
