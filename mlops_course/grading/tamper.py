"""Tamper detection: notice when a submission changes the grading machinery inside its own kernel.

A learner's cell runs in the same Python process as the test cells after it, so it can make failing
checks look like passes: input or AST transformers that rewrite later cells, event callbacks, a custom
exception handler or a patched ``showtraceback`` that swallows errors, patched test helpers
(``numpy.testing``, ``math.isclose``, ``pandas.testing``), replaced builtins. Nothing inside the kernel can
be trusted to report this, so the evidence is gathered from outside:

1. **Reading the code** (``scan_cells``), in the grader, before anything runs: the learner's cells are parsed
   and calls into IPython's machinery, assignments to attributes of test and library modules (also through
   ``vars()``, ``__dict__`` or ``__setattr__``), ``builtins``,
   tracing hooks and dynamic code (``exec``, ``eval``, ``compile``, ``__import__``) are reported. Reading
   cannot be undone by the learner's code, but it can be dodged by code that builds code at run time --
   which is itself reported.
2. **Planted checks that must fail** (``PlantChecks`` before nbgrader's Execute, ``ReadChecks`` after it):
   before a random third of the test cells (at least three; twins cost time) the grader inserts a twin that
   runs the test cell's visible checks and then, where the hidden tests would stand, a check that is false in
   any honest Python (``assert 17 == 42``, ``math.isclose(0.31, 0.77)``,
   ``numpy.testing.assert_allclose`` of two different numbers, ...), each with random numbers and a random
   message. What came back over the kernel's messages is then read outside the kernel: a planted check that
   did not end in an error means that the kernel turns failures into passes.
3. **Probes**: a first and a last planted cell print a fingerprint of the grading machinery (transformers,
   callbacks, exception handlers, the identity of test helpers and builtins) next to a random nonce. The two
   fingerprints are compared outside the kernel; a missing nonce means the probe itself was rewritten.

Limits: a submission written against this design could, in principle, tell a planted twin from the real
test cell (the twin's hidden block holds one check with literal numbers), tamper with only the test cells
that have no twin (it cannot know which), and fake the probe output, since it controls the kernel; the
static reading would then still see it, unless the code is built at run time in ways it does not recognise.
So a clean result is strong evidence, not proof; the instructor guide says so.
"""

from __future__ import annotations

import ast
import json
import math
import random
import secrets
from pathlib import Path

import nbformat
from nbconvert.preprocessors import Preprocessor
from traitlets import Bool, Unicode

from mlops_course.instructor.outputs import first_error, without_hidden_tests

REVIEW_REASON = "needs review: the submission modified the grading environment"
PLANTED = "mlops_course_planted"  # metadata key of the cells this module adds (removed before saving)

# --- 1. reading the code ---------------------------------------------------------------------------------

IPYTHON_MACHINERY = {"input_transformers_post", "input_transformers_cleanup", "ast_transformers", "events",
                     "set_custom_exc", "showtraceback", "_showtraceback", "showsyntaxerror", "run_cell",
                     "run_cell_async", "run_ast_nodes", "run_code", "transform_cell", "register_magic_function",
                     "input_transformer_manager", "displayhook", "display_pub", "CustomTB", "InteractiveTB",
                     "SyntaxTB", "excepthook", "custom_exceptions", "should_run_async", "kernel", "shell"}
PROTECTED_MODULES = {"np", "numpy", "pd", "pandas", "math", "builtins", "__builtins__", "sys", "testing",
                     "unittest", "pytest", "nbgrader", "IPython", "ipykernel", "mlops_course", "sklearn", "scipy",
                     "operator", "functools", "inspect", "gc", "types", "checks"}
TRACING = {"settrace", "setprofile", "addaudithook", "set_asyncgen_hooks", "setrecursionlimit",
           # reading the calling test's frame gives away its expected values
           "_getframe", "f_back", "f_locals", "f_globals", "tb_frame", "currentframe", "getouterframes"}
