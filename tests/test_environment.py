"""The environment files agree with each other, and the doctor reports what it should."""

import sys

import pytest
import yaml
from packaging.requirements import Requirement

from mlops_course import doctor
from mlops_course.paths import course_root

if sys.version_info >= (3, 11):
    import tomllib
else:  # Python 3.10 ships no TOML reader; pytest brings tomli there
    import tomli as tomllib

ROOT = course_root()


def _pyproject_requirements() -> dict[str, str]:
    project = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
    declared = project["dependencies"] + [
        requirement for extra in project["optional-dependencies"].values() for requirement in extra]
    return {Requirement(r).name.lower(): str(Requirement(r).specifier) for r in declared}


def _conda_requirements() -> dict[str, str]:
    env = yaml.safe_load((ROOT / "environment.yml").read_text())
    found = {}
    for entry in env["dependencies"]:
        if isinstance(entry, str) and entry not in ("pip",) and not entry.startswith("python"):
            requirement = Requirement(entry)
            found[requirement.name.lower()] = str(requirement.specifier)
    return found


def test_environment_yml_matches_pyproject():
    assert _conda_requirements() == _pyproject_requirements(), (
        "environment.yml and pyproject.toml must list the same direct dependencies with the same ranges; "
        "change both together")


def test_lock_pins_every_direct_dependency_within_its_range():
    locked = doctor.locked_versions()
    for name, spec in _pyproject_requirements().items():
        version = locked.get(doctor._normal(name))
        assert version, f"requirements/lock.txt does not pin {name}: run `make lock`"
        assert version in Requirement(f"{name}{spec}").specifier, (
            f"the lock pins {name}=={version}, outside {spec}: run `make lock`")


def test_doctor_passes_in_the_course_environment(capsys):
    assert doctor.run() == 0, capsys.readouterr().out


def test_doctor_explains_a_missing_or_wrong_package():
    missing = doctor.check_package(Requirement("surely-not-installed-package>=1"), {})
    assert not missing.ok and "make setup" in missing.fix
    stale = doctor.check_package(Requirement("pandas>=2"), {"pandas": "0.0.1"})
    assert not stale.ok and "differs from the locked 0.0.1" in stale.what


def test_doctor_rejects_unsupported_python():
    assert not doctor.check_python((3, 9)).ok
    assert not doctor.check_python((3, 14)).ok
    assert doctor.check_python((3, 10)).ok and doctor.check_python((3, 13)).ok


@pytest.mark.parametrize("line, enabled", [
    ("        @jupyter/nbgrader v0.9.5 enabled OK", True),
    ("        @jupyter/nbgrader v0.9.5 enabled  X", False),
    ("        @jupyter/nbgrader v0.9.5 \x1b[32menabled\x1b[0m \x1b[32mOK\x1b[0m", True),
    ("        @jupyter-widgets/jupyterlab-manager v5.0.16 disabled OK (python, jupyterlab_widgets)", False),
])
def test_labextension_listing_is_parsed(line, enabled):
    assert list(doctor.parse_labextensions(line).values()) == [enabled]
