"""Mutation testing (``mlops_course.mutants``): the operators on snippets, the runner on tiny notebooks."""

import json

import nbformat
import pytest

from mlops_course.grading import cells
from mlops_course.mutants import equivalents, report
from mlops_course.mutants.cli import main
from mlops_course.mutants.operators import OPERATORS, mutants_of, solution_lines
from mlops_course.mutants.questions import find_questions
from mlops_course.mutants.runner import Runner


def _cell(code: str, before: str = "") -> str:
    body = "\n".join("    " + line for line in code.strip().splitlines())
    return f"{before}def f(df, values, n):\n    ### BEGIN SOLUTION\n{body}\n    ### END SOLUTION\n"


def _changes(code: str, operator: str | None = None) -> list[str]:
    """The mutated lines (stripped) of every mutant of a snippet, for one operator or all of them."""
    found = []
    for mutant in mutants_of("q", _cell(code)):
        if operator in (None, mutant.operator):
            found += [line[1:].strip() for line in mutant.diff.splitlines()
                      if line.startswith("+") and not line.startswith("+++")]
    return found


@pytest.mark.parametrize("operator, code, expected", [
    ("comparison", "return n < 3", ["return n <= 3", "return n > 3"]),
    ("comparison", "return n >= 3", ["return n > 3", "return n <= 3"]),
    ("comparison", "return n == 3", ["return n != 3"]),
    ("comparison", "return n in values", ["return n not in values"]),
    ("number", "return n + 3", ["return n + 4", "return n + 2", "return n + 6"]),
    ("number", "return n * 0.5", ["return n * 1.5", "return n * -0.5", "return n * 1.0"]),
    ("boolean", "return df.sort_values('a', ascending=False)", ["return df.sort_values('a', ascending=True)"]),
    ("string", "return df['a'] - df['b']", ["return df['b'] - df['b']", "return df['a'] - df['a']"]),
    ("keyword", "return df.std(ddof=0)", ["return df.std()"]),
    ("keyword", "return df.drop_duplicates(keep='last')", ["return df.drop_duplicates(keep='first')", "return df.drop_duplicates()"]),
    ("keyword", "return df.mean(axis=1)", ["return df.mean(axis=0)", "return df.mean()"]),
    ("keyword", "return pd.cut(values, 3, include_lowest=True)", ["return pd.cut(values, 3)"]),
    ("arguments", "return divmod(n, 2)", ["return divmod(2, n)"]),
    ("arithmetic", "return n - 1", ["return n + 1"]),
    ("arithmetic", "return n / values", ["return n * values"]),
    ("arithmetic", "return n + values", ["return n - values", "return n * values"]),
    ("logical", "return n and values", ["return n or values"]),
    ("logical", "return df[(df.a > 1) & (df.b < 2)]", ["return df[(df.a > 1) | (df.b < 2)]"]),
    ("negation", "return not n", ["return n"]),
    ("negation", "return df[~values]", ["return df[values]"]),
    ("copy", "out = df.copy()", ["out = df"]),
    ("return", "return n + 1", ["return None", "return df"]),
    ("extremum", "return max(values)", ["return min(values)"]),
    ("extremum", "return df.idxmax()", ["return df.idxmin()"]),
    ("any_all", "return values.any()", ["return values.all()"]),
    ("aggregate", "return df.mean()", ["return df.median()"]),
    ("aggregate", "return df.isna()", ["return df.notna()"]),
    ("sort", "return sorted(values)", ["return sorted(values, reverse=True)", "return list(values)"]),
    ("sort", "out = df.sort_values('a')", ["out = df.sort_values('a', ascending=False)", "out = df"]),
    ("call", "out = df.dropna()", ["out = df"]),
    ("call", "out = np.asarray(values, dtype=float)", ["out = values"]),
    ("call", "out = df['a'].to_numpy()", ["out = df['a']"]),
    ("slice", "return values[:n]", ["return values[:n + 1]", "return values[:n - 1]"]),
    ("slice", "return df.iloc[n]", ["return df.iloc[n + 1]", "return df.iloc[n - 1]"]),
])
def test_each_operator_makes_the_intended_mutant(operator, code, expected):
    assert _changes(code, operator) == expected


