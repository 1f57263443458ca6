"""The progress bar of a grading run: :mod:`tqdm`, on the stream the caller chose."""

from __future__ import annotations

import os
import sys
import threading
from typing import IO, Any

from tqdm import tqdm

#: Seconds between redraws on a terminal, and on any other stream (a log file or a pipe
#: that asked for the bar: each redraw adds a line's worth to it).
REDRAW_SECONDS = 0.1
LOG_REDRAW_SECONDS = 5.0


class _Bar(tqdm):
    # No monitor thread: the workers are forked while the bar is up, and a fork copies
    # no threads but may copy a lock one of them holds.  Without it nothing redraws
    # between updates, so every update looks at the clock (miniters=1 below).
    monitor_interval = 0


# One bar in one process needs a thread lock only; tqdm's default lock also makes a
# multiprocessing lock, which fixes the process's multiprocessing start method.
_Bar.set_lock(threading.RLock())


def _terminal_size(stream: IO[str]) -> dict[str, Any]:
    """tqdm's size arguments for a terminal: follow its width as it changes, unless it
    reports no size (tqdm draws nothing on a terminal of 0 columns, as some CI runners
    give)."""
    try:
        size = os.get_terminal_size(stream.fileno())
    except (AttributeError, OSError, ValueError):  # says it is a terminal, has no fd
        size = os.terminal_size((0, 0))
    if size.columns > 0 and size.lines > 0:
        return {"dynamic_ncols": True}
    return {"ncols": 80, "nrows": 24}


def progress_stream(progress: bool | IO[str] | None) -> IO[str] | None:
    """Where :func:`graphdiff.checker.batch.grade`'s ``progress`` argument draws the bar:
    None (the default) is stderr when it is a terminal, True stderr, False nowhere, and
    a stream that stream.

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
    """A progress bar of ``total`` submissions on ``stream`` (a :mod:`tqdm` bar), set to
    the number done; nothing is drawn when ``stream`` is None or ``total`` is 0.

    ``width`` is the bar's width in characters (default: what fits the terminal).

    >>> import io
    >>> stream = io.StringIO()
    >>> with Progress(4, stream, width=8) as bar:
    ...     for done in range(1, 5):
    ...         bar.update(done)
    >>> print(stream.getvalue().split("\\r")[-1].split(" [")[0])  # the last state drawn
    100%|########| 4/4
    >>> with Progress(4, None) as bar:
    ...     bar.update(2)  # draws nothing
    """

    def __init__(self, total: int, stream: IO[str] | None, width: int | None = None
                 ) -> None:
        tty = bool(stream is not None and getattr(stream, "isatty", lambda: False)())
        self.bar = _Bar(
            total=total, file=stream, disable=stream is None or total <= 0,
            unit="", miniters=1,  # "12/40 [00:03<00:07, 4.1/s]": no words to translate
            mininterval=REDRAW_SECONDS if tty else LOG_REDRAW_SECONDS,
            bar_format=None if width is None else f"{{l_bar}}{{bar:{width}}}{{r_bar}}",
            **(_terminal_size(stream) if stream is not None and tty else {}))

    def update(self, done: int, force: bool = False) -> None:
        """``done`` submissions are graded; ``force`` redraws now."""
        self.bar.update(done - self.bar.n)
        if force:
            self.bar.refresh()

    def close(self) -> None:
        """Draw the last state and end the line."""
        self.bar.close()

    def __enter__(self) -> Progress:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()
