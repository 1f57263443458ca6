"""The progress bar of a grading run, on a stream (stderr by default)."""

from __future__ import annotations

import sys
import time
from typing import IO


def progress_stream(progress: bool | IO[str] | None) -> IO[str] | None:
    """Where :func:`graphdiff.checker.batch.grade`'s ``progress`` argument draws the bar:
    None (the default) is stderr when it is a terminal, True stderr, False nowhere.

    >>> progress_stream(False) is None, progress_stream(True) is sys.stderr
    (True, True)
    """
    if progress is None:
        return sys.stderr if sys.stderr.isatty() else None
    if progress is True:
        return sys.stderr
    if progress is False:
        return None
    return progress


class Progress:
    """A plain-text progress bar on a stream (stderr); lines instead of ``\\r`` when the
    stream is not a terminal.

    >>> import io
    >>> stream = io.StringIO()
    >>> bar = Progress(4, stream, width=8)
    >>> for done in range(1, 5):
    ...     bar.update(done)
    >>> bar.close()
    >>> [line.split()[:2] for line in stream.getvalue().splitlines()]
    [['[##......]', '1/4'], ['[####....]', '2/4'], ['[######..]', '3/4'], ['[########]', '4/4']]
    """

    def __init__(self, total: int, stream: IO[str] | None, width: int = 30) -> None:
        self.total = max(total, 1)
        self.stream = stream
        self.width = width
        self.start = time.perf_counter()
        self.tty = bool(stream is not None and getattr(stream, "isatty", lambda: False)())
        self.last_decile = -1
        self.last_draw = 0.0

    def update(self, done: int, force: bool = False) -> None:
        if self.stream is None:
            return
        now = time.perf_counter()
        elapsed = now - self.start
        rate = done / elapsed if elapsed > 0 else 0.0
        eta = (self.total - done) / rate if rate > 0 else 0.0
        filled = int(self.width * done / self.total)
        line = (f"[{'#' * filled}{'.' * (self.width - filled)}] {done}/{self.total} "
                f"{rate:5.1f}/s ETA {eta:4.0f}s")
        if self.tty:
            if force or now - self.last_draw > 0.1 or done == self.total:
                self.stream.write("\r" + line)
                self.stream.flush()
                self.last_draw = now
        else:
            decile = 10 * done // self.total
            if decile != self.last_decile or force:
                self.last_decile = decile
                self.stream.write(line + "\n")
                self.stream.flush()

    def close(self) -> None:
        if self.stream is not None and self.tty:
            self.stream.write("\n")
            self.stream.flush()
