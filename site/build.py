"""Build the course website into build/site/ (``make site``); see site/README.md."""

import sys

from course_site.build import main

if __name__ == "__main__":
    sys.exit(main())
