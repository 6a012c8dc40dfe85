"""A whole term of one assignment in the classroom, each step run as the account that would do it.

The instructor releases ``drift``; three learners fetch it and answer correctly, partly and wrongly
(answers from the assignment's submission bank, whose expected scores are known); one submits twice,
one after the due date. The instructor collects, ``mlops-course autograde`` grades into the PostgreSQL
gradebook while the grader account grades a written answer, feedback is released and fetched, and the
grades are exported. Then the accounts try to read what is not theirs.
"""

from __future__ import annotations

import csv
import json
import subprocess
import time
from datetime import datetime, timezone
from pathlib import Path

import nbformat
import pytest

from classroom import COURSE_ID, run_as
from mlops_course.grading.banks import autograded_max_scores, load_bank, solution_answers

REPO = Path(__file__).resolve().parents[2]
ASSIGNMENT = "drift"
BANK = load_bank(REPO / "tests" / "banks" / f"{ASSIGNMENT}.py")
SOURCE = nbformat.read(REPO / "solutions" / ASSIGNMENT / f"{ASSIGNMENT}.ipynb", as_version=4)
MAX_SCORES = autograded_max_scores(SOURCE)
MEMO = "q9_memo"
MEMO_SCORE = 3.0
# Which learner hands in which answers from the bank, and so which scores they must get.
HAND_INS = {"learner1": "correct_different", "learner2": "wrong_bins_shares_blips",
            "learner3": "wrong_epsilon_percent_swapped"}
WRITTEN = {
    "q5_3_bug_not_drift": "The jump comes from a unit change in the feed, a data bug, not drift.",
    "q8_2_seasonality": "Compare the same months of different years before calling it drift.",
    "q9_memo": "Retrain on recent data after fixing the feed; monitor PSI monthly with an owner.",
}

# Run as a learner: fill the answer cells of the fetched notebook, as typing them in would.
FILL_ANSWERS = """
import json, sys
import nbformat
from mlops_course.grading.cells import fill_answers
path = sys.argv[1]
nb = nbformat.read(path, as_version=4)
nbformat.write(fill_answers(nb, json.load(sys.stdin)), path)
"""

# Run as a teacher: every score, lateness and submission time in the gradebook, as JSON.
READ_GRADEBOOK = """
import json, os, warnings
warnings.simplefilter("ignore")
from nbgrader.api import Gradebook
out = {}
with Gradebook(os.environ["MLOPS_COURSE_DB_URL"]) as gb:
    for sub in gb.assignment_submissions(%r):
        nb = sub.notebooks[0]
        out[sub.student.id] = {
            "timestamp": sub.timestamp.isoformat() if sub.timestamp else None,
            "seconds_late": sub.total_seconds_late,
            "auto": {g.name: g.auto_score for g in nb.grades},
            "manual": {g.name: g.manual_score for g in nb.grades},
            "waiting": {g.name: g.needs_manual_grade for g in nb.grades},
        }
print(json.dumps(out))
""" % ASSIGNMENT

# Run as the grader: wait until a submission is in the gradebook, then grade its written memo, as
# the Formgrader does, while the autograder is still writing other grades.
GRADE_MEMO = """
import os, sys, time, warnings
warnings.simplefilter("ignore")
from nbgrader.api import Gradebook, MissingEntry
student, cell, score = sys.argv[1], sys.argv[2], float(sys.argv[3])
deadline = time.monotonic() + 600
while True:
    with Gradebook(os.environ["MLOPS_COURSE_DB_URL"]) as gb:
        try:
            grade = gb.find_grade(cell, %r, %r, student)
        except MissingEntry:
            grade = None
        if grade is not None:
            grade.manual_score = score
            grade.needs_manual_grade = False
            gb.db.commit()
            print("graded", student, cell, score)
            break
    if time.monotonic() > deadline:
        sys.exit("the submission never appeared in the gradebook")
    time.sleep(0.5)
""" % (ASSIGNMENT, ASSIGNMENT)


def tool(room, name: str) -> str:
    return str(room.env / "bin" / name)


def as_instructor(room, *cmd, **kwargs):
    started = time.monotonic()
    done = run_as(room, room.instructor, list(cmd), cwd=room.course, **kwargs)
    print(f"{time.monotonic() - started:6.1f} s  instructor: {' '.join(map(str, cmd[1:]))}")
    return done


def learner(room, short: str) -> str:
    return f"{room.name}-{short}"


def answers_for(hand_in: str) -> dict[str, str]:
    return {**solution_answers(SOURCE), **BANK.submissions[hand_in], **WRITTEN}


