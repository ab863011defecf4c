"""Walking a review's versions: each amendment points at the version it amends.

The walk follows `amends_id` from row to row, so a corrupt chain (a review amending
itself, two amending each other, a link to another client's review) would loop for
ever or wander off. Both walks here stop after `VERSIONS_MAX` steps or at a review seen
before, and say so with a clear error instead. An import refuses such chains
(`hwtui.data.import_checks`); these bounds are for whatever else got into a database.
"""

from __future__ import annotations

from sqlmodel import Session, col, select

from hwtui.data.errors import HwtuiError
from hwtui.data.models import Review
from hwtui.data.services.identity import Actor

# More versions of one review than anyone amends in a lifetime of a record.
VERSIONS_MAX = 100


class BrokenVersions(HwtuiError):
    """A review's chain of versions is corrupt; nothing can be shown from it."""

    def __init__(self, review_id: int | None, why: str) -> None:
        super().__init__(
            f"the versions of review {review_id} are inconsistent ({why}); "
            "restore the database from a backup or ask for help"
        )


def _same_record(row: Review, review: Review, me: Actor) -> bool:
    return row.client_id == review.client_id and row.clinician_id == me.clinician_id


def first_version(session: Session, me: Actor, review: Review) -> Review:
    """The version *review* amends, and the one that amends, ... back to the first."""
    seen = {review.id}
    first = review
    while first.amends_id is not None:
        older = session.get(Review, first.amends_id)
        if older is None or not _same_record(older, review, me):
            raise BrokenVersions(review.id, f"review {first.amends_id} is not of this record")
        if older.id in seen:
            raise BrokenVersions(review.id, "the amendments go round in a circle")
        if len(seen) >= VERSIONS_MAX:
            raise BrokenVersions(review.id, f"more than {VERSIONS_MAX} versions")
        seen.add(older.id)
        first = older
    return first


def all_versions(session: Session, me: Actor, review: Review) -> list[Review]:
    """Every version of the review *review* belongs to, oldest first."""
    versions = [first_version(session, me, review)]
    seen = {versions[0].id}
    while True:
        newer = session.exec(
            select(Review).where(Review.amends_id == versions[-1].id).order_by(col(Review.id))
        ).first()
        if newer is None:
            return versions
        if newer.id in seen:
            raise BrokenVersions(review.id, "the amendments go round in a circle")
        if not _same_record(newer, review, me):
            raise BrokenVersions(review.id, f"review {newer.id} of another record amends it")
        if len(versions) >= VERSIONS_MAX:
            raise BrokenVersions(review.id, f"more than {VERSIONS_MAX} versions")
        seen.add(newer.id)
        versions.append(newer)
