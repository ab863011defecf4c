"""One client's record as a FHIR R4 Bundle (type `collection`): see `hwtui.data.fhir`.

The bundle is built as plain JSON-ready dicts from the rows, in a fixed order, with ids
that depend only on the rows (`ids`), then checked with `fhir.resources` (imported here
only, on the first export: a launch never loads it).
"""

from __future__ import annotations

import html
import json
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, date, datetime, time
from typing import Any

from sqlmodel import Session, col, select

from hwtui.data.catalog import (
    BARRIERS_BY_CODE,
    FACTORS,
    INSTRUMENTS_BY_CODE,
    KINDS_BY_CODE,
    AssignmentStatus,
    Outcome,
    ReviewStatus,
)
from hwtui.data.errors import HwtuiError
from hwtui.data.fhir import codes
from hwtui.data.fhir.codes import coding
from hwtui.data.fhir.ids import full_url, resource_id
from hwtui.data.local_time import display_zone, local_date
from hwtui.data.models import (
    Assignment,
    Client,
    ClientValue,
    Clinician,
    Measure,
    Review,
    TaskOutcome,
)
from hwtui.data.services.identity import Actor
from hwtui.data.services.notes import note_for
from hwtui.data.services.review_chain import first_version
from hwtui.data.services.risk import ITEM_9
from hwtui.data.text import clean_block, clean_line

Resource = dict[str, Any]
XHTML = "http://www.w3.org/1999/xhtml"
_FACTOR_LABELS = {f.code: f.label for f in FACTORS}


@dataclass(frozen=True, slots=True)
class ClientBundle:
    """One client's bundle, ready to write."""

    code: str
    client_id: int
    bundle: Resource

    @property
    def resources(self) -> list[Resource]:
        return [entry["resource"] for entry in self.bundle.get("entry", [])]

    def text(self) -> str:
        return bundle_text(self.bundle)


def bundle_text(bundle: Resource) -> str:
    """A bundle as JSON text: ASCII only (no raw control or escape bytes reach a
    terminal), keys in the order built, so the same data is the same bytes."""
    return json.dumps(bundle, ensure_ascii=True, indent=2) + "\n"


def since_start(since: date) -> datetime:
    """The first instant of the day *since* in the clinic's zone (the `time_zone`
    setting, else the server's), in UTC."""
    zone = display_zone()
    midnight = datetime.combine(since, time(0))
    start = midnight.replace(tzinfo=zone) if zone is not None else midnight.astimezone()
    return start.astimezone(UTC)


def _instant(at: datetime) -> str:
    return at.astimezone(UTC).isoformat(timespec="seconds")


def _line(text: str | None) -> str | None:
    cleaned = clean_line(text or "")
    return cleaned or None


def _block(text: str | None) -> str | None:
    cleaned = clean_block(text or "")
    return cleaned or None


def _compact(value: Any) -> Any:
    """*value* without empty parts: FHIR has no empty strings, lists or objects."""
    if isinstance(value, dict):
        out = {k: _compact(v) for k, v in value.items()}
        return {k: v for k, v in out.items() if v not in (None, "", [], {})}
    if isinstance(value, list):
        items = [_compact(v) for v in value]
        return [v for v in items if v not in (None, "", [], {})]
    return value


def narrative(lines: list[str]) -> dict[str, str]:
    """XHTML for a list of plain-text lines: every line escaped, nothing interpreted."""
    items = "".join(f"<li>{html.escape(clean_block(line), quote=True)}</li>" for line in lines)
    body = f"<ul>{items}</ul>" if items else "<p>Nothing recorded.</p>"
    return {"status": "generated", "div": f'<div xmlns="{XHTML}">{body}</div>'}


def references(value: Any) -> Iterator[str]:
    """Every `reference` inside a resource (or any JSON value)."""
    if isinstance(value, dict):
        for key, item in value.items():
            if key == "reference" and isinstance(item, str):
                yield item
            else:
                yield from references(item)
    elif isinstance(value, list):
        for item in value:
            yield from references(item)


