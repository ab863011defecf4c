"""A review's current version: the one no later review amends (an amendment is a new
review whose `amends_id` names the one it replaces)."""

from __future__ import annotations

from sqlalchemy import exists
from sqlalchemy.orm import aliased
from sqlmodel import col

from hwtui.data.models import Review

# Made once: an alias of a mapped class is slow to make (about a millisecond, most of
# building an overview's reads), and a clause is immutable, so every query can share it.
_NEWER = aliased(Review, name="newer_version")

# True for a review that no other review amends.
NOT_AMENDED = ~exists().where(col(_NEWER.amends_id) == col(Review.id))
