"""The FHIR R4 export (issue 21): each resource checked against the FHIR models, every
reference resolving inside its bundle, the codes and status mappings, the goal chain,
signed notes and amendments, drafts left out, the same bytes from the same data, hostile
text kept as text, --since, and the audit event."""

from __future__ import annotations

import json
import re
import xml.etree.ElementTree as ET
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from fhir.resources.R4B import get_fhir_model_class
from sqlmodel import select

from hwtui.data.catalog import AssignmentStatus, Outcome
from hwtui.data.db import Database
from hwtui.data.demo import generate
from hwtui.data.fhir import codes
from hwtui.data.fhir.bundle import references
from hwtui.data.fhir.export import FhirExport, export_fhir, file_names
from hwtui.data.models import Assignment, Measure, Review
from hwtui.data.services.assignments import (
    complete_assignment,
    replace_assignment,
    retire_assignment,
)
from hwtui.data.services.identity import Actor
from hwtui.data.services.measures import record_measure
from hwtui.data.services.reviews import (
    amend_review,
    complete_review,
    sign_review,
    start_review,
)
from tests.conftest import TODAY
from tests.helpers import (
    HOSTILE,
    HOSTILE_CLEAN,
    add_assignment,
    add_client,
    add_completed_review,
    events_after,
    last_event_id,
)

SETTING = "https://practice.example/fhir/client-code/{clinician}"
RTL = "שלום עולם مرحبا"
OSC52 = "\x1b]52;c;AAAA\x07"
SCRIPT = "<script>alert(1)</script>"
CONTROL = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f]")
# The codes FHIR R4 allows in the status elements hwtui fills (required bindings, which
# fhir.resources does not check).
TASK_STATUS = {
    "draft",
    "requested",
    "received",
    "accepted",
    "rejected",
    "ready",
    "cancelled",
    "in-progress",
    "on-hold",
    "failed",
    "completed",
    "entered-in-error",
}
GOAL_STATUS = {
    "proposed",
    "planned",
    "accepted",
    "active",
    "on-hold",
    "completed",
    "cancelled",
    "entered-in-error",
    "rejected",
}
COMPOSITION_STATUS = {"preliminary", "final", "amended", "entered-in-error"}
ENCOUNTER_STATUS = {
    "planned",
    "arrived",
    "triaged",
    "in-progress",
    "onleave",
    "finished",
    "cancelled",
    "entered-in-error",
    "unknown",
}


@dataclass(frozen=True, slots=True)
class Record:
    """A client with one of everything the export maps, by row id."""

    client_id: int
    original: int  # replaced by `smaller`
    smaller: int
    done_task: int  # completed
    retired: int
    hostile: int
    complete_review: int  # completed, not signed
    signed_review: int  # signed, then amended: `amendment` signed too
    amendment: int
    draft_review: int
    measures: dict[str, int]


def _export(db: Database, me: Actor, client_id: int | None, **kwargs: Any) -> FhirExport:
    with db.write() as s:
        return export_fhir(s, me, client_id, identifier_setting=SETTING, **kwargs)


def _one(db: Database, me: Actor, client_id: int, **kwargs: Any) -> dict[str, Any]:
    (bundle,) = _export(db, me, client_id, **kwargs).bundles
    parsed: dict[str, Any] = json.loads(bundle.text())
    return parsed


def _resources(bundle: dict[str, Any], kind: str | None = None) -> list[dict[str, Any]]:
    return [
        e["resource"]
        for e in bundle["entry"]
        if kind is None or e["resource"]["resourceType"] == kind
    ]


def _by_id(bundle: dict[str, Any]) -> dict[str, dict[str, Any]]:
    return {e["fullUrl"]: e["resource"] for e in bundle["entry"]}


def _system_codes(concept: dict[str, Any], system: str) -> list[str]:
    return [c["code"] for c in concept.get("coding", []) if c["system"] == system]


