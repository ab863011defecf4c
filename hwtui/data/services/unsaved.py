"""Words typed into a form and not saved yet, kept per clinician and place.

Every screen that takes typed text keeps what is in its fields here a few seconds after
typing stops, and at once when the session ends (SSH dropped, stopped, idle logoff, a
crash). Coming back to the same place offers it back exactly; saving or discarding the
form forgets it. Rows of another reason (a review draft taken over by another session,
see `reviews.keep_unsaved`) are kept until the clinician deals with them.
"""

from __future__ import annotations

from typing import Any

from sqlmodel import Session, col, delete, select

from hwtui.data.models import UnsavedInput, utcnow
from hwtui.data.services import audit
from hwtui.data.services.clients import get_client
from hwtui.data.services.identity import Actor

TYPING = "typed, not saved yet"
PLACE_MAX = 100


def keep_typing(
    session: Session,
    me: Actor,
    place: str,
    fields: dict[str, Any],
    text: str,
    *,
    client_id: int | None = None,
) -> UnsavedInput:
    """Keep what a form at *place* holds now (one row per place, replaced each time)."""
    if client_id is not None:
        get_client(session, me, client_id)  # the client must be the clinician's
    row = _find(session, me, place)
    if row is None:
        row = UnsavedInput(
            clinician_id=me.clinician_id, client_id=client_id, place=place[:PLACE_MAX]
        )
    row.reason, row.fields, row.text, row.saved_at = TYPING, fields, text, utcnow()
    session.add(row)
    session.flush()
    audit.record(session, me, "keep", "unsaved_input", row.id, client_id=client_id)
    return row


def typed(session: Session, me: Actor, place: str) -> UnsavedInput | None:
    """What was kept at *place*, if anything; reading it is audited like any client data."""
    row = _find(session, me, place)
    if row is not None:
        audit.record(session, me, "view", "unsaved_input", row.id, client_id=row.client_id)
    return row


def forget_typing(session: Session, me: Actor, place: str) -> None:
    """The form was saved or discarded: what was kept for it goes."""
    row = _find(session, me, place)
    if row is None:
        return
    session.execute(delete(UnsavedInput).where(col(UnsavedInput.id) == row.id))
    audit.record(session, me, "delete", "unsaved_input", row.id, client_id=row.client_id)


def _find(session: Session, me: Actor, place: str) -> UnsavedInput | None:
    return session.exec(
        select(UnsavedInput)
        .where(
            UnsavedInput.clinician_id == me.clinician_id,
            UnsavedInput.place == place[:PLACE_MAX],
            UnsavedInput.reason == TYPING,
        )
        .order_by(col(UnsavedInput.id).desc())
    ).first()
