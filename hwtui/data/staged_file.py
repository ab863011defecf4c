"""A new file that appears whole or not at all: written to a temporary beside it, then
linked into place.

The temporary is `.<name>.hwtui-tmp-<random>` in the destination's folder (the same
file system, so linking it in is one step, and hwtui never creates a folder for it). It
is created 0600 with O_EXCL, so it is a new file and never a symlink someone left. The
caller fills, checks and fsyncs it, then `publish` links it to the destination: `link`
fails atomically if the destination exists, so an existing file is never replaced, even
one that appeared meanwhile. Then the temporary's name is removed and the folder fsynced.

A process killed half-way leaves its temporary (and whatever SQLite kept beside it). The
next run removes such leftovers: each temporary is held under an exclusive `flock` while
its writer lives, and the kernel drops the lock when the writer dies, so a temporary that
can be locked is stale and one that cannot belongs to a run still going.
"""

from __future__ import annotations

import errno
import fcntl
import os
import re
import secrets
import stat
from collections.abc import Iterator
from contextlib import contextmanager, suppress
from dataclasses import dataclass
from pathlib import Path

MARK = ".hwtui-tmp-"
# What SQLite may keep next to a database file.
SIDE_FILES = ("-journal", "-wal", "-shm")
_TOKEN_BYTES = 8
# Room in a 255-byte file name for the dot, the mark, the token and "-journal".
_NAME_BYTES = 200
_LEFTOVER = re.compile(
    r"\.(?P<name>.+)" + re.escape(MARK) + rf"[0-9a-f]{{{2 * _TOKEN_BYTES}}}"
    r"(?P<side>-journal|-wal|-shm)?",
    re.DOTALL,
)


@dataclass(frozen=True, slots=True)
class Staged:
    dest: Path
    path: Path  # the temporary
    fd: int  # open, and flock-ed, until the temporary is published or removed


def temporary_name(dest: Path) -> str:
    # A very long name is cut (by bytes: names are bytes) so the temporary still fits.
    name = os.fsdecode(os.fsencode(dest.name)[:_NAME_BYTES])
    return f".{name}{MARK}{secrets.token_hex(_TOKEN_BYTES)}"


@contextmanager
def staged(dest: Path) -> Iterator[Staged]:
    """A new, empty, private temporary beside *dest*; removed on leaving unless published."""
    path, fd = _create_locked(dest)
    try:
        yield Staged(dest, path, fd)
    finally:
        try:
            remove_with_side_files(path)
        finally:
            os.close(fd)


def _create_locked(dest: Path) -> tuple[Path, int]:
    flags = os.O_RDWR | os.O_CREAT | os.O_EXCL | os.O_NOFOLLOW | os.O_CLOEXEC
    for _ in range(3):
        path = dest.with_name(temporary_name(dest))
        fd = os.open(path, flags, 0o600)
        # Between creating and locking, another run's clean-up may take the new file for
        # a dead run's and remove it: then it is no longer at its name, and a new one is made.
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
            if _is_same_file(path, fd):
                return path, fd
        except BlockingIOError:
            pass
        except BaseException:
            os.close(fd)
            raise
        os.close(fd)
    raise OSError(errno.EAGAIN, "another hwtui kept removing its temporary file", str(path))


def sync(staged: Staged) -> None:
    """Flush the temporary's contents to the disk, whoever wrote them."""
    os.fsync(staged.fd)


def publish(staged: Staged) -> None:
    """Put the temporary in place as the destination, never over an existing file.

    FileExistsError (naming the destination) if it exists.
    """
    _same_file(staged.path, staged.fd)  # still the file written and checked
    try:
        os.link(staged.path, staged.dest, follow_symlinks=False)
    except FileExistsError:
        raise FileExistsError(errno.EEXIST, os.strerror(errno.EEXIST), str(staged.dest)) from None
    except OSError as exc:
        # Some file systems (FAT, exFAT: many USB drives) have no hard links. There
        # only a rename is left, which would replace a file appearing in between.
        if exc.errno not in {errno.EPERM, errno.ENOTSUP, errno.EOPNOTSUPP, errno.EMLINK}:
            raise
        if os.path.lexists(staged.dest):
            raise FileExistsError(
                errno.EEXIST, os.strerror(errno.EEXIST), str(staged.dest)
            ) from None
        os.rename(staged.path, staged.dest)
    if not _is_same_file(staged.dest, staged.fd):
        # The temporary was swapped after the check: the name is hwtui's, the file is not
        # the one checked.
        staged.dest.unlink(missing_ok=True)
        raise _replaced(staged.path)
    try:
        staged.path.unlink(missing_ok=True)
        sync_folder(staged.dest.parent)
    except BaseException:
        # Not known to be on disk: do not leave it looking like a finished backup.
        staged.dest.unlink(missing_ok=True)
        raise