def fill(room, account: str, answers: dict[str, str]) -> None:
    notebook = room.home(account) / ASSIGNMENT / f"{ASSIGNMENT}.ipynb"
    run_as(room, account, [tool(room, "python"), "-c", FILL_ANSWERS, notebook], stdin=json.dumps(answers))


def submit(room, account: str) -> None:
    run_as(room, account, [tool(room, "nbgrader"), "submit", ASSIGNMENT])


@pytest.fixture(scope="module")
def term(room):
    """Run the term once; the tests below check what it left behind."""
    log = {}
    # the instructor releases the assignment
    as_instructor(room, tool(room, "nbgrader"), "release_assignment", ASSIGNMENT)
    learners = {short: learner(room, short) for short in HAND_INS}
    for account in learners.values():
        listed = run_as(room, account, [tool(room, "nbgrader"), "list"]).stdout + \
            run_as(room, account, [tool(room, "nbgrader"), "list"]).stderr
        assert ASSIGNMENT in listed, f"{account} does not see the release: {listed}"
        run_as(room, account, [tool(room, "nbgrader"), "fetch_assignment", ASSIGNMENT])

    # learner1 answers correctly (another way than the model answer) and submits once
    fill(room, learners["learner1"], answers_for(HAND_INS["learner1"]))
    submit(room, learners["learner1"])
    # learner2 submits the untouched release first, then partly right answers
    submit(room, learners["learner2"])
    time.sleep(1.1)  # nbgrader tells submissions apart by their time stamp
    fill(room, learners["learner2"], answers_for(HAND_INS["learner2"]))
    submit(room, learners["learner2"])
    # the deadline passes; learner3 hands in wrong answers late
    due = datetime.now(timezone.utc)
    as_instructor(room, tool(room, "nbgrader"), "db", "assignment", "add", ASSIGNMENT,
                  f"--duedate={due:%Y-%m-%d %H:%M:%S.%f} UTC")
    time.sleep(1.1)
    fill(room, learners["learner3"], answers_for(HAND_INS["learner3"]))
    submit(room, learners["learner3"])

    # the instructor collects; the autograder and the grader write to the gradebook at once
    as_instructor(room, tool(room, "nbgrader"), "collect", ASSIGNMENT)
    grading = subprocess.Popen(
        ["setpriv", f"--reuid={room.grader}", f"--regid={room.teachers_group}", "--init-groups",
         "--reset-env", "env", *[f"{k}={v}" for k, v in room.environment_for(room.grader).items()],
         tool(room, "python"), "-c", GRADE_MEMO, learners["learner1"], MEMO, str(MEMO_SCORE)],
        cwd=room.home(room.grader), stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    try:
        log["autograde"] = as_instructor(room, tool(room, "mlops-course"), "autograde", ASSIGNMENT).stdout
        out, err = grading.communicate(timeout=300)
    finally:
        if grading.poll() is None:
            grading.kill()
            grading.wait()
    assert grading.returncode == 0, f"the grader could not grade: {out}\n{err}"

    # feedback without hidden tests, released through the exchange; learners fetch it
    as_instructor(room, tool(room, "mlops-course"), "feedback", ASSIGNMENT)
    as_instructor(room, tool(room, "release-feedback"), ASSIGNMENT)
    for account in learners.values():
        run_as(room, account, [tool(room, "nbgrader"), "fetch_feedback", ASSIGNMENT])
    # grades out
    as_instructor(room, tool(room, "mlops-course"), "export", ASSIGNMENT)
    as_instructor(room, tool(room, "mlops-course"), "report")
    log["gradebook"] = json.loads(as_instructor(room, tool(room, "python"), "-c", READ_GRADEBOOK).stdout)
    log["learners"] = learners
    log["due"] = due
    return log


def test_every_autograded_score_is_the_banks(room, term):
    for short, hand_in in HAND_INS.items():
        graded = term["gradebook"][term["learners"][short]]
        wanted = BANK.expected_scores(hand_in, MAX_SCORES)
        got = {cell: graded["auto"][cell] for cell in wanted}
        assert got == wanted, f"{short} ({hand_in}): {got} != {wanted}"
    # a partly and a wrongly answered hand-in lose points; the correct one keeps them all
    totals = {short: sum(term["gradebook"][term["learners"][short]]["auto"][c] or 0 for c in MAX_SCORES)
              for short in HAND_INS}
    assert totals["learner1"] == sum(MAX_SCORES.values()) > totals["learner2"] > 0
    assert totals["learner3"] < sum(MAX_SCORES.values())


def test_the_graders_written_grade_survives_the_autograder(term):
    graded = term["gradebook"][term["learners"]["learner1"]]
    assert graded["manual"][MEMO] == MEMO_SCORE
    # nobody graded the other learners' memos: they still wait for a person
    assert term["gradebook"][term["learners"]["learner2"]]["manual"][MEMO] is None


def test_late_flag_and_the_second_submission(room, term):
    book = term["gradebook"]
    assert book[term["learners"]["learner3"]]["seconds_late"] > 0
    assert book[term["learners"]["learner1"]]["seconds_late"] == 0
    assert book[term["learners"]["learner2"]]["seconds_late"] == 0
    # the collected hand-in of learner2 is the second one: it carries answers, so it scores
    assert any(book[term["learners"]["learner2"]]["auto"][c] for c in MAX_SCORES)
    stamps = sorted((room.course / "grader" / "course" / "submitted").glob("*/drift/timestamp.txt"))
    assert len(stamps) == 3


def test_every_learner_fetched_feedback_without_hidden_tests(room, term):
    for account in term["learners"].values():
        pages = list((room.home(account) / ASSIGNMENT / "feedback").rglob("*.html"))
        assert pages, f"{account} has no feedback in {room.home(account) / ASSIGNMENT}"
        text = "\n".join(p.read_text() for p in pages)
        assert "BEGIN HIDDEN TESTS" not in text
        assert account in text or ASSIGNMENT in text


def test_grades_exported(room, term):
    exported = room.course / "grader" / "course" / "exports" / "grades.csv"
    rows = {row["student_id"]: row for row in csv.DictReader(exported.open())}
    assert set(rows) == set(term["learners"].values()), rows.keys()
    for short in HAND_INS:
        graded = term["gradebook"][term["learners"][short]]
        # the export counts what is graded (a person's grade replaces the automatic one) and leaves out
        # the answers that still wait for a person
        scored = sum(graded["manual"][c] if graded["manual"][c] is not None else (graded["auto"][c] or 0)
                     for c in graded["auto"] if not graded["waiting"][c])
        row = rows[term["learners"][short]]
        assert float(row[f"{ASSIGNMENT}.total"]) == pytest.approx(scored), (short, row)
    assert float(rows[term["learners"]["learner3"]][f"{ASSIGNMENT}.late_minutes"] or 0) > 0
    assert float(rows[term["learners"]["learner1"]][f"{ASSIGNMENT}.late_minutes"] or 0) == 0


def test_class_report_from_the_postgresql_gradebook(room, term):
    report = (room.course / "grader" / "course" / "report.html").read_text()
    assert ASSIGNMENT in report
    assert term["learners"]["learner3"] in report  # listed among the late hand-ins


def _can(room, account: str, code: str) -> bool:
    """Whether ``account`` can do what the Python snippet does (it raises if not)."""
    return run_as(room, account, [tool(room, "python"), "-c", code], check=False).returncode == 0


def test_no_learner_reads_what_is_not_theirs(room, term):
    me, other = term["learners"]["learner2"], term["learners"]["learner1"]
    inbound = room.exchange / COURSE_ID / "inbound"
    submission = next(p for p in inbound.glob(f"{other}+{ASSIGNMENT}+*/{ASSIGNMENT}.ipynb"))
    feedback_dir = room.exchange / COURSE_ID / "feedback"
    their_feedback = next((room.home(other) / ASSIGNMENT / "feedback").rglob("*.html"))
    exchange_feedback = next(feedback_dir.glob("*.html"))
    forbidden = {
        "list the submissions": f"import os; os.listdir({str(inbound)!r})",
        "read another learner's submission": f"open({str(submission)!r}).read()",
        "list the released feedback": f"import os; os.listdir({str(feedback_dir)!r})",
        "read another learner's fetched feedback": f"open({str(their_feedback)!r}).read()",
        "read the instructor's source": f"open({str(room.course / 'solutions' / ASSIGNMENT / 'drift.ipynb')!r})",
        "list the instructor's course": f"import os; os.listdir({str(room.course)!r})",
        "open the gradebook": ("import psycopg2; psycopg2.connect(dbname='gradebook', "
                               f"host={str(room.pgsocket)!r})"),
    }
    allowed = [name for name, code in forbidden.items() if _can(room, me, code)]
    assert not allowed, f"{me} can {', '.join(allowed)}"
    # the same checks pass for what is theirs or public, so a broken account would not pass them
    assert _can(room, me, f"open({str(room.home(me) / ASSIGNMENT / 'drift.ipynb')!r}).read()")
    assert _can(room, me, f"import os; os.listdir({str(room.exchange / COURSE_ID / 'outbound')!r})")
    assert _can(room, room.grader, f"open({str(submission)!r}).read()")
    assert _can(room, room.instructor, f"open({str(exchange_feedback)!r}).read()")
