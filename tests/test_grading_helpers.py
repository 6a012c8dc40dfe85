"""The test cells' shared helpers beyond type checks: unchanged arguments, partial credit, warnings as notes."""

import subprocess
import sys
import nbformat
import numpy as np
import pandas as pd
import pytest

from mlops_course.grading.checks import PARTIAL_MARK, call_unchanged, partial_credit
from mlops_course.instructor import feedback, outputs


def _frame():
    return pd.DataFrame({"month": ["2024-01", "2024-02", "2024-03"], "psi": [0.1, np.nan, 0.3]},
                        index=[10, 20, 30])


def _leaves_alone(frame, limits=None, values=None):
    frame = frame.copy()
    frame["flag"] = frame["psi"] > 0.2
    return int(frame["flag"].sum())


@pytest.mark.parametrize("change, what", [
    (lambda f, d, v: f.__setitem__("flag", 1), "columns changed: flag added"),
    (lambda f, d, v: f.sort_values("psi", ascending=False, inplace=True), "rows were reordered"),
    (lambda f, d, v: f.__setitem__("psi", f["psi"].fillna(0)), "values changed"),
    (lambda f, d, v: f.drop(index=20, inplace=True), "rows were reordered, dropped"),
    (lambda f, d, v: f.__setitem__("psi", f["psi"].astype("float32")), "type of a column changed"),
])
def test_a_function_that_changes_a_frame_fails_with_what_changed(change, what):
    def function(frame, limits=None, values=None):
        change(frame, limits, values)
        return 0
    with pytest.raises(AssertionError, match=what) as raised:
        call_unchanged("flag_months", function, _frame())
    assert "flag_months changed the first argument" in str(raised.value)
    assert "copy" in str(raised.value)


@pytest.mark.parametrize("change, where", [
    (lambda f, d, v: d.__setitem__("extra", 1), "argument limits="),
    (lambda f, d, v: d["psi"].append(0.5), "argument limits="),
    (lambda f, d, v: v.__setitem__(0, 99.0), "argument values="),
    (lambda f, d, v: v.sort(), "argument values="),
])
def test_a_function_that_changes_a_dict_an_array_or_a_list_fails(change, where):
    def function(frame, limits=None, values=None):
        change(frame, limits, values)
        return 0
    with pytest.raises(AssertionError, match=where):
        call_unchanged("f", function, _frame(), limits={"psi": [0.1, 0.25]}, values=[3.0, 1.0, 2.0])


def test_an_array_argument_changed_in_place_fails():
    def scale(values):
        values *= 2
        return values.sum()
    with pytest.raises(AssertionError, match="its values changed"):
        call_unchanged("scale", scale, np.array([1.0, np.nan]))


def test_a_function_that_leaves_its_arguments_alone_passes_and_its_result_comes_back():
    frame = _frame()
    assert call_unchanged("flag_months", _leaves_alone, frame, limits={"psi": [0.1]}, values=[1, 2]) == 1
    pd.testing.assert_frame_equal(frame, _frame())  # NaN compared as NaN: no false alarm


def test_partial_credit_prints_problems_and_returns_the_points_earned(capsys):
    assert partial_credit(3, [], 12) == 3.0
    assert partial_credit(3, ["R4: look at who is affected"], 12) == 2.75
    printed = capsys.readouterr().out.splitlines()
    assert printed == [f"{PARTIAL_MARK} R4: look at who is affected"]
    assert partial_credit(2, ["a", "b", "c"], 3) == 0.0
    with pytest.raises(ValueError, match="positive int"):
        partial_credit(3, [], 0)
    with pytest.raises(ValueError, match="each item can fail once"):
        partial_credit(3, ["a", "b"], 1)


def test_partial_lines_reach_the_summary_and_the_feedback_and_nothing_else_of_a_test_cell():
    cell = nbformat.v4.new_code_cell("x = 1")
    cell.outputs = [nbformat.v4.new_output("stream", name="stdout",
                                           text=f"printed by a callback\n{PARTIAL_MARK} R4: look at the owner\n"),
                    nbformat.v4.new_output("execute_result", data={"text/plain": "2.75"}, execution_count=1)]
    message, hidden = outputs.failure(cell)
    assert message == "partly right: R4: look at the owner" and not hidden
    feedback._hide_in_test_cell(cell)
    assert [o.get("text") for o in cell.outputs] == [f"{PARTIAL_MARK} R4: look at the owner\n"]


def test_warnings_as_notes_go_to_stdout_and_errors_still_raise():
    code = ("import sys, warnings, numpy as np, pandas as pd\n"
            "from mlops_course.assignments import show_warnings_as_notes\n"
            "show_warnings_as_notes()\n"
            "np.array([1.0]) / 0\n"
            "frame = pd.DataFrame({'a': [1, 2]}); view = frame[frame.a > 1]; view['b'] = 1\n"
            "warnings.warn('a harmless note')\n"
            "raise ValueError('a real error')\n")
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert "RuntimeWarning" in done.stdout and "SettingWithCopyWarning" in done.stdout
    assert "a harmless note" in done.stdout
    assert "Warning" not in done.stderr and "ValueError: a real error" in done.stderr
    assert done.returncode != 0


def test_importing_the_assignments_leaves_warnings_alone():
    """Only the set-up cell's explicit call changes where warnings go; an import never does."""
    code = ("import warnings; before = warnings.showwarning\n"
            "import mlops_course.assignments.drift, mlops_course.assignments.bias, mlops_course.assignments.operations\n"
            "assert warnings.showwarning is before\n")
    assert subprocess.run([sys.executable, "-c", code]).returncode == 0