@pytest.fixture
def record(db: Database, me: Actor) -> Record:
    client_id = add_client(db, me, "C07", display_name="Robin Example")
    original = add_assignment(
        db,
        me,
        client_id,
        "Go to the gym",
        what="a 30-minute workout",
        when="Monday 7am",
        where="the gym on Hill St",
        how_often="twice a week",
        how_long="30 minutes",
        confidence=6,
        due_date=TODAY + timedelta(days=7),
    )
    done_task = add_assignment(db, me, client_id, "Thought record", kind="thought_record")
    retired = add_assignment(db, me, client_id, "Read the leaflet")
    hostile = add_assignment(
        db,
        me,
        client_id,
        "[@click=app.quit]x[/] " + RTL,
        what="[TODO] " + SCRIPT,
        instructions="first line\nsecond " + HOSTILE,
    )
    day = TODAY - timedelta(days=14)
    complete = add_completed_review(
        db,
        me,
        client_id,
        day,
        {original: "not_done", done_task: "done", retired: "partly", hostile: "no_opportunity"},
    )
    signed = add_completed_review(
        db,
        me,
        client_id,
        day + timedelta(days=7),
        {original: "partly", done_task: "done", retired: "no_opportunity", hostile: "done"},
        win_text="went to the gym once",
    )
    with db.write() as s:
        smaller = replace_assignment(
            s, me, original, title="Put on gym clothes", created_in_review_id=signed
        ).id
        sign_review(s, me, signed, assessment="Engaged. " + SCRIPT, minutes=50, modality="video")
        amendment = amend_review(s, me, signed, "outcome of the thought record was wrong")
        assert amendment.id is not None
        complete_review(
            s,
            me,
            amendment.id,
            win_text="went to the gym once",
            outcomes=[
                {"assignment_id": original, "outcome": "partly"},
                {"assignment_id": done_task, "outcome": "not_done"},
                {"assignment_id": retired, "outcome": "no_opportunity"},
                {"assignment_id": hostile, "outcome": "done"},
            ],
        )
        sign_review(s, me, amendment.id, assessment="Engaged, corrected.")
        complete_assignment(s, me, done_task)
        retire_assignment(s, me, retired, "no longer fits")
        measures = {
            instrument: record_measure(
                s, me, client_id, instrument, items, review_id=signed, question=question
            ).id
            for instrument, items, question in [
                ("phq9", [1, 2, 1, 0, 1, 2, 0, 1, 2], ""),
                ("gad7", [1, 1, 2, 0, 1, 1, 0], ""),
                ("ors", [5, 6, 7, 4], ""),
                ("srs", [9, 9, 8, 10], ""),
                ("scaling", [7], "How confident are you? " + OSC52),
                ("suds", [60], ""),
            ]
        }
        draft = start_review(s, me, client_id, TODAY)
        assert draft.id is not None
        draft_measure = record_measure(s, me, client_id, "gad7", [3] * 7, review_id=draft.id).id
    assert smaller is not None
    assert draft_measure is not None
    measures = {k: v for k, v in measures.items() if v is not None}
    return Record(
        client_id,
        original,
        smaller,
        done_task,
        retired,
        hostile,
        complete,
        signed,
        amendment.id,
        draft.id,
        {**measures, "draft": draft_measure},
    )


def test_every_resource_is_valid_fhir_r4_and_every_reference_resolves(
    db: Database, me: Actor, record: Record
) -> None:
    bundle = _one(db, me, record.client_id)
    assert bundle["resourceType"] == "Bundle"
    assert bundle["type"] == "collection"
    get_fhir_model_class("Bundle").model_validate(bundle)
    urls = _by_id(bundle)
    assert len(urls) == len(bundle["entry"])
    for entry in bundle["entry"]:
        resource = entry["resource"]
        get_fhir_model_class(resource["resourceType"]).model_validate(resource)
        assert entry["fullUrl"] == f"urn:uuid:{resource['id']}"
        for target in references(resource):
            assert target in urls, (resource["resourceType"], target)
    kinds = Counter(r["resourceType"] for r in _resources(bundle))
    # 5 assignments: a Goal and a Task each; 2 reviews: an Encounter each; outcomes from
    # the complete review (4) and the amendment (4); 2 signed versions: a note each;
    # 6 measures (not the draft's).
    assert kinds == {
        "Patient": 1,
        "Practitioner": 1,
        "Goal": 5,
        "Task": 5 + 4 + 4,
        "Encounter": 2,
        "Composition": 2,
        "Observation": 6,
    }


def test_the_patient_is_the_code_under_the_practices_system_and_named_only_when_asked(
    db: Database, me: Actor, record: Record
) -> None:
    (patient,) = _resources(_one(db, me, record.client_id), "Patient")
    assert patient["identifier"] == [
        {"system": "https://practice.example/fhir/client-code/dr_test", "value": "C07"}
    ]
    assert "name" not in patient
    bundle = _one(db, me, record.client_id, with_names=True)
    assert "Robin Example" not in json.dumps(_one(db, me, record.client_id))
    (named,) = _resources(bundle, "Patient")
    assert named["name"] == [{"text": "Robin Example"}]


