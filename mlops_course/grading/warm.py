"""Warm grading kernels: forked, inside the sandbox, from a server that has done the imports once.

Starting a grading kernel cold costs about a second, and the set-up cell's imports (pandas, scikit-learn,
matplotlib, fairlearn, the course package) another one or two -- the same work for every hand-in. A
*warm server* does it once per batch. It is a Python process inside a grading sandbox of its own (the
same read-only files as a cold kernel, see ``sandbox.py``) that has imported ipykernel, IPython and the
libraries its batch's assignments import (``PRELOAD``) and **never runs learner code**. It listens on a
Unix socket inside its sandbox, which the grader reaches through ``/proc/<pid>/root`` (as it reaches the
kernels' sockets).

For every kernel the grader asks for, the server forks a *handler* (so the server itself stays
single-threaded, with no event loop or ZeroMQ context, and untouched). The handler, before any learner
code exists:

1. unshares new mount, PID, IPC, network and UTS namespaces;
2. mounts fresh, size-limited ``tmpfs`` on the home, ``/tmp``, ``/dev/shm`` and the kernel's socket folder,
   a new ``devpts``, an empty read-only ``tmpfs`` over the server's control socket folder, and makes the
   root and ``/dev`` read-only in its mount namespace;
3. forks the kernel, the first process (PID 1) of the new PID namespace. The kernel mounts a new ``/proc``
   (it sees its own processes only), unpacks the notebook's folder (sent over the socket, within the copy
   limit) into its home, closes every descriptor it inherited, enters a user namespace of its own
   (uid 1000, as a cold kernel; every mount above becomes locked: it can neither be undone nor looked
   under), drops every capability (bounding, ambient, effective, permitted), sets ``PR_SET_NO_NEW_PRIVS``
   and the memory limit, and starts ``ipykernel`` in this very process. The grader puts it in its pids
   cgroup before it may go on.

The handler stays outside the kernel's PID namespace: it kills the kernel when the grader's connection
closes (the grader died or is done), passes interrupts on, and reports the kernel's exit. The server and
the handlers are not dumpable (``PR_SET_DUMPABLE`` 0), and the kernel cannot see them anyway.

**Guarantee.** Every hand-in runs in a fresh fork of the server that no other hand-in's code has touched
(the server only ever forks; learner code runs only in the forks), in mount, PID, IPC, network, UTS and
user namespaces and writable file systems of its own; it holds no capability, no descriptor of the server
and no way to name the server's or another kernel's processes, sockets or files; so nothing it does can
reach the server, another kernel, or the next hand-in. What a warm kernel shares with the others is only
what is read-only for all of them: the files of the sandbox and the memory image of the imports, copied
on write.

A warm kernel differs from a cold one only in what was imported and cached before the first cell runs
(``sys.modules`` is larger; the ``WARM_CALLS`` of its batch's assignments have their results computed; the
sources that ``WARM_FAILURES`` put in tracebacks are parsed), in the server's objects being out of the garbage
collector's reach (they are never garbage), and in BLAS using one thread; grades are the same (``tests/test_grading_warm.py``).
When the server cannot be reached the kernel starts cold, and the grading record says so.
"""

from __future__ import annotations

import io
import json
import os
import select
import shutil
import signal
import socket
import subprocess
import sys
import tarfile
import tempfile
import time
from collections.abc import Iterable
from pathlib import Path

CONTROL_DIR = "/run/warm"
CONTROL = CONTROL_DIR + "/control"
# The kernel's places, as in sandbox.py (not imported from there: the server must not import nbgrader)
HOME = "/home/learner"
WORKDIR = f"{HOME}/work"
SOCKETS = "/run/kernel"

# What the server imports once, so that no hand-in pays for it: the kernel and what every graded notebook's
# checks use, then what its batch's assignments import (``assignment_imports``: their source notebooks' import
# statements, set-up, answer and test cells alike). A batch of an assignment that uses neither scikit-learn nor
# fairlearn does not import them (two seconds of every server's start), as its cold kernels would not.
PRELOAD = ("ipykernel.kernelapp", "ipykernel.ipkernel", "ipykernel.zmqshell", "ipykernel.debugger", "IPython",
           "numpy", "pandas", "numpy.testing", "pandas.testing", "mlops_course.grading.checks")  # + tamper's probes
