"""A review's current version: the one no later review amends (an amendment is a new
review whose `amends_id` names the one it replaces)."""

from __future__ import annotations

from typing import Any

from sqlalchemy import Subquery, exists
from sqlalchemy.orm import aliased
from sqlmodel import col, select

from hwtui.data.catalog import ReviewStatus
from hwtui.data.models import Review

# Made once: an alias of a mapped class is slow to make (about a millisecond, most of
# building an overview's reads), and a clause is immutable, so every query can share it.
_NEWER = aliased(Review, name="newer_version")

# True for a review that no other review amends.
NOT_AMENDED = ~exists().where(col(_NEWER.amends_id) == col(Review.id))

NEWEST_FIRST = (col(Review.session_date).desc(), col(Review.id).desc())


def finished_where(client_id: int) -> tuple[Any, ...]:
    """The client's finished reviews, current versions only (not those amended since)."""
    return (
        Review.client_id == client_id,
        Review.status != ReviewStatus.DRAFT,
        NOT_AMENDED,
    )


def newest_finished(client_id: int, limit: int) -> Subquery:
    """The client's *limit* newest finished reviews (current versions), as a subquery of
    `rid` and `day`: what the progress chart draws, and the scores it shows with them."""
    return (
        select(col(Review.id).label("rid"), col(Review.session_date).label("day"))
        .where(*finished_where(client_id))
        .order_by(*NEWEST_FIRST)
        .limit(limit)
        .subquery()
    )
