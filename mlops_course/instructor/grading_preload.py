"""What every grading process needs, made ready once in the process that forks them.

A grading process is forked, one per hand-in, from a process that has prepared it: ``autograde``'s
forkserver, or the spawner of a Dask worker (``cluster_worker``). Whatever that process imports or builds,
every fork inherits; whatever it does not, each hand-in pays for again. Before this list was complete a
grading process imported IPython itself (jupyter_client looks up kernel specs through it: half a second)
and compiled nbformat's validators (a tenth of one), on every hand-in.

Importing this module *is* the preparation, because multiprocessing's forkserver can only import modules;
where the batch names a template (``worker.REHEARSAL_VARIABLE``), it also rehearses grading once with it.
Nothing here starts a thread or leaves open a file or a connection that a fork would share.
"""

import importlib
import os
from pathlib import Path

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

# Work that the first query or kernel start of every grading process would otherwise do again, each time:
# SQLAlchemy imports its SQLite dialect at the first engine and configures nbgrader's ORM mappers at the
# first query (about 0.05 s); jupyter_client's provisioner factory scans every installed package's entry
# points (about 0.04 s). Neither opens a file or starts a thread.
import sqlalchemy.dialects.sqlite  # noqa: E402,F401
from jupyter_client.provisioning import KernelProvisionerFactory  # noqa: E402
from sqlalchemy.orm import configure_mappers  # noqa: E402

configure_mappers()
KernelProvisionerFactory.instance()

# nbformat compiles a validator per schema the first time a process validates a notebook; the grader reads
# and writes notebooks of the current format, strictly and with unknown keys allowed.
for _relaxed in (False, True):
    nbformat.validator.get_validator(version=nbformat.current_nbformat, relax_add_props=_relaxed)

# A template to rehearse grading with (``worker.rehearse``), named by the batch that starts this process: the
# gradebook's queries compiled once here, not once per hand-in (about 0.1 s each). Only ever a saving: if it
# fails, the forks compile as before, and the error goes to this process's stderr.
_worker = importlib.import_module("mlops_course.instructor.worker")
if os.environ.get(_worker.REHEARSAL_VARIABLE):
    _worker.rehearse_if_possible(Path(os.environ[_worker.REHEARSAL_VARIABLE]))