# A server for any assignment (none was named) imports the libraries of all the course's assignments.
COURSE_LIBRARIES = ("matplotlib_inline.backend_inline", "scipy.stats", "sklearn.metrics", "sklearn.linear_model",
                    "sklearn.pipeline", "sklearn.preprocessing", "sklearn.compose", "sklearn.impute",
                    "sklearn.model_selection", "matplotlib.pyplot", "fairlearn.metrics", "mlops_course.data",
                    "mlops_course.lender", "mlops_course.assignments.drift", "mlops_course.assignments.bias",
                    "mlops_course.assignments.operations")
# Course functions that compute once per process and hand out fresh copies (functools.lru_cache inside):
# called once in the server, so every kernel finds their result computed -- the same value a cold kernel
# computes, and a kernel that changes its copy, or even the cache, changes it only in its own fork.
# With arguments where the hidden tests call them so: the drift tests' unseen scenario (seed 5). Per
# assignment, as its notebook and tests call them: a batch computes only what its assignments use (about
# 4 s for all of them), and an assignment not listed here has nothing computed ahead.
_LOANS = ("mlops_course.data", "load_loans", ())
WARM_CALLS = {
    "drift": (_LOANS, ("mlops_course.data", "load_flights", ()), ("mlops_course.assignments.drift", "scored_loans", ()),
              ("mlops_course.assignments.drift", "scenario_batches", (5,))),
    "bias": (_LOANS, ("mlops_course.assignments.bias", "loan_splits", ()),
             ("mlops_course.assignments.bias", "adult_decisions", ())),
    "operations": (_LOANS,),
}
# Failures whose tracebacks the server formats once, as a kernel does (IPython's verbose traceback). A
# process's first traceback costs 0.1 to 0.2 s -- the highlighter is imported and compiled, the modules are
# indexed, every source file in the stack is parsed (pandas' DataFrame alone, 0.6 s) -- and every graded
# notebook has failing cells: the planted checks (``grading.tamper``) fail by design, wrong answers fail in
# pandas, numpy, scikit-learn and the course's checks. Formatted in the server, those caches are filled in
# every fork; no traceback's text changes. One at a time while the server is idle, the most common first, so
# that no kernel waits for them.
WARM_FAILURES = (
    "assert 1 == 2, 'warm-up'",
    "import numpy.testing\nnumpy.testing.assert_allclose(0.1, 0.2)",
    "from mlops_course.grading.checks import expect_type\nexpect_type(1, str, 'warm-up')",
    "import numpy.testing\nnumpy.testing.assert_array_equal([1], [2])",
    "import pandas, pandas.testing\npandas.testing.assert_series_equal(pandas.Series([0.1]), pandas.Series([0.2]))",
    "import pandas, pandas.testing\n"
    "pandas.testing.assert_frame_equal(pandas.DataFrame({'v': [0.1]}), pandas.DataFrame({'v': [0.2]}))",
    "import pandas\npandas.Series([1.0], index=['a'])['b']",
    "import sklearn.metrics\nsklearn.metrics.roc_auc_score([0, 1], [0.2])",
    "import pandas\npandas.DataFrame({'a': [1]})['b']",
)
# Set before the imports: forked kernels must not inherit BLAS thread pools (threads do not survive fork).
SERVER_VARIABLES = {"OMP_NUM_THREADS": "1", "OPENBLAS_NUM_THREADS": "1", "MKL_NUM_THREADS": "1",
                    "NUMEXPR_NUM_THREADS": "1", "MPLBACKEND": "module://matplotlib_inline.backend_inline",
                    "JPY_PARENT_PID": "1"}  # read by ipykernel at import: no parent to watch, no banner
START_TIMEOUT = 120
ALL_ASSIGNMENTS = "*"  # a server for any assignment (none was named): every WARM_CALL computed ahead


class WarmUnavailable(RuntimeError):
    """No warm kernel could be had (no server, or it died); the caller starts a cold kernel instead."""


def availability() -> tuple[bool, str]:
    """Whether this machine can run warm kernels (they need the grading sandbox), and if not, why."""
    from mlops_course.grading import sandbox

    available, why = sandbox.availability()
    if not available:
        return False, f"warm kernels need the grading sandbox: {why}"
    if not hasattr(os, "pidfd_open"):
        return False, "warm kernels need Linux 5.3 or newer (pidfd_open)"
    if os.geteuid() != 0:
        # Only a root grader is tested with warm kernels (it places each kernel in its pids cgroup first);
        # other accounts grade with cold kernels, which work for every account.
        return False, "warm kernels need a grader running as root; this account grades with cold kernels"
    return True, "warm kernels forked from a pre-imported server in the sandbox"


# --- the grader's side: the server process ------------------------------------------------------------

