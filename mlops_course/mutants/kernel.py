"""One Jupyter kernel per assignment, running cells the way nbgrader's autograder does.

A cell's outputs are collected as nbgrader stores them, and a test cell's score is nbgrader's own
``determine_grade``: an error or any output on stderr scores 0, a number as the cell's result is partial
credit, anything else full marks. A cell that runs past its deadline is interrupted; a kernel that does not
answer the interrupt, or dies, is restarted and the notebook replayed up to where the run was.

The kernel's state is checked with a fingerprint: a hash of every data value the notebook's code has bound
(modules, functions and classes are code, and names starting with ``_`` are scratch of the test cells). A
mutant that changed a value in place -- the caller's frame, a shared dict -- leaves a fingerprint that
re-running the original cells does not restore, and then the kernel is restarted and replayed.
"""

from __future__ import annotations

import os
import queue
import subprocess
import time
from dataclasses import dataclass, field

import nbformat
from jupyter_client import KernelManager
from nbgrader.utils import determine_grade

_FINGERPRINT = r'''
def _mutants_fingerprint(skip=()):
    import hashlib, pickle, types
    kinds = (types.ModuleType, types.FunctionType, types.BuiltinFunctionType, type)
    found = {}
    for name, value in list(globals().items()):
        if name.startswith("_") or name in skip or name in ("In", "Out", "exit", "quit", "get_ipython"):
            continue
        if isinstance(value, kinds) or callable(value) and not hasattr(value, "__len__"):
            continue
        if type(value).__module__.split(".")[0] in ("matplotlib", "ipywidgets", "IPython"):
            continue  # figures and widgets are drawings, not data (and pickle differently each time)
        try:
            data = pickle.dumps(value, protocol=4)
        except Exception:  # not picklable: only its type is compared
            data = repr(type(value)).encode()
        found[name] = hashlib.sha1(data).hexdigest()
    return found
'''


_MAX_OUTPUTS = 200


@dataclass
class CellRun:
    """What one cell did: its outputs as nbgrader stores them, and whether it ran out of time or killed the kernel."""

    outputs: list = field(default_factory=list)
    timed_out: bool = False
    died: bool = False
    seconds: float = 0.0

    @property
    def failed(self) -> bool:
        return self.timed_out or self.died or any(
            o.output_type == "error" or o.output_type == "stream" and o.name == "stderr" for o in self.outputs)


def score(cell: nbformat.NotebookNode, run: CellRun) -> float:
    """The points nbgrader gives a test cell with these outputs (0 if it timed out or killed the kernel)."""
    if run.timed_out or run.died:
        return 0.0
    graded = nbformat.from_dict({**cell, "outputs": run.outputs})
    earned, _maximum = determine_grade(graded)
    return float(earned or 0.0)


class Kernel:
    """A kernel started in the notebook's folder, restarted on demand."""

    def __init__(self, cwd: str, kernel_name: str = "python3"):
        self.cwd = cwd
        self.kernel_name = kernel_name
        self.restarts = 0
        self._start()

    def _start(self):
        env = {**os.environ, "MPLBACKEND": "agg", "PYDEVD_DISABLE_FILE_VALIDATION": "1"}
        self.km = KernelManager(kernel_name=self.kernel_name)
        # the kernel's own log (a notice about unencrypted local TCP) would only clutter the report
        # (and its input history stays in memory: no history database shared with other kernels)
        self.km.start_kernel(cwd=self.cwd, env=env, stderr=subprocess.DEVNULL,
                             extra_arguments=["--HistoryManager.hist_file=:memory:"])
        self.kc = self.km.client()
        self.kc.start_channels()
        self.kc.wait_for_ready(timeout=120)
        self.run(_FINGERPRINT, timeout=60, history=False)

    def restart(self):
        """A fresh kernel (the caller replays the notebook)."""
        self.shutdown()
        self.restarts += 1
        self._start()

    def shutdown(self):
        try:
            self.kc.stop_channels()
        finally:
            if self.km.is_alive():
                self.km.shutdown_kernel(now=True)

    def run(self, code: str, timeout: float, history: bool = True) -> CellRun:
        """Execute ``code`` and collect its outputs until the kernel is idle again, or ``timeout`` passes.

        A notebook cell goes into the kernel's input history, as under nbgrader (a test may read it to find
        the answer cell); the runner's own code (``history=False``) does not.
        """
        result = CellRun()
        start = time.monotonic()
        msg_id = self.kc.execute(code, store_history=history, allow_stdin=False)
        deadline = start + timeout
        interrupted = False
        while True:
            try:
                msg = self.kc.get_iopub_msg(timeout=0.2)
            except queue.Empty:
                if not self.km.is_alive():
                    result.died = True
                    break
                now = time.monotonic()
                if now > deadline and not interrupted:
                    result.timed_out, interrupted = True, True
                    self.km.interrupt_kernel()
                    deadline = now + 5  # the grace for the interrupt to arrive
                elif now > deadline:
                    result.died = True  # deaf to the interrupt: the caller restarts the kernel
                    break
                continue
            if msg["parent_header"].get("msg_id") != msg_id:
                continue
            kind = msg["msg_type"]
            if kind == "status" and msg["content"]["execution_state"] == "idle":
                break
            if kind in ("stream", "error", "execute_result", "display_data"):
                output = nbformat.v4.output_from_msg(msg)
                # a mutant that prints in a loop must not fill the memory: past the cap only what can
                # change the score is kept (errors, stderr, the cell's result)
                if len(result.outputs) < _MAX_OUTPUTS or kind in ("error", "execute_result") or (
                        kind == "stream" and output.name == "stderr" and not result.failed):
                    result.outputs.append(output)
        self._drain_shell(msg_id)
        result.seconds = time.monotonic() - start
        return result

    def _drain_shell(self, msg_id: str):
        """Read the execute reply so that replies do not pile up on the shell channel."""
        try:
            while True:
                reply = self.kc.get_shell_msg(timeout=0.05)
                if reply["parent_header"].get("msg_id") == msg_id:
                    return
        except queue.Empty:
            return

    def fingerprint(self, skip: set[str]) -> dict[str, str] | None:
        """{name: hash} of the notebook's data values; None if the kernel could not tell."""
        run = self.run(f"print(repr(_mutants_fingerprint({sorted(skip)!r})))", timeout=120, history=False)
        text = "".join(o.get("text", "") for o in run.outputs if o.output_type == "stream" and o.name == "stdout")
        try:
            import ast
            return ast.literal_eval(text.strip())
        except (ValueError, SyntaxError):
            return None