def _task_for(bundle: dict[str, Any], goal_url: str) -> dict[str, Any]:
    (task,) = [
        t
        for t in _resources(bundle, "Task")
        if "partOf" not in t and t["reasonReference"]["reference"] == goal_url
    ]
    return task


def _goal_url(bundle: dict[str, Any], title: str) -> str:
    (url,) = [
        url
        for url, r in _by_id(bundle).items()
        if r["resourceType"] == "Goal" and r["description"]["text"] == title
    ]
    return url


def test_goals_and_assignment_tasks_follow_each_assignment_status(
    db: Database, me: Actor, record: Record
) -> None:
    bundle = _one(db, me, record.client_id)
    resources = _by_id(bundle)
    expected = {
        "Go to the gym": (AssignmentStatus.REPLACED, "active", "cancelled"),
        "Put on gym clothes": (AssignmentStatus.ACTIVE, "active", "in-progress"),
        "Thought record": (AssignmentStatus.COMPLETED, "completed", "completed"),
        "Read the leaflet": (AssignmentStatus.RETIRED, "cancelled", "cancelled"),
    }
    assert {s for s, _, _ in expected.values()} == set(AssignmentStatus)
    for title, (status, goal_status, task_status) in expected.items():
        url = _goal_url(bundle, title)
        goal = resources[url]
        task = _task_for(bundle, url)
        assert goal["lifecycleStatus"] == goal_status, title
        assert task["status"] == task_status, title
        assert _system_codes(task["businessStatus"], codes.ASSIGNMENT_STATUS) == [status.value]
        assert task["intent"] == "plan"
        assert task["description"] == title
    for goal in _resources(bundle, "Goal"):
        assert goal["lifecycleStatus"] in GOAL_STATUS
    assert (
        resources[_goal_url(bundle, "Thought record")]["achievementStatus"]["coding"][0]["code"]
        == "achieved"
    )
    # What was agreed: the specifics, the confidence and the due date.
    gym = _task_for(bundle, _goal_url(bundle, "Go to the gym"))
    inputs = {
        i["type"]["coding"][0]["code"]: i.get("valueString", i.get("valueInteger"))
        for i in gym["input"]
    }
    assert inputs == {
        "kind": inputs["kind"],
        "what": "a 30-minute workout",
        "when": "Monday 7am",
        "where": "the gym on Hill St",
        "how_often": "twice a week",
        "how_long": "30 minutes",
        "confidence": 6,
    }
    assert gym["restriction"]["period"]["end"] == (TODAY + timedelta(days=7)).isoformat()
    assert resources[_goal_url(bundle, "Go to the gym")]["target"] == [
        {"dueDate": (TODAY + timedelta(days=7)).isoformat()}
    ]


def test_the_smaller_goal_is_a_milestone_of_the_original(
    db: Database, me: Actor, record: Record
) -> None:
    bundle = _one(db, me, record.client_id)
    resources = _by_id(bundle)
    original = resources[_goal_url(bundle, "Go to the gym")]
    smaller_url = _goal_url(bundle, "Put on gym clothes")
    (relation,) = original["extension"]
    assert relation["url"] == "http://hl7.org/fhir/StructureDefinition/goal-relationship"
    parts = {e["url"]: e for e in relation["extension"]}
    assert parts["type"]["valueCodeableConcept"]["coding"] == [
        {
            "system": "http://terminology.hl7.org/CodeSystem/goal-relationship-type",
            "code": "milestone",
            "display": "Milestone",
        }
    ]
    assert parts["target"]["valueReference"] == {"reference": smaller_url}
    assert "extension" not in resources[smaller_url]
    # The smaller goal was agreed in the signed review: its Task says in which session.
    smaller_task = _task_for(bundle, smaller_url)
    encounter = resources[smaller_task["encounter"]["reference"]]
    assert encounter["resourceType"] == "Encounter"


def _outcomes(bundle: dict[str, Any]) -> dict[tuple[str, str], dict[str, Any]]:
    """Outcome tasks by (encounter's date, title)."""
    resources = _by_id(bundle)
    return {
        (resources[t["encounter"]["reference"]]["period"]["start"], t["description"]): t
        for t in _resources(bundle, "Task")
        if "partOf" in t
    }