class WarmServer:
    """One warm server: ``start()`` it once per batch, hand ``address`` to the grading processes, ``stop()``."""

    def __init__(self, process: subprocess.Popen, sandbox_pid: int, log: Path, folder: Path, cgroup):
        self.process, self.sandbox_pid, self.log, self._folder, self._cgroup = process, sandbox_pid, log, folder, cgroup

    @property
    def address(self) -> str:
        """The server's control socket as the grader's processes on this machine reach it."""
        return f"/proc/{self.sandbox_pid}/root{CONTROL}"

    @classmethod
    def start(cls, scratch_mb: int = 256, timeout: float = START_TIMEOUT,
              assignments: Iterable[str] | None = None, sources: Iterable[Path] | None = None) -> "WarmServer":
        """A server for kernels of ``assignments``: what their source notebooks import is imported and their
        ``WARM_CALLS`` computed ahead (for every assignment of the course, if None). ``sources`` are the
        assignments' source folders, ``solutions/<assignment>`` of the course by default."""
        from mlops_course.grading import sandbox
        from mlops_course.paths import course_root

        available, why = availability()
        if not available:
            raise WarmUnavailable(why)
        folder = Path(tempfile.mkdtemp(prefix="warm-server-"))
        log = folder / "server.log"
        info_read, info_write = os.pipe()
        ready_read, ready_write = os.pipe()
        command = sandbox.zygote_bwrap_command(info_write, ready_write, scratch_mb)
        if assignments is None:
            command.append(ALL_ASSIGNMENTS)
        else:
            assignments = sorted(set(assignments))
            if sources is None:
                sources = [course_root() / "solutions" / assignment for assignment in assignments]
            command += [",".join(assignments), ",".join(assignment_imports(sources))]
        cgroup = sandbox.ProcessLimit.create(4096)  # the server and its kernels; each kernel has its own too
        if cgroup is not None:
            command = cgroup.wrap(command)
        env = sandbox.kernel_environment(sandboxed=True)
        env.update(SERVER_VARIABLES)
        with open(log, "wb") as output:
            process = subprocess.Popen(command, stdin=subprocess.DEVNULL, stdout=output, stderr=output, env=env,
                                       pass_fds=(info_write, ready_write), cwd="/")
        os.close(info_write)
        os.close(ready_write)
        try:
            sandbox_pid = sandbox._read_child_pid(info_read)
            server = cls(process, sandbox_pid, log, folder, cgroup)
            server._wait_ready(ready_read, timeout)
        except BaseException:
            process.kill()
            process.wait()
            if cgroup is not None:
                cgroup.remove()
            shutil.rmtree(folder, ignore_errors=True)
            raise
        finally:
            os.close(ready_read)
        return server

    def _wait_ready(self, ready_fd: int, timeout: float) -> None:
        readable, _, _ = select.select([ready_fd], [], [], timeout)
        said = os.read(ready_fd, 64) if readable else b""
        if said.strip() != b"ready":
            tail = self.log.read_text(errors="replace")[-2000:] if self.log.exists() else ""
            raise WarmUnavailable(f"the warm kernel server did not start ({'timed out' if not readable else 'it exited'}):"
                                  f"\n{tail}")

    def alive(self) -> bool:
        return self.process.poll() is None

    def stop(self) -> None:
        """Stop the server; every kernel it forked ends with it (they live in its PID namespace)."""
        if self.process.poll() is None:
            self.process.kill()
        self.process.wait()
        if self._cgroup is not None:
            self._cgroup.remove()
        shutil.rmtree(self._folder, ignore_errors=True)

    def __enter__(self) -> "WarmServer":
        return self

    def __exit__(self, *_exc) -> None:
        self.stop()


# --- the grader's side: one kernel -------------------------------------------------------------------------

def folder_archive(folder: Path, budget: int) -> bytes:
    """The notebook's folder as a tar, with what a cold kernel copies: regular files, no links, in name
    order until ``budget`` bytes are used (larger files are left out)."""
    buffer = io.BytesIO()
    with tarfile.open(fileobj=buffer, mode="w") as archive:
        _add_folder(archive, folder, "", [budget])
    return buffer.getvalue()


def _add_folder(archive: tarfile.TarFile, folder: Path, prefix: str, budget: list[int]) -> None:
    if not folder.is_dir():
        return
    for entry in sorted(os.scandir(folder), key=lambda e: e.name):
        if entry.is_symlink() or entry.name in (".ipynb_checkpoints", "__pycache__"):
            continue
        name = f"{prefix}{entry.name}"
        if entry.is_dir():
            _add_folder(archive, Path(entry.path), name + "/", budget)
        elif entry.is_file() and entry.stat().st_size <= budget[0]:
            budget[0] -= entry.stat().st_size
            archive.add(entry.path, arcname=name, recursive=False)


