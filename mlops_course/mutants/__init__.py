"""Mutation testing of the assignments: does every plausible slip in an answer lose its points?

``python -m mlops_course.mutants [ASSIGNMENT ...]`` (``make mutants``) takes every answer cell of
``solutions/``, makes mutants of the code between ``### BEGIN SOLUTION`` and ``### END SOLUTION``
(``operators``), and runs each against the test cells of its question, visible and hidden, in one kernel
per assignment (``questions``, ``kernel``, ``runner``). A mutant that makes a test cell lose points is
killed; one that keeps full marks survived, and either the tests miss a mistake or the mutant is
equivalent to the solution -- then it belongs, with its reason, in ``grader/mutants/<assignment>.json``
(``equivalents``). The report (``report``) gives per question the mutants, killed, survived with their
diffs, and equivalent, and per assignment the kill rate of the non-equivalent mutants.
"""
