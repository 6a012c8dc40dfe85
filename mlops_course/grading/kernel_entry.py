"""The first code that runs inside the grading sandbox, before the kernel and any learner code.

Run as a script (``python kernel_entry.py LIMIT_MB -- -m ipykernel_launcher -f ...``) so that starting a
kernel costs no package import. It

1. copies the notebook's own folder (read-only at ``/run/submission``) into the writable scratch home,
   at most LIMIT_MB in all and no single file larger, so the learner's code finds its files where it
   expects them and may write beside them -- inside the sandbox only;
2. copies matplotlib's font cache, so that it is not rebuilt (seconds) for every kernel;
3. starts the kernel module in this process.

It must stay free of imports beyond the standard library: it runs in every grading kernel.
"""

import os
import runpy
import shutil
import sys

HOME = "/home/learner"
WORKDIR = HOME + "/work"
SUBMISSION = "/run/submission"
FONT_CACHE = "/run/matplotlib-cache"


def copy_folder(source: str, target: str, budget: int) -> int:
    """Copy the files of ``source`` (recursively, no symlinks) into ``target`` until ``budget`` bytes are used."""
    os.makedirs(target, exist_ok=True)
    if not os.path.isdir(source):
        return budget
    for entry in sorted(os.scandir(source), key=lambda e: e.name):
        if entry.is_symlink() or entry.name in (".ipynb_checkpoints", "__pycache__"):
            continue
        destination = os.path.join(target, entry.name)
        if entry.is_dir():
            budget = copy_folder(entry.path, destination, budget)
        elif entry.is_file():
            size = entry.stat().st_size
            if size <= budget:
                shutil.copyfile(entry.path, destination)
                budget -= size
    return budget


def main(argv: list[str]) -> None:
    limit_mb, separator, *kernel = argv
    if separator != "--" or kernel[:1] != ["-m"] or len(kernel) < 2:
        raise SystemExit("usage: kernel_entry.py LIMIT_MB -- -m MODULE [ARGS...]")
    copy_folder(SUBMISSION, WORKDIR, int(limit_mb) * 2**20)
    mpl_dir = os.environ.get("MPLCONFIGDIR")
    if mpl_dir and os.path.isdir(FONT_CACHE):
        copy_folder(FONT_CACHE, mpl_dir, 64 * 2**20)
    os.chdir(WORKDIR)
    # The grader's process id means nothing in this PID namespace, and ipykernel would take the parent it
    # can see (the sandbox's init) as "parent gone" and exit; the sandbox ends the kernel with the grader.
    os.environ["JPY_PARENT_PID"] = "1"  # ipykernel: "no parent to watch", and no console banner
    module, arguments = kernel[1], kernel[2:]
    sys.argv = [module, *arguments]
    sys.path[0] = WORKDIR  # as if started in the notebook's folder, not beside this script
    runpy.run_module(module, run_name="__main__", alter_sys=True)


if __name__ == "__main__":
    main(sys.argv[1:])
