"""Command line for the course data (run from the course folder).

    python -m mlops_course.data loans --out datasets/loans   # regenerate the synthetic loans + manifest
    python -m mlops_course.data checksums                    # verify every data file
    python -m mlops_course.data checksums --write            # refresh datasets/SHA256SUMS after a rebuild
"""

from __future__ import annotations

import argparse

from mlops_course.data.checksums import verify_checksums, write_sha256sums
from mlops_course.data.build import write_loans
from mlops_course.data.loans import SEED


def _loans(args: argparse.Namespace) -> int:
    for path in write_loans(args.out, args.seed):
        print(f"wrote {path}")
    print("If this was a deliberate change, refresh the checksums: python -m mlops_course.data checksums --write")
    return 0


def _checksums(args: argparse.Namespace) -> int:
    if args.write:
        print(f"wrote {write_sha256sums(args.root)}")
        return 0
    results = verify_checksums(args.root)
    for relative, ok, message in results:
        print(f"{'OK  ' if ok else 'FAIL'} {relative}: {message}")
    return 0 if all(ok for _, ok, _ in results) else 1


def main(argv: list[str] | None = None) -> int:
    """Parse the command line and run the chosen command; return the exit code."""
    parser = argparse.ArgumentParser(prog="python -m mlops_course.data", description=__doc__.splitlines()[0])
    commands = parser.add_subparsers(dest="command", required=True)

    loans = commands.add_parser("loans", help="generate the synthetic loan applications and their manifest")
    loans.add_argument("--out", default="datasets/loans", help="output folder (default: datasets/loans)")
    loans.add_argument("--seed", type=int, default=SEED, help=f"random seed (default: {SEED})")
    loans.set_defaults(run=_loans)

    checksums = commands.add_parser("checksums", help="verify the data files against SHA256SUMS")
    checksums.add_argument("--write", action="store_true", help="rewrite SHA256SUMS from the current files")
    checksums.add_argument("--root", default=None, help="datasets folder (default: the course's datasets/)")
    checksums.set_defaults(run=_checksums)

    args = parser.parse_args(argv)
    return args.run(args)


if __name__ == "__main__":
    raise SystemExit(main())
