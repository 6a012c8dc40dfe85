"""Figures and survivors of a mutation run: a text report, a compact table and a JSON record."""

from __future__ import annotations

import json
import time
from dataclasses import dataclass

from mlops_course.mutants.runner import AssignmentReport, QuestionReport


@dataclass
class Figures:
    mutants: int = 0
    killed: int = 0
    survived: int = 0
    equivalent: int = 0  # listed as equivalent, and indeed not caught
    wrong_equivalent: int = 0  # listed as equivalent, but a test caught it: counted as killed, the entry is wrong

    @property
    def rate(self) -> float:
        """Share of the non-equivalent mutants that were killed, in percent (100 if there are none)."""
        counted = self.mutants - self.equivalent
        return 100.0 if counted <= 0 else 100.0 * self.killed / counted


def figures(question: QuestionReport) -> Figures:
    f = Figures(mutants=len(question.outcomes))
    for outcome in question.outcomes:
        if outcome.killed:
            f.killed += 1
            f.wrong_equivalent += outcome.equivalent
        elif outcome.equivalent:
            f.equivalent += 1
        else:
            f.survived += 1
    return f


def total(report: AssignmentReport) -> Figures:
    f = Figures()
    for question in report.questions:
        q = figures(question)
        for name in ("mutants", "killed", "survived", "equivalent", "wrong_equivalent"):
            setattr(f, name, getattr(f, name) + getattr(q, name))
    return f


def survivors_text(report: AssignmentReport) -> str:
    """Every surviving mutant with its diff, question by question; broken questions and list problems first."""
    f = total(report)
    lines = [f"# Surviving mutants of {report.assignment} ({report.notebook})",
             f"# {time.strftime('%Y-%m-%d %H:%M UTC', time.gmtime())}: {f.mutants} mutants, {f.killed} killed, "
             f"{f.survived} survived, {f.equivalent} equivalent: {f.rate:.1f}% of the non-equivalent killed "
             f"({report.seconds:.0f} s)", ""]
    for question in report.questions:
        if question.broken:
            lines += [f"## {question.question}: NOT RUN -- {question.broken}", ""]
    for entry in report.stale:
        lines += [f"## stale equivalence entry (matches no mutant): {entry['question']} {entry['key']} {entry['change']}", ""]
    for question in report.questions:
        for outcome in question.outcomes:
            if outcome.equivalent and outcome.killed:
                lines += [f"## listed as equivalent but killed ({outcome.why}): {outcome.mutant.id} key {outcome.mutant.key}", ""]
    for question in report.questions:
        left = [o for o in question.outcomes if not o.killed and not o.equivalent]
        if not left:
            continue
        f = figures(question)
        lines += [f"## {question.question}: {len(left)} survived of {f.mutants} (tests: {', '.join(question.tests)})", ""]
        for outcome in left:
            m = outcome.mutant
            lines += [f"### {m.id}  operator={m.operator}  line={m.line}  key={m.key}", m.diff.rstrip(), ""]
    return "\n".join(lines) + "\n"


def table(reports: list[AssignmentReport], min_score: float) -> str:
    """The compact table printed at the end: one row per question, a total per assignment."""
    rows = [("assignment / question", "mutants", "killed", "survived", "equivalent", "rate")]
    for report in reports:
        for question in report.questions:
            f = figures(question)
            rate = "broken" if question.broken else f"{f.rate:.1f}%"
            rows.append(("  " + question.question, f.mutants, f.killed, f.survived, f.equivalent, rate))
        f = total(report)
        verdict = "ok" if f.rate >= min_score and not any(q.broken for q in report.questions) else "BELOW"
        rows.append((f"{report.assignment} ({report.seconds:.0f} s)", f.mutants, f.killed, f.survived, f.equivalent,
                     f"{f.rate:.1f}% {verdict}"))
    notes = [f"{r.assignment}: {len(r.stale)} stale equivalence entries (they match no mutant; see the survivors)"
             for r in reports if r.stale]
    notes += [f"{r.assignment}: {total(r).wrong_equivalent} listed equivalents were caught (remove them from the list)"
              for r in reports if total(r).wrong_equivalent]
    widths = [max(len(str(row[i])) for row in rows) for i in range(len(rows[0]))]
    out = []
    for number, row in enumerate(rows):
        cells = [str(row[0]).ljust(widths[0])] + [str(v).rjust(w) for v, w in zip(row[1:], widths[1:])]
        out.append("  ".join(cells))
        if number == 0:
            out.append("-" * len(out[0]))
    return "\n".join(out + notes)


def passed(report: AssignmentReport, min_score: float) -> bool:
    return total(report).rate >= min_score and not any(q.broken for q in report.questions)


def as_json(reports: list[AssignmentReport]) -> str:
    data = []
    for report in reports:
        f = total(report)
        data.append({
            "assignment": report.assignment, "notebook": report.notebook, "seconds": round(report.seconds, 1),
            "kernel_restarts": report.restarts, "mutants": f.mutants, "killed": f.killed,
            "survived": f.survived, "equivalent": f.equivalent, "rate": round(f.rate, 2),
            "stale_equivalents": report.stale,
            "questions": [{
                "question": q.question, "tests": q.tests, "broken": q.broken,
                "mutants": [{"id": o.mutant.id, "operator": o.mutant.operator, "line": o.mutant.line,
                             "key": o.mutant.key, "killed": o.killed, "equivalent": o.equivalent,
                             "why": o.why, "seconds": round(o.seconds, 2), "diff": o.mutant.diff}
                            for o in q.outcomes],
            } for q in report.questions],
        })
    return json.dumps(data, indent=1)
