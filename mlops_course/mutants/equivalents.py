"""The reviewed list of equivalent mutants: ``grader/mutants/<assignment>.json``.

A mutant is equivalent when it behaves like the solution on every input, so no test can catch it (a
keyword dropped whose value is the library's default, ``<`` for ``<=`` where equality cannot occur).
Each entry names the mutant by its ``key`` -- a hash of the question, the operator and the changed lines,
so it survives edits elsewhere in the cell -- shows the change for a reader, and gives one line of reason::

    {"question": "q1_psi_numeric", "operator": "keyword", "key": "3f0c9a1b2d4e",
     "change": "- np.quantile(x, q, method='linear')  + np.quantile(x, q)",
     "reason": "linear is numpy's default method"}

The list lives outside ``solutions/`` so that nbgrader never copies it into a release. An entry that no
longer matches a mutant is reported as stale; one whose mutant is caught is reported as wrong.
"""

from __future__ import annotations

import json
from pathlib import Path

from mlops_course.mutants.operators import Mutant

FIELDS = ("question", "operator", "key", "change", "reason")


def path_for(folder: Path, assignment: str) -> Path:
    return Path(folder) / f"{assignment}.json"


def load(folder: Path, assignment: str) -> list[dict]:
    """The entries for an assignment ([] if it has no list); a clear error for a malformed file."""
    path = path_for(folder, assignment)
    if not path.exists():
        return []
    try:
        entries = json.loads(path.read_text())["equivalent"]
    except (ValueError, KeyError, TypeError) as exc:
        raise ValueError(f"{path}: expected {{\"equivalent\": [...]}} ({exc})") from exc
    for number, entry in enumerate(entries, 1):
        missing = [f for f in FIELDS if not str(entry.get(f, "")).strip()]
        if missing:
            raise ValueError(f"{path}: entry {number} lacks {', '.join(missing)}")
    return entries


def change_of(mutant: Mutant) -> str:
    """The changed lines of a mutant, on one line, for a reader of the list."""
    lines = [line[0] + " " + line[1:].strip() for line in mutant.diff.splitlines()
             if line[:1] in "+-" and not line.startswith(("+++", "---"))]
    return "  ".join(lines)


def entry_for(mutant: Mutant, reason: str) -> dict:
    """A new entry of the list, for a mutant found equivalent."""
    return {"question": mutant.question, "operator": mutant.operator, "key": mutant.key,
            "change": change_of(mutant), "reason": reason}


def save(folder: Path, assignment: str, entries: list[dict]) -> Path:
    path = path_for(folder, assignment)
    path.parent.mkdir(parents=True, exist_ok=True)
    ordered = sorted(entries, key=lambda e: (e["question"], e["operator"], e["change"]))
    path.write_text(json.dumps({"equivalent": ordered}, indent=1, ensure_ascii=False) + "\n")
    return path


def stale(entries: list[dict], mutants: list[Mutant], questions: set[str]) -> list[dict]:
    """Entries of the questions that were run whose key matches none of their mutants."""
    keys = {m.key for m in mutants}
    return [e for e in entries if e["question"] in questions and e["key"] not in keys]