@dataclass(slots=True)
class _Entry:
    resource: Resource
    changed: bool  # its rows changed on or after --since (always, without --since)


class _ClientRecord:
    """Builds one client's resources from their rows."""

    def __init__(
        self,
        session: Session,
        me: Actor,
        client: Client,
        system: str,
        *,
        with_names: bool,
        since_at: datetime | None,
    ) -> None:
        self.session = session
        self.me = me
        self.client = client
        self.system = system
        self.with_names = with_names
        self.since_at = since_at
        assert client.id is not None
        self.client_id: int = client.id
        self.clinicians: set[int] = {client.clinician_id}

    # -- ids and references -------------------------------------------------------------

    def id(self, kind: str, key: object) -> str:
        return resource_id(self.system, kind, key)

    def ref(self, kind: str, key: object) -> dict[str, str]:
        return {"reference": full_url(self.id(kind, key))}

    def patient(self) -> dict[str, str]:
        return self.ref("client", self.client_id)

    def practitioner(self, clinician_id: int) -> dict[str, str]:
        self.clinicians.add(clinician_id)
        return self.ref("clinician", clinician_id)

    def changed(self, *stamps: datetime | None) -> bool:
        if self.since_at is None:
            return True
        return any(s is not None and s >= self.since_at for s in stamps)

    # -- the whole record ---------------------------------------------------------------

    def entries(self) -> list[_Entry]:
        s = self.session
        assignments = list(
            s.exec(
                select(Assignment)
                .where(Assignment.client_id == self.client_id)
                .order_by(col(Assignment.id))
            )
        )
        reviews = list(
            s.exec(
                select(Review).where(Review.client_id == self.client_id).order_by(col(Review.id))
            )
        )
        chains: dict[int, list[Review]] = {}
        first_of: dict[int, int] = {}
        for review in reviews:
            assert review.id is not None
            first = first_version(s, self.me, review)
            assert first.id is not None
            chains.setdefault(first.id, []).append(review)
            first_of[review.id] = first.id
        # A review is exported once a version of it is finished; drafts never are.
        finished = {
            first_id: sorted(
                (v for v in versions if v.status != ReviewStatus.DRAFT), key=lambda v: v.version
            )
            for first_id, versions in chains.items()
        }
        finished = {k: v for k, v in finished.items() if v}

        goals = [self.goal(a, assignments) for a in assignments]
        tasks = [self.assignment_task(a, first_of, finished) for a in assignments]
        encounters = [self.encounter(first_id, versions) for first_id, versions in finished.items()]
        titles = {a.id: a.title for a in assignments}
        outcomes = [
            entry
            for first_id, versions in finished.items()
            for entry in self.outcome_tasks(first_id, versions[-1], titles)
        ]
        notes = [
            self.composition(first_id, version)
            for first_id, versions in finished.items()
            for version in versions
            if version.status == ReviewStatus.SIGNED and version.signed_at is not None
        ]
        by_id = {r.id: r for r in reviews}
        measures = [
            self.observation(m, first_of, finished)
            for m in s.exec(
                select(Measure)
                .where(Measure.client_id == self.client_id)
                .order_by(col(Measure.taken_at), col(Measure.id))
            )
            if (taken_in := by_id.get(m.review_id)) is None or taken_in.status != ReviewStatus.DRAFT
        ]
        people = [self.practitioner_entry(cid) for cid in sorted(self.clinicians)]
        return [
            self.patient_entry(),
            *[p for p in people if p is not None],
            *goals,
            *tasks,
            *encounters,
            *outcomes,
            *notes,
            *measures,
        ]

    # -- resources ------------------------------------------------------------------------

    def patient_entry(self) -> _Entry:
        c = self.client
        resource: Resource = {
            "resourceType": "Patient",
            "id": self.id("client", self.client_id),
            "identifier": [{"system": self.system, "value": clean_line(c.code)}],
            "active": c.archived_at is None,
        }
        if self.with_names:
            resource["name"] = [{"text": _line(c.display_name)}]
        return _Entry(_compact(resource), True)  # always sent: everything refers to it

    def practitioner_entry(self, clinician_id: int) -> _Entry | None:
        row = self.session.get(Clinician, clinician_id)
        if row is None:
            return None
        resource = {
            "resourceType": "Practitioner",
            "id": self.id("clinician", clinician_id),
            "identifier": [{"system": codes.CLINICIAN_LOGIN, "value": _line(row.username)}],
            "name": [{"text": _line(row.display_name)}],
        }
        return _Entry(_compact(resource), False)  # sent with what refers to it

    def goal(self, a: Assignment, everything: list[Assignment]) -> _Entry:
        """The assignment's aim. Smaller goals that support it are its milestones."""
        status = AssignmentStatus(a.status)
        children = [c for c in everything if c.parent_id == a.id]
        relations = [
            {
                "url": codes.GOAL_RELATIONSHIP,
                "extension": [
                    {
                        "url": "type",
                        "valueCodeableConcept": {
                            "coding": [
                                coding(codes.GOAL_RELATIONSHIP_TYPE, "milestone", "Milestone")
                            ]
                        },
                    },
                    {"url": "target", "valueReference": self.ref("goal", c.id)},
                ],
            }
            for c in children
        ]
        resource: Resource = {
            "resourceType": "Goal",
            "id": self.id("goal", a.id),
            "extension": relations,
            "lifecycleStatus": codes.GOAL_LIFECYCLE[status],
            "achievementStatus": (
                {"coding": [coding(codes.GOAL_ACHIEVEMENT, "achieved", "Achieved")]}
                if status is AssignmentStatus.COMPLETED
                else None
            ),
            "description": {"text": _line(a.title) or "(untitled)"},
            "subject": self.patient(),
            "startDate": local_date(a.created_at).isoformat(),
            "target": [{"dueDate": a.due_date.isoformat()}] if a.due_date else [],
            "statusReason": _line(a.status_reason),
        }
        changed = self.changed(a.created_at, a.updated_at, *(c.created_at for c in children))
        return _Entry(_compact(resource), changed)

    def _detail(self, code: str) -> dict[str, Any]:
        return {
            "coding": [
                coding(codes.HOMEWORK_DETAIL, code, codes.display(codes.HOMEWORK_DETAIL, code))
            ]
        }

    def assignment_task(
        self, a: Assignment, first_of: dict[int, int], finished: dict[int, list[Review]]
    ) -> _Entry:
        """The homework as agreed: its details, due date and where it stands."""
        status = AssignmentStatus(a.status)
        inputs: list[dict[str, Any]] = []
        kind = KINDS_BY_CODE[a.kind].name if a.kind in KINDS_BY_CODE else a.kind
        for code, text in (
            ("kind", kind),
            ("instructions", a.instructions),
            ("rationale", a.rationale),
            ("what", a.what),
            ("when", a.when),
            ("where", a.where),
            ("how_often", a.how_often),
            ("how_long", a.how_long),
        ):
            if value := _block(text):
                inputs.append({"type": self._detail(code), "valueString": value})
        if a.value_id is not None:
            value_row = self.session.get(ClientValue, a.value_id)
            if value_row is not None and (value := _line(value_row.text)):
                inputs.append({"type": self._detail("value"), "valueString": value})
        if a.confidence is not None:
            inputs.append({"type": self._detail("confidence"), "valueInteger": a.confidence})
        for obstacle in a.obstacles:
            label = BARRIERS_BY_CODE[obstacle].label if obstacle in BARRIERS_BY_CODE else obstacle
            inputs.append({"type": self._detail("obstacle"), "valueString": _line(label)})
        review_first = first_of.get(a.created_in_review_id or 0)
        resource: Resource = {
            "resourceType": "Task",
            "id": self.id("assignment", a.id),
            "status": codes.ASSIGNMENT_TASK_STATUS[status],
            "statusReason": {"text": _line(a.status_reason)},
            "businessStatus": {
                "coding": [
                    coding(
                        codes.ASSIGNMENT_STATUS,
                        status.value,
                        codes.display(codes.ASSIGNMENT_STATUS, status.value),
                    )
                ]
            },
            "intent": "plan",
            "description": _line(a.title) or "(untitled)",
            "for": self.patient(),
            "encounter": (self.ref("review", review_first) if review_first in finished else None),
            "authoredOn": _instant(a.created_at),
            "lastModified": _instant(a.updated_at),
            "requester": self.practitioner(self.client.clinician_id),
            "owner": self.patient(),
            "reasonReference": self.ref("goal", a.id),
            "restriction": {"period": {"end": a.due_date.isoformat()}} if a.due_date else None,
            "input": inputs,
        }
        return _Entry(_compact(resource), self.changed(a.created_at, a.updated_at))

    def encounter(self, first_id: int, versions: list[Review]) -> _Entry:
        """The session a review was held in: one per review, whatever its versions."""
        latest = versions[-1]
        # An amendment's signature may leave them out: the newest version that says.
        modality = next((v.modality for v in reversed(versions) if v.modality), None)
        minutes = next((v.session_minutes for v in reversed(versions) if v.session_minutes), None)
        klass = codes.MODALITY_CLASS.get(modality or "")
        resource: Resource = {
            "resourceType": "Encounter",
            "id": self.id("review", first_id),
            "status": "finished",
            "class": (
                coding(codes.ACT_CODE, klass, codes.ACT_CODE_DISPLAY[klass])
                if klass
                else coding(codes.NULL_FLAVOR, "UNK", "unknown")
            ),
            "subject": self.patient(),
            "participant": [{"individual": self.practitioner(latest.clinician_id)}],
            "period": {
                "start": latest.session_date.isoformat(),
                "end": latest.session_date.isoformat(),
            },
            "length": (
                {"value": minutes, "unit": "min", "system": codes.UCUM, "code": "min"}
                if minutes
                else None
            ),
        }
        stamps = [t for v in versions for t in (v.updated_at, v.completed_at, v.signed_at)]
        return _Entry(_compact(resource), self.changed(*stamps))

    def outcome_tasks(
        self, first_id: int, latest: Review, titles: dict[int | None, str]
    ) -> Iterator[_Entry]:
        """How each assignment went, as its latest finished version says."""
        rows = self.session.exec(
            select(TaskOutcome)
            .where(TaskOutcome.review_id == latest.id)
            .order_by(col(TaskOutcome.assignment_id))
        )
        changed = self.changed(latest.updated_at, latest.completed_at, latest.signed_at)
        for row in rows:
            outcome = Outcome(row.outcome)
            notes = [
                ("What worked", row.worked_notes),
                ("To do more of", row.double_down),
                ("What got in the way", row.barrier_notes),
                ("Limiting belief", row.belief),
                ("What was learned", row.learned),
            ]
            outputs = [
                {
                    "type": self._detail("factor"),
                    "valueString": _line(
                        _FACTOR_LABELS.get(code, code)
                        + (f": {row.factor_notes[code]}" if row.factor_notes.get(code) else "")
                    ),
                }
                for code in row.factors
            ] + [
                {
                    "type": self._detail("barrier"),
                    "valueString": _line(
                        BARRIERS_BY_CODE[code].label if code in BARRIERS_BY_CODE else code
                    ),
                }
                for code in row.barriers
            ]
            resource: Resource = {
                "resourceType": "Task",
                "id": self.id("outcome", f"{first_id}/{row.assignment_id}"),
                "partOf": [self.ref("assignment", row.assignment_id)],
                "status": codes.OUTCOME_TASK_STATUS[outcome],
                "businessStatus": {
                    "coding": [
                        coding(
                            codes.TASK_OUTCOME,
                            outcome.value,
                            codes.display(codes.TASK_OUTCOME, outcome.value),
                        )
                    ]
                },
                "intent": "plan",
                "description": _line(titles.get(row.assignment_id)) or "(untitled)",
                "for": self.patient(),
                "encounter": self.ref("review", first_id),
                "executionPeriod": {"end": latest.session_date.isoformat()},
                "lastModified": _instant(latest.completed_at or latest.updated_at),
                "owner": self.patient(),
                "reasonReference": self.ref("goal", row.assignment_id),
                "note": [
                    {"text": f"{label}: {text}"} for label, raw in notes if (text := _block(raw))
                ],
                "output": outputs,
            }
            yield _Entry(_compact(resource), changed)

    def composition(self, first_id: int, version: Review) -> _Entry:
        """A signed version's progress note. An amendment replaces the version it amends."""
        assert version.id is not None
        assert version.signed_at is not None
        # The export's own audit event says the notes left; no "view" per note.
        note = note_for(self.session, self.me, version.id, audited=False)
        sections = [
            {"title": name, "text": narrative(list(lines))} for name, lines in note.sections
        ]
        if reason := _line(version.amend_reason):
            sections.insert(0, {"title": "Amendment", "text": narrative([reason])})
        signer = ", ".join(
            p
            for p in (
                _line(version.signed_as) or _line(version.signed_by),
                _line(version.signed_credentials),
            )
            if p
        )
        title = f"Progress note, {version.session_date.isoformat()}"
        if version.version > 1:
            title += f", version {version.version}"
        resource: Resource = {
            "resourceType": "Composition",
            "id": self.id("note", version.id),
            "status": "amended" if version.amends_id is not None else "final",
            "type": {"coding": [coding(codes.LOINC, codes.PROGRESS_NOTE, "Progress note")]},
            "subject": self.patient(),
            "encounter": self.ref("review", first_id),
            "date": _instant(version.signed_at),
            "author": [self.practitioner(version.clinician_id)],
            "title": title,
            "attester": [
                {
                    "mode": "legal",
                    "time": _instant(version.signed_at),
                    "party": {**self.practitioner(version.clinician_id), "display": signer},
                }
            ],
            "relatesTo": (
                [{"code": "replaces", "targetReference": self.ref("note", version.amends_id)}]
                if version.amends_id is not None
                else []
            ),
            "section": sections,
        }
        return _Entry(_compact(resource), self.changed(version.signed_at))

    def observation(
        self, m: Measure, first_of: dict[int, int], finished: dict[int, list[Review]]
    ) -> _Entry:
        """A measure's total, its items as components, and the PHQ-9 item-9 alert."""
        instrument = INSTRUMENTS_BY_CODE.get(m.instrument)
        name = instrument.name if instrument else m.instrument
        if m.instrument in codes.LOINC_TOTALS:
            code = {
                "coding": [coding(codes.LOINC, codes.LOINC_TOTALS[m.instrument])],
                "text": f"{name} total score",
            }
        elif instrument is not None:
            code = {
                "coding": [
                    coding(codes.MEASURE, m.instrument, codes.display(codes.MEASURE, m.instrument))
                ],
                "text": name,
            }
        else:
            code = {"text": _line(m.instrument) or "measure"}
        components: list[dict[str, Any]] = []
        if instrument is not None and instrument.items > 1 and len(m.items) == instrument.items:
            for number, answer in enumerate(m.items, start=1):
                if m.instrument in codes.LOINC_ITEMS:
                    item = coding(codes.LOINC, codes.LOINC_ITEMS[m.instrument][number - 1])
                else:
                    item_code = f"{m.instrument}-{number}"
                    item = coding(codes.MEASURE, item_code, codes.display(codes.MEASURE, item_code))
                components.append(
                    {
                        "code": {"coding": [item], "text": f"{name} item {number}"},
                        "valueInteger": answer,
                    }
                )
        interpretation = []
        notes = []
        if m.instrument == "phq9" and len(m.items) == 9 and m.items[ITEM_9] > 0:
            interpretation.append(
                {
                    "coding": [
                        coding(
                            codes.MEASURE_ALERT,
                            "phq9-item9",
                            codes.display(codes.MEASURE_ALERT, "phq9-item9"),
                        )
                    ],
                    "text": f"PHQ-9 item 9 is {m.items[ITEM_9]}: a risk check is due",
                }
            )
            if m.acknowledged_at is not None:
                who = _line(m.acknowledged_by) or "a clinician"
                notes.append({"text": f"Alert seen by {who} at {_instant(m.acknowledged_at)}"})
        if question := _line(m.question):
            notes.insert(0, {"text": f"Question: {question}"})
        review_first = first_of.get(m.review_id or 0)
        resource: Resource = {
            "resourceType": "Observation",
            "id": self.id("measure", m.id),
            "status": "final",
            "category": [{"coding": [coding(codes.OBSERVATION_CATEGORY, "survey", "Survey")]}],
            "code": code,
            "subject": self.patient(),
            "encounter": self.ref("review", review_first) if review_first in finished else None,
            "effectiveDateTime": _instant(m.taken_at),
            "performer": [self.practitioner(self.client.clinician_id)],
            "valueInteger": m.total,
            "interpretation": interpretation,
            "note": notes,
            "component": components,
        }
        return _Entry(_compact(resource), self.changed(m.taken_at, m.acknowledged_at))


