"""The scenario set-up of the three assignments, one module each.

- ``mlops_course.assignments.drift``       the "drift" assignment: scored loan stream, monitored months
- ``mlops_course.assignments.bias``        the "bias" assignment: loan splits, retraining pipeline, UCI Adult
- ``mlops_course.assignments.operations``  the "operations" assignment: risk register, RACI, test statuses

Each assignment's set-up cell calls ``show_warnings_as_notes()`` first.
"""

import sys
import warnings


def show_warnings_as_notes() -> None:
    """Print warnings on stdout, where they stay visible but cost no points.

    nbgrader scores a test cell that writes anything to stderr as failed, in grading, in ``nbgrader
    validate`` and in ``mlops-course check``. A warning that pandas, NumPy or scikit-learn gives about a
    correct answer (``SettingWithCopyWarning``, a division by zero, a convergence notice) is no error, so it
    goes to stdout. Errors still raise, and text that a cell writes to stderr itself still counts.
    """
    def show(message, category, filename, lineno, file=None, line=None):
        sys.stdout.write(warnings.formatwarning(message, category, filename, lineno, line))

    warnings.showwarning = show
