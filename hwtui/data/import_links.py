"""How the rows of an import file must fit together (pass 3 of `import_checks`).

Every id once per table; every reference to a row of the file (the target database is
empty); references between a client's rows within that client; no loop through a row's
parent or the review it amends, and no such chain longer than `VERSIONS_MAX`; the keys
the schema keeps unique unique; at most one draft review per client and one amendment
per review (hwtui relies on both; a schema may enforce them with partial indexes);
a draft's new goals naming the client's own homework and values; process notes (in a file
exported with them) on a review's first version, where hwtui keeps and looks for them.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy import Index, Table, UniqueConstraint
from sqlmodel import SQLModel

from hwtui.data.catalog import ReviewStatus
from hwtui.data.export_plan import Link
from hwtui.data.models import Assignment, Client, ClientValue, Clinician, ProcessNote, Review
from hwtui.data.services.review_chain import VERSIONS_MAX

CLINICIAN = str(Clinician.__tablename__)
CLIENT = str(Client.__tablename__)
REVIEW = str(Review.__tablename__)
ASSIGNMENT = str(Assignment.__tablename__)
VALUE = str(ClientValue.__tablename__)
PROCESS_NOTE = str(ProcessNote.__tablename__)

# A value refused by an earlier pass: the checks here leave it alone.
REFUSED: Any = object()


@dataclass(slots=True)
class FileRow:
    number: int  # 1-based position in the file's list
    values: dict[str, Any]  # by column; REFUSED where a value was refused
    label: str  # "id 7" or "row 3"

    @property
    def id(self) -> Any:
        return self.values.get("id")


# Where a problem is reported: the table, the row (None: the table as a whole), the
# field (None: the row as a whole) and what is wrong.
Report = Callable[[str, FileRow | None, str | None, str], None]


def check_links(rows: Mapping[str, list[FileRow]], links: Sequence[Link], report: Report) -> None:
    """Report every way the rows (by table, in the order of *links*) do not fit together."""
    _Together(rows, links, report).check()


class _Together:
    """Checks across rows and tables, on the values passes 1 and 2 accepted."""

    def __init__(
        self, rows: Mapping[str, list[FileRow]], links: Sequence[Link], report: Report
    ) -> None:
        self.rows = rows
        self.links = links
        self.report = report
        self.by_id: dict[str, dict[Any, FileRow]] = {}
        # The client each row belongs to (None: the clinician's own rows), by table and id.
        self.client_of: dict[str, dict[Any, Any]] = {}

    def problem(self, table: str, row: FileRow, field: str | None, message: str) -> None:
        self.report(table, row, field, message)

    def check(self) -> None:
        self._ids()
        self._one_clinician()
        for link in self.links:
            self._references(link.table)
        self._clients()
        for link in self.links:
            self._same_client(link.table)
            self._chains(link.table)
            self._unique_keys(link.table)
        self._reviews()
        self._draft_goals()
        self._process_notes()

    def _ok(self, value: Any) -> bool:
        return value is not None and value is not REFUSED

    def _ids(self) -> None:
        for name, rows in self.rows.items():
            index: dict[Any, FileRow] = {}
            for row in rows:
                if not self._ok(row.id):
                    continue
                if row.id in index:
                    self.problem(name, row, "id", f"{row.id} appears more than once")
                else:
                    index[row.id] = row
            self.by_id[name] = index

    def _one_clinician(self) -> None:
        clinicians = self.rows[CLINICIAN]
        if len(clinicians) != 1:
            held = f"the file holds {len(clinicians)} clinicians; it must hold 1"
            self.report(CLINICIAN, None, None, held)
            return
        exported = clinicians[0].id
        for name, rows in self.rows.items():
            for fk in _tables()[name].foreign_keys:
                if fk.column.table.name != CLINICIAN:
                    continue
                column = fk.parent.name
                for row in rows:
                    value = row.values[column]
                    if self._ok(value) and value != exported:
                        self.problem(
                            name,
                            row,
                            column,
                            f"refers to clinician {value}, who is not the one in the file",
                        )
                        row.values[column] = REFUSED

    def _foreign_keys(self, name: str) -> Iterator[tuple[str, str, str]]:
        """(column, referenced table, referenced column) of *name*, clinicians left out."""
        for fk in sorted(_tables()[name].foreign_keys, key=lambda fk: fk.parent.name):
            target = fk.column.table.name
            if target != CLINICIAN:
                yield fk.parent.name, target, fk.column.name

    def _references(self, name: str) -> None:
        for column, target, _target_column in self._foreign_keys(name):
            known = self.by_id.get(target, {})
            for row in self.rows[name]:
                value = row.values[column]
                if self._ok(value) and value not in known:
                    self.problem(name, row, column, f"refers to {target} {value}, not in the file")
                    row.values[column] = REFUSED

    def _clients(self) -> None:
        for link in self.links:
            owner: dict[Any, Any] = {}
            for row in self.rows[link.table]:
                if not self._ok(row.id):
                    continue
                if link.table == CLIENT:
                    owner[row.id] = row.id
                elif link.column is not None and link.parent is not None:
                    parent = row.values[link.column]
                    owner[row.id] = self.client_of.get(link.parent, {}).get(parent)
            self.client_of[link.table] = owner

    def _same_client(self, name: str) -> None:
        mine = self.client_of.get(name, {})
        for column, target, _target_column in self._foreign_keys(name):
            theirs = self.client_of.get(target, {})
            for row in self.rows[name]:
                value = row.values[column]
                own, other = mine.get(row.id), theirs.get(value)
                if self._ok(value) and own is not None and other is not None and own != other:
                    self.problem(
                        name, row, column, f"refers to {target} {value}, of another client"
                    )
                    row.values[column] = REFUSED

    def _chains(self, name: str) -> None:
        """No loops, and no chain longer than VERSIONS_MAX, through a self-reference."""
        for column, target, _target_column in self._foreign_keys(name):
            if target != name:
                continue
            parent = {row.id: row.values[column] for row in self.rows[name] if self._ok(row.id)}
            length: dict[Any, int] = {}  # how many rows from here to the chain's start
            for start in parent:
                path: list[Any] = []
                on_path: set[Any] = set()
                node = start
                while self._ok(node) and node in parent and node not in length:
                    if node in on_path:
                        loop = path[path.index(node) :]
                        first = self.by_id[name][min(loop)]
                        shown_loop = " -> ".join(str(i) for i in [*loop, node])
                        self.problem(name, first, column, f"goes round in a loop ({shown_loop})")
                        for member in loop:
                            length[member] = VERSIONS_MAX + 2  # reported once, not again
                        break
                    path.append(node)
                    on_path.add(node)
                    node = parent[node]
                base = length.get(node, 0) if self._ok(node) else 0
                for step, member in enumerate(reversed(path), start=1):
                    if member in length:
                        continue
                    length[member] = base + step
                    if length[member] == VERSIONS_MAX + 1:
                        self.problem(
                            name,
                            self.by_id[name][member],
                            column,
                            f"makes a chain of more than {VERSIONS_MAX} {name} rows",
                        )

    def _unique_keys(self, name: str) -> None:
        for columns in _unique_column_sets(_tables()[name]):
            seen: dict[tuple[Any, ...], FileRow] = {}
            for row in self.rows[name]:
                key = tuple(row.values[c] for c in columns)
                if not all(self._ok(v) for v in key):
                    continue  # NULLs are never equal; refused values are reported
                if key in seen:
                    self.problem(
                        name,
                        row,
                        ", ".join(columns),
                        f"is the same as in {seen[key].label}; it must be unique",
                    )
                else:
                    seen[key] = row

    def _reviews(self) -> None:
        reviews = self.by_id.get(REVIEW, {})
        drafts: dict[Any, FileRow] = {}
        amended: dict[Any, FileRow] = {}
        for row in self.rows[REVIEW]:
            values = row.values
            # An amendment being written is a draft too, of a signed review: not a
            # second session review (migration 0008's index counts the others).
            new_review = values["amends_id"] is None
            if (
                values["status"] == ReviewStatus.DRAFT
                and new_review
                and self._ok(values["client_id"])
            ):
                other = drafts.setdefault(values["client_id"], row)
                if other is not row:
                    self.problem(
                        REVIEW,
                        row,
                        "status",
                        f"is a second draft of client {values['client_id']} "
                        f"(the first is {other.label}); a client has at most one",
                    )
            target = values["amends_id"]
            if not self._ok(target) or target not in reviews:
                continue
            other = amended.setdefault(target, row)
            if other is not row:
                self.problem(
                    REVIEW,
                    row,
                    "amends_id",
                    f"review {target} is amended by {other.label} already; "
                    "a review has at most one amendment",
                )
            if reviews[target].values["status"] != ReviewStatus.SIGNED:
                self.problem(
                    REVIEW,
                    row,
                    "amends_id",
                    f"review {target} is not signed; only signed reviews are amended",
                )

    def _draft_goals(self) -> None:
        """A draft goal's parent task and linked value: the review's client's own."""
        owners = {
            "parent_id": (ASSIGNMENT, self.client_of.get(ASSIGNMENT, {})),
            "value_id": (VALUE, self.client_of.get(VALUE, {})),
        }
        for row in self.rows[REVIEW]:
            goals = row.values["draft_goals"]
            client = row.values["client_id"]
            if not isinstance(goals, list) or not self._ok(client):
                continue
            for number, goal in enumerate(goals, start=1):
                for field, (target, owner) in owners.items():
                    value = goal.get(field)  # shaped by GoalInput: an int or None
                    if value is None:
                        continue
                    if value not in owner:
                        message = f"refers to {target} {value}, not in the file"
                    elif owner[value] != client:
                        message = f"refers to {target} {value}, of another client"
                    else:
                        continue
                    self.problem(REVIEW, row, f"draft_goals[{number}].{field}", message)

    def _process_notes(self) -> None:
        """Process notes on a session's first version: an amendment shares them."""
        reviews = self.by_id.get(REVIEW, {})
        for row in self.rows.get(PROCESS_NOTE, []):
            review_id = row.values["review_id"]
            review = reviews.get(review_id) if self._ok(review_id) else None
            if review is None or not self._ok(review.values["amends_id"]):
                continue
            self.problem(
                PROCESS_NOTE,
                row,
                "review_id",
                f"review {review_id} is an amendment (of review {review.values['amends_id']}); "
                "process notes are kept on a review's first version",
            )


def _unique_column_sets(table: Table) -> list[tuple[str, ...]]:
    """The column sets *table* keeps unique: constraints, unique columns, unique indexes.

    Partial unique indexes (with a WHERE) hold only for some rows; those rules are
    checked by name above where hwtui relies on them (one draft, one amendment).
    """
    sets: list[tuple[str, ...]] = []
    for constraint in table.constraints:
        if isinstance(constraint, UniqueConstraint):
            sets.append(tuple(c.name for c in constraint.columns))
    for column in table.columns:
        if column.unique and not column.primary_key:
            sets.append((column.name,))
    for index in table.indexes:
        if isinstance(index, Index) and index.unique and not _partial(index):
            sets.append(tuple(c.name for c in index.columns))
    return list(dict.fromkeys(sets))


def _partial(index: Index) -> bool:
    return any(options.get("where") is not None for options in index.dialect_options.values())


def _tables() -> Mapping[str, Table]:
    return SQLModel.metadata.tables
