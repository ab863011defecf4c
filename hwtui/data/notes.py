"""Progress notes from a review: DAP (default), SOAP or BIRP, as text, Markdown or JSON.

Pure: `NoteSource` holds plain values (gathered by services/notes.py), `build_note` lays
them out in the practice's format, and the renderers turn that into text. Every string a
person typed goes through `strip_controls` again here, because notes are printed to
terminals and pasted into other systems.
"""

from __future__ import annotations

import textwrap
from dataclasses import dataclass, field
from datetime import date, datetime
from enum import StrEnum
from typing import Any

from hwtui.data.text import join_clauses, strip_controls


class NoteStyle(StrEnum):
    DAP = "dap"
    SOAP = "soap"
    BIRP = "birp"


@dataclass(frozen=True, slots=True)
class TaskLine:
    title: str
    outcome: str  # a label: "done", "partly done", ...
    discussed: bool = False
    factors: tuple[str, ...] = ()  # labels, each optionally "label: note"
    double_down: str = ""
    worked_notes: str = ""
    barriers: tuple[str, ...] = ()  # labels
    barrier_notes: str = ""
    learned: str = ""


@dataclass(frozen=True, slots=True)
class GoalLine:
    title: str
    supports: str | None = None
    what: str = ""
    when: str = ""
    where: str = ""
    how_often: str = ""
    how_long: str = ""
    value: str | None = None
    confidence: int | None = None


@dataclass(frozen=True, slots=True)
class MeasureLine:
    name: str
    total: int
    total_max: int
    band: str | None = None
    alert: str | None = None
    question: str = ""


@dataclass(frozen=True, slots=True)
class NoteSource:
    client_code: str
    client_name: str
    session_date: date
    clinician: str
    status: str
    version: int = 1
    signed_at: datetime | None = None
    signed_by: str = ""
    amend_reason: str = ""
    win_text: str = ""
    win_kind: str | None = None
    skipped: dict[str, str] = field(default_factory=dict)
    tasks: tuple[TaskLine, ...] = ()
    goals: tuple[GoalLine, ...] = ()
    measures: tuple[MeasureLine, ...] = ()
    completion: str = "n/a"  # e.g. "67% of 3 scored tasks"
    rolling: str = "n/a"  # over the last 4 reviews
    recurring_barriers: tuple[tuple[str, int], ...] = ()  # (label, reviews it came up in)
    reviews_considered: int = 0
    next_review: date | None = None


@dataclass(frozen=True, slots=True)
class Note:
    style: NoteStyle
    title: str
    header: tuple[str, ...]
    # In order, e.g. ("Data", [...lines]). Lines are plain text, one thought each.
    sections: tuple[tuple[str, tuple[str, ...]], ...]
    homework: dict[str, Any]


def _clean(text: str | None) -> str:
    return " ".join(strip_controls(text or "").split())


def _sentence(parts: list[str]) -> str:
    """Clauses joined with semicolons into one sentence, without doubled full stops."""
    return join_clauses(parts) + "."


# -- the homework review, in pieces every format reuses ------------------------------------


def _win(src: NoteSource) -> list[str]:
    if src.win_text:
        kind = f" ({src.win_kind})" if src.win_kind else ""
        return [f"Win{kind}, in the client's words: “{_clean(src.win_text)}”"]
    reason = src.skipped.get("win")
    return [f"No win recorded ({_clean(reason)})."] if reason else []


def _outcomes(src: NoteSource) -> list[str]:
    if not src.tasks:
        return ["No homework was due for review."]
    listed = "; ".join(f"{_clean(t.title)}: {t.outcome}" for t in src.tasks)
    return [f"Homework reviewed: {listed}."]


def _worked(src: NoteSource) -> list[str]:
    lines = []
    for task in src.tasks:
        if task.outcome not in {"done", "partly done"} or not task.discussed:
            continue
        parts = [f"Completed task “{_clean(task.title)}” ({task.outcome})"]
        if task.factors:
            parts.append("what helped: " + ", ".join(_clean(f) for f in task.factors))
        if task.double_down:
            parts.append(f"to do more of: {_clean(task.double_down)}")
        if task.worked_notes:
            parts.append(f"notes: {_clean(task.worked_notes)}")
        lines.append(_sentence(parts))
    return lines