def sync_folder(folder: Path) -> None:
    """Make the folder's entries (a new name, a removed one) survive a power cut."""
    fd = os.open(folder, os.O_RDONLY | os.O_DIRECTORY | os.O_CLOEXEC)
    try:
        os.fsync(fd)
    except OSError as exc:
        # Some file systems cannot fsync a folder; they offer nothing better.
        if exc.errno not in {errno.EINVAL, errno.ENOTSUP, errno.EOPNOTSUPP}:
            raise
    finally:
        os.close(fd)


def remove_with_side_files(path: Path) -> None:
    """Remove a temporary and what SQLite kept beside it; the side files first, so a
    journal is never left without its database."""
    for suffix in (*SIDE_FILES, ""):
        Path(f"{path}{suffix}").unlink(missing_ok=True)


def remove_stale(folder: Path) -> list[Path]:
    """Remove the temporaries (and their side files) that dead hwtui runs left in *folder*.

    Only names of hwtui's own pattern, regular files, not symlinks, owned by this user;
    a temporary whose writer is still running is left alone. Returns what was removed.
    """
    try:
        names = os.listdir(folder)
    except OSError:
        return []  # the new temporary's creation reports an unusable folder
    groups: dict[str, list[str]] = {}
    for name in names:
        found = _LEFTOVER.fullmatch(name)
        if found:
            main = name.removesuffix(found["side"] or "")
            groups.setdefault(main, []).append(name)
    removed: list[Path] = []
    for main in sorted(groups):
        removed += _remove_if_stale(folder, main, groups[main])
    return removed


def _remove_if_stale(folder: Path, main: str, names: list[str]) -> list[Path]:
    path = folder / main
    fd = _open_if_ours(path)
    if fd is None and os.path.lexists(path):
        return []  # not hwtui's (a symlink, someone else's): leave it, and what is beside it
    try:
        if fd is not None:
            try:
                fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
            except BlockingIOError:
                return []  # its writer is running
        # Side files first: a journal without its database can no longer be applied.
        ordered = sorted(names, key=lambda name: name == main)
        removed = []
        for name in ordered:
            candidate = folder / name
            if (candidate == path and fd is not None) or _ours(candidate):
                with suppress(FileNotFoundError):
                    candidate.unlink()
                    removed.append(candidate)
        return removed
    finally:
        if fd is not None:
            os.close(fd)


def _ours(path: Path) -> bool:
    """A regular file (not a symlink) owned by this user."""
    try:
        st = os.lstat(path)
    except OSError:
        return False
    return stat.S_ISREG(st.st_mode) and st.st_uid == os.geteuid()


def _open_if_ours(path: Path) -> int | None:
    """The file open for locking, if it is a regular file of this user's; else None."""
    try:
        fd = os.open(path, os.O_RDONLY | os.O_NOFOLLOW | os.O_NONBLOCK | os.O_CLOEXEC)
    except OSError:
        return None
    st = os.fstat(fd)
    if not (stat.S_ISREG(st.st_mode) and st.st_uid == os.geteuid()):
        os.close(fd)
        return None
    return fd


def _is_same_file(path: Path, fd: int) -> bool:
    try:
        st = os.lstat(path)
    except OSError:
        return False
    opened = os.fstat(fd)
    return (st.st_dev, st.st_ino) == (opened.st_dev, opened.st_ino)


def _same_file(path: Path, fd: int) -> None:
    if not _is_same_file(path, fd):
        raise _replaced(path)


def _replaced(path: Path) -> OSError:
    return OSError(errno.ESTALE, "the temporary file was replaced meanwhile", str(path))
