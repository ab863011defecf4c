"""What a person may submit, validated and cleaned before anything is stored.

Every text field passes through `hwtui.data.text` (control characters removed) and has
a length limit; errors name the field in words a clinician understands. The same models
check what an import file holds (`hwtui.data.import_checks`), validated with the
`IMPORTED` context: there a line break in a one-line field is an error instead of being
joined into the line, because a file is restored as it is, not tidied up.

The limits (the README lists them): no single field can make a note, a screen or a
query slow, and every date stays inside a calendar that date arithmetic cannot leave.
"""

from __future__ import annotations

from datetime import date
from typing import Annotated, Any, TypeVar

from pydantic import (
    AfterValidator,
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    ValidationError,
    ValidationInfo,
    field_serializer,
    field_validator,
)

from hwtui.data import catalog
from hwtui.data.errors import FieldProblem, InvalidInput
from hwtui.data.text import clean_block, clean_line

NAME_MAX = 120  # a client's or a clinician's display name
CODE_MAX = 20  # a client code
LINE_MAX = 200  # any other one-line field: a title, a value, a reason, "when", ...
TEXT_MAX = 20_000  # a multi-line field: the win, notes, instructions (~10 pages)
USERNAME_MAX = 64  # an OS username (who signed, who acknowledged)
ROLE_MAX = 20  # a clinician's role ("clinician")
REASON_MAX = 500  # why a signed review was amended
VALUES_MAX = 20  # values per client
GOALS_MAX = 50  # new goals agreed in one review
INTERVAL_MAX = 365  # days between reviews
# The calendar hwtui works in. Far enough either way for any record (and for a due date
# set years ahead), near enough that adding a review interval or a few weeks can never
# leave what `datetime.date` holds (year 9999).
DATE_MIN = date(1900, 1, 1)
DATE_MAX = date(2200, 12, 31)

# Validation context for rows read from an import file (see the module docstring).
IMPORTED = {"imported": True}


def _is_imported(info: ValidationInfo) -> bool:
    return bool(info.context and info.context.get("imported"))


def _line(value: Any, info: ValidationInfo) -> Any:
    if not isinstance(value, str):
        return value
    if _is_imported(info) and ("\n" in value or "\r" in value):
        raise ValueError("must be one line (it holds a line break)")
    return clean_line(value)


def _block(value: Any) -> Any:
    return clean_block(value) if isinstance(value, str) else value


def _file_safe_code(value: str) -> str:
    # The default file name of a saved note starts with the code: "../x" or "a/b" would
    # point it into another folder.
    if "/" in value or "\\" in value or ".." in value:
        raise ValueError("must not contain /, \\ or .. (notes are saved under its name)")
    return value


def _in_calendar(value: date) -> date:
    if not DATE_MIN <= value <= DATE_MAX:
        raise ValueError(f"must be between {DATE_MIN.year} and {DATE_MAX.year}")
    return value


Line = Annotated[str, BeforeValidator(_line), Field(max_length=LINE_MAX)]
RequiredLine = Annotated[str, BeforeValidator(_line), Field(min_length=1, max_length=LINE_MAX)]
Name = Annotated[str, BeforeValidator(_line), Field(min_length=1, max_length=NAME_MAX)]
Code = Annotated[
    str,
    BeforeValidator(_line),
    Field(min_length=1, max_length=CODE_MAX),
    AfterValidator(_file_safe_code),
]
Username = Annotated[str, BeforeValidator(_line), Field(max_length=USERNAME_MAX)]
Role = Annotated[str, BeforeValidator(_line), Field(min_length=1, max_length=ROLE_MAX)]
Reason = Annotated[str, BeforeValidator(_line), Field(max_length=REASON_MAX)]
Block = Annotated[str, BeforeValidator(_block), Field(max_length=TEXT_MAX)]
Confidence = Annotated[int, Field(ge=0, le=10)]
Rating = Annotated[int, Field(ge=0, le=catalog.SCALE_TOP)]  # `catalog.QUALITY`, `DIFFICULTY`
Times = Annotated[int, Field(ge=0, le=99)]
Day = Annotated[date, AfterValidator(_in_calendar)]


