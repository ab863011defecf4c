"""The clinician's private process notes on a review ("psychotherapy notes", US 45 CFR
164.501): kept apart from the record, in `process_note`, and nowhere else.

Nothing that builds a progress note, a handout, an export or the client's view reads
that table: the notes reach a screen only through `process_note` here, and leave hwtui
only in an export asked for with `--process-notes` (`hwtui.data.export`).

A review's process notes belong to the session, so they are kept on the review's first
version: an amendment (a new version of a signed review) shows and changes the same
notes, which it would otherwise leave behind. Audit events name that review (`entity_id`
is its id, as the progress note's events do): a view of notes not written yet is a view
too. The text itself is never put in an event.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime

from pydantic import BaseModel, ConfigDict
from sqlmodel import Session, select

from hwtui.data.inputs import Block, parse
from hwtui.data.models import ProcessNote, Review, utcnow
from hwtui.data.services import audit
from hwtui.data.services.clients import get_client
from hwtui.data.services.identity import Actor
from hwtui.data.services.review_chain import first_version
from hwtui.data.services.reviews import get_review

ENTITY = str(ProcessNote.__tablename__)


class ProcessNoteInput(BaseModel):
    """Typed process notes: control characters removed, at most `TEXT_MAX` characters."""

    model_config = ConfigDict(extra="forbid")

    text: Block = ""


@dataclass(frozen=True, slots=True)
class ProcessNoteView:
    """A review's process notes, with what their screen says about the review."""

    review_id: int  # the review they are kept on: the session's first version
    client_id: int
    client_code: str
    client_name: str
    session_date: date
    text: str  # "" when there are none
    updated_at: datetime | None  # None when there are none


def _session_review(session: Session, me: Actor, review_id: int, *, lock: bool) -> Review:
    """The first version of *review_id* (mine, of my client, or NotFound); *lock*: locked
    until the transaction ends, so that two saves of the same notes take turns."""
    first = first_version(session, me, get_review(session, me, review_id))
    assert first.id is not None
    return get_review(session, me, first.id, for_update=True) if lock else first


def _find(session: Session, me: Actor, review: Review) -> ProcessNote | None:
    return session.exec(
        select(ProcessNote).where(
            ProcessNote.review_id == review.id,
            ProcessNote.clinician_id == me.clinician_id,
            ProcessNote.client_id == review.client_id,
        )
    ).first()


def _view(session: Session, me: Actor, review: Review, row: ProcessNote | None) -> ProcessNoteView:
    client = get_client(session, me, review.client_id)
    assert review.id is not None
    return ProcessNoteView(
        review_id=review.id,
        client_id=review.client_id,
        client_code=client.code,
        client_name=client.display_name,
        session_date=review.session_date,
        text=row.text if row else "",
        updated_at=row.updated_at if row else None,
    )


def process_note(session: Session, me: Actor, review_id: int) -> ProcessNoteView:
    """The process notes of review *review_id* (any version of it), "" if none yet.
    Only my own, on my own client's review; reading them is audited."""
    review = _session_review(session, me, review_id, lock=False)
    row = _find(session, me, review)
    audit.record(session, me, "view", ENTITY, review.id, client_id=review.client_id)
    return _view(session, me, review, row)


def save_process_note(session: Session, me: Actor, review_id: int, text: str) -> ProcessNoteView:
    """Store *text* as the process notes of review *review_id* (any version of it),
    cleaned as every typed text is; InvalidInput if it is too long.

    Empty text (or only spaces) deletes the notes: no row is left to be exported, and a
    clinician who clears them has removed them. Text equal to what is stored changes
    nothing and records nothing; a create, an update and a delete are each audited.
    """
    cleaned = parse(ProcessNoteInput, text=text).text
    review = _session_review(session, me, review_id, lock=True)
    row = _find(session, me, review)
    if row is not None and row.text == cleaned:
        return _view(session, me, review, row)
    if not cleaned:
        if row is not None:
            session.delete(row)
            session.flush()
            audit.record(session, me, "delete", ENTITY, review.id, client_id=review.client_id)
        return _view(session, me, review, None)
    assert review.id is not None
    action = "update"
    if row is None:
        action = "create"
        row = ProcessNote(
            review_id=review.id, clinician_id=me.clinician_id, client_id=review.client_id
        )
    row.text = cleaned
    row.updated_at = utcnow()
    session.add(row)
    session.flush()
    audit.record(session, me, action, ENTITY, review.id, client_id=review.client_id)
    return _view(session, me, review, row)
