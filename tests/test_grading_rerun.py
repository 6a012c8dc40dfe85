"""rerun_answer: an answer cell run again on other data, as a hidden test does at grading time."""

import os
import subprocess
import sys

import pandas as pd
import pytest

from mlops_course.grading.rerun import NoAnswerCell, answer_sources, rerun_answer

SETUP = "batches = {'m1': [1, 2], 'm2': [5, 6, 7]}"


def _run(history, data):
    namespace = {}
    for source in history:
        exec(source, namespace)
    return namespace, rerun_answer("busiest", data, namespace=namespace, history=history)


def test_a_computed_answer_follows_the_new_data_and_a_copied_one_does_not():
    other = {"batches": {"x": [1, 2, 3, 4], "y": [1]}}
    computed = [SETUP, "busiest = max(batches, key=lambda m: len(batches[m]))"]
    copied = [SETUP, "busiest = 'm2'  # read off the printout"]
    assert _run(computed, other)[1] == "x"
    assert _run(copied, other)[1] == "m2"


def test_the_learners_variables_stay_as_they_were():
    namespace, again = _run([SETUP, "log = []", "log.append(1)\nbusiest = sorted(batches)[-1]\nprint('hi')"],
                            {"batches": {"z": []}})
    assert again == "z" and namespace["busiest"] == "m2"


def test_a_refined_answer_runs_back_to_the_cell_that_computed_it():
    history = [SETUP, "busiest = pd.Series({m: len(v) for m, v in batches.items()}).idxmax()", "x = 1",
               "busiest = str(busiest).upper()"]
    namespace = {"pd": pd}
    for source in history:
        exec(source, namespace)
    assert namespace["busiest"] == "M2"
    assert rerun_answer("busiest", {"batches": {"a": [1, 2, 3]}}, namespace, history) == "A"
    assert answer_sources("busiest", history) == [history[1], history[3]]


@pytest.mark.parametrize("cell, binds", [
    ("def busiest(b):\n    return max(b)", True), ("async def busiest(b):\n    return max(b)", True),
    ("class busiest:\n    pass", True), ("import busiest", True), ("from m import x as busiest", True),
    ("for busiest in batches:\n    pass", True), ("print(busiest)", False), ("busiest(", False)])
def test_every_way_of_binding_a_name_counts_and_reading_it_does_not(cell, binds):
    chain = [SETUP, cell]
    if binds:
        assert answer_sources("busiest", chain) == [cell]
    else:
        with pytest.raises(NoAnswerCell):
            answer_sources("busiest", chain)


def test_a_missing_answer_says_where_to_answer():
    with pytest.raises(NoAnswerCell, match="no cell of the notebook sets busiest"):
        rerun_answer("busiest", {}, namespace={}, history=[SETUP, "print(1)"])


def test_a_cell_that_sets_the_name_only_sometimes_fails_clearly():
    history = [SETUP, "if len(batches) > 1:\n    busiest = 'm2'"]
    with pytest.raises(NoAnswerCell, match="did not set it when run again"):
        rerun_answer("busiest", {"batches": {"only": [1]}}, namespace={}, history=history)


@pytest.mark.parametrize("cell", ["%time busiest = sorted(batches)[-1]",
                                  "%%time\nbusiest = sorted(batches)[-1]",
                                  "%timeit -n 1 -r 1 sorted(batches)\nbusiest = sorted(batches)[-1]",
                                  "%matplotlib inline\n!ls\nbusiest = sorted(batches)[-1]"])
def test_cells_with_magics_run_again_without_them(cell):
    assert rerun_answer("busiest", {"batches": {"b": 1, "a": 2}}, namespace={}, history=[SETUP, cell]) == "b"


RERUN_FIGURES = """
import sys
from mlops_course.grading.rerun import rerun_answer
history = ["busiest = 1"]
rerun_answer("busiest", {}, namespace={}, history=history)
print("pyplot imported by a rerun that does not plot:", "matplotlib.pyplot" in sys.modules)
plotting = ["import matplotlib.pyplot as plt\\nplt.figure()\\nbusiest = 2"]
assert rerun_answer("busiest", {}, namespace={}, history=plotting) == 2
import matplotlib.pyplot as plt
print("figures left by a rerun that imported pyplot:", plt.get_fignums())
mine = plt.figure().number
rerun_answer("busiest", {}, namespace={}, history=plotting)
print("figures after a rerun, the learner's kept:", plt.get_fignums() == [mine])
"""


def test_a_rerun_closes_the_figures_it_drew_and_imports_no_plotting_of_its_own():
    """A rerun closes the figures it drew (not the learner's) and never imports pyplot just to look."""
    done = subprocess.run([sys.executable, "-c", RERUN_FIGURES], capture_output=True, text=True, timeout=120,
                          env={**os.environ, "MPLBACKEND": "Agg"})
    assert done.returncode == 0, done.stderr
    assert done.stdout.splitlines() == ["pyplot imported by a rerun that does not plot: False",
                                        "figures left by a rerun that imported pyplot: []",
                                        "figures after a rerun, the learner's kept: True"], done.stdout
