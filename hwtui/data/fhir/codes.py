"""The codes a FHIR export uses: standard ones (LOINC, HL7 terminology) and hwtui's own
code systems, published as FHIR CodeSystem resources in `codesystems/` (README, "FHIR").

hwtui's own systems are for what no standard code says as exactly: how a homework
assignment went (done / partly / not done / no opportunity), where an assignment stands,
the parts of an assignment, the measures without a LOINC code that hwtui uses (ORS, SRS,
scaling, SUDS) and the PHQ-9 item-9 alert.
"""

from __future__ import annotations

import json
from functools import cache
from importlib import resources
from typing import Any

from hwtui.data.catalog import AssignmentStatus, Outcome

HWTUI_BASE = "https://hwtui.example/fhir"
CODE_SYSTEM_BASE = f"{HWTUI_BASE}/CodeSystem/"
TASK_OUTCOME = CODE_SYSTEM_BASE + "task-outcome"
ASSIGNMENT_STATUS = CODE_SYSTEM_BASE + "assignment-status"
HOMEWORK_DETAIL = CODE_SYSTEM_BASE + "homework-detail"
MEASURE = CODE_SYSTEM_BASE + "measure"
MEASURE_ALERT = CODE_SYSTEM_BASE + "measure-alert"
# A clinician's login, as the identifier of their Practitioner.
CLINICIAN_LOGIN = f"{HWTUI_BASE}/clinician-login"
CODE_SYSTEMS = ("task-outcome", "assignment-status", "homework-detail", "measure", "measure-alert")

LOINC = "http://loinc.org"
UCUM = "http://unitsofmeasure.org"
OBSERVATION_CATEGORY = "http://terminology.hl7.org/CodeSystem/observation-category"
ACT_CODE = "http://terminology.hl7.org/CodeSystem/v3-ActCode"
NULL_FLAVOR = "http://terminology.hl7.org/CodeSystem/v3-NullFlavor"
GOAL_RELATIONSHIP = "http://hl7.org/fhir/StructureDefinition/goal-relationship"
GOAL_RELATIONSHIP_TYPE = "http://terminology.hl7.org/CodeSystem/goal-relationship-type"
GOAL_ACHIEVEMENT = "http://terminology.hl7.org/CodeSystem/goal-achievement"

PROGRESS_NOTE = "11506-3"  # LOINC: Progress note
# LOINC codes of the totals and of each item, in the instruments' order.
LOINC_TOTALS = {"phq9": "44261-6", "gad7": "70274-6"}
LOINC_ITEMS = {
    "phq9": (
        "44250-9",
        "44255-8",
        "44259-0",
        "44254-1",
        "44251-7",
        "44258-2",
        "44252-5",
        "44253-3",
        "44260-8",
    ),
    "gad7": ("69725-0", "68509-9", "69733-4", "69734-2", "69735-9", "69689-8", "69736-7"),
}

# How a review's outcome reads as a FHIR Task.status (the Task of one assignment at one
# review); the exact outcome is the Task's businessStatus (TASK_OUTCOME). Partly done was
# attempted and not completed ("failed" in FHIR's words, no judgement meant); not done and
# no opportunity were not completed ("cancelled").
OUTCOME_TASK_STATUS = {
    Outcome.DONE: "completed",
    Outcome.PARTLY: "failed",
    Outcome.NOT_DONE: "cancelled",
    Outcome.NO_OPPORTUNITY: "cancelled",
}
# The assignment's own Task, and its Goal. A replaced assignment's goal stays active: it is
# pursued through the smaller goal that replaced the assignment (its milestone).
ASSIGNMENT_TASK_STATUS = {
    AssignmentStatus.ACTIVE: "in-progress",
    AssignmentStatus.COMPLETED: "completed",
    AssignmentStatus.RETIRED: "cancelled",
    AssignmentStatus.REPLACED: "cancelled",
}
GOAL_LIFECYCLE = {
    AssignmentStatus.ACTIVE: "active",
    AssignmentStatus.COMPLETED: "completed",
    AssignmentStatus.RETIRED: "cancelled",
    AssignmentStatus.REPLACED: "active",
}
# Encounter.class (v3 ActCode): in person is ambulatory, video and phone are virtual.
MODALITY_CLASS = {"in_person": "AMB", "video": "VR", "phone": "VR"}
ACT_CODE_DISPLAY = {"AMB": "ambulatory", "VR": "virtual"}


def coding(system: str, code: str, display: str | None = None) -> dict[str, str]:
    out = {"system": system, "code": code}
    if display:
        out["display"] = display
    return out


@cache
def code_system(name: str) -> dict[str, Any]:
    """One of hwtui's CodeSystem resources, as published in `codesystems/NAME.json`."""
    text = (
        resources.files("hwtui.data.fhir")
        .joinpath("codesystems", f"{name}.json")
        .read_text(encoding="utf-8")
    )
    data: dict[str, Any] = json.loads(text)
    return data


def display(system: str, code: str) -> str:
    """The display of *code* in hwtui's code system *system* (its URL)."""
    name = system.removeprefix(CODE_SYSTEM_BASE)
    for concept in code_system(name)["concept"]:
        if concept["code"] == code:
            return str(concept["display"])
    raise KeyError(f"{code!r} is not in {system}")
