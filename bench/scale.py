"""Scale run: grade a synthetic class of N hand-ins and print what sizing a machine or cluster needs.

    python bench/scale.py --hand-ins 1000                    # or: make scale (this machine)
    python bench/scale.py --hand-ins 1000 --cluster local:4  # a local Dask cluster of 4 workers
    python bench/scale.py --hand-ins 3000 --cluster tcp://scheduler:8786

The class is built from the submission banks (``tests/banks/``): hand-in i is of assignment i mod 3
(drift, bias, operations), and a seeded draw among that bank's submissions -- correct, correct but
different, and plausibly wrong. It is graded with ``mlops-course autograde`` (``--force``), here or on the
cluster, and the run prints:

- throughput: hand-ins per minute, in all and per worker (a worker grades one hand-in at a time);
- seconds per hand-in, per assignment;
- peak memory of one hand-in's grading process (with the sandbox; with cold kernels, the kernel too), of
  one warm kernel, of the warm kernel server, of the worker process (on a cluster: each Dask worker;
  here: this process) and of all of it at once;
- how many grades match what the bank says they must be.

Memory is the proportional set size (PSS, Linux): warm kernels share the pages of the server they are
forked from, and PSS counts a shared page once in all, so the sums are what the machine must hold. It
prints figures only; nothing here passes or fails.
"""

from __future__ import annotations

import argparse
import random
import shutil
import sys
import threading
import time
from collections import Counter, defaultdict
from pathlib import Path

import nbformat

from mlops_course.grading.banks import autograded_max_scores, load_bank
from mlops_course.grading.cells import read_notebook
from mlops_course.instructor import autograde as grading
from mlops_course.instructor.course import Course
from mlops_course.instructor.demo_class import banked_assignments, bank_submissions
from mlops_course.paths import course_root

SAMPLE_SECONDS = 0.25
GRADER_PROCESS = "mlops_course.instructor.cluster_worker"   # a grading process on a Dask worker
FORKSERVER = "multiprocessing.forkserver"                   # the parent of grading processes on this machine
WARM_SERVER = "mlops_course.grading.warm"                   # the warm kernel server, parent of warm kernels