def _kept(entries: list[_Entry]) -> list[Resource]:
    """The changed resources and, transitively, every resource they refer to."""
    by_url = {full_url(e.resource["id"]): e for e in entries}
    keep = {full_url(e.resource["id"]) for e in entries if e.changed}
    todo = list(keep)
    while todo:
        for target in references(by_url[todo.pop()].resource):
            if target in by_url and target not in keep:
                keep.add(target)
                todo.append(target)
    return [e.resource for e in entries if full_url(e.resource["id"]) in keep]


def client_bundle(
    session: Session,
    me: Actor,
    client: Client,
    system: str,
    *,
    with_names: bool = False,
    since: date | None = None,
    timestamp: datetime | None = None,
) -> ClientBundle:
    """*client*'s record as a Bundle: everything, or with *since* only what changed on or
    after that day (and whatever that refers to, the Patient always)."""
    since_at = since_start(since) if since is not None else None
    record = _ClientRecord(session, me, client, system, with_names=with_names, since_at=since_at)
    resources = _kept(record.entries())
    assert client.id is not None
    bundle: Resource = {
        "resourceType": "Bundle",
        "id": resource_id(system, "bundle", f"{client.id}/{since or ''}"),
        "type": "collection",
    }
    if timestamp is not None:
        bundle["timestamp"] = _instant(timestamp)
    bundle["entry"] = [{"fullUrl": full_url(r["id"]), "resource": r} for r in resources]
    urls = {entry["fullUrl"] for entry in bundle["entry"]}
    for resource in resources:
        for target in references(resource):
            if target not in urls:  # e.g. a clinician row gone from the database
                raise HwtuiError(
                    f"the FHIR bundle of client {clean_line(client.code)!a} refers to "
                    f"{target}, which it does not hold; this is a bug in hwtui"
                )
    return ClientBundle(clean_line(client.code), client.id, bundle)


def validate(bundle: Resource) -> None:
    """Check *bundle* and every resource in it against the FHIR R4 models
    (`fhir.resources`, R4B: the same resources as R4 for what hwtui writes)."""
    from fhir.resources.R4B import get_fhir_model_class
    from pydantic import ValidationError

    try:
        get_fhir_model_class("Bundle").model_validate(bundle)
    except ValidationError as exc:
        first = exc.errors()[0]
        where = ".".join(str(p) for p in first["loc"])
        raise HwtuiError(
            f"the FHIR bundle did not validate ({where}: {first['msg']}); this is a bug in hwtui"
        ) from None
