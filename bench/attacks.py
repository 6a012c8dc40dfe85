"""The attack bank of ``tests/attacks.py`` graded by stock ``nbgrader autograde`` and by ``mlops-course autograde``.

    python bench/attacks.py          # prints a Markdown table for the README

Both graders get the same submissions of the fixture assignment (5 autograded points). For each attack the
table shows the points stock nbgrader gives, and what the course's grader does: its points and whether it
flagged the submission for review. Nothing here passes or fails.
"""

from __future__ import annotations

import argparse
import shutil
import sys
import tempfile
from pathlib import Path

from mlops_course.grading.banks import load_bank
from mlops_course.grading.cells import read_notebook
from mlops_course.grading.scratch_course import ScratchCourse
from mlops_course.instructor.autograde import Options, autograde
from mlops_course.instructor.course import Course, scratch_course
from mlops_course.paths import course_root

sys.path.insert(0, str(course_root() / "tests"))
from attacks import attack_notebooks  # noqa: E402

SOURCE = course_root() / "tests" / "fixtures" / "solutions" / "fixture"


def main(argv=None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", default=None, help="scratch folder (default: a temporary one)")
    args = parser.parse_args(argv)
    base = Path(args.out or tempfile.mkdtemp(prefix="attacks-"))
    shutil.rmtree(base, ignore_errors=True)
    root = scratch_course(base / "root", {"fixture": SOURCE})
    import os

    os.environ["MLOPS_COURSE_ROOT"] = str(root)
    stock = ScratchCourse("fixture", source_dir=SOURCE, workdir=base / "stock", sandbox_mode=None)
    released = stock.release_notebook("fixture")
    places = dict(course=str(root), workdir=str(base / "work"), port=9, marker="bench-attack",
                  home_file=str(base / "home-file"), course_file=str(root / "course-file"),
                  workdir_file=str(base / "work" / "workdir-file"))
    notebooks = attack_notebooks(released, places)
    notebooks["model"] = load_bank(course_root() / "tests" / "fixtures" / "banks" / "fixture.py").notebooks(
        read_notebook(SOURCE / "fixture.ipynb"), released)["model_answer"]
    plain = stock.grade({name: {"fixture": nb} for name, nb in notebooks.items()})
    course = Course.at(base / "work")
    for student, nb in notebooks.items():
        folder = course.submitted / student / "fixture"
        folder.mkdir(parents=True, exist_ok=True)
        import nbformat

        nbformat.write(nb, str(folder / "fixture.ipynb"))
    graded, _, _ = autograde(course, ["fixture"], options=Options(workers=2, timeout=20))
    ours = {r.student: r for r in graded}
    print("| attack | stock nbgrader | mlops-course autograde |")
    print("| --- | --- | --- |")
    for name in notebooks:
        result = ours[name]
        verdict = f"{result.score:g}/5" + (", flagged for review" if result.review else "")
        print(f"| {name} | {plain[name].total:g}/5 | {verdict} |")
    for process in __import__("psutil").process_iter(["cmdline"]):
        if "bench-attack" in " ".join(process.info["cmdline"] or []):
            process.kill()


if __name__ == "__main__":
    main()
