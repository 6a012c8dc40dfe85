"""``mlops-course report``: how the class did, as one self-contained HTML file.

Plots are drawn with matplotlib and embedded as base64 PNG, so the file can be mailed or uploaded as it
is. Sections: overview, score distribution, questions (mean score and pass rate; the hardest ones),
the most frequent failing messages, submissions that need a look (not gradable, problems, late), and
grading time.
"""

from __future__ import annotations

import base64
import html
import io
import statistics
from collections import Counter
from datetime import datetime, timezone
from pathlib import Path

from mlops_course.instructor import results
from mlops_course.instructor.export import (GRADED, MANUAL, MISSING, NEEDS_REVIEW, NOT_GRADABLE, ClassGrades, Question,
                                            add_selection_arguments, graded_class)
from mlops_course.instructor.progress import duration
from mlops_course.instructor.results import Result

TOP = 10


def add_arguments(parser) -> None:
    add_selection_arguments(parser, "report on")
    parser.add_argument("--out", metavar="FILE", help="where to write the report (default: WORKDIR/report.html)")


def run(args) -> int:
    course, grades = graded_class(args)
    if grades is None:
        return 1
    out = Path(args.out) if args.out else course.report
    write_report(grades, results.load_all(course.results, grades.assignments), out)
    print(f"class report: {out}")
    return 0


# --- numbers ------------------------------------------------------------------------------------------

def question_stats(grades: ClassGrades) -> list[dict]:
    """Mean score (share of the points) and pass rate (share with full points) of every autograded question.

    Written answers are left out: until someone grades them by hand, nbgrader gives 0 to blank ones and
    no score to the others, which says nothing about how hard they are.
    """
    stats = []
    for assignment, questions in grades.questions.items():
        for q in questions:
            if q.manual:
                continue
            scores = [e.scores.get((q.notebook, q.grade_id)) for e in grades.entries.values()
                      if e.assignment == assignment and e.status in (GRADED, MANUAL)]
            scores = [s for s in scores if s is not None]
            if not scores:
                continue
            stats.append({"question": q, "n": len(scores),
                          "mean": statistics.fmean(scores) / q.max_score,
                          "pass_rate": sum(s >= q.max_score for s in scores) / len(scores)})
    return stats


def failing_messages(grades: ClassGrades) -> list[tuple[tuple[str, str, str], int]]:
    counted = Counter()
    for entry in grades.entries.values():
        for (_notebook, grade_id), message in entry.messages.items():
            counted[(entry.assignment, grade_id, message)] += 1
    return counted.most_common(TOP)


# --- plots ------------------------------------------------------------------------------------------

def _png(figure) -> str:
    buffer = io.BytesIO()
    figure.savefig(buffer, format="png", dpi=110, bbox_inches="tight")
    import matplotlib.pyplot as plt

    plt.close(figure)
    return f"<img alt='' src='data:image/png;base64,{base64.b64encode(buffer.getvalue()).decode()}'>"


def _pyplot():
    import matplotlib

    matplotlib.use("Agg")  # no display needed
    import matplotlib.pyplot as plt

    return plt


def score_distribution_plot(grades: ClassGrades) -> str:
    plt = _pyplot()
    names = grades.assignments
    figure, axes = plt.subplots(1, len(names), figsize=(4.2 * len(names), 3), squeeze=False)
    for axis, assignment in zip(axes[0], names):
        shares = [100 * e.total / e.max_score for e in grades.entries.values()
                  if e.assignment == assignment and e.status != MISSING and e.max_score]
        axis.hist(shares, bins=[i * 10 for i in range(11)], color="#4c72b0", edgecolor="white")
        axis.set(title=f"{assignment} (n={len(shares)})", xlabel="score (% of points)", ylabel="submissions",
                 xlim=(0, 100))
    figure.tight_layout()
    return _png(figure)


def question_plot(stats: list[dict]) -> str:
    plt = _pyplot()
    labels = [f"{s['question'].assignment}: {s['question'].grade_id}" for s in stats]
    positions = range(len(stats))
    figure, axis = plt.subplots(figsize=(8, 0.38 * len(stats) + 1.2))
    axis.barh([p + 0.2 for p in positions], [100 * s["mean"] for s in stats], height=0.4, label="mean score",
              color="#4c72b0")
    axis.barh([p - 0.2 for p in positions], [100 * s["pass_rate"] for s in stats], height=0.4,
              label="pass rate (full points)", color="#dd8452")
    axis.set_yticks(list(positions), labels)
    axis.invert_yaxis()
    axis.set(xlabel="% of graded submissions / of points", xlim=(0, 100))
    axis.legend(loc="lower right")
    figure.tight_layout()
    return _png(figure)


def timing_plot(records: list[Result]) -> str:
    plt = _pyplot()
    figure, axis = plt.subplots(figsize=(6, 2.8))
    axis.hist([r.seconds for r in records], bins=20, color="#55a868", edgecolor="white")
    axis.set(xlabel="seconds to grade one submission", ylabel="submissions")
    figure.tight_layout()
    return _png(figure)


# --- the page --------------------------------------------------------------------------------------

STYLE = """body{font-family:system-ui,sans-serif;max-width:62em;margin:2em auto;padding:0 1em;line-height:1.45}
table{border-collapse:collapse;margin:.5em 0 1.5em}td,th{border-bottom:1px solid #ddd;padding:.25em .7em;
text-align:left;vertical-align:top}th{background:#f4f4f4}td.n{text-align:right}img{max-width:100%}
.muted{color:#666}"""


