"""The fields of a homework task as the clinician sees them: labels, hints and order.

One table for the assignment editor (screens/assign.py) and the review's goal step
(widgets/steps/goal.py), so a field is renamed or explained in one place.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

Shape = Literal["line", "area", "kind", "value", "obstacles", "checklist"]


@dataclass(frozen=True, slots=True)
class FieldSpec:
    name: str  # the widget id in the editor
    label: str
    placeholder: str = ""
    shape: Shape = "line"
    # The `AssignmentForm` attribute it holds, when not *name*.
    attr: str = ""

    @property
    def form_attr(self) -> str:
        return self.attr or self.name


FIELDS: tuple[FieldSpec, ...] = (
    FieldSpec("title", "Title", "a short name the client will recognise"),
    FieldSpec("kind", "Kind", shape="kind"),
    # A few lines each: the kind's default text is long, and the client should hear all.
    FieldSpec(
        "instructions", "Instructions", "how to do it (choosing a kind fills this in)", "area"
    ),
    FieldSpec("rationale", "Rationale", "why it helps, in the client's words", "area"),
    FieldSpec("what", "What", "the exact action"),
    FieldSpec("when", "When", "e.g. Tuesday after dinner"),
    FieldSpec("where", "Where", "e.g. at the kitchen table"),
    FieldSpec("how_often", "How often", "e.g. once this week"),
    FieldSpec("how_long", "How long", "e.g. 10 minutes"),
    FieldSpec("due_date", "Due", "YYYY-MM-DD, today, tomorrow or a weekday (fri)", attr="due"),
    FieldSpec("value_id", "Value", shape="value"),
    FieldSpec("obstacles", "Obstacles", shape="obstacles"),
    FieldSpec("confidence", "Confidence", "0-10: how sure are they that they'll do it?"),
    FieldSpec("checklist", "Checklist", shape="checklist"),
)
BY_NAME = {spec.name: spec for spec in FIELDS}
FORM_ORDER = tuple(spec.name for spec in FIELDS)
LINES = {spec.name: spec for spec in FIELDS if spec.shape == "line"}
AREAS = {spec.name: spec for spec in FIELDS if spec.shape == "area"}
# The five specifics and the title, as the review's goal step asks for them.
GOAL_LINES = ("title", "what", "when", "where", "how_often", "how_long")


def label_of(name: str) -> str:
    spec = BY_NAME.get(name)
    return spec.label if spec else "other"
