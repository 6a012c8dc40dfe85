"""``python -m mlops_course.mutants``: mutation testing of the assignments (``make mutants``)."""

import sys

from mlops_course.mutants.cli import main

sys.exit(main())
