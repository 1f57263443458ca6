"""The journal: the rows of an unfinished grading run, so that a re-run resumes it.

It sits next to the gradebook (``book.csv.journal``) while a run goes on and is removed
once the complete gradebook is written; a killed run leaves it behind for the next one.
"""

from __future__ import annotations

import contextlib
import json
import os
import time
from collections.abc import Mapping
from pathlib import Path
from typing import IO, Any

from .durable import fsync_dir

#: The journal is fsynced at most this often (each row is written at once, so a killed
#: run loses nothing; a power failure loses at most this much).
JOURNAL_SYNC_SECONDS = 0.5


def journal_path(gradebook: Path) -> Path:
    """Where the journal of ``gradebook`` is kept.

    >>> journal_path(Path("marks/book.csv")).as_posix()
    'marks/book.csv.journal'
    """
    return gradebook.with_name(gradebook.name + ".journal")


class Journal:
    """The rows graded so far, one JSON line each, in ``<gradebook>.journal``.

    The first line is the run's key (problems, options, version): a journal with another
    key is from another grading and is discarded.  Each row is written as soon as it is
    graded (a killed run loses nothing) and fsynced every :data:`JOURNAL_SYNC_SECONDS`.
    A torn last line (a power failure) is cut off when the journal is read back.

    >>> import tempfile
    >>> with tempfile.TemporaryDirectory() as tmp:
    ...     journal = Journal(Path(tmp) / "book.csv.journal", {"problems_sha": "ab"})
    ...     fresh = journal.load()
    ...     _ = journal.add({"file": "ann.toml", "score": 2.0})
    ...     journal.close()
    ...     again = Journal(Path(tmp) / "book.csv.journal", {"problems_sha": "ab"})
    ...     rows = again.load()
    ...     again.close()
    ...     other = Journal(Path(tmp) / "book.csv.journal", {"problems_sha": "cd"})
    ...     discarded = other.load()
    ...     other.remove()
    >>> fresh, rows, discarded
    ({}, {'ann.toml': {'file': 'ann.toml', 'score': 2.0}}, {})
    """

    def __init__(self, path: Path, key: Mapping[str, Any]) -> None:
        self.path = path
        self.key = json.loads(json.dumps({"journal": 1, **key}, default=str))
        self.fh: IO[str] | None = None
        self.last_sync = 0.0

    def load(self) -> dict[str, dict[str, Any]]:
        """The rows of a matching journal (by file name), and open it for appending."""
        rows: dict[str, dict[str, Any]] = {}
        try:
            raw = self.path.read_bytes()
        except FileNotFoundError:
            raw = b""
        complete = raw[:raw.rfind(b"\n") + 1]
        lines = complete.decode("utf-8", "replace").splitlines()
        if lines and _json_or_none(lines[0]) == self.key:
            for line in lines[1:]:
                row = _json_or_none(line)
                if isinstance(row, dict) and isinstance(row.get("file"), str):
                    rows[row["file"]] = row
            with open(self.path, "r+b") as fh:
                fh.truncate(len(complete))  # cut a torn last line before appending
            self.fh = open(self.path, "a", encoding="utf-8")  # noqa: SIM115 - kept open
        else:
            self.fh = open(self.path, "w", encoding="utf-8")  # noqa: SIM115 - until close()
            self.fh.write(json.dumps(self.key) + "\n")
            self.sync(force=True)
            fsync_dir(self.path.parent)
        return rows

    def add(self, row: Mapping[str, Any]) -> dict[str, Any]:
        """Append ``row``; returns it as it will be read back (JSON round trip)."""
        assert self.fh is not None
        line = json.dumps(row, default=str)
        self.fh.write(line + "\n")
        self.fh.flush()  # in the kernel now: survives the death of this process
        self.sync()
        return json.loads(line)

    def sync(self, force: bool = False) -> None:
        """fsync, unless the last one was under :data:`JOURNAL_SYNC_SECONDS` ago."""
        if self.fh is not None and (force or time.monotonic() - self.last_sync
                                    > JOURNAL_SYNC_SECONDS):
            self.fh.flush()
            os.fsync(self.fh.fileno())
            self.last_sync = time.monotonic()

    def close(self) -> None:
        """Sync and close; the file is kept (a re-run resumes from it)."""
        if self.fh is not None:
            with contextlib.suppress(OSError):
                self.sync(force=True)
            self.fh.close()
            self.fh = None

    def remove(self) -> None:
        """Close and delete the journal (the complete gradebook is written)."""
        self.close()
        with contextlib.suppress(FileNotFoundError):
            self.path.unlink()
        fsync_dir(self.path.parent)


def _json_or_none(text: str) -> Any:
    try:
        return json.loads(text)
    except ValueError:
        return None
