"""A plain-text progress bar with an ETA on stderr (no dependency).

On a terminal the bar redraws in place; in a log file or CI (not a TTY) it writes one line per finished
item instead, so the log still tells what happened when.
"""

from __future__ import annotations

import sys
import time


def clock(seconds: float) -> str:
    seconds = int(round(seconds))
    hours, rest = divmod(seconds, 3600)
    return f"{hours}:{rest // 60:02d}:{rest % 60:02d}" if hours else f"{rest // 60}:{rest % 60:02d}"


def duration(seconds: float) -> str:
    """A duration as people say it: "45 min", "7 h 43 min", "2 days 3 h"."""
    minutes = int(round(seconds / 60))
    if minutes < 60:
        return f"{minutes} min"
    hours, minutes = divmod(minutes, 60)
    if hours < 48:
        return f"{hours} h {minutes} min" if minutes else f"{hours} h"
    days, hours = divmod(hours, 24)
    return f"{days} days {hours} h" if hours else f"{days} days"


class ProgressBar:
    def __init__(self, total: int, label: str = "", stream=None, width: int = 28):
        self.total, self.label, self.width = total, label, width
        self.stream = stream or sys.stderr
        self.done = 0
        self.started = time.monotonic()
        self.live = hasattr(self.stream, "isatty") and self.stream.isatty()
        if self.live and total:
            self._draw("")

    def eta(self) -> float | None:
        if not self.done:
            return None
        elapsed = time.monotonic() - self.started
        return elapsed / self.done * (self.total - self.done)

    def line(self, note: str = "") -> str:
        share = self.done / self.total if self.total else 1.0
        filled = int(round(share * self.width))
        eta = self.eta()
        timing = f"{clock(time.monotonic() - self.started)} elapsed, ETA {clock(eta) if eta is not None else '?'}"
        bar = "#" * filled + "-" * (self.width - filled)
        return f"{self.label}[{bar}] {self.done}/{self.total} {share:4.0%}  {timing}" + (f"  {note}" if note else "")

    def advance(self, note: str = "") -> None:
        self.done += 1
        if self.live:
            self._draw(note)
        else:
            print(self.line(note), file=self.stream, flush=True)

    def _draw(self, note: str) -> None:
        columns = 120
        text = self.line(note)[:columns]
        self.stream.write("\r" + text.ljust(columns))
        self.stream.flush()

    def close(self) -> None:
        if self.live:
            self.stream.write("\n")
            self.stream.flush()
