"""Intake: which entries of a submissions folder are answers files, and reading one safely.

Every ``*.toml`` file directly in the folder (any case: ``ANN.TOML`` too) is a
submission; every other entry -- a hidden file, a folder, a FIFO, a symbolic link, a
second hard link to a file, any other file -- is skipped with the reason.  Links are never
followed and FIFOs never opened, so nothing outside the folder is read.
"""

from __future__ import annotations

import hashlib
import os
import stat
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from ..messages import Message


@dataclass
class Intake:
    """The entries of a submissions folder: files to grade and the rest, with reasons.

    Attributes
    ----------
    files : list of str
        Names of the answers files to grade, sorted.
    skipped : list of (str, Message)
        Every other entry (its name, printable) and why it is not graded.

    >>> intake = Intake(["ann.toml"], [("notes.txt", Message("intake_not_toml"))])
    >>> intake.files, intake.skipped[0][1].render("ru")
    (['ann.toml'], 'не файл ответов (имя не оканчивается на .toml)')
    """

    files: list[str] = field(default_factory=list)
    skipped: list[tuple[str, Message]] = field(default_factory=list)


def scan_submissions(folder: str | Path, *, exclude: Callable[[str], bool] | None = None
                     ) -> Intake:
    """Sort every entry of ``folder`` into answers files and skipped entries.

    An answers file is a regular file directly in the folder whose name ends in
    ``.toml`` in any case.  Skipped, each with its reason: hidden names (``.x``), folders,
    FIFOs, sockets and devices (never opened), other files, names that are not UTF-8, a
    second hard link to a file already listed, and every symbolic link -- dangling,
    pointing outside the folder (refused) or to a file inside it (graded once, under its
    own name).  ``exclude(name)`` true leaves an entry out silently (the gradebook's own
    files).  Only metadata is looked at; nothing is opened.

    >>> import tempfile
    >>> with tempfile.TemporaryDirectory() as tmp:
    ...     folder = Path(tmp)
    ...     for name in ("ann.toml", "BOB.TOML", "notes.txt"):
    ...         _ = (folder / name).write_text("")
    ...     (folder / "eve.toml").mkdir()
    ...     os.mkfifo(folder / "pipe.toml")
    ...     os.symlink(folder / "ann.toml", folder / "copy.toml")
    ...     os.symlink("/etc/passwd", folder / "passwd.toml")
    ...     intake = scan_submissions(folder)
    >>> intake.files
    ['BOB.TOML', 'ann.toml']
    >>> for name, reason in intake.skipped:
    ...     print(f"{name}: {reason.render()}")
    copy.toml: a symbolic link to ann.toml in this folder: not graded again
      (links are never followed)
    eve.toml: a folder: only files directly in the submissions folder are graded
    notes.txt: not an answers file (the name does not end in .toml)
    passwd.toml: a symbolic link to outside the submissions folder: refused
    pipe.toml: not a regular file (FIFO): never opened
    """
    folder_real = os.path.realpath(folder)
    intake = Intake()
    inodes: dict[tuple[int, int], str] = {}
    with os.scandir(folder) as entries:
        ordered = sorted(entries, key=lambda e: e.name)
    for entry in ordered:
        if exclude is not None and exclude(entry.name):
            continue
        reason = _classify(entry, folder_real, inodes)
        if reason is None:
            intake.files.append(entry.name)
        else:
            intake.skipped.append((_printable(entry.name), reason))
    return intake


def _printable(name: str) -> str:
    """A file name as text (bytes that are not UTF-8 shown as ``\\xff``)."""
    return os.fsencode(name).decode("utf-8", "backslashreplace")


def _classify(entry: os.DirEntry[str], folder_real: str,
              inodes: dict[tuple[int, int], str]) -> Message | None:
    """Why ``entry`` is not a submission, or None when it is one."""
    name = entry.name
    if _printable(name) != name:
        return Message("intake_bad_name")
    if name.startswith("."):
        return Message("intake_hidden")
    try:
        if entry.is_symlink():
            return _link_reason(entry.path, folder_real)
        st = entry.stat(follow_symlinks=False)
    except OSError as err:  # removed while we looked
        return Message("intake_unreadable", {"reason": err.strerror or str(err)})
    if stat.S_ISDIR(st.st_mode):
        return Message("intake_folder")
    if not stat.S_ISREG(st.st_mode):
        kind = ("FIFO" if stat.S_ISFIFO(st.st_mode) else "socket" if stat.S_ISSOCK(st.st_mode)
                else "device" if stat.S_ISCHR(st.st_mode) or stat.S_ISBLK(st.st_mode)
                else "unknown type")
        return Message("intake_not_regular", {"kind": kind})
    if not name.lower().endswith(".toml"):
        return Message("intake_not_toml")
    if st.st_nlink > 1:  # hard links: one file under two names is graded once
        first = inodes.setdefault((st.st_dev, st.st_ino), name)
        if first != name:
            return Message("intake_hard_link", {"other": first})
    return None


def _link_reason(path: str, folder_real: str) -> Message:
    # Decided on the resolved path alone: a target outside the folder is never touched.
    target = os.path.realpath(path)
    if os.path.commonpath([folder_real, target]) != folder_real:
        return Message("intake_link_outside")
    if not os.path.exists(path):  # dangling, or a loop of links
        return Message("intake_link_dangling")
    return Message("intake_link_inside", {"target": os.path.relpath(target, folder_real)})


def read_submission(path: Path, max_bytes: int) -> tuple[bytes | None, str, str | None]:
    """(content or None, digest, error): one answers file, read safely.

    ``O_NOFOLLOW`` and ``O_NONBLOCK`` with a check that it is still a regular file: an
    entry replaced by a link or a FIFO after the scan is refused, not followed or waited
    on.  At most ``max_bytes`` + 1 bytes are read; a larger file gets an error and a
    digest of its size and first bytes.

    >>> import tempfile
    >>> with tempfile.TemporaryDirectory() as tmp:
    ...     _ = (Path(tmp) / "ann.toml").write_text('dfdx = "2x"')
    ...     content, digest, error = read_submission(Path(tmp) / "ann.toml", 100)
    ...     big = read_submission(Path(tmp) / "ann.toml", 5)
    ...     gone = read_submission(Path(tmp) / "gone.toml", 100)
    >>> content, len(digest), error
    (b'dfdx = "2x"', 64, None)
    >>> big[0], big[2]
    (None, 'the file is 11 bytes, over the limit of 5')
    >>> gone
    (None, '', 'cannot read gone.toml: No such file or directory')
    """
    flags = os.O_RDONLY | os.O_NOFOLLOW | os.O_NONBLOCK | getattr(os, "O_CLOEXEC", 0)
    try:
        fd = os.open(path, flags)
    except OSError as err:
        return None, "", _file_error(path, err.strerror or str(err))
    with os.fdopen(fd, "rb") as fh:
        st = os.fstat(fd)
        if not stat.S_ISREG(st.st_mode):
            return None, "", _file_error(path, "not a regular file")
        try:
            content = fh.read(max_bytes + 1)
        except OSError as err:
            return None, "", _file_error(path, err.strerror or str(err))
    digest = hashlib.sha256(content).hexdigest()
    if len(content) > max_bytes or st.st_size > max_bytes:
        digest = hashlib.sha256(content + str(st.st_size).encode()).hexdigest()
        return None, digest, Message("file_too_large", {"size": f"{st.st_size:,}",
                                                        "limit": f"{max_bytes:,}"}).render()
    return content, digest, None


def _file_error(path: Path, reason: str) -> str:
    return Message("file_error", {"file": path.name, "reason": reason}).render()
