"""`Practice`: everything a screen may ask of the record, one transaction per question.

Screens never open sessions or choose between a read and a write: each method here does,
and says why when it is not the obvious one (a view of client data is a write, because it
is audited). Methods take and return plain values and read models, run on any thread
(screens call them from workers, see `hwtui.screens.asking`), and raise the service
layer's own errors (`InvalidInput`, `NotFound`, `DraftInUse`, `DraftLost`...).

The services are imported inside the methods: the caseload, the first screen, is painted
before the ORM is loaded (see `first_screen`), and this module is imported with it.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, time
from pathlib import Path
from typing import TYPE_CHECKING, Any

from hwtui.data.actor import Actor
from hwtui.data.caseload_rows import CaseloadRow

if TYPE_CHECKING:
    from hwtui.data.assignment_form import AssignmentForm, EditorTarget
    from hwtui.data.db import Database
    from hwtui.data.handout import Handout
    from hwtui.data.lease import Holder
    from hwtui.data.models import Measure, UnsavedInput
    from hwtui.data.practice_views import (
        ClientFacing,
        ClientOverview,
        EditorSetup,
        RecordView,
        SignForm,
    )
    from hwtui.data.services.assignment_detail import AssignmentDetail
    from hwtui.data.services.caseload import DueTask, Trend
    from hwtui.data.services.process_notes import ProcessNoteView
    from hwtui.data.services.progress import Progress, Win
    from hwtui.data.services.reviews import DraftLost, ReviewContext
    from hwtui.data.services.trends import CaseloadTrends


class Practice:
    """The record as one clinician (*actor*) reaches it through *db*.

    *db* is asked for the database each time: the app opens it after the first frame, on
    whichever worker needs it first. *today* is injected so tests can freeze the
    calendar; *holder* is this session as the one writer of the drafts it opens."""

    def __init__(
        self,
        db: Callable[[], Database],
        actor: Actor,
        today: Callable[[], date],
        holder: Holder,
    ) -> None:
        self._db = db
        self.actor = actor
        self.today = today
        self.holder = holder

    # -- caseload and clients -----------------------------------------------------------

    def caseload(self) -> list[CaseloadRow]:
        from hwtui.data.services.caseload import list_caseload

        with self._db().write() as session:  # viewing the caseload is audited
            return list_caseload(session, self.actor, self.today())

    def caseload_trend(self, client_ids: list[int]) -> dict[int, Trend]:
        from hwtui.data.services.caseload import caseload_trend

        # Only counts of reviews per client: no client data is shown, so not audited.
        with self._db().read() as session:
            return caseload_trend(session, self.actor, self.today(), client_ids)

    def caseload_trends(self) -> CaseloadTrends:
        from hwtui.data.services.trends import caseload_trends

        with self._db().write() as session:  # a view of client data: audited
            return caseload_trends(session, self.actor, self.today())

    def add_client(self, code: str, name: str, values: list[str]) -> int:
        from hwtui.data.services.clients import create_client

        with self._db().write() as session:
            client = create_client(session, self.actor, code=code, display_name=name, values=values)
            assert client.id is not None
            return client.id

    def client_values(self, client_id: int) -> tuple[str, list[str]]:
        """The client's code and the values they named, in their order."""
        from hwtui.data.services.clients import get_client, list_values

        with self._db().read() as session:
            client = get_client(session, self.actor, client_id)
            return client.code, [v.text for v in list_values(session, self.actor, client_id)]

    def set_values(self, client_id: int, values: list[str]) -> None:
        from hwtui.data.services.clients import set_values

        with self._db().write() as session:
            set_values(session, self.actor, client_id, values)

    def client_overview(
        self, client_id: int, *, history: int, earlier: int | None = 50
    ) -> ClientOverview:
        """The brief (with the latest *earlier* earlier tasks; None: all) and the last
        *history* reviews for the chart, in one transaction (both are audited)."""
        from hwtui.data.practice_views import ClientOverview
        from hwtui.data.services.caseload import client_brief
        from hwtui.data.services.clients import get_client
        from hwtui.data.services.progress import client_progress
        from hwtui.data.services.risk import measure_rows

        with self._db().write() as session:
            get_client(session, self.actor, client_id)  # theirs, before anything of it
            # Read once for both: the brief's changes and alerts, the chart's scores.
            scores = measure_rows(session, client_id, chart_reviews=history)
            brief = client_brief(session, self.actor, client_id, earlier=earlier, measures=scores)
            progress = client_progress(
                session, self.actor, client_id, history=history, measures=scores
            )
        return ClientOverview(brief, progress)

    def earlier_homework(self, client_id: int) -> list[DueTask]:
        """Every earlier task of the client, as the overview lists them (audited as a
        view of their homework)."""
        from hwtui.data.services.caseload import earlier_tasks

        with self._db().write() as session:
            return earlier_tasks(session, self.actor, client_id)

    def client_facing(self, client_id: int, *, wins: int) -> ClientFacing:
        from hwtui.data.practice_views import ClientFacing
        from hwtui.data.services.assignments import active_assignments
        from hwtui.data.services.clients import get_client
        from hwtui.data.services.progress import client_progress, wins_bank

        me = self.actor
        with self._db().write() as session:  # audited like any view of client data
            return ClientFacing(
                client=get_client(session, me, client_id),
                progress=client_progress(session, me, client_id),
                wins=wins_bank(session, me, client_id)[:wins],
                goals=active_assignments(session, me, client_id),
            )

    def progress(self, client_id: int) -> Progress:
        from hwtui.data.services.progress import client_progress

        with self._db().write() as session:  # a view of client data: audited
            return client_progress(session, self.actor, client_id)

    def wins(self, client_id: int, search: str = "") -> list[Win]:
        from hwtui.data.services.progress import wins_bank

        with self._db().write() as session:  # viewing client data is audited
            return wins_bank(session, self.actor, client_id, search)

    # -- the client's handout -----------------------------------------------------------

    def handout(self, client_id: int) -> Handout:
        """The client's handout, to show (audited as a view)."""
        from hwtui.data.services.handout import handout_for

        with self._db().write() as session:
            return handout_for(session, self.actor, client_id, self.today())

    def record_handout_copy(self, handout: Handout) -> None:
        """A handout copied to the clipboard has left hwtui: audited like a saved one."""
        from hwtui.data.services.handout import record_handout

        with self._db().write() as session:
            record_handout(session, self.actor, handout, "text", action="copy")

    def save_handout(
        self, client_id: int, path: Path, times: dict[int, time] | None = None
    ) -> Path:
        """Write the handout to a new private file, in the format its name asks for
        (`handout_formats.format_for`); audited before it is written."""
        from hwtui.data.export import check_new_path
        from hwtui.data.files import write_private
        from hwtui.data.handout_formats import format_for, render
        from hwtui.data.services.handout import read_handout, record_handout

        path = path.expanduser()
        check_new_path(path)
        fmt = format_for(path)
        with self._db().write() as session:
            handout = read_handout(session, self.actor, client_id, self.today())
            data = render(handout, fmt, times)
            record_handout(session, self.actor, handout, fmt)
        return write_private(path, data)

    # -- measures -----------------------------------------------------------------------

    def record_measure(
        self, client_id: int, code: str, items: list[int], *, review_id: int | None, question: str
    ) -> Measure:
        from hwtui.data.services.measures import record_measure

        with self._db().write() as session:
            return record_measure(
                session, self.actor, client_id, code, items, review_id=review_id, question=question
            )

    def acknowledge_alert(self, measure_id: int) -> None:
        from hwtui.data.services.progress import acknowledge_alert

        with self._db().write() as session:
            acknowledge_alert(session, self.actor, measure_id)

    # -- homework -----------------------------------------------------------------------

    def assignment_detail(self, assignment_id: int) -> AssignmentDetail:
        from hwtui.data.services.assignment_detail import assignment_detail

        with self._db().write() as session:  # viewing homework is audited
            return assignment_detail(session, self.actor, assignment_id)

    def complete_assignment(self, assignment_id: int) -> None:
        from hwtui.data.services.assignments import complete_assignment

        with self._db().write() as session:
            complete_assignment(session, self.actor, assignment_id)

    def retire_assignment(self, assignment_id: int, reason: str) -> None:
        from hwtui.data.services.assignments import retire_assignment

        with self._db().write() as session:
            retire_assignment(session, self.actor, assignment_id, reason)

    def editor_setup(self, target: EditorTarget, prefill: AssignmentForm | None) -> EditorSetup:
        from hwtui.data.assignment_form import AssignmentForm
        from hwtui.data.practice_views import EditorSetup
        from hwtui.data.services.assignments import get_assignment, goal_chain
        from hwtui.data.services.clients import get_client, get_value, list_values

        me = self.actor
        with self._db().read() as session:
            code = get_client(session, me, target.client_id).code
            values = [(v.id, v.text) for v in list_values(session, me, target.client_id) if v.id]
            form, chain = prefill, []
            if target.assignment_id is not None:
                form = AssignmentForm.from_assignment(
                    get_assignment(session, me, target.assignment_id)
                )
                chain = [a.title for a in goal_chain(session, me, target.assignment_id)[:-1]]
            elif target.goal_of is not None:
                chain = [a.title for a in goal_chain(session, me, target.goal_of)]
            elif target.replacing is not None:
                ancestors = goal_chain(session, me, target.replacing)
                chain = [a.title for a in ancestors]
                if form is None:
                    form = AssignmentForm.smaller_step_of(ancestors[-1], None, [])
            linked = form.value_id if form else None
            if linked is not None and linked not in {value_id for value_id, _ in values}:
                # A value the client has since dropped: still shown, so the link survives.
                values.append((linked, f"{get_value(session, me, linked).text} (dropped)"))
            return EditorSetup(code, values, form, chain)

    def save_assignment(
        self, target: EditorTarget, versions: list[dict[str, Any]], changes: dict[str, Any]
    ) -> int:
        """Save the editor's work in one transaction: the form, and before it every
        bigger version it replaces, each replaced by the next smaller one. Returns the id
        of the assignment now active."""
        from hwtui.data.services.assignments import (
            create_assignment,
            get_assignment,
            replace_assignment,
            update_assignment,
        )

        me, today = self.actor, self.today()
        with self._db().write() as session:
            if target.assignment_id is not None:
                row = update_assignment(session, me, target.assignment_id, today=today, **changes)
                rest = versions[1:]
            elif target.replacing is not None:
                row = get_assignment(session, me, target.replacing)
                rest = versions
            else:
                row = create_assignment(session, me, target.client_id, today=today, **versions[0])
                rest = versions[1:]
            for fields in rest:
                assert row.id is not None
                row = replace_assignment(session, me, row.id, today=today, **fields)
            assert row.id is not None
            return row.id

    # -- reviews ------------------------------------------------------------------------

    def start_review(self, client_id: int) -> int:
        """The client's draft review, started today unless one is open."""
        from hwtui.data.services.reviews import start_review

        with self._db().write() as session:
            review = start_review(session, self.actor, client_id, self.today())
            assert review.id is not None
            return review.id

    def open_review(self, review_id: int, *, take_over: bool = False) -> ReviewContext:
        """Open a review to work on it: a draft becomes this session's (`DraftInUse` if
        another session holds it, unless *take_over*)."""
        from hwtui.data.services.reviews import open_review

        with self._db().write() as session:  # viewing a review is audited
            return open_review(
                session, self.actor, review_id, lease=self.holder, take_over=take_over
            )

    def peek_review(self, review_id: int) -> ReviewContext:
        """A review to read only: a draft stays with whoever holds it."""
        from hwtui.data.services.reviews import open_review

        with self._db().write() as session:  # a view of client data: audited
            return open_review(session, self.actor, review_id)

    def lease_problem(self, review_id: int) -> DraftLost | None:
        """Whether this session still holds the draft (asked every few seconds)."""
        from hwtui.data.services.reviews import lease_problem

        with self._db().read() as session:
            return lease_problem(session, self.actor, review_id, self.holder.token)

    def save_draft(
        self, review_id: int, data: dict[str, Any] | None, *, release: bool = False
    ) -> None:
        """Store the draft's *data* (if given), as this session; with *release*, this
        session is leaving the draft and frees it for the next one."""
        from hwtui.data.services.reviews import release_review, save_draft

        token = self.holder.token
        with self._db().write() as session:
            if data is not None:
                save_draft(session, self.actor, review_id, lease=token, **data)
            if release:
                release_review(session, self.actor, review_id, token)

    def complete_review(self, review_id: int, data: dict[str, Any]) -> None:
        from hwtui.data.services.reviews import complete_review

        with self._db().write() as session:
            complete_review(session, self.actor, review_id, lease=self.holder.token, **data)

    def keep_unsaved(
        self, review_id: int, words: str, reason: str, fields: dict[str, Any]
    ) -> int | None:
        """Keep words a draft could no longer take; returns the kept row's id."""
        from hwtui.data.services.reviews import keep_unsaved

        with self._db().write() as session:
            return keep_unsaved(session, self.actor, review_id, words, reason, fields=fields).id

    def record_unsaved_copy(self, review_id: int, kept_id: int | None) -> None:
        from hwtui.data.services.reviews import record_unsaved_copy

        with self._db().write() as session:
            record_unsaved_copy(session, self.actor, review_id, kept_id)

    def record_view(self, review_id: int) -> RecordView:
        from hwtui.data.notes import build_note, render_text, suggest_assessment
        from hwtui.data.practice_views import RecordView
        from hwtui.data.services.identity import signature
        from hwtui.data.services.notes import note_source, note_style
        from hwtui.data.services.reviews import open_review, review_versions

        with self._db().write() as session:  # viewing is audited
            ctx = open_review(session, self.actor, review_id)
            source = note_source(session, self.actor, review_id)
            document = build_note(source, note_style(session, self.actor))
            versions = review_versions(session, self.actor, review_id)
            signed_as = signature(session, self.actor)
        return RecordView(
            ctx,
            render_text(document),
            versions,
            document,
            signed_as,
            suggest_assessment(source),
        )

    def record_note_copy(self, review_id: int) -> None:
        from hwtui.data.services.notes import record_note_copy

        with self._db().write() as session:
            record_note_copy(session, self.actor, review_id)

    def save_note(self, review_id: int, path: Path) -> Path:
        from hwtui.data.services.notes import save_note

        with self._db().write() as session:
            return save_note(session, self.actor, review_id, path)

    def sign_review(self, review_id: int, form: SignForm) -> None:
        """Sign with the clinician's own assessment (needed: see `sign_review`), the
        session's length and modality; a changed name or credentials is kept for the
        clinician's later notes too, in the same transaction."""
        from hwtui.data.services.identity import set_signature, signature
        from hwtui.data.services.reviews import sign_review

        with self._db().write() as session:
            current = signature(session, self.actor)
            if (form.name, form.credentials) != (current.display_name, current.credentials):
                set_signature(session, self.actor, form.name, form.credentials)
            sign_review(
                session,
                self.actor,
                review_id,
                assessment=form.assessment,
                minutes=form.minutes,
                modality=form.modality,
            )

    def save_risk_check(self, review_id: int, check: dict[str, Any]) -> None:
        """The risk check of a completed review, recorded before signing."""
        from hwtui.data.services.risk import record_risk_check

        with self._db().write() as session:
            record_risk_check(session, self.actor, review_id, check)

    def amend_review(self, review_id: int, reason: str) -> int:
        from hwtui.data.services.reviews import amend_review

        with self._db().write() as session:
            amendment = amend_review(session, self.actor, review_id, reason)
            assert amendment.id is not None
            return amendment.id

    # -- words typed outside the review (see services.unsaved) --------------------------

    def typed(self, place: str) -> UnsavedInput | None:
        from hwtui.data.services.unsaved import typed

        with self._db().write() as session:  # reading client words is audited
            return typed(session, self.actor, place)

    def keep_typing(
        self, place: str, fields: dict[str, Any], text: str, *, client_id: int | None
    ) -> None:
        from hwtui.data.services.unsaved import keep_typing

        with self._db().write() as session:
            keep_typing(session, self.actor, place, fields, text, client_id=client_id)

    def forget_typing(self, place: str) -> None:
        from hwtui.data.services.unsaved import forget_typing

        with self._db().write() as session:
            forget_typing(session, self.actor, place)

    # -- process notes: private, apart from the record (see services.process_notes) -----

    def process_note(self, review_id: int) -> ProcessNoteView:
        """The review's process notes ("" if none yet), for their own screen only."""
        from hwtui.data.services.process_notes import process_note

        with self._db().write() as session:  # reading them is audited
            return process_note(session, self.actor, review_id)

    def save_process_note(self, review_id: int, text: str) -> ProcessNoteView:
        """Store the review's process notes; empty text deletes them."""
        from hwtui.data.services.process_notes import save_process_note

        with self._db().write() as session:
            return save_process_note(session, self.actor, review_id, text)
