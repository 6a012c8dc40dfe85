"""Helper package for the course "MLOps for Business, chapter 3".

Notebooks and the instructor tools import from here instead of copying code between cells:

- ``mlops_course.data``      loaders for the course datasets (checksummed) and the synthetic loan stream
- ``mlops_course.grading``   nbgrader helpers shared by the tests and the instructor tools
- ``mlops_course.doctor``    environment self-check (``make doctor``)
"""

__version__ = "0.1.0"
