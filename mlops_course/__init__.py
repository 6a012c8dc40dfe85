"""Helper package for the course "MLOps for Business, chapter 3".

Notebooks, assignments, instructor tools and tests import from here instead of copying code between cells.

Data and set-up
- ``mlops_course.data``            checksummed loaders of the course datasets, the synthetic loan stream and
                                   the reference credit model
- ``mlops_course.drift_scenario``, ``bias_scenario``, ``operations``  inputs of the three assignments

Chapter demonstrations
- ``mlops_course.risks``, ``monitoring``                    lesson 1: risk matrix, availability, PSI, guardrails
- ``mlops_course.teams``, ``business_metrics``, ``model_card``  lesson 2: RACI, profit thresholds, model card
- ``mlops_course.maturity``                                 lesson 3: maturity, ML Test Score, build vs buy
- ``mlops_course.widgets``                                  knowledge checks that also read well as static output

Grading and tooling
- ``mlops_course.grading``      nbgrader helpers: notebook cells, grading sandbox, hygiene checks, banks
- ``mlops_course.instructor``   the instructor's commands (release, check, collect, autograde, feedback, ...)
- ``mlops_course.doctor``       environment self-check (``make doctor``)
- ``mlops_course.cli``          the ``mlops-course`` command
"""

__version__ = "0.1.0"
