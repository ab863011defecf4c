"""`hwtui export --format fhir`: one FHIR R4 Bundle per client, checked, audited, written.

One client: the bundle goes to standard output, or to a new file (0600). The whole
caseload (`--all`): one file per client, `CODE.json`, in a new folder (0700) or a new
.zip (entries 0600) -- an EHR's bulk import takes bundles one file each; FHIR Bulk Data's
NDJSON holds loose resources, one per line, not bundles.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path
from typing import Any

from sqlmodel import Session, col, select

from hwtui.data.errors import HwtuiError
from hwtui.data.export import record_export
from hwtui.data.export_plan import CLIENT
from hwtui.data.fhir.bundle import ClientBundle, client_bundle, validate
from hwtui.data.fhir.ids import identifier_system
from hwtui.data.files import write_private, write_private_folder, write_private_zip
from hwtui.data.models import Client
from hwtui.data.services.clients import get_client
from hwtui.data.services.identity import Actor

_UNSAFE = re.compile(r"[^A-Za-z0-9_-]")


@dataclass(frozen=True, slots=True)
class FhirExport:
    bundles: list[ClientBundle]

    @property
    def resources(self) -> int:
        return sum(len(b.resources) for b in self.bundles)


def export_fhir(
    session: Session,
    me: Actor,
    client_id: int | None,
    *,
    identifier_setting: str,
    with_names: bool = False,
    since: date | None = None,
    timestamp: datetime | None = None,
) -> FhirExport:
    """One client's bundle (or one per client of *me*'s caseload when None), each checked
    against the FHIR R4 models. Records an "export" audit event in *session* (format=fhir):
    run it in a write transaction and let the bundles leave only after that commits."""
    system = identifier_system(identifier_setting, me.username)
    if client_id is not None:
        clients = [get_client(session, me, client_id)]
    else:
        clients = list(
            session.exec(
                select(Client)
                .where(Client.clinician_id == me.clinician_id)
                .order_by(col(Client.id))
            )
        )
    bundles = [
        client_bundle(
            session, me, c, system, with_names=with_names, since=since, timestamp=timestamp
        )
        for c in clients
    ]
    for bundle in bundles:
        validate(bundle.bundle)
    tables: dict[str, list[Any]] = {CLIENT: []}
    for bundle in bundles:
        for resource in bundle.resources:
            kind = resource["resourceType"]
            tables.setdefault(CLIENT if kind == "Patient" else kind, []).append(resource["id"])
    extra = f"since={since.isoformat() if since else 'all'} names={'yes' if with_names else 'no'}"
    record_export(session, me, client_id, "fhir", tables, extra=extra)
    return FhirExport(bundles)


def file_names(bundles: list[ClientBundle]) -> dict[str, ClientBundle]:
    """A file name per bundle: its client's code, made safe for any file system."""
    names: dict[str, ClientBundle] = {}
    for bundle in bundles:
        stem = _UNSAFE.sub("_", bundle.code) or "client"
        name, n = f"{stem}.json", 1
        while name.lower() in {k.lower() for k in names}:
            n += 1
            name = f"{stem}-{n}.json"
        names[name] = bundle
    return names


def write_bundles(export: FhirExport, out: Path, *, one: bool) -> None:
    """A single client's bundle to the new file *out*; a caseload's, one file per client,
    to the new folder or .zip *out*. Nothing existing is overwritten."""
    if one:
        (bundle,) = export.bundles
        write_private(out, bundle.text())
        return
    files: Mapping[str, str] = {
        name: bundle.text() for name, bundle in file_names(export.bundles).items()
    }
    if out.suffix.lower() == ".zip":
        write_private_zip(out, files)
    elif out.suffix.lower() == ".json":
        raise HwtuiError(
            "a caseload's FHIR export is one bundle per client: give --out FOLDER or FILE.zip"
        )
    else:
        write_private_folder(out, files)
