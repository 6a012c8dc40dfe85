"""A seeded demo class, built from the submission banks, shaped like what an instructor downloads.

For every assignment that has a bank (``tests/banks/<assignment>.py``, format in
``mlops_course/grading/banks.py``), every student hands in one of the bank's submissions -- correct
ones, correct-but-different ones, plausibly wrong ones -- or a blank notebook, or nothing. A few
submissions are broken in the ways real ones are (invalid JSON, a kernel crash, an endless loop, a
deleted test cell, a copied answer cell, ``sys.exit``, a re-typed cell), and some arrive after the due
date. Half the class comes in nbgrader's layout with timestamps, the other half as a learning-platform
zip export, so ``collect`` sees both shapes.
"""

from __future__ import annotations

import copy
import random
import zipfile
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from pathlib import Path

import nbformat
from nbformat.notebooknode import NotebookNode

from mlops_course.grading.banks import load_bank
from mlops_course.grading.cells import read_notebook
from mlops_course.instructor.course import Course
from mlops_course.instructor.structure import grade_id_of, nbgrader_meta, role

DUE = datetime(2025, 3, 14, 23, 59)   # naive UTC, as nbgrader stores it; any fixed date will do
BROKEN_KINDS = ("invalid JSON", "kernel crash", "endless loop", "deleted test cell", "duplicated answer cell",
                "sys.exit", "re-typed answer cell")
SHARE_MISSING, SHARE_BLANK, SHARE_LATE = 0.05, 0.07, 0.15


@dataclass
class DemoClass:
    inbox: Path
    students: list[str]
    assignments: list[str]
    kinds: dict[tuple[str, str], str] = field(default_factory=dict)   # (student, assignment) -> what was handed in
    late: set[tuple[str, str]] = field(default_factory=set)

    @property
    def sources(self) -> list[Path]:
        return [self.inbox / "nbgrader", self.inbox / "lms-export.zip"]


def banked_assignments(course: Course, banks_dir: Path) -> list[str]:
    return [a for a in course.assignments() if (banks_dir / f"{a}.py").exists()]


def bank_submissions(course: Course, banks_dir: Path, assignment: str) -> tuple[str, NotebookNode, dict]:
    """(notebook name, release notebook, {bank submission name: notebook}) for one assignment."""
    bank = load_bank(banks_dir / f"{assignment}.py")
    source = read_notebook(course.source_dir(assignment) / f"{bank.notebook}.ipynb")
    release = read_notebook(course.release_dir(assignment) / f"{bank.notebook}.ipynb")
    return bank.notebook, release, bank.notebooks(source, release)


def build_class(course: Course, banks_dir: Path, inbox: Path, students: int = 30, seed: int = 20250314) -> DemoClass:
    rng = random.Random(seed)
    names = banked_assignments(course, banks_dir)
    if not names:
        raise SystemExit(f"no submission bank in {banks_dir} matches an assignment in solutions/")
    if students < len(BROKEN_KINDS):  # each broken kind goes to a student of its own
        raise SystemExit(f"a demo class needs at least {len(BROKEN_KINDS)} students (one per kind of broken "
                         f"hand-in), not {students}: ask for more")
    demo = DemoClass(inbox, [f"learner-{i:02d}" for i in range(1, students + 1)], names)
    banks = {a: bank_submissions(course, banks_dir, a) for a in names}
    broken = _broken_slots(demo, rng)
    for index, student in enumerate(demo.students):
        for assignment in names:
            notebook, release, bank = banks[assignment]
            kind = broken.get((student, assignment)) or _ordinary_kind(rng, sorted(bank))
            demo.kinds[(student, assignment)] = kind
            if kind == "not submitted":
                continue
            content = _content(kind, release, bank)
            late = index % 2 == 0 and rng.random() < SHARE_LATE  # only nbgrader's layout carries a time
            if late:
                demo.late.add((student, assignment))
            _hand_in(demo, index, student, assignment, notebook, content, late, rng)
    with zipfile.ZipFile(inbox / "lms-export.zip", "a") as archive:  # what else lands in real exports
        archive.writestr("notes-from-learner-02.txt", "Sorry, I could not finish question 3.")
    return demo


def _broken_slots(demo: DemoClass, rng: random.Random) -> dict[tuple[str, str], str]:
    """Each broken kind once, on distinct students, spread over the assignments."""
    chosen = rng.sample(demo.students, len(BROKEN_KINDS))
    return {(student, demo.assignments[i % len(demo.assignments)]): kind
            for i, (student, kind) in enumerate(zip(chosen, BROKEN_KINDS))}


def _ordinary_kind(rng: random.Random, bank_names: list[str]) -> str:
    draw = rng.random()
    if draw < SHARE_MISSING:
        return "not submitted"
    if draw < SHARE_MISSING + SHARE_BLANK:
        return "blank"
    return f"bank: {rng.choice(bank_names)}"


def _content(kind: str, release: NotebookNode, bank: dict) -> str:
    if kind.startswith("bank: "):
        return nbformat.writes(bank[kind[len("bank: "):]])
    if kind == "blank":
        return nbformat.writes(release)
    correct = copy.deepcopy(bank[sorted(bank)[0]])
    if kind == "invalid JSON":
        text = nbformat.writes(correct)
        return text[: len(text) // 2]          # an upload that broke off half-way
    _break(kind, correct)
    return nbformat.writes(correct)


def _break(kind: str, nb: NotebookNode) -> None:
    answers = [i for i, c in enumerate(nb.cells) if role(c) == "answer cell" and grade_id_of(c)]
    tests = [i for i, c in enumerate(nb.cells) if role(c) == "test cell"]
    first = nb.cells[answers[0]]
    if kind == "kernel crash":
        first.source = "import os\nos._exit(1)  # meant to stop a long computation\n" + first.source
    elif kind == "endless loop":
        first.source += "\n\nstep = 0\nwhile step < 3:  # the increment was forgotten\n    last_step = step"
    elif kind == "deleted test cell":
        del nb.cells[tests[-1]]
    elif kind == "duplicated answer cell":
        duplicate = copy.deepcopy(first)
        duplicate["id"] = f"{first.get('id', 'cell')}-copy"  # Jupyter gives a pasted cell a new id
        nb.cells.insert(answers[0] + 1, duplicate)
    elif kind == "sys.exit":
        first.source += '\n\nimport sys\nsys.exit("done for today")'
    elif kind == "re-typed answer cell":
        meta = nbgrader_meta(first)
        nb.cells[answers[0]] = nbformat.v4.new_markdown_cell(first.source, metadata={"nbgrader": meta})


def _hand_in(demo: DemoClass, index: int, student: str, assignment: str, notebook: str, content: str,
             late: bool, rng: random.Random) -> None:
    if index % 2 == 0:
        folder = demo.inbox / "nbgrader" / student / assignment
        folder.mkdir(parents=True, exist_ok=True)
        (folder / f"{notebook}.ipynb").write_text(content, encoding="utf-8")
        offset = timedelta(hours=rng.uniform(0.5, 30)) if late else -timedelta(hours=rng.uniform(1, 72))
        (folder / "timestamp.txt").write_text(f"{DUE + offset:%Y-%m-%d %H:%M:%S.%f} UTC\n")
    else:
        demo.inbox.mkdir(parents=True, exist_ok=True)
        with zipfile.ZipFile(demo.inbox / "lms-export.zip", "a") as archive:
            archive.writestr(f"{student}_{rng.randint(100000, 999999)}_{assignment}.ipynb", content)
