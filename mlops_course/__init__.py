"""Helper package for the course "MLOps for Business, chapter 3".

Notebooks, assignments, instructor tools and tests import from here instead of copying code between cells.

The lender and its data
- ``mlops_course.lender``          the course's one lender: its loan economics and its practice history
- ``mlops_course.data``            checksummed loaders of the course datasets, the synthetic loan stream and
                                   the reference credit model

Lessons (``mlops_course.lessons``, one sub-package per lesson)
- ``lessons.challenges``  lesson 1: ``risks`` (risk matrix, availability, safety), ``monitoring`` (PSI,
                          output monitoring, guardrails)
- ``lessons.teams``       lesson 2: ``roles`` (RACI), ``business_metrics`` (profit thresholds), ``model_card``
- ``lessons.state``       lesson 3: ``maturity`` (maturity, ML Test Score, build vs buy, regulation),
                          ``reasons`` (principal reasons for a declined application)
- ``lessons.knowledge_checks``  the knowledge checks of the three chapters
- ``lessons.pacing``      the chapters' reading times, estimated from their content
- ``mlops_course.widgets``        widget plumbing: knowledge checks that also read well as static output

Assignments (``mlops_course.assignments``)
- ``assignments.drift``, ``assignments.bias``, ``assignments.operations``  the scenario set-up of each

Grading and tooling
- ``mlops_course.grading``      nbgrader helpers: notebook cells, the grading sandbox, tamper detection, type-strict
                                checks for test cells, hygiene checks, banks
- ``mlops_course.instructor``   the instructor's commands (release, check, collect, autograde, feedback, ...)
- ``mlops_course.doctor``       environment self-check (``make doctor``)
- ``mlops_course.cli``          the ``mlops-course`` command
"""

__version__ = "0.1.0"