def test_an_argument_ignored_is_its_default():
    source = "def f(values, epsilon=1e-4):\n    ### BEGIN SOLUTION\n    epsilon = epsilon\n    return values + epsilon\n    ### END SOLUTION\n"
    changed = [m.source.splitlines()[2:4] for m in mutants_of("q", source) if m.operator == "parameter"]
    assert changed == [["    epsilon = 1e-4", "    return values + epsilon"],
                       ["    epsilon = epsilon", "    return values + 1e-4"]]


def test_builtins_without_a_twin_are_left_alone():
    assert "return mean(values)" not in _changes("return sum(values)")


def test_every_mutant_is_valid_python_and_changes_only_the_solution_lines():
    source = _cell("""
out = df.copy()
out['c'] = out['a'] * 2 + out['b'] / n
keep = (out['c'] >= 1.5) & ~out['b'].isna()
for i in range(len(values)):
    if not values[i] and i > 0:
        n -= 1
return sorted(out.loc[keep, 'c'].round(2).tolist())[:n]
""", before="import pandas as pd\nTHRESHOLD = 3  # given, not part of the answer\n\n")
    mutants = mutants_of("q", source)
    assert len(mutants) > 40
    assert {m.operator for m in mutants} >= {"copy", "string", "arithmetic", "comparison", "logical", "negation",
                                             "number", "return", "sort", "slice", "call"}
    (low, high), = solution_lines(source)
    for mutant in mutants:
        compile(mutant.source, mutant.id, "exec")
        original, changed = source.splitlines(), mutant.source.splitlines()
        assert len(original) == len(changed)
        moved = [i + 1 for i, (a, b) in enumerate(zip(original, changed)) if a != b]
        assert moved and all(low <= line <= high for line in moved), mutant.diff
    assert len({m.source for m in mutants}) == len(mutants), "no two mutants alike"
    assert [m.operator for m in mutants] == [m.operator for m in mutants_of("q", source)], "deterministic order"
    assert [m.id for m in mutants] == [f"q#{i}" for i in range(1, len(mutants) + 1)]
    assert set(m.operator for m in mutants) <= set(OPERATORS)


def test_keys_do_not_depend_on_the_line_a_change_is_on():
    first = mutants_of("q", _cell("return n < 3"))[0]
    moved = mutants_of("q", _cell("# a comment above\nreturn n < 3"))[0]
    assert first.key == moved.key and first.line != moved.line


def test_questions_of_the_fixture_assignment(repo_root):
    nb = cells.read_notebook(repo_root / "tests/fixtures/solutions/fixture/fixture.ipynb")
    questions = find_questions(nb)
    assert [(q.grade_id, q.tests, q.run) for q in questions] == [
        ("q1_missing_share", [4], [3, 4]), ("q2_approval_rates", [8], [7, 8])]
    assert questions[1].fresh_names == {"approval_rates"}


def test_an_answer_without_tests_is_reported():
    nb = cells.new_notebook([cells.answer("q1", "### BEGIN SOLUTION\nx = 1\n### END SOLUTION")])
    with pytest.raises(ValueError, match="q1 has no test cell"):
        find_questions(nb)


def test_a_malformed_list_of_equivalents_is_refused(tmp_path):
    (tmp_path / "a.json").write_text(json.dumps({"equivalent": [{"question": "q1", "key": "abc"}]}))
    with pytest.raises(ValueError, match="lacks operator, change, reason"):
        equivalents.load(tmp_path, "a")
    assert equivalents.load(tmp_path, "missing") == []


