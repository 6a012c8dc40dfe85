"""nbgrader helpers shared by the test suite and the instructor tools.

- ``cells``           build nbgrader cells and read or fill a notebook's graded cells by ``grade_id``
- ``scratch_course``  run the real ``nbgrader autograde`` on submissions in a throw-away course directory
- ``sandbox``         the operating-system boundary every grading kernel runs in (bubblewrap)
- ``kernel_entry``    the first code inside the sandbox, before the kernel starts
- ``tamper``          notice a submission that changes the grading machinery in its kernel
- ``checks``          type-strict comparisons for test cells
- ``hygiene``         structural checks on source and release notebooks (outputs, metadata, leaks)
- ``banks``           submission banks of correct and wrong answers, for the tests

The names below are imported on first use: test cells import ``checks`` in every grading kernel, and
that must not pay for nbformat and nbgrader (two seconds) that only the tools need.
"""

import importlib

_LAZY = {"ScratchCourse": "scratch_course", "autograde_notebook": "scratch_course",
         "fill_answers": "cells", "graded_cells": "cells", "read_notebook": "cells"}

__all__ = sorted(_LAZY)


def __getattr__(name: str):
    if name not in _LAZY:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    return getattr(importlib.import_module(f"{__name__}.{_LAZY[name]}"), name)
