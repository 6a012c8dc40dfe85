"""The record ``autograde`` keeps for every submission, next to nbgrader's gradebook.

The gradebook holds the scores (and the instructor's manual grades). What it cannot hold is *why* a
submission scored as it did when something went wrong, and how long grading took; that is what a
record adds. One JSON file per submission: ``<workdir>/results/<assignment>/<student>.json``.
"""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass, field
from pathlib import Path

GRADED, FAILED = "graded", "failed"


@dataclass
class CellScore:
    notebook: str
    grade_id: str
    score: float | None          # None: waits for manual grading
    max_score: float
    kind: str                    # "auto" (a test cell) or "manual" (a written answer)
    message: str = ""            # why a test cell lost points (the first line of its error)
    hidden: bool = False         # the failing check was in the hidden part of the test cell


@dataclass
class Result:
    student: str
    assignment: str
    status: str = GRADED
    reasons: list[str] = field(default_factory=list)   # everything unusual about this submission
    cells: list[CellScore] = field(default_factory=list)
    seconds: float = 0.0
    timestamp: str | None = None
    seconds_late: float = 0.0
    input_hash: str = ""
    log_tail: str = ""
    review: list[str] = field(default_factory=list)   # why a person must look at it (tampering); points withheld
    withheld: float = 0.0                             # autograded points held back until that review
    kernel: str = ""              # how its kernels started: warm (forked from the warm server), cold, unsandboxed
    # where the time went, in seconds: kernel_start, imports (the set-up cell), learner_cells, test_cells,
    # planted_checks (tamper detection), nbgrader (its own work around them), merge (into the course
    # gradebook, by the parent)
    timings: dict[str, float] = field(default_factory=dict)

    @property
    def score(self) -> float:
        return 0.0 if self.status == FAILED else sum(c.score or 0.0 for c in self.cells)

    @property
    def max_score(self) -> float:
        return sum(c.max_score for c in self.cells)

    @property
    def needs_manual_grade(self) -> bool:
        return self.status == GRADED and any(c.score is None for c in self.cells)

    def to_json(self) -> str:
        return json.dumps(asdict(self), indent=1)

    @classmethod
    def from_json(cls, text: str) -> "Result":
        data = json.loads(text)
        data["cells"] = [CellScore(**c) for c in data.get("cells", [])]
        return cls(**data)


def result_path(results_dir: Path, assignment: str, student: str) -> Path:
    return results_dir / assignment / f"{student}.json"


def save(results_dir: Path, result: Result) -> Path:
    path = result_path(results_dir, result.assignment, result.student)
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_suffix(".tmp")
    tmp.write_text(result.to_json())
    tmp.replace(path)  # atomic: an interrupted run never leaves half a record
    return path


def load(results_dir: Path, assignment: str, student: str) -> Result | None:
    path = result_path(results_dir, assignment, student)
    try:
        return Result.from_json(path.read_text())
    except (FileNotFoundError, ValueError, TypeError):
        return None


def load_all(results_dir: Path, assignments: list[str] | None = None) -> list[Result]:
    """Every record, sorted by assignment and student."""
    found = []
    for path in sorted(results_dir.glob("*/*.json")):
        if assignments is None or path.parent.name in assignments:
            record = load(results_dir, path.parent.name, path.stem)
            if record:
                found.append(record)
    return found
