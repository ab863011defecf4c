"""Progress notes from a review: DAP (default), SOAP or BIRP, as text, Markdown or JSON.

Pure: `NoteSource` holds plain values (gathered by services/notes.py), `build_note` lays
them out in the practice's format, and the renderers turn that into text. Every string a
person typed goes through `strip_controls` again here, because notes are printed to
terminals and pasted into other systems.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime
from enum import StrEnum
from typing import Any

from hwtui.data.local_time import stamp
from hwtui.data.text import join_clauses, strip_controls, wrap_cells


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
    belief: str = ""  # the limiting belief, in the client's words
    quality: str = ""  # e.g. "very well (3/4)"
    difficulty: str = ""  # e.g. "hard (3/4)"
    times: str = ""  # e.g. "3 of 7 times"


@dataclass(frozen=True, slots=True)
class GoalLine:
    title: str
    supports: str | None = None
    # A smaller step of the task it supports: set only when it differs from that task
    # (a goal that repeats the missed task is a new goal, not a smaller one).
    smaller: bool = False
    what: str = ""
    when: str = ""
    where: str = ""
    how_often: str = ""
    how_long: str = ""
    value: str | None = None
    confidence: int | None = None
    kind: str = ""  # the homework kind's name
    obstacles: tuple[str, ...] = ()  # labels of the obstacles planned for
    rationale_given: bool = False
    decided_together: bool = False
    started_in_session: bool = False
    reminder_set: bool = False


@dataclass(frozen=True, slots=True)
class MeasureLine:
    name: str
    total: int
    total_max: int
    band: str | None = None
    question: str = ""
    # Against the previous and the first score, in words (see measure_change.py).
    change: str = ""
    # Why the Plan should respond: a reliable deterioration, the alliance below its
    # cutoff; empty when nothing is flagged.
    flag: str = ""


@dataclass(frozen=True, slots=True)
class SelfHarm:
    """PHQ-9 item 9 (thoughts of self-harm), as recorded: this session's score if a
    PHQ-9 was given, whether its alert was acknowledged, and earlier positive scores."""

    score: int | None = None  # None: no PHQ-9 this session
    acknowledged_at: datetime | None = None
    acknowledged_by: str = ""
    earlier_positive: tuple[tuple[date, int], ...] = ()  # newest first


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
    # The signature as it was when signed (name and credentials), and the session's
    # length and modality, recorded at signing.
    signed_as: str = ""
    signed_credentials: str = ""
    session_minutes: int | None = None
    modality: str = ""  # a label: "in person", "video", "phone"
    assessment: str = ""  # the clinician's own, typed before signing
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
    self_harm: SelfHarm = field(default_factory=SelfHarm)
    # Homework reviewed today that goes on as it was (not completed, not replaced).
    continuing: tuple[str, ...] = ()
    # The review's risk check: what was recorded, as (label, value), and what was not;
    # `risk_due`: item 9 was above 0 lately, so one was called for.
    risk_check: tuple[tuple[str, str], ...] = ()
    risk_missing: tuple[str, ...] = ()
    risk_due: bool = False


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


def _capital(text: str) -> str:
    return text[:1].upper() + text[1:]


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


def _how_it_went(task: TaskLine) -> list[str]:
    parts = []
    if task.times:
        parts.append(f"done {task.times}")
    if task.quality:
        parts.append(f"how well it went: {task.quality}")
    if task.difficulty:
        parts.append(f"how hard it felt: {task.difficulty}")
    return parts


def _helped(task: TaskLine) -> list[str]:
    parts = _how_it_went(task)
    if task.factors:
        parts.append("what helped: " + ", ".join(_clean(f) for f in task.factors))
    if task.double_down:
        parts.append(f"to do more of: {_clean(task.double_down)}")
    if task.worked_notes:
        parts.append(f"notes: {_clean(task.worked_notes)}")
    return parts


def _hindered(task: TaskLine) -> list[str]:
    parts = []
    if task.barriers:
        parts.append("barriers: " + ", ".join(task.barriers))
    if task.belief:
        parts.append(f"the limiting belief, in the client's words: “{_clean(task.belief)}”")
    if task.barrier_notes:
        parts.append(f"notes on the barriers: {_clean(task.barrier_notes)}")
    if task.learned:
        parts.append(f"learned: {_clean(task.learned)}")
    return parts


def _worked(src: NoteSource) -> list[str]:
    """Tasks done, and tasks partly done (each once, with what helped and what got in
    the way), as far as they were talked through."""
    lines = []
    for task in src.tasks:
        if not task.discussed:
            continue
        if task.outcome == "done":
            lines.append(_sentence([f"Completed task “{_clean(task.title)}”", *_helped(task)]))
        elif task.outcome == "partly done":
            parts = [*_helped(task), *_hindered(task)]
            if parts:
                lines.append(_sentence([f"Partly done task “{_clean(task.title)}”", *parts]))
    return lines


def _missed(src: NoteSource) -> list[str]:
    lines = []
    for task in src.tasks:
        if task.outcome != "not done" or not task.discussed:
            continue
        parts = [*_how_it_went(task), *_hindered(task)]
        if parts:
            lines.append(_sentence([f"Missed task “{_clean(task.title)}”", *parts]))
    return lines


def _measures(src: NoteSource) -> list[str]:
    lines = []
    for m in src.measures:
        band = f" ({m.band})" if m.band else ""
        question = f" — “{_clean(m.question)}”" if m.question else ""
        change = f"; {m.change}" if m.change else ""
        lines.append(f"{m.name}: {m.total}/{m.total_max}{band}{question}{change}.")
    return lines


def _risk(src: NoteSource) -> list[str]:
    """What was recorded about self-harm, as facts: a score, an acknowledgement, or
    that it was not screened. Never an instruction, and never "no risk"."""
    harm = src.self_harm
    lines = []
    if harm.score is None:
        lines.append("Self-harm (PHQ-9 item 9): not screened this session.")
    elif harm.score == 0:
        lines.append("PHQ-9 item 9 (thoughts of self-harm): 0 this session.")
    else:
        text = f"PHQ-9 item 9 (thoughts of self-harm) scored {harm.score} this session"
        if harm.acknowledged_at is not None:
            who = f" by {_clean(harm.acknowledged_by)}" if harm.acknowledged_by else ""
            text += f"; the alert was acknowledged{who} on {stamp(harm.acknowledged_at)}"
        else:
            text += "; the alert was not acknowledged in hwtui"
        lines.append(text + ".")
    if harm.earlier_positive:
        listed = ", ".join(f"{day:%d %b %Y} ({score})" for day, score in harm.earlier_positive)
        lines.append(f"PHQ-9 item 9 was above 0 earlier: {listed}.")
    lines.extend(_risk_check(src))
    return lines


def _risk_check(src: NoteSource) -> list[str]:
    """The risk check as recorded: what was asked, the answers, the level, the safety
    plan and the follow-up; what was not recorded is named as such."""
    if not src.risk_check and not src.risk_due:
        return []
    if not src.risk_check:
        return ["Risk check: not recorded in hwtui."]
    parts = [f"{label}: {_clean(value)}" for label, value in src.risk_check]
    if src.risk_missing:
        parts.append("not recorded: " + ", ".join(src.risk_missing))
    return [_sentence([f"Risk check: {parts[0]}", *parts[1:]])]


def _flags(src: NoteSource) -> list[str]:
    """Measures the Plan should respond to, named as flags, not as actions taken."""
    flagged = [f"{m.name} {m.flag}" for m in src.measures if m.flag]
    return [f"Flagged for follow-up: {'; '.join(flagged)}."] if flagged else []


def _interventions(src: NoteSource) -> list[str]:
    """What the clinician did in this review, as recorded: nothing is claimed that the
    review does not hold."""
    done = []
    if src.tasks:
        count = len(src.tasks)
        done.append(f"reviewed {count} homework task{'s' if count != 1 else ''}")
    if src.win_text:
        done.append("elicited a win in the client's words")
    if any(t.discussed and t.factors for t in src.tasks):
        done.append("explored what helped")
    if any(t.discussed and t.barriers for t in src.tasks):
        done.append("explored barriers")
    for goal in src.goals:
        how = [
            label
            for label, flag in (
                ("agreed together", goal.decided_together),
                ("rationale given", goal.rationale_given),
                ("started in session", goal.started_in_session),
                ("reminder set", goal.reminder_set),
            )
            if flag
        ]
        text = f"set {'a smaller goal' if goal.smaller else 'a new goal'}"
        if goal.kind:
            text += f" ({_clean(goal.kind)})"
        if goal.obstacles:
            text += " with obstacles planned for: " + ", ".join(goal.obstacles)
        if how:
            text += "; " + ", ".join(how)
        done.append(text)
    if src.measures:
        done.append("administered " + ", ".join(dict.fromkeys(m.name for m in src.measures)))
    recorded = dict(src.risk_check)
    if recorded:
        check = "completed a risk check" if not src.risk_missing else "began a risk check"
        if recorded.get("safety plan"):
            check += f" (safety plan {recorded['safety plan']})"
        done.append(check)
    if not done:
        return ["Interventions: none recorded."]
    first, *rest = done
    return [_sentence([f"Interventions: {first}", *rest])]


def _clinician_assessment(src: NoteSource) -> list[str]:
    if src.assessment.strip():
        return [f"Clinician's assessment: {_clean(src.assessment)}"]
    return ["Clinician's assessment: not recorded."]


def _assessment(src: NoteSource) -> list[str]:
    window = min(src.reviews_considered, 4) or 1
    reviews = "review" if window == 1 else f"{window} reviews"
    lines = [
        *_clinician_assessment(src),
        f"Homework completion this session: {src.completion}; "
        f"over the last {reviews}: {src.rolling}.",
    ]
    if src.recurring_barriers:
        listed = ", ".join(
            f"{label} ({n} of {src.reviews_considered})" for label, n in src.recurring_barriers
        )
        lines.append(f"Barriers across recent reviews: {listed}.")
    lines.extend(_risk(src))
    return lines


def suggest_assessment(src: NoteSource) -> str:
    """A starting point for the clinician's assessment, from what the review recorded
    only (completion, flagged measures, the risk check): offered, never signed unasked."""
    parts = [f"Homework completion {src.completion} this session, {src.rolling} recently"]
    flagged = [f"{m.name} {m.flag}" for m in src.measures if m.flag]
    if flagged:
        parts.append("flagged: " + ", ".join(flagged))
    level = dict(src.risk_check).get("clinician's risk level")
    if level:
        parts.append(f"risk level {level} at the risk check")
    return _sentence(parts)


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
    text = f"{'New smaller goal' if goal.smaller else 'New goal'} “{_clean(goal.title)}”"
    if goal.supports:
        text += f", supporting “{_clean(goal.supports)}”"
        if not goal.smaller:
            text += " (not changed from it)"
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
        lines.append(f"No new goal set ({_clean(reason)})." if reason else "No new goal recorded.")
    if src.continuing:
        listed = ", ".join(f"“{_clean(title)}”" for title in src.continuing)
        lines.append(f"Homework continuing: {listed}.")
    lines.extend(_flags(src))
    follow_up = dict(src.risk_check).get("follow-up")
    if follow_up:
        lines.append(f"Risk follow-up: {_clean(follow_up).rstrip('.')}.")
    if src.next_review:
        lines.append(f"Next review: {src.next_review:%d %b %Y}.")
    return lines


def _task_fields(task: TaskLine) -> dict[str, Any]:
    """A task's outcome with what helped and what got in the way as fields (the
    sentences of "completed" and "missed" say the same for a reader)."""
    fields: dict[str, Any] = {"task": _clean(task.title), "outcome": task.outcome}
    for name in ("quality", "difficulty", "times"):
        if getattr(task, name):
            fields[name] = getattr(task, name)
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
        fields["belief"] = _clean(task.belief) or None
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
            {
                "name": m.name,
                "total": m.total,
                "max": m.total_max,
                "band": m.band,
                "change": m.change or None,
                "flag": m.flag or None,
            }
            for m in src.measures
        ],
        "self_harm": {
            "item9": src.self_harm.score,
            "acknowledged_at": (
                src.self_harm.acknowledged_at.isoformat() if src.self_harm.acknowledged_at else None
            ),
            "earlier_positive": [
                {"date": day.isoformat(), "score": score}
                for day, score in src.self_harm.earlier_positive
            ],
        },
        "risk_check": (
            {label: _clean(value) for label, value in src.risk_check}
            | ({"not recorded": list(src.risk_missing)} if src.risk_missing else {})
            if src.risk_check
            else ("not recorded" if src.risk_due else None)
        ),
        "continuing": [_clean(title) for title in src.continuing],
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
        sections = (
            ("Data", [*data, *_interventions(src)]),
            ("Assessment", _assessment(src)),
            ("Plan", _plan(src)),
        )
    elif style is NoteStyle.SOAP:
        subjective = [*_win(src), *_worked(src), *_missed(src)]
        objective = [*_outcomes(src), *_measures(src), *_interventions(src)]
        sections = (
            ("Subjective", subjective or ["Nothing reported by the client was recorded."]),
            ("Objective", objective),
            ("Assessment", _assessment(src)),
            ("Plan", _plan(src)),
        )
    else:
        response = [*_win(src), *_worked(src), *_missed(src), *_clinician_assessment(src)]
        sections = (
            ("Behavior", [*_outcomes(src), *_measures(src), *_risk(src)]),
            (
                "Intervention",
                [_capital(i.removeprefix("Interventions: ")) for i in _interventions(src)],
            ),
            ("Response", response or ["No response recorded."]),
            ("Plan", _plan(src)),
        )
    session = [f"{src.session_date:%d %b %Y}"]
    if src.session_minutes:
        session.append(f"{src.session_minutes} minutes")
    if src.modality:
        session.append(src.modality)
    header = [
        f"Client: {_clean(src.client_code)} ({_clean(src.client_name)})",
        f"Session: {', '.join(session)} · Clinician: {_clean(src.clinician)}",
        f"Status: {src.status}" + (f", version {src.version}" if src.version > 1 else ""),
    ]
    if src.signed_at:
        name = _clean(src.signed_as) or _clean(src.signed_by)
        if src.signed_as and src.signed_credentials.strip():
            name += f", {_clean(src.signed_credentials)}"
        # The login too, when the printed name is another: the record says who it was.
        login = (
            f" ({_clean(src.signed_by)})"
            if src.signed_as and src.signed_by and src.signed_as != src.signed_by
            else ""
        )
        header.append(f"Signed by {name}{login} on {stamp(src.signed_at)}")
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
            # By cells, not characters: CJK or emoji in a client's words stay in width.
            first, *rest = wrap_cells(line, width - 2, width - 4)
            out.extend(["  " + first, *("    " + more for more in rest)])
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