def _known(codes: frozenset[str] | set[str], what: str) -> Any:
    def check(values: list[str]) -> list[str]:
        unknown = [v for v in values if v not in codes]
        if unknown:
            raise ValueError(f"unknown {what}: {', '.join(unknown)}")
        # Keep the order given, drop repeats.
        return list(dict.fromkeys(values))

    return AfterValidator(check)


BarrierCodes = Annotated[list[str], _known(set(catalog.BARRIERS_BY_CODE), "barrier")]
FactorCodes = Annotated[list[str], _known(catalog.FACTOR_CODES, "factor")]


class _Input(BaseModel):
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=False)


class ClientInput(_Input):
    code: Code
    display_name: Name
    values: list[RequiredLine] = Field(default_factory=list, max_length=VALUES_MAX)
    review_interval_days: int = Field(default=7, ge=1, le=INTERVAL_MAX)

    @field_validator("values", mode="before")
    @classmethod
    def _drop_blank_values(cls, value: Any) -> Any:
        if isinstance(value, list | tuple):
            kept = [v for v in value if not (isinstance(v, str) and not clean_line(v))]
            # The same value twice is one value ("health; Health " included).
            seen: set[str] = set()
            unique = []
            for v in kept:
                key = clean_line(v).casefold() if isinstance(v, str) else v
                if key not in seen:
                    seen.add(key)
                    unique.append(v)
            return unique
        return value


class AssignmentInput(_Input):
    title: RequiredLine
    kind: str = "custom"
    instructions: Block = ""
    rationale: Block = ""
    what: Block = ""
    when: Line = ""
    where: Line = ""
    how_often: Line = ""
    how_long: Line = ""
    value_id: int | None = None
    obstacles: BarrierCodes = Field(default_factory=list)
    confidence: Confidence | None = None
    due_date: Day | None = None
    rationale_given: bool = False
    decided_together: bool = False
    started_in_session: bool = False
    reminder_set: bool = False

    @field_validator("kind")
    @classmethod
    def _known_kind(cls, value: str) -> str:
        if value not in catalog.KINDS_BY_CODE:
            raise ValueError(f"unknown homework kind {value!r}")
        return value


class OutcomeInput(_Input):
    assignment_id: int
    outcome: catalog.Outcome
    discussed: bool = False
    factors: FactorCodes = Field(default_factory=list)
    factor_notes: dict[str, Block] = Field(default_factory=dict)
    worked_notes: Block = ""
    double_down: Block = ""
    barriers: BarrierCodes = Field(default_factory=list)
    barrier_notes: Block = ""
    learned: Block = ""
    belief: Block = ""
    quality: Rating | None = None
    difficulty: Rating | None = None
    times_done: Times | None = None
    times_planned: Annotated[int, Field(ge=1, le=99)] | None = None

    @field_validator("factor_notes")
    @classmethod
    def _notes_for_known_factors(cls, value: dict[str, str]) -> dict[str, str]:
        unknown = set(value) - catalog.FACTOR_CODES
        if unknown:
            raise ValueError(f"unknown factor: {', '.join(sorted(unknown))}")
        return {k: v for k, v in value.items() if v}


class RiskCheck(_Input):
    """A risk check recorded in a review (`catalog.RISK_QUESTIONS`): what was asked, the
    client's answers, the clinician's level, the safety plan and the follow-up. A draft
    may hold part of one; `missing()` says what signing still needs."""

    asked: Block = ""
    ideation: catalog.RiskAnswer | None = None
    plan: catalog.RiskAnswer | None = None
    intent: catalog.RiskAnswer | None = None
    means: catalog.RiskAnswer | None = None
    level: catalog.RiskLevel | None = None
    safety_plan: catalog.SafetyPlan | None = None
    follow_up: Block = ""

    def missing(self) -> list[str]:
        """What is not recorded yet, in plain words (empty when the check is complete)."""
        out = [] if self.asked.strip() else ["what was asked"]
        out += [label for name, label in catalog.RISK_QUESTIONS.items() if not getattr(self, name)]
        if self.level is None:
            out.append("your risk level")
        if self.safety_plan is None:
            out.append("the safety plan")
        if not self.follow_up.strip():
            out.append("the follow-up")
        return out

    def is_empty(self) -> bool:
        return self == RiskCheck()


