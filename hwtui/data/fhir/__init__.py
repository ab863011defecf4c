"""The record as FHIR R4, for the practice's EHR (`hwtui export --format fhir`).

One Bundle of type `collection` per client, built from the rows (`bundle`), checked
against the FHIR R4 models of `fhir.resources` (its R4B package: FHIR 4.3, the same
resources and elements as R4 4.0.1 for everything hwtui writes; `fhir.resources` 6.x,
the last release with a package of R4 proper, needs pydantic 1, and hwtui uses pydantic 2).
`fhir.resources` is imported only when a FHIR export runs, never at launch.

What is in a bundle, and why each is what it is:

- `Patient`: the client's code as an identifier; the system is the `fhir_identifier_system`
  setting, "{clinician}" in it filled in with the clinician's login, since a client code is
  unique per clinician, not per practice. The name only with `--with-names`.
- `Practitioner`: the clinician, for the notes' author and signer and the tasks' requester.
- `Goal` per assignment: what the homework is for. Its `lifecycleStatus` follows the
  assignment's status (active, completed, retired: cancelled; replaced: still active, as
  it is now pursued through the smaller goal that replaced it). The chain "smaller goal
  supports original goal" is the standard extension
  `http://hl7.org/fhir/StructureDefinition/goal-relationship` on the original goal, type
  `milestone` ("the target goal is a piece of attaining this goal") and target the smaller
  goal. R4 has no element for it: `Goal.addresses` points at conditions and observations,
  never at another goal; `milestone` says exactly that the step is part of reaching it.
- `Task` per assignment: the homework as agreed, its details (what, when, where, how often,
  how long, instructions, rationale, linked value, confidence) as typed `input`s, its due
  date as `restriction.period.end`, its status (active: in-progress, completed,
  retired/replaced: cancelled) and hwtui's own status as `businessStatus`; `reasonReference`
  is its Goal.
- `Task` per assignment per review (`partOf` the assignment's Task): how it went. done:
  completed, partly: failed (attempted, not completed), not done and no opportunity:
  cancelled; the exact outcome is the `businessStatus` (hwtui's `task-outcome` system), what
  helped and what got in the way are `output`s, the clinician's notes `note`s. From the
  latest finished version of the review (an amendment carries its outcomes).
- `Encounter` per finished review (drafts are not exported): the session; class from how
  it was held (in person AMB, video or phone VR), its length.
- `Composition` per signed version: the progress note (LOINC 11506-3), its sections as
  XHTML narrative with every word escaped, signed (`attester`, mode legal) by the
  clinician at the signing time. An amendment is a Composition of its own, status
  `amended`, that `relatesTo` (replaces) the version it amends. A review completed but not
  signed has an Encounter and outcomes, but no note.
- `Observation` per measure (not those of a draft review): PHQ-9 and GAD-7 totals with
  LOINC (44261-6, 70274-6) and their items as components with LOINC item codes; ORS, SRS,
  scaling and SUDS with hwtui's `measure` system; a PHQ-9 item 9 above 0 as an
  `interpretation` (hwtui's `measure-alert` system).

The same data gives the same bytes: ids are UUIDv5 of the rows (`ids`), references are
`urn:uuid:` fullUrls, the order is fixed, and nothing depends on the clock (the bundle has
no `timestamp` unless one is given).

`--since DAY` sends what changed: a resource is included when one of its rows has a time
on or after the start of DAY in the clinic's zone -- a Goal: its assignment created or
updated, or a smaller goal of it created; an assignment's Task: created or updated; an
Encounter and its outcome Tasks: any version of the review updated, completed or signed;
a Composition: signed; an Observation: taken or its alert acknowledged -- and so is every
resource an included one refers to, so every reference resolves in the bundle. The Patient
is always included.
"""
