"""nbgrader helpers shared by the test suite and the instructor tools.

- ``cells``      build nbgrader cells and read or fill a notebook's graded cells by ``grade_id``
- ``sandbox``    run the real ``nbgrader autograde`` on submissions in a throw-away course directory
- ``hygiene``    structural checks on source and release notebooks (outputs, metadata, leaks)
"""

from mlops_course.grading.cells import fill_answers, graded_cells, read_notebook
from mlops_course.grading.scratch_course import ScratchCourse, autograde_notebook

__all__ = ["ScratchCourse", "autograde_notebook", "fill_answers", "graded_cells", "read_notebook"]
