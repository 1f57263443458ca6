"""Durable writes: a file replaced atomically, and a folder's changes synced to disk.

Used by the gradebook (written once, complete) and the journal (created and removed);
nothing here knows about grading.
"""

from __future__ import annotations

import contextlib
import os
import stat
import tempfile
from pathlib import Path


def write_atomic(path: Path, text: str) -> None:
    """Write ``text`` to ``path`` so that readers see the old file or the new one, never
    a half-written one: a temporary file in the same folder, fsync, ``os.replace``, fsync
    of the folder.  An existing file's permissions are kept; a new file is private (0600).

    >>> with tempfile.TemporaryDirectory() as tmp:
    ...     book = Path(tmp) / "book.csv"
    ...     write_atomic(book, "student,score\\nann,8\\n")
    ...     book.chmod(0o640)
    ...     write_atomic(book, "student,score\\nann,7\\n")
    ...     text, files = book.read_text(), sorted(p.name for p in Path(tmp).iterdir())
    ...     mode = oct(book.stat().st_mode & 0o777)
    >>> text, files, mode
    ('student,score\\nann,7\\n', ['book.csv'], '0o640')
    """
    path = Path(path)
    try:
        mode: int | None = stat.S_IMODE(os.stat(path).st_mode)
    except FileNotFoundError:
        mode = None
    # In the same folder: os.replace is atomic only within one file system.
    fd, tmp = tempfile.mkstemp(dir=path.parent or ".", prefix=f".{path.name}.",
                               suffix=".tmp")
    try:
        with os.fdopen(fd, "w", encoding="utf-8", newline="") as fh:
            fh.write(text)
            fh.flush()
            if mode is not None:
                os.fchmod(fh.fileno(), mode)
            os.fsync(fh.fileno())
        os.replace(tmp, path)
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(tmp)
        raise
    fsync_dir(path.parent)


def fsync_dir(folder: Path) -> None:
    """Make a rename or unlink in ``folder`` durable (where the platform allows it).

    >>> fsync_dir(Path(tempfile.gettempdir()))
    >>> fsync_dir(Path("/no/such/folder"))  # nothing to sync: no error
    """
    try:
        fd = os.open(folder, os.O_RDONLY | getattr(os, "O_DIRECTORY", 0))
    except OSError:
        return
    try:
        os.fsync(fd)
    except OSError:
        pass
    finally:
        os.close(fd)
