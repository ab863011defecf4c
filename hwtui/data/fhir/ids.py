"""Stable FHIR ids and the Patient identifier's system.

The same rows always give the same ids: each resource's id is a UUIDv5 of hwtui's own
namespace and a name made of the practice's identifier system (with the clinician filled
in), the kind of resource and the row it comes from. Two clinicians' (or two practices')
rows with equal row ids therefore get different ids, and an EHR that receives a later
export recognises each resource as the one it received before.
"""

from __future__ import annotations

import re
import uuid
from urllib.parse import quote

# hwtui's namespace for FHIR ids (a random UUID, fixed for ever: changing it changes
# every id an EHR has received).
NAMESPACE = uuid.UUID("5b0f6f0e-8a55-4c1c-9a0e-3c4a1f2d7e61")
CLINICIAN_FIELD = "{clinician}"
_SCHEME = re.compile(r"^[A-Za-z][A-Za-z0-9+.-]*:\S+$")


def identifier_system_problem(system: str) -> str | None:
    """What is wrong with *system* as the `fhir_identifier_system` setting, or None."""
    if not _SCHEME.match(system):
        return (
            f"{system[:80]!a} is not an absolute URI: give one such as "
            "https://example.org/fhir/client-code/{clinician} or urn:oid:1.2.3"
        )
    rest = system.replace(CLINICIAN_FIELD, "")
    if "{" in rest or "}" in rest:
        return "only {clinician} may be filled in; no other braces"
    return None


def identifier_system(setting: str, clinician: str) -> str:
    """The identifier system of one clinician's client codes: *setting* with
    "{clinician}" replaced by the clinician's login (percent-encoded)."""
    return setting.replace(CLINICIAN_FIELD, quote(clinician, safe=""))


def resource_id(system: str, kind: str, key: object) -> str:
    """The id of the resource made from row *key* of *kind* ("assignment", ...)."""
    return str(uuid.uuid5(NAMESPACE, f"{system}|{kind}/{key}"))


def full_url(resource_id: str) -> str:
    return f"urn:uuid:{resource_id}"
