"""Grade an answer computed on the course data again, on data the learner never saw.

An answer such as ``drift_table = ...`` or ``incident_month = ...`` is a value computed from the set-up
cell's data. Compared only on that data, a value copied from the dataset's manifest, from a classmate or
from a printout passes as well as one computed. So a hidden test runs the learner's own answer cell once
more, with the set-up names (``reference``, ``batches``, ...) bound to another scenario generated at
grading time, and compares the new value with a reference method on that scenario. Computed answers
follow the new data; copied ones do not.

The answer cell is found in the kernel's input history (IPython keeps every cell it ran): the last cell
that binds the name -- and, when that cell only refines an earlier value (``table = table.round(3)``),
the cells before it back to the one that computed it. They run in a copy of the notebook's namespace,
so the learner's variables stay as they were; their printed output and new figures are discarded.
"""

from __future__ import annotations

import ast
import contextlib
import functools
import io
import sys


# Magics that wrap Python code: the code runs without them; any other magic line is left out.
_WRAPPING_MAGICS = ("time", "timeit", "capture", "prun")


class NoAnswerCell(AssertionError):
    """No cell of the notebook binds the name: the question was not answered where it should be."""


@functools.lru_cache(maxsize=4096)
def python_of(source: str) -> str:
    """A cell's code without IPython magics: ``%time x = f()`` becomes ``x = f()``, ``%%time`` goes."""
    lines = source.splitlines()
    if lines and lines[0].startswith("%%") and lines[0][2:].split(" ")[0] in _WRAPPING_MAGICS:
        lines = lines[1:]
    kept = []
    for line in lines:
        stripped = line.lstrip()
        indent = line[: len(line) - len(stripped)]
        if stripped.startswith("%") and not stripped.startswith("%%"):
            magic, _, rest = stripped[1:].partition(" ")
            words = rest.split()
            while magic in _WRAPPING_MAGICS and words and words[0].startswith("-"):  # -n 3 -r 1 -q ...
                option = words.pop(0)
                if option in ("-n", "-r") and words:
                    words.pop(0)
            rest = " ".join(words)
            kept.append(indent + (rest if magic in _WRAPPING_MAGICS and rest else "pass"))
        elif stripped.startswith("!"):
            kept.append(indent + "pass")
        else:
            kept.append(line)
    return "\n".join(kept)


def _uses(source: str, name: str) -> tuple[bool, bool]:
    """(binds ``name``, reads ``name``) for a cell's Python source; (False, False) if it does not parse."""
    binds, reads = _names(source)
    return name in binds, name in reads


# A test cell asks about one name after another over the same history: each cell is parsed once.
@functools.lru_cache(maxsize=4096)
def _names(source: str) -> tuple[frozenset, frozenset]:
    """(names the cell binds, names it reads); both empty if it does not parse."""
    try:
        tree = ast.parse(source)
    except SyntaxError:
        return frozenset(), frozenset()
    names = [node for node in ast.walk(tree) if isinstance(node, ast.Name)]
    binds = {node.id for node in names if isinstance(node.ctx, ast.Store)} | {
        defined for node in tree.body for defined in _defined(node)}
    return frozenset(binds), frozenset(node.id for node in names if isinstance(node.ctx, ast.Load))


def _defined(node: ast.stmt) -> list[str]:
    """The names a top-level def, class or import binds."""
    if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
        return [node.name]
    if isinstance(node, (ast.Import, ast.ImportFrom)):
        return [alias.asname or alias.name.split(".")[0] for alias in node.names]
    return []


def answer_sources(name: str, history: list[str]) -> list[str]:
    """The cells of ``history`` (oldest first) that compute ``name``, in the order they ran."""
    chain = []
    for source in reversed(history):
        binds, reads = _uses(source, name)
        if binds:
            chain.append(source)
            if not reads:
                return chain[::-1]
    if chain:
        return chain[::-1]
    raise NoAnswerCell(f"no cell of the notebook sets {name}: answer in the cell the question gives for it")


def rerun_answer(name: str, data: dict, namespace: dict | None = None, history: list[str] | None = None):
    """The value ``name`` gets when the cells that computed it run again with the names in ``data`` rebound.

    ``namespace`` and ``history`` default to the running IPython kernel's (its namespace and its input
    history without the running test cell; magics are left out); the namespace is copied, so nothing here changes the learner's
    variables.
    """
    if namespace is None or history is None:
        from IPython import get_ipython

        shell = get_ipython()
        namespace = shell.user_ns if namespace is None else namespace
        history = list(shell.history_manager.input_hist_raw)[:-1] if history is None else history
    sources = answer_sources(name, [python_of(source) for source in history])
    scope = {**namespace, **data}
    scope.pop(name, None)  # a cell that forgets to set the name must not pass with the old value
    with contextlib.redirect_stdout(io.StringIO()), _no_new_figures():
        for source in sources:
            exec(compile(source, f"<answer cell for {name}>", "exec"), scope)
    if name not in scope:
        raise NoAnswerCell(f"the cell that sets {name} did not set it when run again: set it on every run")
    return scope[name]


@contextlib.contextmanager
def _no_new_figures():
    # No figure exists before pyplot is imported: importing it here only to count none would cost a cold
    # kernel a second, in notebooks that never plot.
    plt = sys.modules.get("matplotlib.pyplot")
    before = set(plt.get_fignums()) if plt else set()
    try:
        yield
    finally:
        plt = sys.modules.get("matplotlib.pyplot")  # perhaps imported by the answer cells just now
        for number in set(plt.get_fignums()) - before if plt else ():
            plt.close(number)
