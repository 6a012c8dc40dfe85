"""nbgrader configuration of the course.

The repository itself is the nbgrader course directory:

- ``solutions/<assignment>/``  nbgrader *source* notebooks (solutions, visible and hidden tests)
- ``exercises/<assignment>/``  nbgrader *release* notebooks, generated with ``make exercises``
- ``grader/course/``           the instructor's working folders and gradebook (git-ignored: student data)

The top-level ``nbgrader_config.py`` loads this file, so every ``nbgrader`` command and the formgrader
in JupyterLab work when started from the course root.
"""

import os
import sys

c = get_config()  # noqa: F821 -- provided by the Jupyter config loader

COURSE_ROOT = os.environ.get(
    "MLOPS_COURSE_ROOT", os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
)
WORK = os.environ.get("MLOPS_COURSE_WORKDIR", "grader/course")

# The working folder is git-ignored, so a fresh clone does not have it; SQLite cannot create the
# gradebook inside a missing folder.
os.makedirs(os.path.join(COURSE_ROOT, WORK), exist_ok=True)

# nbgrader runs its own `alembic` command when it creates a gradebook. JupyterLab started as
# `.venv/bin/jupyter lab` (no activated environment) does not have that folder on PATH, and the
# Formgrader would fail and leave a gradebook without its schema version.
SCRIPTS = os.path.dirname(sys.executable)
if SCRIPTS not in os.environ.get("PATH", "").split(os.pathsep):
    os.environ["PATH"] = os.pathsep.join(filter(None, [SCRIPTS, os.environ.get("PATH")]))

c.CourseDirectory.course_id = "mlops-business-ch3"
c.CourseDirectory.root = COURSE_ROOT
c.CourseDirectory.source_directory = "solutions"
c.CourseDirectory.release_directory = "exercises"
c.CourseDirectory.submitted_directory = f"{WORK}/submitted"
c.CourseDirectory.autograded_directory = f"{WORK}/autograded"
c.CourseDirectory.feedback_directory = f"{WORK}/feedback"
c.CourseDirectory.solution_directory = f"{WORK}/released-solutions"
# One instructor: a SQLite file in the working folder. A class with several graders: a database server,
# named by MLOPS_COURSE_DB_URL (`make classroom` sets it to its PostgreSQL gradebook).
c.CourseDirectory.db_url = os.environ.get("MLOPS_COURSE_DB_URL") or (
    "sqlite:///" + os.path.join(COURSE_ROOT, WORK, "gradebook.db"))
# nbgrader's exchange, through which a classroom hub releases and collects (`make classroom` sets
# MLOPS_COURSE_EXCHANGE). A course on one machine has none; an empty one in the working folder keeps the
# Assignment List and the Formgrader free of "exchange directory does not exist" errors.
c.Exchange.root = os.environ.get("MLOPS_COURSE_EXCHANGE") or os.path.join(COURSE_ROOT, WORK, "exchange")
os.makedirs(c.Exchange.root, exist_ok=True)

# Data and helper files beside a notebook are part of an assignment; checkpoints never are.
c.CourseDirectory.ignore = [".ipynb_checkpoints", "*.pyc", "__pycache__", "feedback"]

# Every release starts with the same header: who the learner is, how to validate, how to submit.
c.IncludeHeaderFooter.header = os.path.join(COURSE_ROOT, "grader", "header.ipynb")

# Learners delete graded cells by accident; nbgrader restores them from the gradebook at autograde
# time instead of silently giving zero for a question that was answered elsewhere.
c.OverwriteCells.add_missing_cells = True

# Solutions run in under 20 s; the timeout leaves room for a slow laptop and a loaded grading
# machine, and still stops an endless loop within a few minutes.
c.Execute.timeout = 120
c.Execute.interrupt_on_timeout = True
# A kernel can take long to start on a machine busy with a batch; that is no fault of the learner.
c.Execute.startup_timeout = 180
# Likewise a cell's last output messages can lag behind its reply on a machine busy with a batch (nbclient
# waits 4 s for them, then fails the whole notebook); a kernel that has replied is not stuck, so wait longer.
c.Execute.iopub_timeout = 30
c.GenerateAssignment.create_assignment = True
# nbconvert validates the whole notebook after each of autograde's dozen steps; after the last one only, an
# invalid notebook fails just the same, and every hand-in is graded faster.
c.Exporter.optimistic_validation = True
c.Autograde.create_student = True

# nbgrader scores any output on stderr as a failed test. Library deprecation notices and
# matplotlib's one-off font-cache message are harmless, so they are removed before grading.
# The pattern only matches a stderr chunk that consists of nothing but such warnings, so a real
# error printed beside one still fails the cell.
HARMLESS_STDERR = (
    r"\A(?:"
    r"(?:[^\n]*: (?:FutureWarning|DeprecationWarning|PendingDeprecationWarning): [^\n]*\n(?:  [^\n]*\n)*)"
    r"|(?:Matplotlib is building the font cache[^\n]*\n)"
    r")+\Z"
)
c.IgnorePattern.enabled = True
c.IgnorePattern.pattern = HARMLESS_STDERR
# `nbgrader validate` has no such filter, so the kernel itself is started with those warnings
# silenced, for validation and autograding alike.
QUIET_WARNINGS = (
    "import warnings; "
    "[warnings.filterwarnings('ignore', category=c) "
    "for c in (FutureWarning, DeprecationWarning, PendingDeprecationWarning)]"
)
c.Execute.extra_arguments = [
    "--HistoryManager.hist_file=:memory:",
    f"--IPKernelApp.exec_lines={[QUIET_WARNINGS]!r}",
]