def test_stale_entries_are_those_of_the_run_questions_that_match_no_mutant():
    mutants = mutants_of("q1", _cell("return n < 3"))
    listed = [equivalents.entry_for(mutants[0], "a reason"),
              {**equivalents.entry_for(mutants[0], "gone"), "key": "000000000000"},
              {**equivalents.entry_for(mutants[0], "other question"), "question": "q2", "key": "111111111111"}]
    assert [e["reason"] for e in equivalents.stale(listed, mutants, {"q1"})] == ["gone"]


def test_a_listed_mutant_that_is_killed_does_not_count_as_equivalent():
    from mlops_course.mutants.runner import Outcome, QuestionReport
    mutants = mutants_of("q1", _cell("return n < 3"))
    question = QuestionReport("q1", ["q1_tests"], [Outcome(mutants[0], killed=True, why="q1_tests: 0/1", equivalent=True),
                                                   Outcome(mutants[1], killed=True, why="q1_tests: 0/1")])
    f = report.figures(question)
    assert (f.mutants, f.killed, f.equivalent, f.wrong_equivalent) == (2, 2, 0, 1)
    assert f.rate == 100.0
    result = AssignmentReportFor(question)
    assert "listed as equivalent but killed" in report.survivors_text(result)


def AssignmentReportFor(question):
    from mlops_course.mutants.runner import AssignmentReport
    return AssignmentReport("a", "a.ipynb", [question])


def test_list_mode_prints_every_mutant_without_a_kernel(repo_root, capsys):
    assert main(["fixture", "--list", "--solutions", str(repo_root / "tests/fixtures/solutions")]) == 0
    out = capsys.readouterr().out
    assert "q1_missing_share#1" in out and "q2_approval_rates#1" in out and "+++ mutant" in out


# -- the runner, on a tiny notebook: killed, survived, equivalent, endless loop, kernel death, mutated state

SETUP = "import os\ndata = [3, 1, 2]"
DOUBLE = "def double(x):\n    ### BEGIN SOLUTION\n    return x * 2\n    ### END SOLUTION"
DOUBLE_TESTS = ("assert double(2) == 4, 'double(2) is 4'\n"  # x + 2 also gives 4: a survivor
                # tests may look for the answer cell in the kernel's input history, as under nbgrader
                "assert any('def double' in s for s in get_ipython().history_manager.input_hist_raw)")
COUNT = ("def countdown(n):\n    ### BEGIN SOLUTION\n    steps = 0\n    while n > 0:\n        n -= 1\n"
         "        steps += 1\n    return steps\n    ### END SOLUTION")
COUNT_TESTS = "assert countdown(3) == 3"
SAFE = "def safe(flag):\n    ### BEGIN SOLUTION\n    if not flag:\n        os._exit(1)\n    return 1\n    ### END SOLUTION"
SAFE_TESTS = "assert safe(True) == 1"
SORT = ("def sorted_copy(values):\n    ### BEGIN SOLUTION\n    values = values.copy()\n    values.sort()\n"
        "    return values\n    ### END SOLUTION")
SORT_TESTS = "assert sorted_copy(data) == [1, 2, 3]"  # does not check that data is left alone
LATER = "### BEGIN SOLUTION\nfirst = data[0]\n### END SOLUTION"
LATER_TESTS = "assert first == 3, 'the first item of data'"


@pytest.fixture(scope="module")
def tiny(tmp_path_factory):
    folder = tmp_path_factory.mktemp("solutions") / "tiny"
    folder.mkdir()
    nb = cells.new_notebook([
        cells.code(SETUP),
        cells.answer("q1_double", DOUBLE), cells.tests("q1_double_tests", 1, DOUBLE_TESTS),
        cells.answer("q2_count", COUNT), cells.tests("q2_count_tests", 1, COUNT_TESTS),
        cells.answer("q3_safe", SAFE), cells.tests("q3_safe_tests", 1, SAFE_TESTS),
        cells.answer("q4_sort", SORT), cells.tests("q4_sort_tests", 1, SORT_TESTS),
        cells.answer("q5_later", LATER), cells.tests("q5_later_tests", 1, LATER_TESTS),
    ])
    nbformat.write(nb, str(folder / "tiny.ipynb"))
    survivor = next(m for m in mutants_of("q1_double", DOUBLE) if "x + 2" in m.source)
    lists = folder.parent.parent / "equivalents"
    equivalents.save(lists, "tiny", [equivalents.entry_for(survivor, "the test data cannot tell (a test fixture)")])
    runner = Runner(folder / "tiny.ipynb", timeout=4)
    result = runner.run(equivalent={survivor.key}, only={"q1_double", "q2_count", "q3_safe", "q4_sort", "q5_later"})
    return result, {o.mutant.source: o for q in result.questions for o in q.outcomes}


