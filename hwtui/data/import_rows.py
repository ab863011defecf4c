"""What each table's rows in an import file must satisfy, field by field.

Each model extends the one typed input is checked by (`hwtui.data.inputs`) with the
columns only a stored row has: a status, a version, a total, who signed. Validated with
the `IMPORTED` context by `hwtui.data.import_checks`; what they return is what is stored.
A table without a model here is checked by its columns' types alone.
"""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict, Field, ValidationInfo, field_validator

from hwtui.data.catalog import AssignmentStatus, Modality, ReviewStatus
from hwtui.data.inputs import (
    GOALS_MAX,
    AssignmentInput,
    Block,
    ClientInput,
    Day,
    GoalInput,
    Line,
    MeasureInput,
    Name,
    OutcomeInput,
    Reason,
    RequiredLine,
    ReviewDraftInput,
    Role,
    Username,
)
from hwtui.data.models import (
    Assignment,
    Client,
    ClientValue,
    Clinician,
    Measure,
    ProcessNote,
    Review,
    TaskOutcome,
)
from hwtui.data.notes import NoteStyle
from hwtui.data.services.review_chain import VERSIONS_MAX
from hwtui.data.services.reviews import ASSESSMENT_MAX, SESSION_MINUTES_MAX

POSITION_MAX = 1_000  # a client value's place in the list


class _Row(BaseModel):
    model_config = ConfigDict(extra="forbid")


class ClinicianRow(_Row):
    display_name: Name
    role: Role
    note_format: NoteStyle
    credentials: Line = ""


class ClientRow(ClientInput):
    """The add-client rules; the client's values are rows of client_value."""


class ValueRow(_Row):
    text: RequiredLine
    position: int = Field(ge=0, le=POSITION_MAX)


class AssignmentRow(AssignmentInput):
    status: AssignmentStatus
    status_reason: Line = ""
    parent_id: int | None = None
    created_in_review_id: int | None = None


class ReviewRow(ReviewDraftInput):
    """A review as saved: its draft goals are what the review screen rebuilds on resume
    (GoalInput, as `save_draft` stores them); its version chain is checked across rows."""

    session_date: Day
    status: ReviewStatus
    draft_goals: list[GoalInput] = Field(default_factory=list, max_length=GOALS_MAX)
    version: int = Field(ge=1, le=VERSIONS_MAX)
    amends_id: int | None = None
    amend_reason: Reason = ""
    signed_by: Username = ""
    signed_as: Line = ""
    signed_credentials: Line = ""
    session_minutes: int | None = Field(default=None, ge=1, le=SESSION_MINUTES_MAX)
    modality: Modality | None = None
    assessment: str = Field(default="", max_length=ASSESSMENT_MAX)


class OutcomeRow(OutcomeInput):
    review_id: int


class MeasureRow(MeasureInput):
    """Items checked against the instrument; the stored total is their sum, as recorded."""

    total: int
    acknowledged_by: Username = ""

    @field_validator("total")
    @classmethod
    def _sum_of_items(cls, value: int, info: ValidationInfo) -> int:
        items = info.data.get("items")
        if items is not None and value != sum(items):
            raise ValueError(f"is {value} but the items add up to {sum(items)}")
        return value


class ProcessNoteRow(_Row):
    """The clinician's private notes on a review (in a file exported with them)."""

    text: Block


# The model of each table's rows, by table name.
ROW_MODELS: dict[str, type[BaseModel]] = {
    str(Clinician.__tablename__): ClinicianRow,
    str(Client.__tablename__): ClientRow,
    str(ClientValue.__tablename__): ValueRow,
    str(Assignment.__tablename__): AssignmentRow,
    str(Review.__tablename__): ReviewRow,
    str(TaskOutcome.__tablename__): OutcomeRow,
    str(Measure.__tablename__): MeasureRow,
    str(ProcessNote.__tablename__): ProcessNoteRow,
}
