"""The editor's form, made from the record's JSON Schema: every record of every office drawn as
a form and read back as a browser would post it gives the record's own data."""

from __future__ import annotations

from pathlib import Path

import pytest

from engine.office import load_office
from engine.schema import schema_data
from engine.serve.form import Form, apply_op
from engine.yaml_source import read_yaml

from .support import ROOT
from .test_serve import form_of

OFFICES = [ROOT / "office.yaml", *sorted((ROOT / "examples").glob("*/office.yaml"))]
RECORDS = [(office, record) for office in OFFICES for record in sorted((office.parent / "records").rglob("*.yaml"))]


def drawn(form: Form, data: dict, problems: dict | None = None) -> str:
    return f'<form id="ed-form">{form.render(data, problems or {})}</form>'


@pytest.mark.parametrize("office,record", RECORDS, ids=[f"{o.parent.name}/{r.name}" for o, r in RECORDS])
def test_every_record_comes_back_from_its_form_as_it_went_in(office: Path, record: Path) -> None:
    form = Form(schema_data(load_office(office)))
    data = read_yaml(record).data
    assert form.parse(form_of(drawn(form, data)), data) == data


def test_a_fields_problem_is_drawn_beside_it_and_tied_to_it() -> None:
    form = Form(schema_data(load_office(ROOT / "office.yaml")))
    data = read_yaml(ROOT / "records" / "2021-2024" / "PCC-D-102.yaml").data
    page = drawn(form, data, {"funding[0].amount": ["error: Input should be greater than or equal to 0"]})
    assert ('aria-invalid="true" aria-describedby="f-funding-0-amount-hint f-funding-0-amount-problems"' in page
            or 'aria-invalid="true" aria-describedby="f-funding-0-amount-problems"' in page)
    assert '<ul class="ed-problems" id="f-funding-0-amount-problems"><li>error: Input should be greater than or equal to 0</li></ul>' in page


def test_words_an_officer_types_are_text_on_the_page() -> None:
    form = Form(schema_data(load_office(ROOT / "office.yaml")))
    page = drawn(form, {"subject": '<script>alert(1)</script> & "quotes"'})
    assert "<script>alert" not in page and "&lt;script&gt;alert(1)&lt;/script&gt; &amp; &#34;quotes&#34;" in page


def test_list_items_are_added_moved_and_removed() -> None:
    form = Form(schema_data(load_office(ROOT / "office.yaml")))
    data = {"funding": [{"service": "A"}, {"service": "B"}]}
    assert apply_op(data, "down:f.funding.0", form) == {"funding": [{"service": "B"}, {"service": "A"}]}
    assert apply_op(data, "up:f.funding.1", form) == {"funding": [{"service": "A"}, {"service": "B"}]}
    assert apply_op(data, "add:f.funding", form) == {"funding": [{"service": "A"}, {"service": "B"}, {}]}
    assert apply_op(data, "remove:f.funding.2", form) == {"funding": [{"service": "A"}, {"service": "B"}]}
    assert apply_op({}, "add:f.precept", form) == {"precept": {}}
    assert apply_op({"sections": [{"heading": "H"}]}, "add:f.sections.0.content", form) == {"sections": [{"heading": "H", "content": [""]}]}
    for hostile in ("add:f.funding.999.x", "remove:f.nothing.3", "up:f", "bogus:f.funding", "add:../etc", "remove:f.funding.x"):
        apply_op({"funding": [{"service": "A"}]}, hostile, form)  # never an exception