DYNAMIC = {"exec", "eval", "compile", "__import__", "globals", "setattr", "delattr"}
# Ways to change a module's or object's attributes other than assigning them: vars(module)[...] = ...,
# module.__dict__.update(...), object.__setattr__(module, ...), and assignments through a looked-up object.
NAMESPACE_MUTATORS = {"__dict__", "__setattr__", "__delattr__"}
LOOKUPS = {"get_ipython", "getattr", "vars"}
HARMLESS_MODULES = {"IPython.display", "IPython.core.display"}  # showing a table or a picture
SUSPICIOUS_IMPORTS = {"builtins", "ctypes", "gc", "IPython", "ipykernel", "nbgrader", "inspect", "importlib",
                      "traceback", "atexit", "code", "codeop", "marshal", "pickle", "dill", "types"}


def scan_cells(sources: list[str]) -> list[str]:
    """Reasons to review in the learner's code cells (empty for ordinary answers)."""
    found: list[str] = []
    for index, source in enumerate(sources):
        for reason in scan_source(source):
            found.append(f"cell {index + 1}: {reason}")
    return found


# Magics an honest answer uses (IPython turns them into get_ipython() calls before the code runs).
HARMLESS_MAGICS = {"matplotlib", "timeit", "time", "pip", "conda", "who", "whos", "who_ls", "pwd", "ls", "precision",
                   "pprint", "history", "env", "pinfo", "pinfo2", "psearch", "page", "writefile", "html", "markdown",
                   "latex", "capture", "lsmagic", "magic"}
HARMLESS_SHELL = {"system", "getoutput"}  # `!ls`: runs in the sandbox, changes nothing in the kernel


def scan_source(source: str) -> list[str]:
    tree = parse_cell(source)
    if tree is None:
        return []  # it will fail to run anyway; nothing it can change
    allowed = _harmless_magic_calls(tree)
    reasons = []
    for node in ast.walk(tree):
        if id(node) not in allowed:
            reasons += _node_reasons(node)
    return sorted(set(reasons))


def _harmless_magic_calls(tree: ast.AST) -> set[int]:
    """The get_ipython() calls (and their attribute) of magics like %matplotlib or !pip."""
    allowed = set()
    for node in ast.walk(tree):
        if not (isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute)):
            continue
        receiver, method = node.func.value, node.func.attr
        if not (isinstance(receiver, ast.Call) and isinstance(receiver.func, ast.Name)
                and receiver.func.id == "get_ipython"):
            continue
        first = node.args[0] if node.args else None
        name = first.value if isinstance(first, ast.Constant) and isinstance(first.value, str) else None
        if method in HARMLESS_SHELL or (method in ("run_line_magic", "run_cell_magic") and name in HARMLESS_MAGICS):
            allowed |= {id(receiver), id(node.func)}
    return allowed


def parse_cell(source: str) -> ast.AST | None:
    """A code cell's syntax tree, its magics and shell escapes read as the calls IPython makes of them; None
    if it is not Python."""
    try:
        from IPython.core.inputtransformer2 import TransformerManager

        python = TransformerManager().transform_cell(source)  # magics and shell escapes become calls
    except Exception:
        python = source
    try:
        return ast.parse(python)
    except SyntaxError:
        return None


def _node_reasons(node: ast.AST) -> list[str]:
    if isinstance(node, ast.Attribute) and node.attr in IPYTHON_MACHINERY | TRACING:
        return [f"uses {node.attr}, part of the machinery that runs and reports the tests"]
    if isinstance(node, ast.Attribute) and node.attr in NAMESPACE_MUTATORS:
        return [f"uses {node.attr}, which changes an object's attributes without assigning them"]
    if isinstance(node, ast.Call) and isinstance(node.func, ast.Name):
        name = node.func.id
        if name in DYNAMIC:
            return [f"calls {name}(), which can run or change code the grader cannot read"]
        if name == "get_ipython":
            return ["calls get_ipython(), the handle on the kernel that runs the tests"]
        if name == "vars" and node.args and _root_name(node.args[0]) in PROTECTED_MODULES:
            return [f"calls vars() on {ast.unparse(node.args[0])}, whose namespace the tests rely on"]
    if isinstance(node, ast.Name) and node.id in {"__builtins__", "__loader__", "__spec__"}:
        return [f"uses {node.id}"]
    if isinstance(node, (ast.Import, ast.ImportFrom)):
        names = [node.module or ""] if isinstance(node, ast.ImportFrom) else [a.name for a in node.names]
        hits = [n for n in names if (n.split(".")[0] in SUSPICIOUS_IMPORTS or n in {"sys.modules"})
                and n not in HARMLESS_MODULES]
        if hits:
            return [f"imports {', '.join(hits)}"]
        if isinstance(node, ast.ImportFrom) and node.module == "sys" and any(
                a.name in TRACING | {"modules", "meta_path", "path_hooks"} for a in node.names):
            return ["imports interpreter hooks from sys"]
    if isinstance(node, (ast.Assign, ast.AugAssign, ast.AnnAssign, ast.Delete)):
        targets = node.targets if isinstance(node, (ast.Assign, ast.Delete)) else [node.target]
        return [reason for target in targets for reason in _target_reasons(target)]
    return []