class WarmKernel:
    """The grader's end of one warm kernel: the connection to its handler in the server."""

    def __init__(self, address: str, request: dict, archive: bytes, output_fds=(1, 2)):
        self.exit_code: int | None = None
        self._pending = b""
        self.sock = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        self._reader = self.sock.makefile("rb")
        try:
            self.sock.settimeout(30)
            self.sock.connect(address)
            header = json.dumps(dict(request, archive=len(archive))).encode() + b"\n"
            socket.send_fds(self.sock, [header], list(output_fds))
            self.sock.sendall(archive)
            reply = self._receive()
        except (OSError, ValueError) as error:
            self.close()
            raise WarmUnavailable(f"the warm kernel server could not be reached ({error})") from error
        if "error" in reply:
            self.close()
            raise WarmUnavailable(f"the warm kernel server could not fork a kernel: {reply['error']}")
        self.server_pid = int(reply["pid"])

    def _receive(self) -> dict:
        line = self._reader.readline()
        if not line:
            raise ConnectionError("the warm kernel server closed the connection")
        return json.loads(line)

    def _send(self, message: dict) -> None:
        self.sock.sendall(json.dumps(message).encode() + b"\n")

    def go(self) -> None:
        """Let the kernel start (after the grader has put it in its cgroup)."""
        self._send({"go": True})
        self.sock.settimeout(None)
        self.sock.setblocking(False)

    def poll(self) -> int | None:
        """The kernel's exit code once it has ended, else None (never blocks)."""
        while self.exit_code is None:
            try:
                data = self.sock.recv(4096)
            except BlockingIOError:
                return None
            except OSError:
                data = b""
            if not data:
                self.exit_code = -signal.SIGKILL  # the server or the handler is gone: so is the kernel
                break
            self._pending += data
            if b"\n" in self._pending:
                line = self._pending.split(b"\n", 1)[0]
                self.exit_code = int(json.loads(line).get("exit", -1))
        return self.exit_code

    def signal(self, signum: int) -> None:
        if self.poll() is None:
            try:
                self._send({"signal": int(signum)})
            except OSError:
                pass

    def close(self) -> None:
        """Closing the connection makes the handler kill the kernel (and everything in its namespaces)."""
        self._reader.close()  # the socket's descriptor stays open while a file made from it is
        self.sock.close()


def _provisioner_base():
    from jupyter_client.provisioning import KernelProvisionerBase

    return KernelProvisionerBase


class WarmProvisioner(_provisioner_base()):
    """jupyter_client's view of a warm kernel: its process is the handler's to watch, over the connection."""

    def __init__(self, kernel: WarmKernel, connection_info: dict, **kwargs):
        super().__init__(**kwargs)
        self.kernel = kernel
        self.connection_info = connection_info

    @property
    def has_process(self) -> bool:
        return self.kernel is not None

    async def poll(self) -> int | None:
        return self.kernel.poll()

    async def wait(self) -> int | None:
        import asyncio

        while self.kernel.poll() is None:
            await asyncio.sleep(0.005)
        return self.kernel.exit_code

    async def send_signal(self, signum: int) -> None:
        self.kernel.signal(signum)

    async def kill(self, restart: bool = False) -> None:
        self.kernel.signal(signal.SIGKILL)

    async def terminate(self, restart: bool = False) -> None:
        self.kernel.signal(signal.SIGTERM)

    async def launch_kernel(self, cmd: list[str], **kwargs) -> dict:
        return self.connection_info

    async def cleanup(self, restart: bool = False) -> None:
        self.kernel.close()


def host_pid(sandbox_pid: int, server_pid: int) -> int:
    """The grader's process id of the process the server knows as ``server_pid`` (``NSpid`` of /proc)."""
    import psutil

    for child in psutil.Process(sandbox_pid).children(recursive=True):
        try:
            with open(f"/proc/{child.pid}/status") as status:
                line = next(l for l in status if l.startswith("NSpid:"))
        except (OSError, StopIteration):
            continue
        levels = line.split()[1:]
        if len(levels) >= 2 and int(levels[1]) == server_pid:
            return child.pid
    raise WarmUnavailable(f"the warm kernel (pid {server_pid} in the server) was not found")


def sandbox_pid_of(address: str) -> int:
    """``/proc/<pid>/root/run/warm/control`` -> pid."""
    parts = Path(address).parts
    if len(parts) < 4 or parts[1] != "proc" or not parts[2].isdigit():
        raise WarmUnavailable(f"not a warm kernel server address: {address!r}")
    return int(parts[2])