def _table(header: list[str], rows: list[list], numeric: set[int] = frozenset()) -> str:
    if not rows:
        return "<p class='muted'>none</p>"
    head = "".join(f"<th>{html.escape(h)}</th>" for h in header)
    body = "".join("<tr>" + "".join(f"<td{' class=n' if i in numeric else ''}>{html.escape(str(v))}</td>"
                                    for i, v in enumerate(row)) + "</tr>" for row in rows)
    return f"<table><tr>{head}</tr>{body}</table>"


def overview(grades: ClassGrades) -> str:
    rows = []
    for assignment in grades.assignments:
        entries = [grades.entry(s, assignment) for s in grades.students]
        shares = [100 * e.total / e.max_score for e in entries if e.status != MISSING and e.max_score]
        count = Counter(e.status for e in entries)
        rows.append([assignment, count[GRADED] + count[MANUAL], count[NOT_GRADABLE], count[MISSING], count[MANUAL],
                     count[NEEDS_REVIEW], f"{statistics.fmean(shares):.0f}%" if shares else "-",
                     f"{statistics.median(shares):.0f}%" if shares else "-"])
    return _table(["assignment", "graded", "not gradable", "not submitted", "awaiting manual grading",
                   "needs review", "mean score", "median score"], rows, {1, 2, 3, 4, 5, 6, 7})


def attention(grades: ClassGrades) -> str:
    failed = [[e.student, e.assignment, "; ".join(e.reasons)] for e in grades.entries.values()
              if e.status == NOT_GRADABLE]
    review = [[e.student, e.assignment, "; ".join(e.reasons)] for e in grades.entries.values()
              if e.status == NEEDS_REVIEW]
    troubled = [[e.student, e.assignment, f"{e.total:g}/{e.max_score:g}", "; ".join(e.reasons)]
                for e in grades.entries.values() if e.status not in (NOT_GRADABLE, NEEDS_REVIEW) and e.reasons]
    late = [[e.student, e.assignment, duration(e.seconds_late)] for e in grades.entries.values()
            if e.seconds_late > 0]
    return ("<h3>Needs review: the submission modified the grading environment (autograded points withheld)</h3>"
            + _table(["student", "assignment", "what the grader saw"], sorted(review))
            + "<h3>Not gradable (scored 0)</h3>" + _table(["student", "assignment", "reason"], sorted(failed))
            + "<h3>Graded, with problems worth a look</h3>"
            + _table(["student", "assignment", "score", "what happened"], sorted(troubled))
            + "<h3>Late</h3>" + _table(["student", "assignment", "late by"], sorted(late), {2}))


def timing(records: list[Result]) -> str:
    if not records:
        return "<p class='muted'>no grading records</p>"
    seconds = sorted(r.seconds for r in records)
    slowest = sorted(records, key=lambda r: -r.seconds)[:5]
    summary = (f"<p>{len(seconds)} submissions; median {statistics.median(seconds):.1f} s, slowest "
               f"{seconds[-1]:.1f} s, {sum(seconds):.0f} s of grading in total (parallel workers share it).</p>")
    return summary + timing_plot(records) + _table(
        ["slowest submissions", "assignment", "seconds"],
        [[r.student, r.assignment, f"{r.seconds:.1f}"] for r in slowest], {2})


def _question_row(stat: dict) -> list:
    q: Question = stat["question"]
    return [q.assignment, q.grade_id, f"{q.max_score:g}", f"{100 * stat['pass_rate']:.0f}%",
            f"{100 * stat['mean']:.0f}%", stat["n"]]


def write_report(grades: ClassGrades, records: list[Result], out: Path) -> Path:
    stats = question_stats(grades)
    hardest = sorted(stats, key=lambda s: (s["pass_rate"], s["mean"]))[:TOP]
    sections = [
        f"<h1>Class report</h1><p class='muted'>{len(grades.students)} students, "
        f"{', '.join(grades.assignments)}; generated {datetime.now(timezone.utc):%Y-%m-%d %H:%M} UTC</p>",
        "<h2>Overview</h2>" + overview(grades),
        "<h2>Score distribution</h2>" + score_distribution_plot(grades),
        "<h2>Questions: mean score and pass rate</h2>"
        "<p class='muted'>Autograded questions, over graded submissions; pass rate = share with full points. "
        "Written answers are graded by hand and left out.</p>" + (question_plot(stats) if stats else ""),
        "<h2>Hardest questions</h2>" + _table(
            ["assignment", "question", "points", "pass rate", "mean score", "graded"],
            [_question_row(s) for s in hardest], {2, 3, 4, 5}),
        "<h2>Most frequent failing messages</h2><p class='muted'>The error that made a test cell lose its "
        "points, in one line; \"(no message)\" means an assert without one -- usually a hidden test.</p>"
        + _table(["assignment", "question", "message", "submissions"],
                 [[a, g, m, n] for (a, g, m), n in failing_messages(grades)], {3}),
        "<h2>Submissions that need a look</h2>" + attention(grades),
        "<h2>Grading time</h2>" + timing(records),
    ]
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(f"<!DOCTYPE html><html lang='en'><head><meta charset='utf-8'><title>Class report</title>"
                   f"<style>{STYLE}</style></head><body>{''.join(sections)}</body></html>", encoding="utf-8")
    return out
