"""The course's command line: ``mlops-course COMMAND``.

Each command lives in its own module; this file only wires them to sub-commands. To add one, write a
module with ``add_arguments(parser)`` and ``run(args) -> int`` and list it in ``COMMANDS``.
"""

from __future__ import annotations

import argparse
import importlib
import sys

# sub-command -> (module, one-line help)
COMMANDS = {
    "doctor": ("mlops_course.doctor", "check Python, packages, Jupyter extensions and data; print fixes"),
    "exercises": ("mlops_course.release", "regenerate exercises/ from solutions/ with nbgrader"),
    "release": ("mlops_course.instructor.release",
                "regenerate exercises/ and check sources and releases: rules, leaks, nbgrader validate"),
    "check": ("mlops_course.instructor.check",
              "before you submit: check a notebook's structure and run its visible tests"),
    "collect": ("mlops_course.instructor.collect",
                "put submissions (nbgrader layout, platform exports, zips) into the submitted folder"),
    "autograde": ("mlops_course.instructor.autograde",
                  "grade all submissions in parallel, safely, with a progress bar"),
    "feedback": ("mlops_course.instructor.feedback", "per-student HTML feedback without hidden tests"),
    "export": ("mlops_course.instructor.export", "grades CSV (per question) and a platform-friendly CSV"),
    "report": ("mlops_course.instructor.report", "a one-file HTML class report with plots"),
    "demo": ("mlops_course.instructor.demo",
             "the whole grading workflow on a seeded demo class (make grade-demo)"),
}


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="mlops-course", description=__doc__.splitlines()[0])
    commands = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")
    for name, (module_name, help_text) in COMMANDS.items():
        sub = commands.add_parser(name, help=help_text, description=help_text)
        module = importlib.import_module(module_name)
        if hasattr(module, "add_arguments"):
            module.add_arguments(sub)
        sub.set_defaults(module=module)
    return parser


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    return args.module.run(args)


if __name__ == "__main__":
    sys.exit(main())