def _display_setting(target: ast.AST) -> bool:
    """``pd.options.display.max_rows = 50``: a display option, not a patch."""
    return ast.unparse(target).startswith(("pd.options.", "pandas.options."))


def _target_reasons(target: ast.AST) -> list[str]:
    """Assigning to an attribute or item of a library, test or interpreter module is patching it."""
    if isinstance(target, (ast.Tuple, ast.List)):
        return [r for element in target.elts for r in _target_reasons(element)]
    if isinstance(target, (ast.Attribute, ast.Subscript)):
        root = target
        while isinstance(root, (ast.Attribute, ast.Subscript)):
            root = root.value
        if isinstance(root, ast.Name) and root.id in PROTECTED_MODULES and not _display_setting(target):
            return [f"assigns to {ast.unparse(target)}, which changes a library the tests rely on"]
        if isinstance(root, ast.Call) and isinstance(root.func, ast.Name) and root.func.id in LOOKUPS:
            return [f"assigns to {ast.unparse(target)}"]
    return []


def _root_name(node: ast.AST) -> str | None:
    """``np`` of ``np.testing`` or ``np.testing['x']``."""
    while isinstance(node, (ast.Attribute, ast.Subscript)):
        node = node.value
    return node.id if isinstance(node, ast.Name) else None


# --- 2. and 3. planted checks and probes ------------------------------------------------------------------

# Checks that fail in any honest Python. {a} < {b} are ints, {x} != {y} floats, {t} a random message.
MUST_FAIL = [
    ("assert", "assert {a} == {b}, {t!r}"),
    ("math.isclose", "import math\nassert math.isclose({x}, {y}), {t!r}"),
    ("numpy.testing.assert_allclose", "import numpy.testing\nnumpy.testing.assert_allclose({x}, {y}, err_msg={t!r})"),
    ("numpy.testing.assert_array_equal",
     "import numpy.testing\nnumpy.testing.assert_array_equal([{a}], [{b}], err_msg={t!r})"),
    ("pandas.testing.assert_series_equal",
     "import pandas, pandas.testing\npandas.testing.assert_series_equal(pandas.Series([{x}]), pandas.Series([{y}]))"),
    ("pandas.testing.assert_frame_equal", "import pandas, pandas.testing\n"
     "pandas.testing.assert_frame_equal(pandas.DataFrame({{'v': [{x}]}}), pandas.DataFrame({{'v': [{y}]}}))"),
    ("isinstance", "assert isinstance({a}, str), {t!r}"),
    ("abs", "assert abs({x} - {y}) < 1e-9, {t!r}"),
    ("round", "assert round({x}, 4) == round({y}, 4), {t!r}"),
    ("len", "assert len([0] * {a}) == {b}, {t!r}"),
    ("all", "assert all([{a} == {b}]), {t!r}"),
    ("sorted", "assert sorted([{b}, {a}]) == [{b}, {a}], {t!r}"),
    ("in", "assert {t!r} in 'x{a}', {t!r}"),
]

