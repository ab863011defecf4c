"""Errors a person can act on. The CLI prints them as one line; screens show them by the field."""

from __future__ import annotations

from dataclasses import dataclass


class HwtuiError(Exception):
    """A user-facing error: its message is shown as is, without a traceback."""


class NotFound(HwtuiError):
    pass


class DatabaseProblem(HwtuiError):
    """The database cannot be opened, read or written."""


# How a field is named to a person when its id is not plain English.
FIELD_LABELS = {
    "display_name": "name",
    "value_id": "linked value",
    "win_text": "win",
    "minutes": "session length",
}


@dataclass(frozen=True, slots=True)
class FieldProblem:
    field: str  # the input's field id, which screens map to their widgets
    message: str

    def __str__(self) -> str:
        label = FIELD_LABELS.get(self.field, self.field.replace("_", " "))
        return f"{label} {self.message}"


class InvalidInput(HwtuiError):
    """One or more fields are wrong; each problem names its field."""

    def __init__(self, problems: list[FieldProblem]) -> None:
        self.problems = problems
        super().__init__("; ".join(str(p) for p in problems))

    @classmethod
    def one(cls, field: str, message: str) -> InvalidInput:
        return cls([FieldProblem(field, message)])

    def for_field(self, field: str) -> str | None:
        return next((p.message for p in self.problems if p.field == field), None)