def test_each_outcome_maps_to_a_task_status_and_hwtuis_business_status(
    db: Database, me: Actor, record: Record
) -> None:
    bundle = _one(db, me, record.client_id)
    outcomes = _outcomes(bundle)
    first = (TODAY - timedelta(days=14)).isoformat()
    expected = {
        "Go to the gym": (Outcome.NOT_DONE, "cancelled"),
        "Thought record": (Outcome.DONE, "completed"),
        "Read the leaflet": (Outcome.PARTLY, "failed"),
        outcomes_title(bundle, record): (Outcome.NO_OPPORTUNITY, "cancelled"),
    }
    assert {o for o, _ in expected.values()} == set(Outcome)
    resources = _by_id(bundle)
    for title, (outcome, status) in expected.items():
        task = outcomes[(first, title)]
        assert task["status"] == status, title
        assert task["status"] in TASK_STATUS
        assert _system_codes(task["businessStatus"], codes.TASK_OUTCOME) == [outcome.value]
        (parent,) = task["partOf"]
        assert resources[parent["reference"]]["description"] == title
        assert "partOf" not in resources[parent["reference"]]
    for mapped in codes.OUTCOME_TASK_STATUS.values():
        assert mapped in TASK_STATUS
    for mapped in codes.ASSIGNMENT_TASK_STATUS.values():
        assert mapped in TASK_STATUS


def outcomes_title(bundle: dict[str, Any], record: Record) -> str:
    (goal,) = [
        g for g in _resources(bundle, "Goal") if g["description"]["text"].startswith("[@click")
    ]
    title: str = goal["description"]["text"]
    return title


def test_an_amended_review_sends_its_latest_outcomes_and_both_signed_notes(
    db: Database, me: Actor, record: Record
) -> None:
    bundle = _one(db, me, record.client_id)
    second = (TODAY - timedelta(days=7)).isoformat()
    outcomes = _outcomes(bundle)
    # The amendment changed "done" to "not done": only the latest version is the record.
    assert outcomes[(second, "Thought record")]["businessStatus"]["coding"][0]["code"] == (
        "not_done"
    )
    assert outcomes[(second, "Go to the gym")]["status"] == "failed"
    notes = sorted(_resources(bundle, "Composition"), key=lambda c: c["date"])
    first, amended = notes
    urls = {r["id"]: url for url, r in _by_id(bundle).items()}
    assert first["status"] == "final"
    assert amended["status"] == "amended"
    assert "relatesTo" not in first
    assert amended["relatesTo"] == [
        {"code": "replaces", "targetReference": {"reference": urls[first["id"]]}}
    ]
    assert amended["title"].endswith("version 2")
    assert amended["section"][0]["title"] == "Amendment"
    assert first["encounter"] == amended["encounter"]
    with db.read() as s:
        signed = s.get(Review, record.signed_review)
        assert signed is not None
        assert signed.signed_at is not None
        signed_at = signed.signed_at.astimezone(UTC).isoformat(timespec="seconds")
    for note in notes:
        assert note["status"] in COMPOSITION_STATUS
        assert note["type"]["coding"] == [
            {"system": "http://loinc.org", "code": "11506-3", "display": "Progress note"}
        ]
        (attester,) = note["attester"]
        assert attester["mode"] == "legal"
        assert attester["party"]["reference"] == note["author"][0]["reference"]
        assert attester["party"]["display"]
        assert attester["time"] == note["date"]
    assert first["date"] == signed_at
    # The complete but unsigned review has its session and outcomes, but no note.
    encounters = _resources(bundle, "Encounter")
    assert len(encounters) == 2
    for encounter in encounters:
        assert encounter["status"] in ENCOUNTER_STATUS
    video = [e for e in encounters if e["period"]["start"] == second]
    assert video[0]["class"]["code"] == "VR"
    assert video[0]["length"] == {
        "value": 50,
        "unit": "min",
        "system": "http://unitsofmeasure.org",
        "code": "min",
    }


def test_drafts_are_not_exported(db: Database, me: Actor, record: Record) -> None:
    bundle = _one(db, me, record.client_id)
    dates = {e["period"]["start"] for e in _resources(bundle, "Encounter")}
    assert TODAY.isoformat() not in dates
    # The draft's GAD-7 (all 3s, total 21) is not sent; the signed review's is.
    totals = [
        o["valueInteger"]
        for o in _resources(bundle, "Observation")
        if _system_codes(o["code"], "http://loinc.org") == ["70274-6"]
    ]
    assert totals == [6]


