"""Files hwtui writes for the clinician (notes, exports): private, and never clobbered."""

from __future__ import annotations

import os
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
