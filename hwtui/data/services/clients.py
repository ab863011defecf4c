"""Clients and their values, always within the acting clinician's caseload."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from sqlmodel import Session, col, select

from hwtui.data.errors import InvalidInput, NotFound
from hwtui.data.inputs import ClientInput, parse
from hwtui.data.models import Client, ClientValue, utcnow
from hwtui.data.services import audit
from hwtui.data.services.identity import Actor


def get_client(session: Session, me: Actor, client_id: int) -> Client:
    """A client in my caseload, or NotFound (another clinician's client is not found)."""
    client = session.get(Client, client_id)
    if client is None or client.clinician_id != me.clinician_id:
        raise NotFound(f"no client with id {client_id} in your caseload")
    return client


def find_client(session: Session, me: Actor, code: str) -> Client:
    client = session.exec(
        select(Client).where(Client.clinician_id == me.clinician_id, Client.code == code)
    ).first()
    if client is None:
        raise NotFound(f"no client with code {code!r} in your caseload")
    return client


def _check_code_free(session: Session, me: Actor, code: str, except_id: int | None) -> None:
    clash = session.exec(
        select(Client.id).where(Client.clinician_id == me.clinician_id, Client.code == code)
    ).first()
    if clash is not None and clash != except_id:
        raise InvalidInput.one("code", f"{code!r} is already used by another client")


def create_client(
    session: Session,
    me: Actor,
    *,
    code: str,
    display_name: str,
    values: Sequence[str] = (),
    review_interval_days: int = 7,
) -> Client:
    data = parse(
        ClientInput,
        code=code,
        display_name=display_name,
        values=list(values),
        review_interval_days=review_interval_days,
    )
    _check_code_free(session, me, data.code, None)
    client = Client(
        clinician_id=me.clinician_id,
        code=data.code,
        display_name=data.display_name,
        review_interval_days=data.review_interval_days,
    )
    session.add(client)
    session.flush()
    assert client.id is not None
    for position, text in enumerate(data.values):
        session.add(ClientValue(client_id=client.id, text=text, position=position))
    audit.record(session, me, "create", "client", client.id, client_id=client.id)
    session.flush()
    return client


def update_client(session: Session, me: Actor, client_id: int, **changes: Any) -> Client:
    """Change code, name or review interval; unknown fields are an error."""
    client = get_client(session, me, client_id)
    current = {
        "code": client.code,
        "display_name": client.display_name,
        "review_interval_days": client.review_interval_days,
    }
    data = parse(ClientInput, **(current | changes))
    _check_code_free(session, me, data.code, client.id)
    client.code = data.code
    client.display_name = data.display_name
    client.review_interval_days = data.review_interval_days
    client.updated_at = utcnow()
    session.add(client)
    audit.record(
        session,
        me,
        "update",
        "client",
        client_id,
        client_id=client_id,
        detail=",".join(sorted(changes)),
    )
    session.flush()
    return client


def archive_client(session: Session, me: Actor, client_id: int) -> Client:
    client = get_client(session, me, client_id)
    if client.archived_at is None:
        client.archived_at = utcnow()
        client.updated_at = client.archived_at
        session.add(client)
        audit.record(session, me, "archive", "client", client_id, client_id=client_id)
        session.flush()
    return client


def list_values(session: Session, me: Actor, client_id: int) -> list[ClientValue]:
    get_client(session, me, client_id)
    return list(
        session.exec(
            select(ClientValue)
            .where(ClientValue.client_id == client_id, col(ClientValue.archived_at).is_(None))
            .order_by(col(ClientValue.position), col(ClientValue.id))
        )
    )


def get_value(session: Session, me: Actor, value_id: int) -> ClientValue:
    """One value of a client in my caseload, archived or not (homework may still link it)."""
    value = session.get(ClientValue, value_id)
    if value is None:
        raise NotFound(f"no value with id {value_id}")
    get_client(session, me, value.client_id)  # raises NotFound outside my caseload
    return value


def set_values(
    session: Session, me: Actor, client_id: int, values: Sequence[str]
) -> list[ClientValue]:
    """Replace the client's values. Values linked from homework are archived, not deleted."""
    client = get_client(session, me, client_id)
    data = parse(
        ClientInput, code=client.code, display_name=client.display_name, values=list(values)
    )
    existing = {v.text: v for v in list_values(session, me, client_id)}
    now = utcnow()
    for text, row in existing.items():
        if text not in data.values:
            row.archived_at = now
            session.add(row)
    for position, text in enumerate(data.values):
        row = existing.get(text) or ClientValue(client_id=client_id, text=text)
        row.position = position
        session.add(row)
    audit.record(session, me, "update", "client_value", None, client_id=client_id)
    session.flush()
    return list_values(session, me, client_id)