def test_measures_with_loinc_for_phq9_and_gad7_and_hwtuis_codes_for_the_rest(
    db: Database, me: Actor, record: Record
) -> None:
    bundle = _one(db, me, record.client_id)
    by_code = {}
    for obs in _resources(bundle, "Observation"):
        assert obs["status"] == "final"
        assert obs["category"][0]["coding"][0]["code"] == "survey"
        code = obs["code"]["coding"][0]
        by_code[(code["system"], code["code"])] = obs
    phq9 = by_code[("http://loinc.org", "44261-6")]
    gad7 = by_code[("http://loinc.org", "70274-6")]
    assert phq9["valueInteger"] == 10
    assert [c["code"]["coding"][0]["code"] for c in phq9["component"]] == [
        "44250-9",
        "44255-8",
        "44259-0",
        "44254-1",
        "44251-7",
        "44258-2",
        "44252-5",
        "44253-3",
        "44260-8",
    ]
    assert [c["valueInteger"] for c in phq9["component"]] == [1, 2, 1, 0, 1, 2, 0, 1, 2]
    assert [c["code"]["coding"][0]["code"] for c in gad7["component"]] == [
        "69725-0",
        "68509-9",
        "69733-4",
        "69734-2",
        "69735-9",
        "69689-8",
        "69736-7",
    ]
    # Item 9 above 0: the alert, whatever the total.
    (alert,) = phq9["interpretation"]
    assert _system_codes(alert, codes.MEASURE_ALERT) == ["phq9-item9"]
    assert "interpretation" not in gad7
    ors = by_code[(codes.MEASURE, "ors")]
    assert ors["valueInteger"] == 22
    assert [c["code"]["coding"][0]["code"] for c in ors["component"]] == [
        "ors-1",
        "ors-2",
        "ors-3",
        "ors-4",
    ]
    assert by_code[(codes.MEASURE, "srs")]["valueInteger"] == 36
    scaling = by_code[(codes.MEASURE, "scaling")]
    assert scaling["valueInteger"] == 7
    assert "component" not in scaling
    assert scaling["note"] == [{"text": "Question: How confident are you? ]52;c;AAAA"}]
    assert by_code[(codes.MEASURE, "suds")]["valueInteger"] == 60
    # Every LOINC code hwtui writes is one of the few it knows with certainty.
    known = {*codes.LOINC_TOTALS.values(), codes.PROGRESS_NOTE}
    known |= {c for items in codes.LOINC_ITEMS.values() for c in items}
    used = {c["code"] for c in _codings(bundle) if c["system"] == "http://loinc.org"}
    assert used <= known


def test_an_item_9_alert_without_other_signs_is_still_an_interpretation(
    db: Database, me: Actor
) -> None:
    client_id = add_client(db, me, "C08")
    with db.write() as s:
        record_measure(s, me, client_id, "phq9", [0, 0, 0, 0, 0, 0, 0, 0, 1])
    (obs,) = _resources(_one(db, me, client_id), "Observation")
    assert obs["valueInteger"] == 1
    assert obs["interpretation"][0]["coding"][0]["code"] == "phq9-item9"


def _codings(value: Any) -> Iterator[dict[str, Any]]:
    if isinstance(value, dict):
        if "system" in value and "code" in value:
            yield value
        for item in value.values():
            yield from _codings(item)
    elif isinstance(value, list):
        for item in value:
            yield from _codings(item)


def test_every_hwtui_code_is_in_its_published_code_system(
    db: Database, me: Actor, record: Record
) -> None:
    published: dict[str, set[str]] = {}
    for name in codes.CODE_SYSTEMS:
        system = codes.code_system(name)
        get_fhir_model_class("CodeSystem").model_validate(system)
        assert system["url"] == codes.CODE_SYSTEM_BASE + name
        assert system["count"] == len(system["concept"])
        published[system["url"]] = {c["code"] for c in system["concept"]}
    used = [c for c in _codings(_one(db, me, record.client_id)) if c["system"] in published]
    assert {c["system"] for c in used} == set(published)
    for c in used:
        assert c["code"] in published[c["system"]], c
    # Every outcome and assignment status has its code.
    assert {o.value for o in Outcome} == published[codes.TASK_OUTCOME]
    assert {s.value for s in AssignmentStatus} == published[codes.ASSIGNMENT_STATUS]


