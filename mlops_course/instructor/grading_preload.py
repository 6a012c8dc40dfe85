"""What every grading process needs, made ready once in the process that forks them.

A grading process is forked, one per hand-in, from a process that has prepared it: ``autograde``'s
forkserver, or the spawner of a Dask worker (``cluster_worker``). Whatever that process imports or builds,
every fork inherits; whatever it does not, each hand-in pays for again. Before this list was complete a
grading process imported IPython itself (jupyter_client looks up kernel specs through it: half a second)
and compiled nbformat's validators (a tenth of one), on every hand-in.

Importing this module *is* the preparation, because multiprocessing's forkserver can only import modules.
Nothing here starts a thread or opens a file that a fork would share.
"""

import importlib

import nbformat
import nbformat.validator

# The grading process's own imports: nbgrader and the course's grading, and what jupyter_client, nbclient
# and the kernel manager import when the first kernel starts (IPython, ipykernel's kernel spec, psutil for
# the process tree, matplotlib for the sandbox's font cache).
MODULES = ("mlops_course.instructor.worker", "mlops_course.instructor.feedback", "mlops_course.grading.sandbox",
           "mlops_course.grading.tamper", "mlops_course.grading.warm", "nbgrader.converters", "nbgrader.api",
           "nbconvert.exporters", "IPython", "ipykernel.kernelapp", "ipykernel.kernelspec", "psutil", "matplotlib")

for _module in MODULES:
    importlib.import_module(_module)

# nbformat compiles a validator per schema the first time a process validates a notebook; the grader reads
# and writes notebooks of the current format, strictly and with unknown keys allowed.
for _relaxed in (False, True):
    nbformat.validator.get_validator(version=nbformat.current_nbformat, relax_add_props=_relaxed)
