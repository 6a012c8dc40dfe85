"""The root conftest collects every chapter (strict) and every solution (lax) as nbval notebooks."""

import subprocess
import sys

from mlops_course.paths import course_root

ROOT = course_root()


def test_every_course_notebook_is_collected():
    expected = sorted(str(p.relative_to(ROOT)) for p in [*ROOT.glob("chapters/*.ipynb"), *ROOT.glob("solutions/*/*.ipynb")])
    done = subprocess.run([sys.executable, "-m", "pytest", "--collect-only", "-q", "-p", "no:cacheprovider",
                           "-p", "no:xdist", "chapters", "solutions"],
                          cwd=ROOT, capture_output=True, text=True, timeout=120)
    collected = {line.split("::")[0] for line in done.stdout.splitlines() if ".ipynb::" in line}
    missing = [p for p in expected if p not in collected]
    assert not missing, f"notebooks not collected by the root conftest.py: {missing}\n{done.stdout[-2000:]}"
