"""Session measures (scaling, SUDS, ORS, SRS, PHQ-9, GAD-7): items checked, total computed."""

from __future__ import annotations

from datetime import datetime

from sqlmodel import Session

from hwtui.data.errors import InvalidInput
from hwtui.data.inputs import MeasureInput, parse
from hwtui.data.models import Measure, utcnow
from hwtui.data.services import audit
from hwtui.data.services.clients import get_client
from hwtui.data.services.identity import Actor
from hwtui.data.services.reviews import get_review


def record_measure(
    session: Session,
    me: Actor,
    client_id: int,
    instrument: str,
    items: list[int],
    *,
    review_id: int | None = None,
    question: str = "",
    taken_at: datetime | None = None,
) -> Measure:
    get_client(session, me, client_id)
    # The model checks the items against the instrument (count and range).
    data = parse(MeasureInput, instrument=instrument, items=items, question=question)
    if review_id is not None and get_review(session, me, review_id).client_id != client_id:
        raise InvalidInput.one("review_id", "belongs to another client")
    measure = Measure(
        client_id=client_id,
        review_id=review_id,
        instrument=data.instrument,
        items=list(data.items),
        total=sum(data.items),
        question=data.question,
        taken_at=taken_at or utcnow(),
    )
    session.add(measure)
    session.flush()
    audit.record(session, me, "create", "measure", measure.id, client_id=client_id)
    return measure