# --- the server's side -----------------------------------------------------------------------------------------

def _libc():
    import ctypes

    return ctypes.CDLL(None, use_errno=True)


def _check(result: int, what: str) -> None:
    if result != 0:
        import ctypes

        number = ctypes.get_errno()
        raise OSError(number, f"{what}: {os.strerror(number)}")


PR_SET_PDEATHSIG, PR_SET_DUMPABLE, PR_CAPBSET_DROP, PR_SET_NO_NEW_PRIVS, PR_CAP_AMBIENT = 1, 4, 24, 38, 47
CLONE_NEWNS, CLONE_NEWUTS, CLONE_NEWIPC, CLONE_NEWUSER, CLONE_NEWPID, CLONE_NEWNET = (
    0x20000, 0x04000000, 0x08000000, 0x10000000, 0x20000000, 0x40000000)
MS_RDONLY, MS_NOSUID, MS_NODEV, MS_NOEXEC, MS_REMOUNT, MS_BIND, MS_MOVE, MS_REC, MS_PRIVATE = (
    1, 2, 4, 8, 32, 4096, 8192, 16384, 1 << 18)


def serve(ready_fd: int, scratch_mb: int, assignments: str = ALL_ASSIGNMENTS, modules: str = "") -> None:
    """The server's main loop (inside its sandbox): import once, then fork a handler per connection."""
    _prepare_server(assignments, modules)
    listener = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    listener.bind(CONTROL)
    os.chmod(CONTROL, 0o600)
    listener.listen(128)
    signal.signal(signal.SIGCHLD, signal.SIG_IGN)  # handlers are reaped by the system
    os.write(ready_fd, b"ready\n")
    os.close(ready_fd)
    warm_ups = [source for source in WARM_FAILURES if _imports_loaded(source)]
    while True:
        if warm_ups and not select.select([listener], [], [], 0)[0]:
            _warm_traceback(warm_ups.pop(0))
            _freeze()
            continue
        try:
            connection, _ = listener.accept()
        except InterruptedError:
            continue
        if os.fork() == 0:
            try:
                listener.close()
                _handle(connection, scratch_mb)
            finally:
                os._exit(0)
        connection.close()


def _prepare_server(assignments: str, modules: str) -> None:
    import importlib

    from mlops_course.grading.kernel_entry import FONT_CACHE, copy_folder

    libc = _libc()
    _check(libc.prctl(PR_SET_DUMPABLE, 0, 0, 0, 0), "prctl(PR_SET_DUMPABLE)")
    _check(libc.prctl(PR_SET_PDEATHSIG, signal.SIGKILL, 0, 0, 0), "prctl(PR_SET_PDEATHSIG)")
    mpl_dir = os.environ.get("MPLCONFIGDIR")
    if mpl_dir and os.path.isdir(FONT_CACHE):
        copy_folder(FONT_CACHE, mpl_dir, 64 * 2**20)
    for module in PRELOAD:
        importlib.import_module(module)
    for module in COURSE_LIBRARIES if assignments == ALL_ASSIGNMENTS else [m for m in modules.split(",") if m]:
        _import_if_module(module)
    if "matplotlib.pyplot" in sys.modules:  # the plots' backend (MPLBACKEND), imported at a kernel's first plot
        importlib.import_module("matplotlib_inline.backend_inline")
    for module, function, arguments in warm_calls(assignments):
        try:
            getattr(importlib.import_module(module), function)(*arguments)
        except Exception:  # e.g. a course without these datasets: each kernel then finds out for itself
            pass
    _freeze()


def _import_if_module(name: str) -> None:
    """Import ``name`` if it is a module. ``a.b`` may be a name that ``from a import b`` takes from ``a``: then it
    is left alone (importing a submodule of that name would replace it in ``a``), as is a module that fails:
    a kernel that imports it finds out for itself, as a cold one does."""
    import importlib

    parent, _, child = name.rpartition(".")
    try:
        if parent:
            package = importlib.import_module(parent)
            if child in vars(package) and not isinstance(vars(package)[child], type(sys)):
                return
        importlib.import_module(name)
    except Exception:
        pass


def _imports_loaded(source: str) -> bool:
    """Whether the modules a warm-up failure imports are imported already (the server imports nothing for it)."""
    import ast

    nodes = list(ast.walk(ast.parse(source)))
    names = [alias.name for node in nodes if isinstance(node, ast.Import) for alias in node.names]
    names += [node.module for node in nodes if isinstance(node, ast.ImportFrom)]
    return all(name in sys.modules for name in names)


