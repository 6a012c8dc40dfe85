"""``make doctor``: check the learner's environment and print a fix for every problem.

Each check yields ``Check`` results; ``run`` prints them as ``OK`` or ``FAIL`` lines and exits non-zero
when anything failed, so the same code serves a learner at a terminal and the test suite.
"""

from __future__ import annotations

import re
import subprocess
import sys
from dataclasses import dataclass
from importlib import metadata
from pathlib import Path

from packaging.requirements import Requirement

from mlops_course.paths import course_root

SUPPORTED_PYTHON = ((3, 10), (3, 13))
EXTENSIONS = {"@jupyter/nbgrader": "nbgrader", "@jupyter-widgets/jupyterlab-manager": "ipywidgets"}
SETUP_FIX = "run `make setup` (or `pip install -c requirements/lock.txt -e '.[test]'`) in the course folder"


@dataclass
class Check:
    ok: bool
    what: str
    fix: str = ""

    def line(self) -> str:
        return f"OK    {self.what}" if self.ok else f"FAIL  {self.what}\n      fix: {self.fix}"


def check_python(version: tuple[int, int] = sys.version_info[:2]) -> Check:
    low, high = SUPPORTED_PYTHON
    ok = low <= tuple(version) <= high
    return Check(ok, f"Python {version[0]}.{version[1]} (supported: 3.10 to 3.13)",
                 "install Python 3.10 to 3.13 and run `make PYTHON=python3.12 setup`")


def direct_requirements() -> list[Requirement]:
    """The course's direct dependencies as declared in pyproject.toml (runtime and test extras)."""
    return [Requirement(r) for r in metadata.requires("mlops-course") or []]


def locked_versions(lock: Path | None = None) -> dict[str, str]:
    lock = lock or course_root() / "requirements" / "lock.txt"
    pins = re.findall(r"^([A-Za-z0-9_.\-]+)==([^\s;]+)", lock.read_text(), flags=re.MULTILINE)
    return {_normal(name): version for name, version in pins}


def _normal(name: str) -> str:
    return re.sub(r"[-_.]+", "-", name).lower()


def check_package(requirement: Requirement, locked: dict[str, str]) -> Check:
    name = requirement.name
    try:
        installed = metadata.version(name)
    except metadata.PackageNotFoundError:
        return Check(False, f"{name} is not installed", SETUP_FIX)
    if installed not in requirement.specifier:
        return Check(False, f"{name} {installed} is outside the supported range {requirement.specifier}",
                     SETUP_FIX)
    pinned = locked.get(_normal(name))
    if pinned and pinned != installed:
        return Check(False, f"{name} {installed} differs from the locked {pinned}", SETUP_FIX)
    return Check(True, f"{name} {installed}")


def check_packages() -> list[Check]:
    locked = locked_versions()
    wanted = [r for r in direct_requirements() if r.marker is None or r.marker.evaluate({"extra": "test"})]
    return [check_package(r, locked) for r in wanted]


def parse_labextensions(listing: str) -> dict[str, bool]:
    """``jupyter labextension list`` output -> {extension name: enabled and OK}."""
    found = {}
    listing = re.sub(r"\x1b\[[0-9;]*m", "", listing)  # jupyter colours its output even in a pipe
    for line in listing.splitlines():
        match = re.match(r"\s+(\S+)\s+v\S+\s+(enabled|disabled)\s+(OK|X)\b", line)
        if match:
            found[match.group(1)] = match.group(2) == "enabled" and match.group(3) == "OK"
    return found


def check_extensions() -> list[Check]:
    jupyter = Path(sys.executable).parent / "jupyter"
    done = subprocess.run([str(jupyter), "labextension", "list"], capture_output=True, text=True)
    found = parse_labextensions(done.stdout + done.stderr)
    return [Check(found.get(name, False), f"JupyterLab extension {name} enabled",
                  f"reinstall {package}: `pip install --force-reinstall -c requirements/lock.txt {package}`")
            for name, package in EXTENSIONS.items()]


def check_data() -> list[Check]:
    try:
        from mlops_course.data import verify_checksums
    except ImportError:
        return []
    return [Check(ok, f"dataset {path}" + ("" if ok else f": {message}"),
                  "restore the file with `git checkout -- datasets/` or rebuild it as its data card says")
            for path, ok, message in verify_checksums()]


def all_checks() -> list[Check]:
    return [check_python(), *check_packages(), *check_extensions(), *check_data()]


def grading_protections() -> list[str]:
    """What the grading sandbox gives on this machine: for instructors, not a learner's problem."""
    from mlops_course.grading import sandbox

    available, why = sandbox.availability()
    lines = ["", "Grading protections on this machine (instructors; `mlops-course autograde --sandbox=required`"
             " refuses to grade without them):"]
    lines += [f"  {'yes' if offered else 'NO ':<4} {what}" for what, offered in sandbox.protections()]
    if not available:
        lines.append(f"  why not: {why}")
    return lines


def run(args=None) -> int:
    checks = all_checks()
    for check in checks:
        print(check.line())
    failed = sum(not c.ok for c in checks)
    print(f"\n{len(checks) - failed} OK, {failed} FAIL" + ("" if failed else ": ready for the course"))
    print("\n".join(grading_protections()))
    return 1 if failed else 0