def test_the_same_data_gives_the_same_bytes(db: Database, me: Actor, record: Record) -> None:
    first = _export(db, me, record.client_id).bundles[0].text()
    second = _export(db, me, record.client_id).bundles[0].text()
    assert first == second
    # Ids do not depend on anything but the rows (and the practice's system).
    other = json.loads(_export(db, me, record.client_id, with_names=True).bundles[0].text())
    assert [e["fullUrl"] for e in other["entry"]] == [
        e["fullUrl"] for e in json.loads(first)["entry"]
    ]
    assert "timestamp" not in json.loads(first)
    stamped = _one(db, me, record.client_id, timestamp=datetime(2026, 1, 2, 3, 4, 5, tzinfo=UTC))
    assert stamped["timestamp"] == "2026-01-02T03:04:05+00:00"


def test_hostile_text_stays_text(db: Database, me: Actor, record: Record) -> None:
    # Rows written around the services (an old database, a bad import) still come out clean.
    with db.write() as s:
        row = s.get(Assignment, record.hostile)
        assert row is not None
        row.how_long = "ten " + OSC52 + "\x9b31m minutes"
        s.add(row)
    text = _export(db, me, record.client_id).bundles[0].text()
    assert text.isascii()
    bundle = json.loads(text)
    flat = json.dumps(bundle, ensure_ascii=False)
    assert not CONTROL.search(flat)
    assert "\x1b" not in flat
    goal = _by_id(bundle)[_goal_url(bundle, "[@click=app.quit]x[/] " + RTL)]
    assert goal["description"]["text"] == "[@click=app.quit]x[/] " + RTL
    task = _task_for(bundle, _goal_url(bundle, goal["description"]["text"]))
    inputs = {i["type"]["coding"][0]["code"]: i["valueString"] for i in task["input"]}
    assert inputs["what"] == "[TODO] " + SCRIPT
    assert inputs["instructions"] == "first line\nsecond " + HOSTILE_CLEAN
    assert inputs["how_long"] == "ten ]52;c;AAAA31m minutes"
    # Narrative: well-formed XHTML, the script only as escaped text.
    for note in _resources(bundle, "Composition"):
        for section in note["section"]:
            div = section["text"]["div"]
            root = ET.fromstring(div)  # noqa: S314 (our own output, no entities)
            assert root.tag == "{http://www.w3.org/1999/xhtml}div"
            assert not root.findall(".//{http://www.w3.org/1999/xhtml}script")
            assert "<script>" not in div
    divs = " ".join(
        s["text"]["div"] for n in _resources(bundle, "Composition") for s in n["section"]
    )
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in divs


def test_since_sends_what_changed_and_whatever_it_refers_to(
    db: Database, me: Actor, record: Record
) -> None:
    everything = _one(db, me, record.client_id)
    future = _one(db, me, record.client_id, since=TODAY + timedelta(days=365 * 5))
    # Nothing changed since then: the Patient only.
    assert [r["resourceType"] for r in _resources(future)] == ["Patient"]
    assert future["id"] != everything["id"]
    # A new measure tomorrow: it, its session (the review it was taken in) and who it refers to.
    later = datetime.now(UTC) + timedelta(days=2)
    with db.write() as s:
        new = record_measure(
            s,
            me,
            record.client_id,
            "ors",
            [6, 6, 6, 6],
            review_id=record.signed_review,
            taken_at=later,
        ).id
    since = (later - timedelta(days=1)).date()
    bundle = _one(db, me, record.client_id, since=since)
    kinds = Counter(r["resourceType"] for r in _resources(bundle))
    assert kinds == {"Patient": 1, "Practitioner": 1, "Observation": 1, "Encounter": 1}
    (obs,) = _resources(bundle, "Observation")
    assert obs["valueInteger"] == 24
    urls = _by_id(bundle)
    for resource in _resources(bundle):
        for target in references(resource):
            assert target in urls
    assert new is not None
    # A resource sent is the same resource as in a full export.
    full = _by_id(everything)
    for url, resource in urls.items():
        if resource["resourceType"] != "Observation":
            assert full[url] == resource


