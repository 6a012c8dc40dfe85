"""Tamper detection (``mlops_course.grading.tamper``): the code reading, and the judging of planted cells.

The whole path, through the real autograde, is in ``test_grading_attacks.py``; here are its parts on
inputs where a wrong rule gives a different answer.
"""

import nbformat
import pytest

from mlops_course.grading import tamper

HONEST = [
    "%matplotlib inline\nimport pandas as pd",
    "%timeit sum([1, 2])",
    "!pip list",
    "from IPython.display import display, Markdown\ndisplay(Markdown('**hi**'))",
    "pd.options.display.max_rows = 50",
    "scored = frame.eval('a + b')",
    "np.random.seed(0)\nrng = np.random.default_rng(1)",
    "plt.rcParams['figure.dpi'] = 100",
    "sum = 0\nfor value in values:\n    sum += value",  # shadowing a builtin name is a learner's habit, not a patch
    "def psi(reference, current, epsilon=1e-4):\n    return float(np.sum((c - r) * np.log(c / r)))",
    "this is not python (",
    "fields = vars(report)",  # the learner's own object
]
TAMPERING = {
    "get_ipython().input_transformers_post.append(lambda lines: ['pass\\n'])": "input_transformers_post",
    "ip = get_ipython()": "get_ipython",
    "%config InteractiveShell.ast_node_interactivity = 'all'": "get_ipython",
    "import builtins\nbuiltins.len = lambda x: 3": "builtins",
    "__builtins__.isinstance = lambda *a: True": "__builtins__",
    "math.isclose = lambda *a, **k: True": "math.isclose",
    "np.testing.assert_allclose = print": "np.testing.assert_allclose",
    "pd.DataFrame.equals = lambda *a: True": "pd.DataFrame.equals",
    "setattr(np.testing, 'assert_allclose', print)": "setattr",
    "exec(open('x.py').read())": "exec",
    "import sys\nsys.settrace(lambda *a: None)": "settrace",
    "import sys\nprint(sys._getframe(1).f_locals)": "_getframe",
    "import ctypes": "ctypes",
    # a library's namespace changed without assigning to its attributes
    "vars(np.testing)['assert_allclose'] = print": "vars",
    "vars(math).update(isclose=lambda *a, **k: True)": "vars() on math",
    "np.testing.__dict__.update(assert_allclose=print)": "__dict__",
    "object.__setattr__(math, 'isclose', max)": "__setattr__",
    "getattr(np, 'testing').assert_allclose = print": "getattr(np, 'testing').assert_allclose",
}


@pytest.mark.parametrize("source", HONEST)
def test_honest_code_is_not_flagged(source):
    assert tamper.scan_source(source) == []


@pytest.mark.parametrize("source, names", TAMPERING.items())
def test_tampering_code_is_flagged_with_what_it_touches(source, names):
    reasons = tamper.scan_source(source)
    assert reasons and any(names in reason for reason in reasons), reasons


def _planted_notebook():
    nb = nbformat.v4.new_notebook()
    test = nbformat.v4.new_code_cell("# Q1: checks\nassert answer == 1, 'answer is 1'\n### BEGIN HIDDEN TESTS\n"
                                     "assert answer != 2\n### END HIDDEN TESTS")
    test.metadata["nbgrader"] = {"grade": True, "solution": False, "locked": True, "grade_id": "q1", "points": 1}
    nb.cells = [nbformat.v4.new_code_cell("answer = 1"), test]
    planted, _ = tamper.PlantChecks().preprocess(nb, {})
    return planted


def test_planting_adds_a_twin_without_the_hidden_tests_and_two_probes():
    cells = _planted_notebook().cells
    kinds = [c.metadata.get(tamper.PLANTED, {}).get("kind") for c in cells]
    assert kinds == ["probe", None, "twin", None, "probe"]
    twin = cells[2].source
    assert "answer != 2" not in twin and "assert answer == 1" in twin and "BEGIN HIDDEN TESTS" in twin


def _error():
    return nbformat.v4.new_output("error", ename="AssertionError", evalue="", traceback=[])


def test_a_twin_that_did_not_fail_is_reported_and_one_that_failed_is_not():
    cells = _planted_notebook().cells
    cells[2].outputs = [_error()]
    assert tamper.judge(cells) == []  # probes without output: the notebook stopped before them
    cells[2].outputs = []
    findings = tamper.judge(cells)
    assert findings and "must fail passed" in findings[0]


def test_probes_that_differ_are_reported_and_equal_ones_are_not():
    cells = _planted_notebook().cells
    cells[2].outputs = [_error()]
    nonce = cells[0].metadata[tamper.PLANTED]["nonce"]
    base = {"input_transformers_post": [], "events": {"pre_run_cell": []}, "helpers": {"math.isclose": [1, ""]}}
    changed = {"input_transformers_post": ["__main__:<lambda>"],
               "events": {"pre_run_cell": ["__main__:<lambda>"]}, "helpers": {"math.isclose": [2, "<cell>"]}}

    def printed(value):
        import json

        return [nbformat.v4.new_output("stream", name="stdout", text=nonce + json.dumps(value) + nonce)]

    cells[0].outputs, cells[4].outputs = printed(base), printed(base)
    assert tamper.judge(cells) == []
    cells[4].outputs = printed(changed)
    found = " ".join(tamper.judge(cells))
    assert "input_transformers_post" in found and "pre_run_cell" in found and "math.isclose" in found
    cells[4].outputs = [nbformat.v4.new_output("stream", name="stdout", text="pass")]
    assert "did not run as written" in " ".join(tamper.judge(cells))


def test_callbacks_of_the_plot_backend_are_not_tampering():
    cells = _planted_notebook().cells
    cells[2].outputs = [_error()]
    nonce = cells[0].metadata[tamper.PLANTED]["nonce"]
    import json

    first = {"events": {"post_execute": []}}
    last = {"events": {"post_execute": ["matplotlib_inline.backend_inline:flush_figures"]}}
    cells[0].outputs = [nbformat.v4.new_output("stream", name="stdout", text=nonce + json.dumps(first) + nonce)]
    cells[4].outputs = [nbformat.v4.new_output("stream", name="stdout", text=nonce + json.dumps(last) + nonce)]
    assert tamper.judge(cells) == []
