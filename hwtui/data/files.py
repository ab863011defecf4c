"""Files hwtui writes for the clinician (notes, exports): private, and never clobbered.

A file, or several in a new folder or a new .zip (the CSV export, a caseload's FHIR export).
"""

from __future__ import annotations

import os
import stat
import zipfile
from collections.abc import Mapping
from datetime import datetime
from pathlib import Path

from hwtui.data.errors import HwtuiError


def write_private(path: Path, text: str | bytes) -> Path:
    """Write *text* (or bytes, as a PDF) to a new file readable only by its owner (0600).

    An existing file is never overwritten: records are not silently replaced.
    """
    path = path.expanduser()
    if not path.parent.is_dir():
        raise HwtuiError(f"cannot write {path}: the folder {path.parent} does not exist")
    try:
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError:
        raise HwtuiError(f"{path} already exists; choose another name") from None
    except OSError as exc:
        raise HwtuiError(f"cannot write {path}: {exc.strerror}") from None
    try:
        data = text.encode("utf-8") if isinstance(text, str) else text
        with os.fdopen(fd, "wb") as handle:
            handle.write(data)
            handle.flush()
            os.fsync(handle.fileno())
    except OSError as exc:
        path.unlink(missing_ok=True)
        raise HwtuiError(f"cannot write {path}: {exc.strerror}") from None
    return path


def write_private_folder(out: Path, files: Mapping[str, str]) -> None:
    """Write *files* (name: text) into the new folder *out* (0700), each 0600; if one
    cannot be written, the folder and what was written in it are removed."""
    try:
        out.mkdir(mode=0o700)
    except OSError as exc:
        raise HwtuiError(f"cannot write {out}: {exc.strerror}") from None
    out.chmod(0o700)  # whatever the umask
    try:
        for name, text in files.items():
            write_private(out / name, text)
    except HwtuiError:
        _remove_folder(out, files)
        raise


def _remove_folder(out: Path, files: Mapping[str, str]) -> None:
    # Only what this export created: the folder was new, so these are its only files.
    for name in files:
        (out / name).unlink(missing_ok=True)
    out.rmdir()


def write_private_zip(out: Path, files: Mapping[str, str]) -> None:
    """Write *files* (name: text) into the new .zip *out* (0600), each entry 0600."""
    try:
        fd = os.open(out, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError:
        raise HwtuiError(f"{out} already exists; choose another name") from None
    except OSError as exc:
        raise HwtuiError(f"cannot write {out}: {exc.strerror}") from None
    stamp = datetime.now().timetuple()[:6]  # zip times are local and have no zone
    try:
        with os.fdopen(fd, "wb") as raw, zipfile.ZipFile(raw, "w", zipfile.ZIP_DEFLATED) as zf:
            for name, text in files.items():
                info = zipfile.ZipInfo(name, date_time=stamp)
                info.compress_type = zipfile.ZIP_DEFLATED
                # Unzipping keeps the mode: the extracted files stay private too.
                info.external_attr = (stat.S_IFREG | 0o600) << 16
                zf.writestr(info, text.encode("utf-8"))
    except OSError as exc:
        out.unlink(missing_ok=True)
        raise HwtuiError(f"cannot write {out}: {exc.strerror}") from None