def _missed(src: NoteSource) -> list[str]:
    lines = []
    for task in src.tasks:
        if task.outcome not in {"not done", "partly done"} or not task.discussed:
            continue
        if not (task.barriers or task.barrier_notes or task.learned):
            continue
        parts = [f"Missed task “{_clean(task.title)}” ({task.outcome})"]
        if task.barriers:
            parts.append("barriers: " + ", ".join(task.barriers))
        if task.barrier_notes:
            parts.append(f"notes: {_clean(task.barrier_notes)}")
        if task.learned:
            parts.append(f"learned: {_clean(task.learned)}")
        lines.append(_sentence(parts))
    return lines


def _measures(src: NoteSource) -> list[str]:
    lines = []
    for m in src.measures:
        band = f" ({m.band})" if m.band else ""
        question = f" — “{_clean(m.question)}”" if m.question else ""
        lines.append(f"{m.name}: {m.total}/{m.total_max}{band}{question}.")
    return lines


def _risk(src: NoteSource) -> list[str]:
    alerts = [m.alert for m in src.measures if m.alert]
    return [f"RISK: {alert}" for alert in alerts]


def _assessment(src: NoteSource) -> list[str]:
    window = min(src.reviews_considered, 4) or 1
    reviews = "review" if window == 1 else f"{window} reviews"
    lines = [
        f"Homework completion this session: {src.completion}; "
        f"over the last {reviews}: {src.rolling}."
    ]
    if src.recurring_barriers:
        listed = ", ".join(
            f"{label} ({n} of {src.reviews_considered})" for label, n in src.recurring_barriers
        )
        lines.append(f"Barriers across recent reviews: {listed}.")
    lines.extend(_risk(src) or ["No risk indicators recorded in this session's measures."])
    return lines


def _goal_line(goal: GoalLine) -> str:
    specifics = [
        (label, _clean(value))
        for label, value in (
            ("what", goal.what),
            ("when", goal.when),
            ("where", goal.where),
            ("how often", goal.how_often),
            ("how long", goal.how_long),
        )
        if _clean(value)
    ]
    text = f"New smaller goal “{_clean(goal.title)}”"
    if goal.supports:
        text += f", supporting “{_clean(goal.supports)}”"
    if specifics:
        text += "; " + join_clauses([f"{label}: {value}" for label, value in specifics])
    if goal.value:
        text += f"; linked value: {_clean(goal.value)}"
    if goal.confidence is not None:
        text += f"; client's confidence {goal.confidence}/10"
    return text.rstrip(" .") + "."


def _plan(src: NoteSource) -> list[str]:
    lines = [_goal_line(g) for g in src.goals]
    if not lines:
        reason = src.skipped.get("goal")
        lines.append(
            f"No new goal set ({_clean(reason)})." if reason else "Continue current homework."
        )
    if src.next_review:
        lines.append(f"Next review: {src.next_review:%d %b %Y}.")
    return lines


def _task_fields(task: TaskLine) -> dict[str, Any]:
    """A task's outcome with what helped and what got in the way as fields (the
    sentences of "completed" and "missed" say the same for a reader)."""
    fields: dict[str, Any] = {"task": _clean(task.title), "outcome": task.outcome}
    if task.discussed and task.outcome in {"done", "partly done"}:
        factors = []
        for factor in task.factors:
            label, _, note = factor.partition(": ")
            factors.append({"factor": _clean(label), "note": _clean(note) or None})
        fields["factors"] = factors
        fields["double_down"] = _clean(task.double_down) or None
        fields["worked_notes"] = _clean(task.worked_notes) or None
    if task.discussed and task.outcome in {"not done", "partly done"}:
        fields["barriers"] = [_clean(b) for b in task.barriers]
        fields["barrier_notes"] = _clean(task.barrier_notes) or None
        fields["learned"] = _clean(task.learned) or None
    return fields


