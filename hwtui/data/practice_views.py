"""What `Practice` answers some questions with: read together for one screen, beyond the
services' own read models. A module of its own, imported when first answered: the
caseload, the first screen, imports `practice` while the clinician waits, and building
these classes took most of that import."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from hwtui.data.assignment_form import AssignmentForm
    from hwtui.data.models import Assignment, Client, Review
    from hwtui.data.notes import Note
    from hwtui.data.services.caseload import ClientBrief
    from hwtui.data.services.identity import Signature
    from hwtui.data.services.progress import Progress, Win
    from hwtui.data.services.reviews import ReviewContext


@dataclass(frozen=True, slots=True)
class ClientOverview:
    """The client overview: the brief and the history its chart draws, read together."""

    brief: ClientBrief
    progress: Progress


@dataclass(frozen=True, slots=True)
class ClientFacing:
    """What the screen turned toward the client shows."""

    client: Client
    progress: Progress
    wins: list[Win]
    goals: list[Assignment]


@dataclass(frozen=True, slots=True)
class SignForm:
    """What signing records: the assessment, the session's length (minutes) and how
    it was held (`catalog.Modality` value), and the signature's name and credentials."""

    assessment: str
    minutes: int | None = None
    modality: str | None = None
    name: str = ""
    credentials: str = ""


@dataclass(frozen=True, slots=True)
class RecordView:
    """A finished review as the record screen shows it: the review, its note as text
    and every version of it (amendments), oldest first."""

    ctx: ReviewContext
    note: str
    versions: list[Review]
    # The note itself, so that a screen narrower than the text file's 78 columns can
    # wrap it for its own width (words hang under their line, none left on its own).
    document: Note | None = None
    # How the clinician signs (name, credentials), to offer when signing.
    signature: Signature | None = None
    # A start for the clinician's assessment, from what was recorded (`suggest_assessment`).
    suggestion: str = ""

    @property
    def is_latest(self) -> bool:
        return self.versions[-1].id == self.ctx.review.id


@dataclass(frozen=True, slots=True)
class EditorSetup:
    """What the assignment editor needs from the database, loaded once when it opens."""

    code: str
    values: list[tuple[int, str]]
    form: AssignmentForm | None
    # Titles of the goals this one supports, oldest first.
    chain: list[str] = field(default_factory=list)