PROBE = r'''
import builtins as _b, json as _j, math as _m, sys as _s
try:
    import numpy.testing as _nt, pandas.testing as _pt
except Exception:
    _nt = _pt = None
_VOLATILE = {"get_ipython", "exit", "quit", "display", "copyright", "credits", "license", "help"}
def _fingerprint():
    ip = get_ipython()
    def names(items):
        return sorted(str(getattr(i, "__module__", "")) + ":" + getattr(i, "__qualname__", type(i).__qualname__)
                      for i in items)
    helpers = {}
    for label, module in (("builtins", _b), ("math", _m), ("numpy.testing", _nt), ("pandas.testing", _pt)):
        for name in sorted(dir(module)) if module is not None else []:
            value = getattr(module, name, None)
            value = getattr(value, "__func__", value)  # bound methods are new objects at every access
            if callable(value) and not name.startswith("_") and name not in _VOLATILE:
                code = getattr(value, "__code__", None)
                helpers[label + "." + name] = [id(value), getattr(code, "co_filename", "")]
    return {
        "input_transformers_cleanup": names(ip.input_transformers_cleanup),
        "input_transformers_post": names(ip.input_transformers_post),
        "ast_transformers": names(ip.ast_transformers),
        "events": {k: names(v) for k, v in sorted(ip.events.callbacks.items())},
        "custom_exceptions": repr(ip.custom_exceptions),
        "hooks": {n: id(getattr(getattr(ip, n, None), "__func__", getattr(ip, n, None))) for n in ("showtraceback", "_showtraceback", "run_cell",
                  "run_cell_async", "run_ast_nodes", "run_code", "transform_cell", "showsyntaxerror")},
        "sys": [id(_s.displayhook), repr(_s.gettrace()), repr(_s.getprofile())],  # excepthook: libraries set it
        "helpers": helpers,
    }
print("{nonce}" + _j.dumps(_fingerprint()) + "{nonce}")
del _fingerprint, _b, _j, _m, _s, _nt, _pt, _VOLATILE
'''


def _numbers(rng: random.Random) -> dict:
    a = rng.randint(3, 900)
    x = round(rng.uniform(0.05, 0.45), 4)
    return {"a": a, "b": a + rng.randint(1, 90), "x": x, "y": round(x + rng.uniform(0.2, 0.5), 4),
            "t": " ".join(rng.choice(["check", "value", "rate", "share", "result", "score", "month", "group"])
                          for _ in range(rng.randint(3, 6)))}


def _is_test_cell(cell) -> bool:
    meta = cell.get("metadata", {}).get("nbgrader", {})
    return cell.cell_type == "code" and bool(meta.get("grade")) and not meta.get("solution")


def visible_part(source: str) -> str:
    return without_hidden_tests(source)[0]


# A twin re-runs a test cell's visible checks, so twins cost time: a random share of the test cells gets one.
TWIN_SHARE = 1 / 3
MIN_TWINS = 3


def _twin_source(test_source: str, check: str) -> str:
    """The test cell's visible part, then the check that must fail where the hidden tests would stand."""
    return (visible_part(test_source).rstrip() + "\n### BEGIN HIDDEN TESTS\n" + check + "\n### END HIDDEN TESTS")


def _planted(source: str, kind: str, extra: dict) -> nbformat.NotebookNode:
    cell = nbformat.v4.new_code_cell(source)
    cell.metadata[PLANTED] = {"kind": kind, **extra}
    return cell


class PlantChecks(Preprocessor):
    """Insert the probes and, before every test cell, a twin ending in a check that must fail."""

    enabled = Bool(True)

    def preprocess(self, nb, resources):
        rng = random.Random(secrets.randbits(64))
        nonce = secrets.token_hex(16)
        offset = rng.randrange(len(MUST_FAIL))
        tests = [i for i, cell in enumerate(nb.cells) if _is_test_cell(cell)]
        twinned = set(rng.sample(tests, min(len(tests), max(MIN_TWINS, math.ceil(len(tests) * TWIN_SHARE)))))
        cells, planted = [], 0
        for index, cell in enumerate(nb.cells):
            if index in twinned:
                label, template = MUST_FAIL[(offset + planted) % len(MUST_FAIL)]
                cells.append(_planted(_twin_source(cell.source, template.format(**_numbers(rng))), "twin",
                                      {"check": label}))
                planted += 1
            cells.append(cell)
        first_code = next((i for i, c in enumerate(cells) if c.cell_type == "code"), len(cells))
        probe = PROBE.replace("{nonce}", nonce)
        cells.insert(first_code, _planted(probe, "probe", {"when": "first", "nonce": nonce}))
        cells.append(_planted(probe, "probe", {"when": "last", "nonce": nonce}))
        nb.cells = cells
        return nb, resources


