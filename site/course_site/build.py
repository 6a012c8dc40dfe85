"""Build the course website: stage the page sources, run Sphinx with warnings as errors, check the result.

    python site/build.py [--out build/site]

The build fails (exit status 1, with the reasons) when Sphinx warns, when a local link of the course's
documents has no page on the site, when a link or image of the built site does not resolve, or when any
text of a solution or hidden test is found in it.
"""

from __future__ import annotations

import argparse
import shutil
import subprocess
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path

from . import linkcheck, pages, secrets

SITE_DIR = Path(__file__).resolve().parents[1]  # site/: conf.py, _static/, this package
ROOT = SITE_DIR.parent


@dataclass
class Result:
    out: Path
    manifest: dict
    warnings: list[str] = field(default_factory=list)  # Sphinx's warnings and errors
    problems: list[str] = field(default_factory=list)  # the builder's own checks
    seconds: float = 0.0

    @property
    def ok(self) -> bool:
        return not self.warnings and not self.problems


def stage(root: Path, source: Path) -> pages.Stager:
    if source.exists():
        shutil.rmtree(source)
    stager = pages.Stager(pages.Course.read(root), source)
    stager.write_all()
    pages.write_manifest(stager, source / "manifest.json")
    return stager


def run_sphinx(source: Path, out: Path, doctrees: Path) -> list[str]:
    """Sphinx's warnings (empty when the build is clean); the HTML goes to ``out``."""
    for folder in (out, doctrees):
        if folder.exists():
            shutil.rmtree(folder)
    command = [sys.executable, "-m", "sphinx", "-b", "html", "-E", "-q", "--keep-going",
               "-c", str(SITE_DIR), "-d", str(doctrees), str(source), str(out)]
    completed = subprocess.run(command, capture_output=True, text=True, cwd=ROOT)
    warnings = [line for line in completed.stderr.splitlines() if line.strip()]
    if completed.returncode != 0 and not warnings:
        warnings = [f"sphinx-build exited with status {completed.returncode}: {completed.stdout[-2000:]}"]
    return warnings


def build(root: Path = ROOT, out: Path | None = None) -> Result:
    """Build the site of the course at ``root`` into ``out`` (default ``root/build/site``)."""
    started = time.perf_counter()
    out = out or root / "build" / "site"
    work = out.parent / f"{out.name}-work"
    stager = stage(root, work / "src")
    result = Result(out=out, manifest=stager.manifest())
    # Sphinx writes into the work folder (MyST-NB keeps its output folder beside the HTML), then the HTML
    # alone becomes the site.
    result.warnings = run_sphinx(work / "src", work / "html", work / "doctrees")
    if out.exists():
        shutil.rmtree(out)
    if (work / "html").exists():
        shutil.move(work / "html", out)
    result.problems += [f"a link to {target!r} has no page on the site (link text kept, link dropped): link "
                        "to a chapter, an assignment folder, a data card or a README instead"
                        for target in stager.unresolved]
    if out.exists():
        result.problems += linkcheck.problems(out)
        result.problems += [f"{page}: text of {secret.notebook} is on the site: {secret.text!r}"
                            for page, secret in secrets.scan(out, secrets.forbidden_texts(root))]
    result.seconds = time.perf_counter() - started
    return result


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="Build the course website into build/site/.")
    parser.add_argument("--out", type=Path, default=ROOT / "build" / "site", help="output folder")
    args = parser.parse_args(argv)
    try:
        result = build(ROOT, args.out.resolve())
    except ValueError as error:
        print(f"site: {error}", file=sys.stderr)
        return 1
    for line in result.warnings + result.problems:
        print(line, file=sys.stderr)
    if not result.ok:
        print(f"site: {len(result.warnings)} Sphinx warnings, {len(result.problems)} problems; "
              f"do not publish {result.out}", file=sys.stderr)
        return 1
    checks = sum(len(ids) for ids in result.manifest["knowledge_checks"].values())
    print(f"site: built {result.out} in {result.seconds:.0f} s -- {len(result.manifest['chapters'])} chapters, "
          f"{len(result.manifest['assignments'])} assignments, {len(result.manifest['datasets'])} data cards, "
          f"{checks} knowledge checks; open {result.out / 'index.html'}")
    return 0