class GoalInput(AssignmentInput):
    """A new, smaller goal agreed in a review; `parent_id` is the task it supports."""

    parent_id: int | None = None


class ReviewDraftInput(_Input):
    """Everything a review holds while it is being filled in."""

    win_text: Block = ""
    win_kind: catalog.WinKind | None = None
    # The step the clinician is on, by code: a draft resumes there.
    step: catalog.ReviewStep = catalog.ReviewStep.OUTCOMES
    skipped: dict[str, Line] = Field(default_factory=dict)
    outcomes: list[OutcomeInput] = Field(default_factory=list)
    goals: list[GoalInput] = Field(default_factory=list, max_length=GOALS_MAX)
    risk: RiskCheck = Field(default_factory=RiskCheck)

    @field_serializer("risk")
    def _risk_as_stored(self, risk: RiskCheck) -> dict[str, Any]:
        # Stored with only what was recorded: an untouched check is `{}`.
        return risk.model_dump(mode="json", exclude_defaults=True)

    @field_validator("skipped")
    @classmethod
    def _known_steps(cls, value: dict[str, str]) -> dict[str, str]:
        # Stored by step code: the screen looks reasons up by these codes only.
        unknown = set(value) - {step.value for step in catalog.ReviewStep}
        if unknown:
            raise ValueError(f"unknown review step: {', '.join(sorted(unknown))}")
        return value


class MeasureInput(_Input):
    instrument: str
    items: list[int]
    question: Line = ""

    @field_validator("instrument")
    @classmethod
    def _known_instrument(cls, value: str) -> str:
        if value not in catalog.INSTRUMENTS_BY_CODE:
            raise ValueError(f"unknown measure {value!r}")
        return value

    @field_validator("items")
    @classmethod
    def _items_of_the_instrument(cls, value: list[int], info: ValidationInfo) -> list[int]:
        spec = catalog.INSTRUMENTS_BY_CODE.get(info.data.get("instrument", ""))
        if spec is None:
            return value  # the instrument's own problem is reported
        problem = spec.item_problem(value)
        if problem is not None:
            raise ValueError(problem)
        return value


M = TypeVar("M", bound=BaseModel)


def parse(model: type[M], **data: Any) -> M:
    """Validate *data* as *model*, or raise InvalidInput with one problem per field."""
    try:
        return model.model_validate(data)
    except ValidationError as exc:
        raise InvalidInput([field_problem(err) for err in exc.errors()]) from None


def field_problem(err: Any) -> FieldProblem:
    """One of pydantic's errors as a problem with a field, in a clinician's words."""
    loc = [str(p) for p in err["loc"] if not isinstance(p, int)]
    field = loc[-1] if loc else "input"
    if loc and loc[0] in {"outcomes", "goals", "values"} and len(loc) > 1:
        field = loc[-1]
    kind = err["type"]
    ctx = err.get("ctx") or {}
    value = err.get("input")
    # With a BeforeValidator, pydantic reports string lengths as generic too_short/too_long.
    is_text = isinstance(value, str)
    if kind in {"string_too_short", "missing"} or (kind == "too_short" and is_text):
        message = "is required"
    elif kind == "string_too_long" or (kind == "too_long" and is_text):
        message = f"is too long ({len(value)} characters; the limit is {ctx.get('max_length')})"
    elif kind == "too_long":
        message = f"has too many entries (the limit is {ctx.get('max_length')})"
    elif kind in {"greater_than_equal", "less_than_equal"} and field == "confidence":
        message = f"must be between 0 and 10 (got {value})"
    elif kind == "greater_than_equal":
        message = f"must be at least {ctx.get('ge')} (got {value})"
    elif kind == "less_than_equal":
        message = f"must be at most {ctx.get('le')} (got {value})"
    elif kind in {"int_parsing", "int_type", "int_from_float"}:
        message = "must be a whole number"
    elif kind in {"date_parsing", "date_from_datetime_parsing", "date_type"}:
        message = "is not a date (use YYYY-MM-DD)"
    elif kind == "enum":
        message = f"must be one of {ctx.get('expected')}"
    elif kind == "extra_forbidden":
        message = "is not a field hwtui knows"
    else:
        message = str(err["msg"]).removeprefix("Value error, ")
    return FieldProblem(field, message)
