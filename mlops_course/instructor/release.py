"""``mlops-course release``: the instructor's one command before a term.

1. regenerate ``exercises/`` from ``solutions/`` with ``nbgrader generate_assignment`` -- or, with
   ``--check``, leave ``exercises/`` alone: regenerate into the grading templates of the working folder
   (which ``autograde`` reuses) and compare with the committed release;
2. the authoring rules: sources (solution blocks, hidden tests, metadata, no outputs) and releases (no
   solutions, hidden tests or mark schemes; no line of them leaked);
3. ``nbgrader validate``: every source passes its own tests, every release fails them (nothing is
   answered yet) -- in parallel, one notebook per core.

Every problem is printed with what to do; the exit status is 1 when there is any.
"""

from __future__ import annotations

import os
from concurrent.futures import ThreadPoolExecutor

from mlops_course.grading import hygiene
from mlops_course.grading.cells import read_notebook
from mlops_course.grading.scratch_course import GradingError
from mlops_course.instructor.autograde import default_workers
from mlops_course.instructor.course import Course, add_workdir_argument, chosen_assignments
from mlops_course.release import generate_exercises


def add_arguments(parser) -> None:
    parser.add_argument("assignment", nargs="*", help="assignments to release (default: all)")
    parser.add_argument("--check", action="store_true",
                        help="do not write exercises/: regenerate in a scratch folder and compare with the committed "
                             "release")
    parser.add_argument("--no-validate", action="store_true", help="skip running the notebooks (nbgrader validate)")
    add_workdir_argument(parser)


def run(args) -> int:
    course = Course.from_args(args)
    names = chosen_assignments(course, args.assignment)
    if not names:
        print("no assignments in solutions/")
        return 1
    problems = release(course, names, check_only=args.check, validate=not args.no_validate)
    print()
    if problems:
        print(f"{len(problems)} problem(s):")
        print("\n".join(f"  - {p}" for p in problems))
        return 1
    print(f"Release ready: {', '.join(names)}")
    return 0


def release(course: Course, names: list[str], check_only: bool = False, validate: bool = True) -> list[str]:
    """Regenerate (or compare) and check ``names``; return every problem found."""
    problems = []
    if check_only:
        problems += regeneration_differences(course, names)
    else:
        # nbgrader records the release in this course's gradebook, but cannot create its folder
        course.workdir.mkdir(parents=True, exist_ok=True)
        previous = os.environ.get("MLOPS_COURSE_WORKDIR")
        os.environ["MLOPS_COURSE_WORKDIR"] = str(course.workdir)
        try:
            if generate_exercises(names):
                problems.append("nbgrader could not regenerate every assignment (see above)")
        finally:
            if previous is None:
                del os.environ["MLOPS_COURSE_WORKDIR"]
            else:
                os.environ["MLOPS_COURSE_WORKDIR"] = previous
    for name in names:
        found = static_problems(course, name)
        print(f"{'OK  ' if not found else 'FAIL'}  {name}: authoring rules and leak scan")
        problems += found
    if validate:
        problems += validation_problems(course, names)
    problems += hygiene.untitled_notebooks(course.root)
    return problems


def regeneration_differences(course: Course, names: list[str]) -> list[str]:
    """Regenerate every release into the grading templates (which ``autograde`` reuses) and compare."""
    from mlops_course.instructor.autograde import build_templates

    try:
        templates = build_templates(course, names)
    except GradingError as error:
        return [f"nbgrader could not generate a release: {error}"]
    problems = []
    for name in names:
        found = []
        for source in hygiene.notebooks_of(name, "solutions", course.root):
            committed = course.release_dir(name) / source.name
            if not committed.exists():
                found.append(f"exercises/{name}/{source.name} is missing: run `mlops-course release`")
                continue
            fresh = templates[name] / "exercises" / name / source.name
            found += hygiene.release_differences(read_notebook(committed), read_notebook(fresh),
                                                 f"exercises/{name}/{source.name}")
        print(f"{'OK  ' if not found else 'FAIL'}  {name}: committed release equals a fresh regeneration")
        problems += found
    return problems


def static_problems(course: Course, name: str) -> list[str]:
    problems = []
    for source_path in hygiene.notebooks_of(name, "solutions", course.root):
        source = read_notebook(source_path)
        problems += hygiene.source_problems(source, f"solutions/{name}/{source_path.name}")
        release_path = course.release_dir(name) / source_path.name
        if not release_path.exists():
            problems.append(f"exercises/{name}/{source_path.name} is missing: run `mlops-course release`")
            continue
        release_nb = read_notebook(release_path)
        where = f"exercises/{name}/{release_path.name}"
        problems += hygiene.release_problems(release_nb, where) + hygiene.leaked_lines(source, release_nb, where)
    return problems


def validation_problems(course: Course, names: list[str]) -> list[str]:
    """Sources must pass ``nbgrader validate``; releases must fail it everywhere (``--invert``)."""
    jobs = [(path, False) for n in names for path in hygiene.notebooks_of(n, "solutions", course.root)]
    jobs += [(path, True) for n in names for path in hygiene.notebooks_of(n, "exercises", course.root)]

    def one(job):
        path, invert = job
        passed, report = hygiene.validate(path, invert=invert)
        where = path.relative_to(course.root)
        what = "every test cell fails before it is answered" if invert else "passes all its tests"
        print(f"{'OK  ' if passed else 'FAIL'}  {where}: {what}")
        if passed:
            return None
        expected = ("a test cell passes on the unanswered release: it must use the learner's answer"
                    if invert else "the solution fails its own tests")
        return f"{where}: {expected}:\n{report[-2000:]}"

    with ThreadPoolExecutor(max_workers=default_workers()) as pool:  # each job is an nbgrader subprocess
        return [p for p in pool.map(one, jobs) if p]
