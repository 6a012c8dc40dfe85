"""The command line: which assignments and questions, where the reviewed lists are, what to print."""

from __future__ import annotations

import argparse
import concurrent.futures
from pathlib import Path

from mlops_course.mutants import equivalents, report
from mlops_course.mutants.questions import solution_notebook
from mlops_course.mutants.runner import Runner
from mlops_course.paths import course_root


def parser() -> argparse.ArgumentParser:
    root = course_root()
    p = argparse.ArgumentParser(
        prog="python -m mlops_course.mutants",
        description="Mutate every answer cell of the solution notebooks and run each mutant against its "
                    "question's test cells (visible and hidden), in one kernel per assignment. Reports per "
                    "question the mutants killed, those that survived (with their diff) and those listed "
                    "as equivalent; exits 1 if an assignment kills fewer than --min-score percent of its "
                    "non-equivalent mutants.")
    p.add_argument("assignments", nargs="*", metavar="ASSIGNMENT",
                   help="assignments under the solutions folder (default: all of them)")
    p.add_argument("--question", action="append", metavar="Q",
                   help="only this answer cell's grade_id (repeatable)")
    p.add_argument("--limit", type=int, metavar="N", help="at most N mutants per question (a quick look)")
    p.add_argument("--json", type=Path, metavar="FILE", help="write every mutant and its outcome to FILE")
    p.add_argument("--survivors", type=Path, metavar="DIR",
                   help="write DIR/mutants-<assignment>.txt: the survivors with their diffs")
    p.add_argument("--min-score", type=float, default=95.0, metavar="PCT",
                   help="lowest acceptable kill rate of non-equivalent mutants, per assignment (default 95)")
    p.add_argument("--timeout", type=float, metavar="S",
                   help="seconds one mutant may run (default: 10 times the original cells, at least 20)")
    p.add_argument("--jobs", "-j", type=int, default=1, metavar="N",
                   help="assignments run at the same time, each in its own kernel (default 1)")
    p.add_argument("--list", action="store_true", help="list the mutants without running them")
    p.add_argument("--solutions", type=Path, default=root / "solutions", help=argparse.SUPPRESS)
    p.add_argument("--equivalents", type=Path, default=root / "grader" / "mutants", metavar="DIR",
                   help="folder of the reviewed lists <assignment>.json (default grader/mutants)")
    return p


def _list(runner: Runner, only) -> None:
    for question in runner.questions:
        if only and question.grade_id not in only:
            continue
        for mutant in runner.mutants(question):
            print(f"{mutant.id}  {mutant.operator}  key={mutant.key}")
            print(mutant.diff.rstrip(), end="\n\n")


def _one(name: str, path: Path, args, only: set[str], listed: list[dict]):
    """Run one assignment: its report, or the reason it could not be run."""
    runner = Runner(path, timeout=args.timeout, log=lambda line: print(f"[{name}] {line.strip()}", flush=True))
    try:
        result = runner.run(only=only or None, limit=args.limit, equivalent={e["key"] for e in listed})
    except Exception as exc:  # a broken kernel or notebook stops this assignment, not the others
        return f"{name} could not be run: {exc.__class__.__name__}: {exc}"
    if not args.limit:
        run = {q.question for q in result.questions}
        result.stale = equivalents.stale(listed, [o.mutant for q in result.questions for o in q.outcomes], run)
    return result


def main(argv: list[str] | None = None) -> int:
    args = parser().parse_args(argv)
    names = args.assignments or sorted(p.name for p in args.solutions.iterdir() if p.is_dir())
    only = set(args.question or ())
    jobs = []
    for name in names:
        try:
            path = solution_notebook(args.solutions, name)
            listed = equivalents.load(args.equivalents, name)
            if args.list:
                _list(Runner(path), only)
        except (FileNotFoundError, ValueError) as exc:
            print(f"error: {exc}")
            return 2
        jobs.append((name, path, args, only, listed))
    if args.list:
        return 0
    if args.jobs > 1 and len(jobs) > 1:  # one process, and so one kernel, per assignment
        with concurrent.futures.ProcessPoolExecutor(min(args.jobs, len(jobs))) as pool:
            results = list(pool.map(_one, *zip(*jobs)))
    else:
        results = [_one(*job) for job in jobs]
    reports = []
    for (name, *_rest), result in zip(jobs, results):
        if isinstance(result, str):
            print(f"error: {result}")
            continue
        reports.append(result)
        text = report.survivors_text(result)
        if args.survivors:
            args.survivors.mkdir(parents=True, exist_ok=True)
            (args.survivors / f"mutants-{name}.txt").write_text(text)
        else:
            print(text)
    if args.json:
        args.json.write_text(report.as_json(reports))
    print(report.table(reports, args.min_score))
    complete = len(reports) == len(jobs)
    return 0 if complete and all(report.passed(r, args.min_score) for r in reports) else 1