def parse_args(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--hand-ins", type=int, default=1000, help="size of the synthetic class (default: %(default)s)")
    parser.add_argument("--cluster", metavar="ADDRESS", help="grade on a Dask cluster (tcp://HOST:PORT or local:N); "
                                                             "default: this machine")
    parser.add_argument("--workers", type=int, default=0, help="on this machine: hand-ins at a time (default: cores)")
    parser.add_argument("--timeout", type=int, default=30, help="seconds per cell (default: %(default)s)")
    parser.add_argument("--seed", type=int, default=20250314)
    parser.add_argument("--banks", default="tests/banks")
    parser.add_argument("--out", default="build/scale", help="scratch folder, emptied first (default: %(default)s)")
    args = parser.parse_args(argv)
    if args.hand_ins < 1:
        parser.error("--hand-ins must be at least 1")
    return args


# --- the class -------------------------------------------------------------------------------------

def build_class(course: Course, banks_dir: Path, hand_ins: int, seed: int) -> dict[tuple[str, str], str]:
    """Write the hand-ins into ``submitted/``; returns {(student, assignment): bank submission}."""
    rng = random.Random(seed)
    names = banked_assignments(course, banks_dir)
    if not names:
        raise SystemExit(f"no submission bank in {banks_dir} matches an assignment in solutions/")
    banks = {a: bank_submissions(course, banks_dir, a) for a in names}
    drawn = {}
    for i in range(hand_ins):
        assignment = names[i % len(names)]
        notebook, _release, bank = banks[assignment]
        student, choice = f"learner-{i // len(names):04d}", rng.choice(sorted(bank))
        folder = course.submitted / student / assignment
        folder.mkdir(parents=True)
        (folder / f"{notebook}.ipynb").write_text(nbformat.writes(bank[choice]), encoding="utf-8")
        drawn[(student, assignment)] = choice
    return drawn


def as_expected(course: Course, banks_dir: Path, drawn: dict, graded) -> tuple[int, int]:
    """(grades that match the bank's expected scores, hand-ins graded)."""
    expected = {}
    for assignment in {a for _s, a in drawn}:
        bank = load_bank(banks_dir / f"{assignment}.py")
        full = autograded_max_scores(read_notebook(course.source_dir(assignment) / f"{bank.notebook}.ipynb"))
        expected[assignment] = (bank, full)
    matching = 0
    for record in graded:
        bank, full = expected[record.assignment]
        scores = {c.grade_id: c.score for c in record.cells if c.kind == "auto"}
        matching += scores == bank.expected_scores(drawn[(record.student, record.assignment)], full)
    return matching, len(graded)


# --- memory ------------------------------------------------------------------------------------------

class Sampler:
    """Peak memory, sampled a few times a second, of the grading done under this process.

    ``graders(root)`` lists the grading processes; each, with everything under it, is one hand-in (with
    cold kernels, the kernel is under it too). With warm kernels, each kernel is a
    child of the warm server (``grading.warm``), which forks it. Memory is the proportional set size (PSS:
    a page shared by n processes counts 1/n in each), so sums are what the machine holds; RSS where the
    system has no PSS. Defined in this script, the class travels to Dask workers by value.
    """

    def __init__(self, graders):
        import psutil

        self.root, self.graders = psutil.Process(), graders
        self.peaks = dict.fromkeys(("grading process", "kernel", "warm server", "worker process", "all at once"), 0)
        self.stopping = threading.Event()
        self.thread = threading.Thread(target=self._loop, daemon=True)
        self.thread.start()

    def _loop(self) -> None:
        while not self.stopping.wait(SAMPLE_SECONDS):
            try:
                self._sample()
            except Exception:  # processes come and go between two calls; the next sample will do
                pass

    def _sample(self) -> None:
        import psutil

        graders, kernels, servers = [], [], []
        for grader in self.graders(self.root):
            try:
                graders.append(sum(_memory(p) for p in [grader] + grader.children(recursive=True)))
            except psutil.Error:
                continue
        for server in _warm_servers(self.root):
            try:
                servers.append(_memory(server))
                kernels += [sum(_memory(p) for p in [k] + k.children(recursive=True)) for k in server.children()]
            except psutil.Error:
                continue
        own = _memory(self.root)
        sample = {"grading process": max(graders, default=0), "kernel": max(kernels, default=0),
                  "warm server": sum(servers), "worker process": own,
                  "all at once": own + sum(graders) + sum(kernels) + sum(servers)}
        self.peaks = {key: max(value, sample[key]) for key, value in self.peaks.items()}

    def stop(self) -> dict:
        self.stopping.set()
        self.thread.join()
        return self.peaks


def _memory(process) -> int:
    import psutil

    try:
        info = process.memory_full_info()
        return getattr(info, "pss", info.rss)
    except psutil.AccessDenied:
        return process.memory_info().rss
    except psutil.Error:
        return 0


def _warm_servers(parent) -> list:
    """The warm kernel servers under ``parent``: the server's Python process (inside its bwrap sandbox),
    whose children are the kernels it forked."""
    import psutil

    def python_of_server(process) -> bool:
        command = process.cmdline()
        return bool(command) and WARM_SERVER in command and not command[0].endswith("bwrap")

    found = []
    for process in parent.children(recursive=True):
        try:
            if python_of_server(process) and not python_of_server(process.parent()):
                found.append(process)
        except psutil.Error:
            continue
    return found


def graders_here(root) -> list:
    """On this machine, the grading processes are the children of multiprocessing's fork server."""
    import psutil

    found = []
    for child in root.children():
        try:
            if FORKSERVER in " ".join(child.cmdline()):
                found += child.children()
        except psutil.Error:
            continue
    return found


def graders_on_worker(root) -> list:
    """On a Dask worker, the grading processes are forked by its spawners (``cluster_worker.Spawner``)."""
    import psutil

    found = []
    for child in root.children():
        try:
            if GRADER_PROCESS in " ".join(child.cmdline()):
                found += child.children()
        except psutil.Error:
            continue
    return found


def start_on_worker(dask_worker) -> None:
    dask_worker._scale_sampler = Sampler(graders_on_worker)


def stop_on_worker(dask_worker) -> dict:
    return dask_worker._scale_sampler.stop()


# --- the run -------------------------------------------------------------------------------------------

def grade(args, course: Course, assignments: list[str]) -> tuple[list, float, int, dict]:
    """Grade the class; returns (records, wall seconds of the grading, workers, {worker: peaks})."""
    options = dict(timeout=args.timeout, force=True)
    if not args.cluster:
        workers = args.workers or grading.default_workers()
        sampler = Sampler(graders_here)
        graded, seconds = _timed(course, assignments, grading.Options(workers=workers, **options))
        return graded, seconds, workers, {"this machine": sampler.stop()}
    from mlops_course.instructor import cluster

    with cluster.connect(args.cluster) as client:  # one client to watch memory, one inside autograde
        client.run(start_on_worker)
        try:
            graded, seconds = _timed(course, assignments, grading.Options(cluster=client.scheduler.address,
                                                                          **options))
        finally:
            peaks = client.run(stop_on_worker)
        return graded, seconds, cluster.worker_threads(client), peaks


def _timed(course: Course, assignments: list[str], options) -> tuple[list, float]:
    """Grade, timing the grading alone: the templates are made first, once per assignment, whatever the class size."""
    started = time.monotonic()
    grading.prepare_templates(course, assignments)
    print(f"templates of {len(assignments)} assignment(s) made in {time.monotonic() - started:.0f} s "
          "(once per assignment, not counted below)", flush=True)
    graded, _, seconds = grading.autograde(course, assignments, options=options)
    return graded, seconds


def report(args, graded, seconds: float, workers: int, peaks: dict, matching: tuple[int, int]) -> None:
    per_minute = len(graded) / (seconds / 60)
    where = f"on the Dask cluster {args.cluster}" if args.cluster else "on this machine"
    print(f"\n{len(graded)} hand-ins graded {where} with {workers} worker(s) in {seconds:.0f} s")
    print(f"throughput: {per_minute:.1f} hand-ins per minute; {per_minute / workers:.1f} per worker")
    times = defaultdict(list)
    for record in graded:
        times[record.assignment].append(record.seconds)
    for assignment, values in sorted(times.items()):
        print(f"  {assignment:<12} {sum(values) / len(values):6.1f} s per hand-in on average ({len(values)} hand-ins)")
    statuses = Counter(r.status for r in graded)
    print(f"grades as the bank expects: {matching[0]}/{matching[1]}; statuses: {dict(statuses)}")
    columns = ("grading process", "kernel", "warm server", "worker process", "all at once")
    print("\npeak memory, MB (PSS)      " + "".join(f"{c:>17}" for c in columns))
    for worker, peak in sorted(peaks.items()):
        print(f"  {worker:<24}" + "".join(f"{peak[c] / 2 ** 20:17.0f}" for c in columns))
    print("  one hand-in needs about 'grading process' + 'kernel' (cold kernels: 'grading process' alone); a worker "
          "grading one at a time about 'all at once'" + ("" if args.cluster else " divided by the workers"))


def main(argv=None) -> int:
    args = parse_args(argv)
    out = Path(args.out) if Path(args.out).is_absolute() else course_root() / args.out
    shutil.rmtree(out, ignore_errors=True)
    course = Course.at(out / "course")
    banks_dir = course_root() / args.banks
    drawn = build_class(course, banks_dir, args.hand_ins, args.seed)
    assignments = sorted({a for _s, a in drawn}, key=course.assignments().index)
    banks = {a: load_bank(banks_dir / f"{a}.py") for a in assignments}
    right = sum(1 for (_s, a), name in drawn.items() if not banks[a].expected.get(name))
    print(f"Synthetic class: {len(drawn)} hand-ins of {', '.join(assignments)}; {right} fully correct, "
          f"{len(drawn) - right} with wrong answers; per-cell timeout {args.timeout} s", flush=True)
    graded, seconds, workers, peaks = grade(args, course, assignments)
    report(args, graded, seconds, workers, peaks, as_expected(course, banks_dir, drawn, graded))
    return 0


if __name__ == "__main__":
    sys.exit(main())
