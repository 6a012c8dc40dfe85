"""nbgrader helpers shared by the test suite and the instructor tools.

- ``cells``           build nbgrader cells and read or fill a notebook's graded cells by ``grade_id``
- ``scratch_course``  run the real ``nbgrader autograde`` on submissions in a throw-away course directory
- ``sandbox``         the operating-system boundary every grading kernel runs in (bubblewrap)
- ``kernel_entry``    the first code inside the sandbox, before the kernel starts
- ``tamper``          notice a submission that changes the grading machinery in its kernel
- ``checks``          type-strict comparisons for test cells
- ``hygiene``         structural checks on source and release notebooks (outputs, metadata, leaks)
- ``banks``           submission banks of correct and wrong answers, for the tests
"""

from mlops_course.grading.cells import fill_answers, graded_cells, read_notebook
from mlops_course.grading.scratch_course import ScratchCourse, autograde_notebook

__all__ = ["ScratchCourse", "autograde_notebook", "fill_answers", "graded_cells", "read_notebook"]