def assignment_imports(sources: Iterable[Path]) -> list[str]:
    """The modules that the notebooks in ``sources`` (assignment source folders) import, in the order of
    appearance: ``import a.b`` and ``from a.b import c`` give ``a.b``; relative imports are left out."""
    import ast

    from mlops_course.grading.cells import read_notebook
    from mlops_course.grading.tamper import parse_cell  # the grader's side: the server never calls this

    found: dict[str, None] = {}
    for path in (path for folder in sources for path in sorted(Path(folder).glob("*.ipynb"))):
        try:
            cells = read_notebook(path).cells
        except ValueError:  # not a notebook: nothing to import for it
            continue
        trees = [parse_cell(cell.source) for cell in cells if cell.cell_type == "code"]
        for node in (node for tree in trees if tree is not None for node in ast.walk(tree)):
            if isinstance(node, ast.Import):
                found.update(dict.fromkeys(alias.name for alias in node.names))
            elif isinstance(node, ast.ImportFrom) and node.module and not node.level:
                found[node.module] = None  # and what may be a submodule (from scipy import stats)
                found.update(dict.fromkeys(f"{node.module}.{alias.name}" for alias in node.names if alias.name != "*"))
    return list(found)


def warm_calls(assignments: str) -> list[tuple]:
    """The ``WARM_CALLS`` of ``assignments`` (comma-separated, or ``ALL_ASSIGNMENTS``), each once, in order."""
    names = list(WARM_CALLS) if assignments == ALL_ASSIGNMENTS else [a for a in assignments.split(",") if a]
    return list(dict.fromkeys(call for name in names for call in WARM_CALLS.get(name, ())))


def _freeze() -> None:
    """What the server built is never garbage: out of the collector's reach, so that a kernel's collections
    neither walk it (a full one would, at every start) nor write to its pages (copied on write then). And
    the server must still be one thread, or forking it would be unsafe."""
    import gc
    import threading

    gc.collect()
    gc.freeze()
    if threading.active_count() != 1 or len(os.listdir("/proc/self/task")) != 1:
        raise SystemExit("the warm kernel server started a thread while importing; it must not fork then")


def _warm_traceback(source: str) -> None:
    """Run ``source`` and format its failure as a kernel's shell would (a failure here: a slower first one)."""
    import warnings

    try:
        from IPython.core.ultratb import AutoFormattedTB

        with warnings.catch_warnings():
            warnings.simplefilter("ignore")  # a warning shown here would be marked as shown in every fork
            try:
                exec(compile(source, "<warm-up>", "exec"), {})
            except Exception:
                AutoFormattedTB(mode="Context", color_scheme="Neutral", tb_offset=1).structured_traceback(
                    *sys.exc_info())
    except Exception:
        pass


def _handle(connection: socket.socket, scratch_mb: int) -> None:
    """One kernel: new namespaces and file systems, fork the kernel, then watch it for the grader."""
    signal.signal(signal.SIGCHLD, signal.SIG_DFL)
    libc = _libc()
    _check(libc.prctl(PR_SET_PDEATHSIG, signal.SIGKILL, 0, 0, 0), "prctl(PR_SET_PDEATHSIG)")
    reader = connection.makefile("rb")
    try:
        data, fds, _flags, _address = socket.recv_fds(connection, 65536, 4)
        if b"\n" not in data:
            data += reader.readline()
        header, rest = data.split(b"\n", 1)
        request = json.loads(header)
        archive = rest + reader.read(int(request["archive"]) - len(rest))
        _isolate(libc, int(request.get("scratch_mb") or scratch_mb))
        go_read, go_write = os.pipe()
        kernel = os.fork()
    except Exception as error:
        connection.sendall(json.dumps({"error": f"{type(error).__name__}: {error}"}).encode() + b"\n")
        return
    if kernel == 0:
        try:
            os.close(go_write)
            reader.close()
            connection.detach()  # its descriptor is closed with the others; the object must not close it again
            _kernel(libc, request, archive, fds, go_read)
        finally:
            os._exit(70)
    os.close(go_read)
    for fd in fds:
        os.close(fd)
    reader.close()
    _watch(connection, kernel, go_write)


