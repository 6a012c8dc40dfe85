# The course's nbgrader settings live in grader/nbgrader_config.py; this file lets `nbgrader ...` and the
# JupyterLab formgrader find them when they are started from the course root.
import os

load_subconfig(os.path.join(os.path.dirname(os.path.abspath(__file__)), "grader", "nbgrader_config.py"))  # noqa: F821
