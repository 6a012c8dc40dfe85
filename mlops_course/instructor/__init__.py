"""The instructor's toolkit around nbgrader: one command from submissions to grades, feedback and a report.

nbgrader does the grading; these commands add what a real class needs around it:

- ``release``    regenerate ``exercises/`` from ``solutions/`` and check both (rules, leaks, validate)
- ``check``      for learners: is my notebook intact, and do the visible tests pass? (never shows hidden tests)
- ``collect``    submissions from nbgrader's layout, platform exports or zips into ``submitted/``; late ones
- ``autograde``  every submission in parallel, each in its own process and kernel, safe against broken ones
- ``feedback``   per-student HTML feedback without the source of hidden tests
- ``export``     grades CSV (per question) and a platform-friendly CSV
- ``report``     a one-file HTML class report with plots
- ``demo``       all of the above on a seeded demo class (``make grade-demo``)

Student data lives in a working folder (``--workdir``, default ``grader/course/``): see ``course.py``.
"""
