"""Notebook collection for the whole course (this file sits at the root so it reaches chapters/ and solutions/).

Notebooks are collected here rather than with ``--nbval`` on the command line, so that one ``pytest``
run treats the two kinds differently:

- ``chapters/*.ipynb`` run in nbval's strict mode: the committed outputs must be reproduced;
- ``solutions/*/*.ipynb`` run in nbval's lax mode: they are committed without outputs, so they only
  have to run top to bottom without an error -- and, as in grading, the kernel keeps every cell in its
  input history (nbval's default does not), because hidden tests run answer cells again from it
  (``mlops_course.grading.rerun``).
"""

from __future__ import annotations

from pathlib import Path

from nbval.plugin import IPyNbFile

ROOT = Path(__file__).resolve().parent
SANITIZE = ROOT / "chapters" / "nbval_sanitize.cfg"
STRICT, LAX = "chapters", "solutions"


def pytest_configure(config):
    # The kernel is this environment's Python, whatever kernels the machine has registered.
    config.option.nbval_current_env = True
    if SANITIZE.exists() and not config.option.nbval_sanitize_with:
        config.option.nbval_sanitize_with = str(SANITIZE)
    # pytest-xdist (3.x) would hand out the files with the most tests first, whatever their length: the
    # bank gradings then came last, on one worker, while the other one idled for minutes (LONGEST_FIRST below).
    if hasattr(config.option, "loadscopereorder"):
        config.option.loadscopereorder = False


# The longest test files, longest first (seconds each in `make test`: about 450, 230, 230, 160, 120, 110).
# pytest-xdist hands whole files (--dist loadfile) to whichever worker is free, in collection order (its own
# reordering is switched off above): started first, the long files end up on both workers, and the short
# ones fill the gaps at the end.
LONGEST_FIRST = ("tests/test_grading_warm.py", "tests/test_banks.py", "tests/test_instructor_cluster.py",
                 "tests/test_notebook_hygiene.py", "tests/test_grading_attacks.py", "tests/test_instructor_pipeline.py")


def pytest_collection_modifyitems(session, config, items):
    rank = {name: index for index, name in enumerate(LONGEST_FIRST)}
    items.sort(key=lambda item: rank.get(item.nodeid.split("::")[0], len(rank)))  # stable: the rest keep their order


def pytest_collect_file(file_path: Path, parent):
    opt = parent.config.option
    if file_path.suffix != ".ipynb" or opt.nbval or opt.nbval_lax or ".ipynb_checkpoints" in file_path.parts:
        return None
    top = file_path.relative_to(ROOT).parts[0] if file_path.is_relative_to(ROOT) else None
    if top not in (STRICT, LAX):
        return None
    kind = IPyNbFile if top == STRICT else GradedNotebook
    notebook = kind.from_parent(parent, path=file_path)
    notebook.compare_outputs = top == STRICT
    return notebook


class GradedNotebook(IPyNbFile):
    """A solution notebook, run as nbgrader runs it: every cell stored in the kernel's input history."""

    def setup(self):
        super().setup()
        kernel = self.kernel

        def execute_with_history(cell_input, allow_stdin=None):
            return kernel.kc.execute(cell_input, store_history=True, allow_stdin=allow_stdin, stop_on_error=False)

        kernel.execute_cell_input = execute_with_history