def _isolate(libc, scratch_mb: int) -> None:
    """In the handler: namespaces of the kernel's own, and fresh writable file systems in them."""
    _check(libc.unshare(CLONE_NEWNS | CLONE_NEWPID | CLONE_NEWIPC | CLONE_NEWNET | CLONE_NEWUTS), "unshare")
    _check(libc.mount(b"none", b"/", None, MS_REC | MS_PRIVATE, None), "mount --make-rprivate /")
    _fresh_tmpfs(libc, SOCKETS, 1)  # first: it holds the read-only folders below while their parents are replaced
    for target, megabytes in ((HOME, scratch_mb), ("/tmp", 64), ("/dev/shm", 64)):
        _fresh_tmpfs(libc, target, megabytes)
    _check(libc.mount(b"devpts", b"/dev/pts", b"devpts", MS_NOSUID | MS_NOEXEC,
                      b"newinstance,ptmxmode=0666,mode=0620"), "mount devpts")
    _check(libc.mount(b"tmpfs", CONTROL_DIR.encode(), b"tmpfs", MS_NOSUID | MS_NODEV | MS_NOEXEC | MS_RDONLY,
                      b"size=4096,mode=0555"), "hide the control socket")
    for shared in (b"/", b"/dev"):  # the server's own tmpfs: read-only for the kernel
        _check(libc.mount(None, shared, None, MS_REMOUNT | MS_BIND | MS_RDONLY | MS_NOSUID | MS_NODEV, None),
               f"remount {shared.decode()} read-only")


def _fresh_tmpfs(libc, target: str, megabytes: int) -> None:
    """A new, empty tmpfs on ``target``; read-only folders the sandbox bound beneath it (a course or an
    environment under /tmp) are moved onto the new one, so the kernel sees them as a cold kernel does."""
    with open("/proc/self/mountinfo") as table:
        points = [line.split()[4] for line in table]
    inner = sorted({p for p in points if p.startswith(target.rstrip("/") + "/")}, key=len)
    inner = [p for p in inner if not any(p.startswith(q + "/") for q in inner if q != p)]  # outermost only
    staged = []
    for number, point in enumerate(inner):
        stage = f"{SOCKETS}/.stage-{number}"
        os.mkdir(stage)
        _check(libc.mount(point.encode(), stage.encode(), None, MS_BIND | MS_REC, None), f"stage {point}")
        staged.append((stage, point))
    mode = "1777" if target in ("/tmp", "/dev/shm") else "0755"
    _check(libc.mount(b"tmpfs", target.encode(), b"tmpfs", MS_NOSUID | MS_NODEV,
                      f"size={megabytes * 2**20},mode={mode}".encode()), f"mount tmpfs {target}")
    for stage, point in staged:
        os.makedirs(point, exist_ok=True)
        _check(libc.mount(stage.encode(), point.encode(), None, MS_MOVE, None), f"move {point}")
        os.rmdir(stage)


def _watch(connection: socket.socket, kernel: int, go_write: int) -> None:
    """In the handler: the kernel's pid to the grader, its go, then interrupts in and the exit code out."""
    def reply(message: dict) -> None:
        try:
            connection.sendall(json.dumps(message).encode() + b"\n")
        except OSError:
            pass

    pidfd = os.pidfd_open(kernel)
    reply({"pid": kernel})
    pending = b""
    try:
        while True:
            readable, _, _ = select.select([connection, pidfd], [], [])
            if pidfd in readable:
                _, status = os.waitpid(kernel, 0)
                reply({"exit": os.waitstatus_to_exitcode(status)})
                return
            data = connection.recv(4096)
            if not data:  # the grader is done or gone: so is the kernel
                break
            pending += data
            while b"\n" in pending:
                line, pending = pending.split(b"\n", 1)
                message = json.loads(line)
                if message.get("go") and go_write >= 0:
                    os.write(go_write, b"go")
                    os.close(go_write)
                    go_write = -1
                elif "signal" in message and go_write < 0:
                    os.kill(kernel, int(message["signal"]))
    except (OSError, ValueError):
        pass
    os.kill(kernel, signal.SIGKILL)  # PID 1 of its namespace: every process of the hand-in ends with it
    os.waitpid(kernel, 0)


