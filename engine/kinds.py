"""Kinds of decision: the engine's, in this one place, and an office's own from office.yaml.

A kind says which typed facts a decision of that kind is expected to give (the `kind-facts`
rule asks for them) and which of the rules that only some kinds need apply to it. Any kind
neither the engine nor the office declares is an error (the `kind` rule), and the JSON Schema
lists them all, so editors complete them.
"""

from __future__ import annotations

import re
from typing import Annotated

from pydantic import AfterValidator, Field

from .model import Line, Model, Text

# The facts a kind can expect: the Decision's typed fields. "a|b" means either will do.
FACTS = ("funding", "funds", "award_groups", "precept", "route_to_market", "history", "links", "documents",
         "addendum_to", "financial_year", "period", "specification")


def _facts(value: str) -> str:
    for name in value.split("|"):
        if name not in FACTS:
            raise ValueError(f"'{name}' is not a fact a kind can expect (facts: {', '.join(FACTS)}); join alternatives with |")
    return value


Fact = Annotated[str, AfterValidator(_facts)]


class Kind(Model):
    label: Line = Field(description="How the register names the kind, e.g. Grants round")
    description: Text | None = None
    expects: list[Fact] = Field(default_factory=list, description="Facts a decision of this kind gives, e.g. funding, or funding|route_to_market for either")
    rules: list[Line] = Field(default_factory=list, description="Rules that apply only to some kinds and apply to this one")



# Rules that only some kinds need: the procurement rules for decisions that buy or fund by
# competition, the precept's rules for a precept. (Every other rule applies to every kind.)
PROCUREMENT = ["application-counts", "response-deadline", "spec-competition"]
# Every rule that runs only for the kinds that name it; every other rule runs for every kind,
# and an office's kind can neither name it nor switch it off.
KIND_ONLY_RULES = frozenset([*PROCUREMENT, "precept-band-d"])

ENGINE_KINDS: dict[str, Kind] = {
    "funding_allocation": Kind(label="Funding allocation", description="Money given to named recipients or services",
                               expects=["funding"], rules=PROCUREMENT),
    "grants_round": Kind(label="Grants round", description="A round of grants: opened with its limits, or its awards made",
                         expects=["funding|route_to_market"], rules=PROCUREMENT),
    "contract_award": Kind(label="Contract award", description="A contract let after a procurement",
                           expects=["funding", "route_to_market"], rules=PROCUREMENT),
    "commissioning": Kind(label="Commissioning", description="A service commissioned, or a commissioning process started, paused or ended",
                          expects=[], rules=PROCUREMENT),
    "precept_and_budget": Kind(label="Precept and budget", description="The precept, the budget, council tax by band",
                               expects=["precept|financial_year"], rules=["precept-band-d"]),
    "policy_or_governance": Kind(label="Policy or governance", description="Policy, governance arrangements, delegations"),
    "appointment": Kind(label="Appointment", description="An appointment, e.g. of a chief officer"),
    "research": Kind(label="Research", description="Research, evaluation or needs assessment commissioned"),
    "amendment": Kind(label="Amendment", description="A decision that amends, supersedes or corrects another",
                      expects=["links|addendum_to"]),
}

_NAME = re.compile(r"[a-z][a-z0-9_]*", re.ASCII)


def check_kind_name(name: str) -> str:
    if not _NAME.fullmatch(name):
        raise ValueError(f"a kind's name is lower case letters, digits and _, e.g. decisions_log, not '{name}'")
    return name
