"""The attack bank of ``tests/attacks.py`` graded by stock ``nbgrader autograde`` and by ``mlops-course autograde``.

    python bench/attacks.py          # prints a Markdown table for the README

Both graders get the same submissions of the fixture assignment (5 autograded points) on this machine. For
each attack the table shows the points each grader gives, whether the course's grader flagged it for
review, and what the attack achieved besides points: files written outside the grading folders, processes
left running, connections to a service on loopback, and hidden-test code, the grader's secret or other
learners' names in what goes back to the learner (stock: the autograded notebook, which nbgrader's feedback
shows; the course: its feedback pages). Nothing here passes or fails.
"""

from __future__ import annotations

import argparse
import os
import shutil
import sys
import tempfile
from pathlib import Path

import nbformat
import psutil

from mlops_course.grading.banks import load_bank
from mlops_course.grading.cells import read_notebook
from mlops_course.grading.scratch_course import ScratchCourse
from mlops_course.instructor.autograde import Options, autograde
from mlops_course.instructor.course import Course, scratch_course
from mlops_course.instructor.feedback import generate_feedback
from mlops_course.paths import course_root

sys.path.insert(0, str(course_root() / "tests"))
from attacks import attack_notebooks  # noqa: E402
from test_grading_attacks import HIDDEN_LINES, MARKER, SECRET, Listener  # noqa: E402

SOURCE = course_root() / "tests" / "fixtures" / "solutions" / "fixture"
BANK = course_root() / "tests" / "fixtures" / "banks" / "fixture.py"


def left_behind() -> int:
    """Kill and count the processes an attack left running."""
    found = [p for p in psutil.process_iter(["cmdline"]) if MARKER in " ".join(p.info["cmdline"] or [])]
    for process in found:
        process.kill()
    return len(found)


def written_outside(places: dict) -> int:
    paths = [Path(places[k]) for k in ("home_file", "course_file", "workdir_file")]
    paths.append(Path("/tmp/written-by-a-submission"))
    found = [p for p in paths if p.exists()]
    for path in found:
        path.unlink()
    return len(found)


def leaks(text: str, others: set[str]) -> list[str]:
    found = ["hidden tests"] if any(line in text for line in HIDDEN_LINES) else []
    found += ["the grader's secret"] if SECRET in text else []
    found += ["other learners' names"] if any(f"/{name}/" in text for name in others) else []
    return found


def effects(name: str, text: str, others: set[str], files: int, processes: int, connections: int) -> str:
    said = leaks(text, others)
    said += [f"{files} file(s) outside"] if files and name == "writeoutside" else []
    said += [f"{processes} process(es) left"] if processes and name == "outlivegrading" else []
    said += [f"{connections} connection(s)"] if connections and name == "network" else []
    return ", ".join(said) or "none"


def grade_stock(base: Path, notebooks: dict) -> tuple[dict, dict]:
    stock = ScratchCourse("fixture", source_dir=SOURCE, workdir=base / "stock", sandbox_mode=None)
    scores = {name: result.total for name, result in stock.grade({n: {"fixture": nb} for n, nb in notebooks.items()}).items()}
    texts = {name: "".join(p.read_text() for p in (stock.root / "autograded" / name).rglob("*.ipynb"))
             for name in notebooks}
    return scores, texts


def grade_course(base: Path, notebooks: dict) -> tuple[dict, dict]:
    course = Course.at(base / "work")
    for student, nb in notebooks.items():
        folder = course.submitted / student / "fixture"
        folder.mkdir(parents=True, exist_ok=True)
        nbformat.write(nb, str(folder / "fixture.ipynb"))
    graded, _, _ = autograde(course, ["fixture"], options=Options(workers=2, timeout=20))
    generate_feedback(course, ["fixture"])
    texts = {name: "".join(p.read_text() for p in (course.feedback / name).rglob("*.html")) for name in notebooks}
    return {r.student: r for r in graded}, texts


def main(argv=None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", default=None, help="scratch folder (default: a temporary one)")
    args = parser.parse_args(argv)
    base = Path(args.out or tempfile.mkdtemp(prefix="attacks-"))
    shutil.rmtree(base, ignore_errors=True)
    root = scratch_course(base / "root", {"fixture": SOURCE})
    os.environ["MLOPS_COURSE_ROOT"] = str(root)
    os.environ["GRADER_API_TOKEN"] = SECRET
    (base / "home").mkdir(parents=True)
    os.environ["HOME"] = str(base / "home")
    listener = Listener()
    released = ScratchCourse("fixture", source_dir=SOURCE, workdir=base / "release", sandbox_mode=None
                             ).release_notebook("fixture")
    places = dict(course=str(root), workdir=str(base / "work"), port=listener.port, marker=MARKER,
                  home_file=str(base / "home" / "written-by-a-submission"),
                  course_file=str(root / "written-by-a-submission"),
                  workdir_file=str(base / "work" / "written-by-a-submission"))
    notebooks = attack_notebooks(released, places)
    notebooks["model"] = load_bank(BANK).notebooks(read_notebook(SOURCE / "fixture.ipynb"), released)["model_answer"]
    others = set(notebooks)

    stock_scores, stock_texts = grade_stock(base, notebooks)
    stock_side = (written_outside(places), left_behind(), listener.connections)
    listener.connections = 0
    ours, our_texts = grade_course(base, notebooks)
    our_side = (written_outside(places), left_behind(), listener.connections)
    listener.stop()

    print("| attack | stock nbgrader: points | stock: also achieved | mlops-course autograde: points | also achieved |")
    print("| --- | --- | --- | --- | --- |")
    for name in notebooks:
        result = ours[name]
        verdict = f"{result.score:g}/5" + (", flagged for review" if result.review else "")
        print(f"| {name} | {stock_scores[name]:g}/5 | {effects(name, stock_texts[name], others - {name}, *stock_side)} "
              f"| {verdict} | {effects(name, our_texts[name], others - {name}, *our_side)} |")


if __name__ == "__main__":
    main()