def _goal_fields(goal: GoalLine) -> dict[str, Any]:
    return {
        "title": _clean(goal.title),
        "supports": _clean(goal.supports) or None,
        "what": _clean(goal.what),
        "when": _clean(goal.when),
        "where": _clean(goal.where),
        "how_often": _clean(goal.how_often),
        "how_long": _clean(goal.how_long),
        "value": _clean(goal.value) or None,
        "confidence": goal.confidence,
    }


def _homework(src: NoteSource) -> dict[str, Any]:
    return {
        "win": {"text": _clean(src.win_text), "kind": src.win_kind} if src.win_text else None,
        "outcomes": [_task_fields(t) for t in src.tasks],
        "completed": _worked(src),
        "missed": _missed(src),
        "measures": [
            {"name": m.name, "total": m.total, "max": m.total_max, "band": m.band, "alert": m.alert}
            for m in src.measures
        ],
        "new_goals": [_goal_line(g) for g in src.goals],
        # The same goals as fields, as `hwtui export` has them.
        "goals": [_goal_fields(g) for g in src.goals],
        "next_review": src.next_review.isoformat() if src.next_review else None,
        "skipped": {k: _clean(v) for k, v in src.skipped.items() if v},
    }


def build_note(src: NoteSource, style: NoteStyle | str = NoteStyle.DAP) -> Note:
    style = NoteStyle(style)
    data = [*_outcomes(src), *_win(src), *_worked(src), *_missed(src), *_measures(src)]
    sections: tuple[tuple[str, list[str]], ...]
    if style is NoteStyle.DAP:
        sections = (("Data", data), ("Assessment", _assessment(src)), ("Plan", _plan(src)))
    elif style is NoteStyle.SOAP:
        subjective = [*_win(src), *_worked(src), *_missed(src)]
        objective = [*_outcomes(src), *_measures(src)]
        sections = (
            ("Subjective", subjective or ["Nothing reported."]),
            ("Objective", objective),
            ("Assessment", _assessment(src)),
            ("Plan", _plan(src)),
        )
    else:
        intervention = [
            "Reviewed homework: a win since last session, what helped a completed task, "
            "and the barriers to a missed task, then agreed a smaller goal with the client."
        ]
        response = [*_win(src), *_worked(src), *_missed(src)]
        sections = (
            ("Behavior", [*_outcomes(src), *_measures(src)]),
            ("Intervention", intervention),
            ("Response", response or ["No particular response recorded."]),
            ("Plan", [*_plan(src), *_risk(src)]),
        )
    header = [
        f"Client: {_clean(src.client_code)} ({_clean(src.client_name)})",
        f"Session: {src.session_date:%d %b %Y} · Clinician: {_clean(src.clinician)}",
        f"Status: {src.status}" + (f", version {src.version}" if src.version > 1 else ""),
    ]
    if src.signed_at:
        header.append(f"Signed by {_clean(src.signed_by)} on {src.signed_at:%d %b %Y %H:%M} UTC")
    if src.amend_reason:
        header.append(f"Amendment: {_clean(src.amend_reason)}")
    return Note(
        style=style,
        title=f"Progress note ({style.value.upper()})",
        header=tuple(header),
        sections=tuple((name, tuple(lines)) for name, lines in sections),
        homework=_homework(src),
    )


def render_text(note: Note, width: int = 78) -> str:
    out = [note.title, *note.header, ""]
    for name, lines in note.sections:
        out.append(name.upper())
        for line in lines:
            out.extend(textwrap.wrap(line, width, initial_indent="  ", subsequent_indent="    "))
        out.append("")
    return "\n".join(out).rstrip() + "\n"


def render_markdown(note: Note) -> str:
    out = [f"# {note.title}", "", *(f"- {line}" for line in note.header), ""]
    for name, lines in note.sections:
        out += [f"## {name}", "", *(f"- {line}" for line in lines), ""]
    return "\n".join(out).rstrip() + "\n"


def to_dict(note: Note) -> dict[str, Any]:
    return {
        "format": note.style.value,
        "title": note.title,
        "header": list(note.header),
        "sections": {name.lower(): list(lines) for name, lines in note.sections},
        "homework": note.homework,
    }