def test_since_sends_a_changed_assignment_with_its_goal_and_the_goal_it_supports(
    db: Database, me: Actor, record: Record
) -> None:
    with db.write() as s:
        row = s.get(Assignment, record.smaller)
        assert row is not None
        later = datetime.now(UTC) + timedelta(days=3)
        row.updated_at = later
        row.created_at = later
        s.add(row)
    bundle = _one(db, me, record.client_id, since=(later - timedelta(days=1)).date())
    titles = sorted(g["description"]["text"] for g in _resources(bundle, "Goal"))
    # The original goal's milestone is new: it is sent again, holding the link.
    assert titles == ["Go to the gym", "Put on gym clothes"]
    tasks = _resources(bundle, "Task")
    assert [t["description"] for t in tasks] == ["Put on gym clothes"]


def test_the_export_is_audited_with_format_fhir(db: Database, me: Actor, record: Record) -> None:
    before = last_event_id(db)
    export = _export(db, me, record.client_id, since=date(2020, 1, 1))
    # One event for the whole export: the notes in it are not logged one by one.
    events = events_after(db, before)
    assert [e.action for e in events] == ["export"]
    (event,) = events
    assert event.entity == "client"
    assert event.detail.startswith(f"format=fhir clients=1 rows={export.resources} ")
    assert event.detail.endswith("since=2020-01-01 names=no")


def test_another_clinicians_client_is_not_found(
    db: Database, me: Actor, other: Actor, record: Record
) -> None:
    from hwtui.data.errors import NotFound

    with pytest.raises(NotFound), db.write() as s:
        export_fhir(s, other, record.client_id, identifier_setting=SETTING)
    with db.write() as s:
        assert export_fhir(s, other, None, identifier_setting=SETTING).bundles == []


def test_a_demo_practice_exports_valid_bundles(tmp_path: Path, sqlite_db: Database) -> None:
    from hwtui.data.services.identity import ensure_clinician

    with sqlite_db.write() as s:
        me = ensure_clinician(s, "dr_demo")
    generate(sqlite_db, clinician=me.username, clients=4, weeks=8, seed=5, today=TODAY)
    export = _export(sqlite_db, me, None)
    assert len(export.bundles) == 4
    assert sorted(file_names(export.bundles)) == [
        f"{b.code}.json" for b in sorted(export.bundles, key=lambda b: b.code)
    ]
    for client in export.bundles:
        bundle = json.loads(client.text())
        get_fhir_model_class("Bundle").model_validate(bundle)
        urls = _by_id(bundle)
        for resource in _resources(bundle):
            for target in references(resource):
                assert target in urls
        kinds = Counter(r["resourceType"] for r in _resources(bundle))
        assert kinds["Goal"]
        assert kinds["Task"] > kinds["Goal"]
        assert kinds["Encounter"]
    with sqlite_db.read() as s:
        phq9 = s.exec(select(Measure).where(Measure.instrument == "phq9")).all()
    assert phq9  # the demo has PHQ-9s, so their codes were checked above


def test_file_names_are_safe_and_distinct() -> None:
    from hwtui.data.fhir.bundle import ClientBundle

    bundles = [ClientBundle(code, n, {}) for n, code in enumerate(["a b", "a_b", ".x", "A_B"])]
    assert list(file_names(bundles)) == ["a_b.json", "a_b-2.json", "_x.json", "A_B-3.json"]


def test_since_starts_at_midnight_in_the_clinics_zone() -> None:
    from hwtui.data import local_time
    from hwtui.data.fhir.bundle import since_start

    assert since_start(date(2026, 1, 2)) == datetime(2026, 1, 2, tzinfo=UTC)
    local_time.use_zone("America/New_York")
    try:
        assert since_start(date(2026, 1, 2)) == datetime(2026, 1, 2, 5, tzinfo=UTC)
        assert since_start(date(2026, 7, 2)) == datetime(2026, 7, 2, 4, tzinfo=UTC)
    finally:
        local_time.use_zone(None)


def test_a_bundle_that_does_not_validate_is_one_clear_error() -> None:
    from hwtui.data.errors import HwtuiError
    from hwtui.data.fhir.bundle import validate

    broken = {
        "resourceType": "Bundle",
        "type": "collection",
        "entry": [{"fullUrl": "urn:uuid:x", "resource": {"resourceType": "Goal"}}],
    }
    with pytest.raises(HwtuiError, match=r"did not validate \(entry\.0\.resource\..*a bug"):
        validate(broken)