class ReadChecks(Preprocessor):
    """After execution: judge the planted cells from what came back, record it, and remove them."""

    enabled = Bool(True)
    report_file = Unicode("", help="JSON file that collects the findings of every graded notebook").tag(config=True)

    def preprocess(self, nb, resources):
        findings = judge(nb.cells)
        nb.cells = [c for c in nb.cells if PLANTED not in c.get("metadata", {})]
        if self.report_file:
            path = Path(self.report_file)
            report = json.loads(path.read_text()) if path.exists() else {}
            info = resources.get("nbgrader", {})
            name = resources.get("unique_key") or info.get("notebook") or "notebook"
            report[f"{info.get('student', '')}/{name}"] = findings
            path.write_text(json.dumps(report, indent=1))
        return nb, resources


def judge(cells) -> list[str]:
    """Reasons for review found in the planted cells' outputs (empty for an honest kernel)."""
    findings = []
    twins = [c for c in cells if c.get("metadata", {}).get(PLANTED, {}).get("kind") == "twin"]
    passed = sorted({c.metadata[PLANTED]["check"] for c in twins if first_error(c) is None})
    if passed:
        findings.append("checks that must fail passed (" + ", ".join(passed) + "): the kernel turns failing tests "
                        "into passes")
    probes = {c.metadata[PLANTED]["when"]: c for c in cells if c.get("metadata", {}).get(PLANTED, {}).get("kind") == "probe"}
    prints = {when: _fingerprint(cell) for when, cell in probes.items()}
    if prints.get("first") is None:
        return findings  # the notebook stopped before it (a kernel death): nothing to compare
    if prints.get("last") is None:
        if "last" in probes and first_error(probes["last"]) is None:
            findings.append("the closing probe of the grading environment did not run as written")
        return findings
    findings += _differences(prints["first"], prints["last"])
    return findings


def _fingerprint(cell) -> dict | None:
    nonce = cell.metadata[PLANTED]["nonce"]
    text = "".join(o.get("text", "") for o in cell.get("outputs", []) if o.get("output_type") == "stream")
    start, end = text.find(nonce), text.rfind(nonce)
    if start < 0 or end <= start:
        return None
    try:
        return json.loads(text[start + len(nonce):end])
    except ValueError:
        return None


# Libraries that register kernel callbacks of their own while a notebook runs (the inline plot backend).
TRUSTED_CALLBACK_MODULES = ("matplotlib_inline.", "matplotlib.", "ipykernel.", "IPython.", "ipywidgets.")


def _differences(first: dict, last: dict) -> list[str]:
    changed = [key for key in ("input_transformers_cleanup", "input_transformers_post", "ast_transformers",
                               "custom_exceptions", "hooks", "sys") if first.get(key) != last.get(key)]
    events = sorted(event for event in set(first.get("events", {})) | set(last.get("events", {}))
                    if any(not name.startswith(TRUSTED_CALLBACK_MODULES) for name in
                           set(last.get("events", {}).get(event, [])) - set(first.get("events", {}).get(event, []))))
    helpers = sorted(name for name, value in last.get("helpers", {}).items()
                     if first.get("helpers", {}).get(name) not in (None, value))
    found = []
    if changed:
        found.append("changed " + ", ".join(changed))
    if events:
        found.append("registered callbacks on kernel events (" + ", ".join(events) + ")")
    if helpers:
        found.append("replaced " + ", ".join(helpers[:8]) + (" ..." if len(helpers) > 8 else ""))
    return found


def configure(config, report_file: str | Path) -> None:
    """Plant checks around nbgrader's Execute in ``config.Autograde`` (after ``sandbox.configure``)."""
    from nbgrader.preprocessors import Execute

    steps = list(config.Autograde.autograde_preprocessors)
    at = next(i for i, step in enumerate(steps) if isinstance(step, type) and issubclass(step, Execute))
    config.Autograde.autograde_preprocessors = steps[:at] + [PlantChecks, steps[at], ReadChecks] + steps[at + 1:]
    config.ReadChecks.report_file = str(report_file)