def _outcome(outcomes, text):
    return next(o for source, o in outcomes.items() if text in source)


@pytest.mark.slow
def test_killed_survived_and_equivalent(tiny):
    result, outcomes = tiny
    assert _outcome(outcomes, "return x / 2").killed
    assert "q1_double_tests: 0/1" in _outcome(outcomes, "return x / 2").why
    plus = _outcome(outcomes, "return x + 2")
    assert not plus.killed and plus.equivalent
    q1 = report.figures(result.questions[0])
    assert q1.equivalent == 1 and q1.survived == 0 and q1.rate == 100.0


@pytest.mark.slow
def test_an_endless_loop_is_killed_by_the_timeout(tiny):
    _result, outcomes = tiny
    loop = _outcome(outcomes, "n += 1")
    assert loop.killed and loop.why == "timed out"


@pytest.mark.slow
def test_a_kernel_death_is_killed_and_the_kernel_replayed(tiny):
    result, outcomes = tiny
    death = _outcome(outcomes, "    if flag:\n")
    assert death.killed and death.why == "the kernel died"
    assert not _outcome(outcomes, "return flag").killed  # safe(True) == 1 holds for True: survives
    assert result.restarts >= 1


@pytest.mark.slow
def test_a_mutated_global_is_restored_before_the_next_question(tiny):
    result, outcomes = tiny
    dropped = next(o for o in result.questions[3].outcomes if o.mutant.operator == "copy")
    assert not dropped.killed  # the test does not check that data is left alone ...
    later = result.questions[4]
    assert not later.broken, later.broken  # ... but data was restored: q5 still sees [3, 1, 2]
    assert report.figures(later).killed >= 1


@pytest.mark.slow
def test_report_table_and_survivors(tiny):
    result, _outcomes = tiny
    text = report.survivors_text(result)
    assert "q3_safe" in text and "+    return flag" in text and "return x + 2" not in text
    table = report.table([result], 95.0)
    assert "q1_double" in table and "BELOW" in table
    data = json.loads(report.as_json([result]))
    assert data[0]["assignment"] == "tiny" and data[0]["equivalent"] == 1


@pytest.fixture
def repo_root():
    from mlops_course.paths import course_root
    return course_root()


@pytest.mark.slow
def test_the_command_on_the_fixture_assignment(repo_root, tmp_path, capsys):
    lists = tmp_path / "lists"
    stale = {"question": "q1_missing_share", "operator": "number", "key": "0123456789ab",
             "change": "- a line that is gone", "reason": "was equivalent once"}
    equivalents.save(lists, "fixture", [stale])
    code = main(["fixture", "--solutions", str(repo_root / "tests/fixtures/solutions"), "--equivalents", str(lists),
                 "--json", str(tmp_path / "out.json"), "--survivors", str(tmp_path)])
    assert code == 0, capsys.readouterr().out
    data = json.loads((tmp_path / "out.json").read_text())[0]
    assert data["mutants"] == data["killed"] > 5 and data["rate"] == 100.0
    assert data["stale_equivalents"] == [stale]
    assert "stale equivalence entry" in (tmp_path / "mutants-fixture.txt").read_text()
    out = capsys.readouterr().out
    assert "fixture (" in out and "fixture: 1 stale equivalence entries" in out