def _kernel(libc, request: dict, archive: bytes, fds: list[int], go_read: int) -> None:
    """PID 1 of the new namespace: the last steps before learner code, then ipykernel in this process."""
    _check(libc.prctl(PR_SET_PDEATHSIG, signal.SIGKILL, 0, 0, 0), "prctl(PR_SET_PDEATHSIG)")
    if os.read(go_read, 2) != b"go":  # the grader places this process in its cgroup first
        os._exit(0)
    os.close(go_read)
    _check(libc.mount(b"proc", b"/proc", b"proc", MS_NOSUID | MS_NODEV | MS_NOEXEC, None), "mount /proc")
    _check(libc.sethostname(b"grading", 7), "sethostname")
    os.makedirs(WORKDIR, exist_ok=True)
    with tarfile.open(fileobj=io.BytesIO(archive), mode="r") as files:
        files.extractall(WORKDIR, filter="data")
    connection_file = f"{SOCKETS}/connection.json"
    with open(connection_file, "w") as stream:
        json.dump(request["connection"], stream)
    _own_descriptors(fds)
    os.setsid()
    _become_learner(libc)
    _limit_memory(request.get("memory"))
    os.environ.clear()
    os.environ.update(request["env"])
    os.environ["JPY_PARENT_PID"] = "1"  # as in kernel_entry: no parent to watch in this PID namespace
    os.chdir(WORKDIR)
    _reseed()
    import runpy

    sys.argv = ["ipykernel_launcher", "-f", connection_file, *request.get("options", [])]
    sys.path[0] = WORKDIR
    code = 0
    try:
        runpy.run_module("ipykernel_launcher", run_name="__main__", alter_sys=True)
    except SystemExit as stop:
        code = stop.code if isinstance(stop.code, int) else (0 if stop.code is None else 1)
    except BaseException:  # the learner's code may have broken even the traceback module (builtins replaced)
        code = 1
        try:
            import traceback

            traceback.print_exc()
        except BaseException:
            pass
    _exit_like_python(code)


def _exit_like_python(code: int) -> None:
    """End as a cold kernel's interpreter would: wait for its non-daemon threads, run the atexit functions.
    (A kernel whose code broke ipykernel then hangs until the grader's timeout, as a cold one does.)"""
    import atexit
    import threading

    for step in (threading._shutdown, atexit._run_exitfuncs, sys.stdout.flush, sys.stderr.flush):
        try:
            step()
        except BaseException:
            pass
    os._exit(code)


def _own_descriptors(fds: list[int]) -> None:
    """stdin from /dev/null, stdout and stderr to where the grader logs; every other descriptor closed."""
    null = os.open("/dev/null", os.O_RDONLY)
    os.dup2(null, 0)
    out = fds[0] if fds else null
    err = fds[1] if len(fds) > 1 else out
    os.dup2(out, 1)
    os.dup2(err, 2)
    os.closerange(3, os.sysconf("SC_OPEN_MAX"))


def _become_learner(libc) -> None:
    """A user namespace of the kernel's own (uid 1000, mounts locked), then no capability at all."""
    import ctypes

    _check(libc.prctl(PR_SET_DUMPABLE, 1, 0, 0, 0), "prctl(PR_SET_DUMPABLE)")
    _check(libc.unshare(CLONE_NEWUSER), "unshare(CLONE_NEWUSER)")
    for name, text in (("setgroups", "deny"), ("uid_map", "1000 0 1"), ("gid_map", "1000 0 1")):
        with open(f"/proc/self/{name}", "w") as stream:
            stream.write(text)
    for capability in range(64):
        libc.prctl(PR_CAPBSET_DROP, capability, 0, 0, 0)  # EINVAL past the last capability: ignored
    libc.prctl(PR_CAP_AMBIENT, 4, 0, 0, 0)  # PR_CAP_AMBIENT_CLEAR_ALL

    class Header(ctypes.Structure):
        _fields_ = [("version", ctypes.c_uint32), ("pid", ctypes.c_int)]

    class Data(ctypes.Structure):
        _fields_ = [("effective", ctypes.c_uint32), ("permitted", ctypes.c_uint32), ("inheritable", ctypes.c_uint32)]

    _check(libc.capset(ctypes.byref(Header(0x20080522, 0)), (Data * 2)()), "capset")
    _check(libc.prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0), "prctl(PR_SET_NO_NEW_PRIVS)")
    with open("/proc/self/status") as status:
        held = [line.split()[1] for line in status if line.startswith(("CapEff", "CapPrm", "CapBnd", "CapAmb"))]
    if any(int(mask, 16) for mask in held) or os.getuid() != 1000:
        raise RuntimeError("the warm kernel still holds privileges; refusing to run learner code")


def _limit_memory(limit) -> None:
    import resource

    if limit:
        soft, hard = limit
        resource.setrlimit(resource.RLIMIT_AS, (soft, hard))


def _reseed() -> None:
    """Fresh random state, as a new process has (``random`` reseeds itself after a fork; numpy does not)."""
    numpy = sys.modules.get("numpy")
    if numpy is not None:
        numpy.random.seed()


def main(argv: list[str]) -> None:
    ready_fd, scratch_mb = int(argv[0]), int(argv[1])
    serve(ready_fd, scratch_mb, *argv[2:4])


if __name__ == "__main__":
    main(sys.argv[1:])
