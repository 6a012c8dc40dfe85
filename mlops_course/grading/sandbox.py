"""The grading sandbox: every kernel that runs a learner's code runs inside an operating-system boundary.

A submission is code written by someone who wants a good grade, and the grader runs it. Python-level
checks inside the kernel can be undone by that same code, so the boundary is built by the operating
system, with bubblewrap (``bwrap``, Linux user namespaces), before the kernel's first line runs:

- **files**: a new, empty root. Read-only: the system folders (``/usr``), the Python environment, the
  course package and its datasets. Writable: only a private scratch home, a size-limited ``tmpfs``, that
  holds a copy of the submission's own folder and vanishes with the kernel. Not there at all: the
  solutions, the templates, the course's working folder, other submissions, other grading workspaces,
  the home directory of whoever grades.
- **processes**: a PID namespace whose first process is bubblewrap's init; the kernel sees only its own
  processes, and when the kernel ends (or the grader dies: ``--die-with-parent``) every process it
  started ends too, whether it called ``setsid`` or double-forked.
- **network**: a network namespace of its own with nothing but a loopback that leads nowhere, so no
  service of the grading machine (a database, a Dask scheduler) can be reached.
- **environment**: the kernel and bubblewrap itself start from a short allow-list of variables (paths,
  locale, thread counts), never the grader's environment, so ``os.environ`` and ``/proc/1/environ`` hold no
  secret.

The kernel still talks to nbclient: over Unix sockets (ZeroMQ's ``ipc`` transport) that the kernel
creates inside its own ``tmpfs``; the grader reaches them through ``/proc/<sandbox pid>/root``, so no
folder of the grading machine is ever writable from inside.

Where bubblewrap or user namespaces are missing (macOS, Windows, a locked-down kernel), ``mode="auto"``
grades without the boundary -- the kernel still gets the clean environment -- and the batch says so
loudly; ``mode="required"`` refuses to start a kernel instead. ``mode="off"`` is for trusted notebooks only.
"""

from __future__ import annotations

import asyncio
import functools
import json
import os
import shutil
import signal
import subprocess
import sys
import sysconfig
import tempfile
import time
from pathlib import Path
from queue import Empty

from jupyter_client.asynchronous import AsyncKernelClient
from jupyter_client.manager import AsyncKernelManager
from nbgrader.preprocessors import Execute
from traitlets import DottedObjectName, Enum, Integer, Type, Unicode

from mlops_course.paths import course_root

MODES = ("auto", "required", "off")
HOME = "/home/learner"
WORKDIR = f"{HOME}/work"
SOCKETS = "/run/kernel"
CONNECTION_FILE = "/run/connection.json"
SUBMISSION = "/run/submission"
FONT_CACHE = "/run/matplotlib-cache"

# Variables the kernel may inherit: where things are, the locale, and how many threads to use.
PASSED_VARIABLES = ("LANG", "LC_ALL", "TZ", "PYTHONHASHSEED", "OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS",
                    "MKL_NUM_THREADS", "NUMEXPR_NUM_THREADS", "OPENBLAS_CORETYPE", "OPENBLAS_L2_SIZE",
                    "MLOPS_COURSE_ROOT", "NBGRADER_EXECUTION")


# Set on a machine to grade as if bubblewrap were missing (to try the fallback; never in the kernel's env).
DISABLE_VARIABLE = "MLOPS_COURSE_NO_SANDBOX"


# What the kernels of this process were ("warm", "cold", "unsandboxed") and why a warm one was not had;
# the grading worker reads and resets them for each hand-in.
KERNELS: list[str] = []
WARM_FAILURES: list[str] = []


class SandboxUnavailable(RuntimeError):
    """The grading sandbox was required but this machine cannot provide it."""


@functools.lru_cache(maxsize=1)
def availability() -> tuple[bool, str]:
    """Whether this machine can run the sandbox, and if not, why (one line a person can act on)."""
    if os.environ.get(DISABLE_VARIABLE):
        return False, f"the sandbox is switched off on this machine ({DISABLE_VARIABLE} is set)"
    if not sys.platform.startswith("linux"):
        return False, f"the grading sandbox needs Linux (this is {sys.platform})"
    bwrap = shutil.which("bwrap")
    if bwrap is None:
        return False, "bubblewrap (bwrap) is not installed: run `make system` (Debian: apt-get install bubblewrap)"
    probe = [bwrap, "--unshare-all", "--unshare-user", "--die-with-parent", "--ro-bind", "/", "/",
             "--proc", "/proc", "--dev", "/dev", "true"]
    try:
        done = subprocess.run(probe, capture_output=True, text=True, timeout=20, env=_base_environment())
    except (OSError, subprocess.TimeoutExpired) as error:
        return False, f"bubblewrap could not start: {error}"
    if done.returncode != 0:
        why = done.stderr.strip().splitlines()[-1] if done.stderr.strip() else f"exit code {done.returncode}"
        return False, (f"bubblewrap cannot create user namespaces here ({why}); on Debian/Ubuntu enable them "
                       "with `sysctl kernel.unprivileged_userns_clone=1`")
    return True, "bubblewrap: private files, processes, network and environment for every grading kernel"


def missing_protection_warning() -> str | None:
    """The loud, one-per-batch notice when grading runs without the sandbox; None when it is there."""
    available, why = availability()
    if available:
        return None
    return ("WARNING: grading WITHOUT the sandbox: " + why + ".\n"
            "  Learners' code can read the solutions and other submissions, reach the network and leave\n"
            "  processes behind. Grade only trusted notebooks, or use --sandbox=required to refuse.")


IOPUB_DRAIN = 0.01  # seconds of silence that end the start-up messages of a kernel that answered


class GradingKernelClient(AsyncKernelClient):
    """jupyter_client's client, but at start-up it waits for the kernel's last status messages for
    ``IOPUB_DRAIN`` seconds of silence instead of 0.2 s: nbclient ignores messages that answer no cell of
    its own, so the longer wait only adds a fifth of a second to every hand-in."""

    async def _async_wait_for_ready(self, timeout: float | None = None) -> None:
        deadline = time.monotonic() + (float("inf") if timeout is None else timeout)
        while not await self._kernel_info_answered():
            if not await self._async_is_alive():
                raise RuntimeError("Kernel died before replying to kernel_info")
            if time.monotonic() > deadline:
                raise RuntimeError(f"Kernel didn't respond in {timeout:.0f} seconds")
        while True:
            try:
                await self.iopub_channel.get_msg(timeout=IOPUB_DRAIN)
            except Empty:
                return

    wait_for_ready = _async_wait_for_ready

    async def _kernel_info_answered(self) -> bool:
        """Ask for kernel_info: True once the reply came and IOPub is connected (as jupyter_client checks)."""
        self.kernel_info()
        try:
            reply = await self.shell_channel.get_msg(timeout=1)
            if reply["msg_type"] != "kernel_info_reply":
                return False
            await self.iopub_channel.get_msg(timeout=0.2)
        except Empty:
            return False
        self._handle_kernel_info_reply(reply)
        return True


class SandboxedKernelManager(AsyncKernelManager):
    """A kernel manager that starts every kernel inside the grading sandbox (see the module docstring)."""

    client_class = DottedObjectName("mlops_course.grading.sandbox.GradingKernelClient")
    client_factory = Type(GradingKernelClient, klass=AsyncKernelClient)

    mode = Enum(MODES, default_value="auto", help="auto: sandbox where possible; required: refuse "
                "to grade without it; off: no sandbox (trusted notebooks only)").tag(config=True)
    scratch_mb = Integer(512, help="size of the kernel's writable home (tmpfs), in MB").tag(config=True)
    max_processes = Integer(512, help="most tasks (processes and threads) a kernel may have at once, where the "
                            "machine offers a pids cgroup: a fork bomb stops there").tag(config=True)
    copy_limit_mb = Integer(64, help="at most this much of the notebook's folder is copied into the "
                            "sandbox; larger files are left out").tag(config=True)
    warm_server = Unicode("", help="address of a warm kernel server (grading.warm); kernels are forked from "
                          "it, already past the imports; empty, or the server unreachable: cold kernels").tag(config=True)

    _sandbox_pid: int | None = None

    def _use_sandbox(self) -> bool:
        if self.mode == "off":
            return False
        available, why = availability()
        if not available and self.mode == "required":
            raise SandboxUnavailable(f"the grading sandbox is required but not available: {why}")
        if not available:
            self.log.warning("grading kernel started WITHOUT the sandbox: %s", why)
        return available

    async def _async_pre_start_kernel(self, **kw):
        self._sandboxed = self._use_sandbox()
        if self._sandboxed:
            # Unix sockets, not TCP: the sandbox's network namespace has its own, unreachable loopback.
            self.transport = "ipc"
            self._socket_dir = Path(tempfile.mkdtemp(prefix="kernel-"))
            self.ip = str(self._socket_dir / "k")
            self.cache_ports = False
        return await super()._async_pre_start_kernel(**kw)

    async def _async_launch_kernel(self, kernel_cmd: list[str], **kw) -> None:
        kw["env"] = kernel_environment(sandboxed=self._sandboxed)
        if not self._sandboxed:
            KERNELS.append("unsandboxed")
            return await super()._async_launch_kernel(kernel_cmd, **kw)
        if self.warm_server:
            try:
                return await self._launch_warm_kernel(kw["env"], kernel_options(kernel_cmd))
            except Exception as error:  # the server died or is overloaded: this kernel starts cold
                from mlops_course.grading import warm

                if not isinstance(error, warm.WarmUnavailable):
                    error = warm.WarmUnavailable(f"{type(error).__name__}: {error}")
                self.log.warning("warm kernel unavailable, starting a cold one: %s", error)
                WARM_FAILURES.append(str(error).splitlines()[0])
        KERNELS.append("cold")
        host_folder = Path(kw.pop("cwd", None) or Path.cwd()).resolve()  # bwrap needs absolute paths
        inner = _inner_connection_file(self.get_connection_info(), self._socket_dir)
        read_end, write_end = os.pipe()
        command = bwrap_command(kernel_cmd, self.connection_file, inner, host_folder, write_end,
                                self.scratch_mb, self.copy_limit_mb)
        self._cgroup = ProcessLimit.create(self.max_processes)
        if self._cgroup is not None:
            command = self._cgroup.wrap(command)
        try:
            await super()._async_launch_kernel(command, pass_fds=(write_end,), cwd="/", **kw)
        finally:
            os.close(write_end)
        self._sandbox_pid = await asyncio.to_thread(_read_child_pid, read_end)
        # The kernel binds its sockets inside the sandbox; the grader reaches them through its root.
        self.ip = f"/proc/{self._sandbox_pid}/root{SOCKETS}/k"

    async def _launch_warm_kernel(self, env: dict[str, str], options: list[str]) -> None:
        """Fork the kernel from the warm server (see ``grading.warm``) instead of starting a process."""
        import resource

        from mlops_course.grading import warm

        info = json.loads(_inner_connection_file(self.get_connection_info(), self._socket_dir).read_text())
        limit = resource.getrlimit(resource.RLIMIT_AS)
        request = {"connection": info, "env": env, "options": options, "scratch_mb": self.scratch_mb,
                   "memory": None if limit[0] == resource.RLIM_INFINITY else list(limit)}
        archive = warm.folder_archive(self._notebook_folder(), self.copy_limit_mb * 2**20)
        kernel = await asyncio.to_thread(warm.WarmKernel, self.warm_server, request, archive)
        try:
            sandbox_pid = warm.sandbox_pid_of(self.warm_server)
            pid = await asyncio.to_thread(warm.host_pid, sandbox_pid, kernel.server_pid)
            self._cgroup = ProcessLimit.create(self.max_processes)
            if self._cgroup is not None:
                self._cgroup.add(pid)
            kernel.go()
            ip = f"/proc/{pid}/root{SOCKETS}/k"  # the kernel's sockets, in its own mount namespace
            await _sockets_bound(ip, info, kernel, warm.START_TIMEOUT)
        except BaseException:
            kernel.close()
            raise
        self.provisioner = warm.WarmProvisioner(kernel=kernel, kernel_id=self.kernel_id, kernel_spec=self.kernel_spec,
                                                parent=self, connection_info=self.provisioner.connection_info)
        self._sandbox_pid = None  # the connection file was written in pre_launch; nothing to reconcile
        self.ip = ip
        KERNELS.append("warm")

    def _notebook_folder(self) -> Path:
        return Path(self._launch_args.get("cwd") or Path.cwd()).resolve()

    async def _async_interrupt_kernel(self) -> None:
        from mlops_course.grading import warm

        if isinstance(self.provisioner, warm.WarmProvisioner):
            return await self.provisioner.send_signal(signal.SIGINT)
        if not getattr(self, "_sandboxed", False) or self._sandbox_pid is None:
            return await super()._async_interrupt_kernel()
        # SIGINT to bubblewrap would not reach the kernel: signal the kernel process inside the sandbox.
        for pid in _descendants(self._sandbox_pid):
            try:
                os.kill(pid, signal.SIGINT)
            except ProcessLookupError:
                pass

    interrupt_kernel = _async_interrupt_kernel  # AsyncKernelManager binds the name to the base method

    async def _async_wait(self, pollinterval: float = 0.1) -> None:
        # jupyter_client polls every 0.1 s after killing a kernel; a grading kernel dies within milliseconds
        await super()._async_wait(pollinterval=min(pollinterval, KILL_POLL))

    async def _async_cleanup_resources(self, restart: bool = False) -> None:
        await super()._async_cleanup_resources(restart=restart)
        if getattr(self, "_cgroup", None) is not None:
            self._cgroup.remove()
        if getattr(self, "_socket_dir", None) is not None:
            shutil.rmtree(self._socket_dir, ignore_errors=True)


KILL_POLL = 0.005  # seconds between checks that a killed kernel has gone
SOCKET_POLL = 0.002  # seconds between looks for a starting kernel's sockets
ZMQ_CHANNELS = ("shell_port", "iopub_port", "stdin_port", "control_port", "hb_port")


def kernel_options(kernel_cmd: list[str]) -> list[str]:
    """The ``--Class.trait=value`` options of a kernel command (nbclient's in-memory history, ...), which a warm
    kernel, started without a command line, must be given as a cold one is."""
    return [arg for arg in kernel_cmd if arg.startswith("--") and "=" in arg]


async def _sockets_bound(ip: str, info: dict, kernel, timeout: float) -> None:
    """Wait until a warm kernel has bound its ZeroMQ sockets (``ip-port`` files of the ``ipc`` transport).

    A client that connects before they exist waits for ZeroMQ to try again, up to its reconnect interval
    (0.1 s) per hand-in; a look at the files every 2 ms costs nothing. No learner code has run yet."""
    paths = [f"{ip}-{info[name]}" for name in ZMQ_CHANNELS if info.get(name)]
    deadline = time.monotonic() + timeout
    while not all(os.path.exists(path) for path in paths):
        if kernel.poll() is not None or time.monotonic() > deadline:
            return  # jupyter_client's own start-up checks report a dead or silent kernel
        await asyncio.sleep(SOCKET_POLL)


def autograde_preprocessors(mode: str = "auto") -> list:
    """nbgrader's autograde steps with the kernel started in the sandbox (for ``c.Autograde``)."""
    from nbgrader.converters import Autograde

    steps = list(Autograde.class_traits()["autograde_preprocessors"].make_dynamic_default())
    return [SandboxedExecute if step is Execute else step for step in steps]


def configure(config, mode: str = "auto") -> None:
    """Make every nbgrader execution that ``config`` drives start its kernel in the sandbox."""
    if mode not in MODES:
        raise ValueError(f"sandbox mode must be one of {', '.join(MODES)}, not {mode!r}")
    config.Autograde.autograde_preprocessors = autograde_preprocessors(mode)
    config.SandboxedKernelManager.mode = mode
    # The outputs are in once the last cell's reply has come; a polite shutdown would only add waiting.
    config.SandboxedExecute.shutdown_kernel = "immediate"


class ProcessLimit:
    """A pids cgroup for one kernel, where this machine lets the grader make one (root, cgroup v1 or v2).

    The kernel's process starts in it (a shell writes its own pid, then becomes bubblewrap), so every
    process and thread it ever starts counts against ``pids.max``; ``remove`` kills what is left.
    """

    ROOTS = (Path("/sys/fs/cgroup/pids"), Path("/sys/fs/cgroup"))

    def __init__(self, folder: Path):
        self.folder = folder

    @classmethod
    def create(cls, limit: int) -> "ProcessLimit | None":
        for root in cls.ROOTS:
            if not cls._usable(root):
                continue
            folder = root / f"mlops-grading-{os.getpid()}-{os.urandom(4).hex()}"
            try:
                folder.mkdir()
                (folder / "pids.max").write_text(str(limit))
                return cls(folder)
            except OSError:
                shutil.rmtree(folder, ignore_errors=True)
        return None

    @staticmethod
    def _usable(root: Path) -> bool:
        if not (root / "cgroup.procs").exists() or not os.access(root, os.W_OK):
            return False
        controllers = root / "cgroup.subtree_control"
        return root.name == "pids" or (controllers.exists() and "pids" in controllers.read_text().split())

    def wrap(self, command: list[str]) -> list[str]:
        procs = str(self.folder / "cgroup.procs")
        return ["/bin/sh", "-c", 'echo $$ > "$0" && exec "$@"', procs, *command]

    def add(self, pid: int) -> None:
        """Put a process that has not yet run anything it was not told to into this cgroup."""
        (self.folder / "cgroup.procs").write_text(str(pid))

    def remove(self) -> None:
        try:
            pids = (self.folder / "cgroup.procs").read_text().split()
        except OSError:
            return
        for pid in pids:
            try:
                os.kill(int(pid), signal.SIGKILL)
            except (ProcessLookupError, ValueError):
                pass
        for _ in range(50):
            try:
                self.folder.rmdir()
                return
            except OSError:
                time.sleep(0.1)  # the killed processes are still being reaped


def _base_environment() -> dict[str, str]:
    return {"PATH": os.pathsep.join([str(Path(sys.executable).parent), "/usr/bin", "/bin"]), "LANG": "C.UTF-8"}


def kernel_environment(sandboxed: bool) -> dict[str, str]:
    """The kernel's whole environment: an allow-list, never the grader's variables (tokens, passwords)."""
    env = _base_environment()
    env.update({name: os.environ[name] for name in PASSED_VARIABLES if name in os.environ})
    if sandboxed:
        env.update(HOME=HOME, TMPDIR="/tmp", MPLCONFIGDIR=f"{HOME}/.config/matplotlib",
                   PYTHONDONTWRITEBYTECODE="1")
    else:
        env["HOME"] = os.environ.get("HOME", tempfile.gettempdir())
    return env


def _inner_connection_file(info: dict, socket_dir: Path) -> Path:
    """The connection file the kernel reads: the same keys and ports, with the sockets inside the sandbox."""
    inner = dict(info)
    inner["ip"] = f"{SOCKETS}/k"
    inner = {k: (v.decode() if isinstance(v, bytes) else v) for k, v in inner.items()}
    path = socket_dir / "inner-connection.json"
    path.write_text(json.dumps(inner))
    return path


def _read_child_pid(fd: int) -> int:
    """bubblewrap writes ``{"child-pid": N}`` to --info-fd once the namespaces exist."""
    with os.fdopen(fd, "rb") as stream:
        data = stream.read()
    try:
        return int(json.loads(data.decode())["child-pid"])
    except (ValueError, KeyError) as error:
        raise RuntimeError(f"the grading sandbox did not start (bubblewrap said {data[:200]!r})") from error


def _descendants(pid: int) -> list[int]:
    import psutil

    try:
        return [p.pid for p in psutil.Process(pid).children(recursive=True)]
    except psutil.NoSuchProcess:
        return []


def readable_paths() -> list[Path]:
    """What the learner's code may read: the Python environment, the course package and its datasets."""
    root = course_root()
    candidates = {Path(sys.prefix), Path(sys.base_prefix), Path(sys.exec_prefix), Path(sys.base_exec_prefix),
                  Path(sysconfig.get_paths()["purelib"]), Path(sysconfig.get_paths()["platlib"]),
                  Path(__file__).resolve().parents[1], root / "datasets"}
    # packages installed outside the prefixes (pip --user): their site-packages folder, never a whole home
    candidates |= {Path(p) for p in sys.path if p and Path(p).name in ("site-packages", "dist-packages")
                   and Path(p).is_dir() and not _inside(Path(p), root)}
    real = {c.resolve() for c in candidates if c.exists()} | {c for c in candidates if c.exists()}
    # the executables may be symlinks into another prefix (pyenv, conda): bind their real folders too
    real.add(Path(os.path.realpath(sys.executable)).parent.parent)
    return _outermost(p for p in real if not _is_system(p))


def _inside(path: Path, folder: Path) -> bool:
    try:
        path.resolve().relative_to(folder.resolve())
        return True
    except ValueError:
        return False


def _is_system(path: Path) -> bool:
    return path == Path("/usr") or _inside(path, Path("/usr"))


def _outermost(paths) -> list[Path]:
    kept: list[Path] = []
    for path in sorted(set(paths), key=lambda p: len(p.parts)):
        if not any(_inside(path, k) for k in kept):
            kept.append(path)
    return kept


SYSTEM_FILES = ("/etc/ld.so.cache", "/etc/ld.so.conf", "/etc/ld.so.conf.d", "/etc/localtime", "/etc/fonts",
                "/etc/alternatives", "/etc/ssl/certs", "/etc/nsswitch.conf")


def bwrap_command(kernel_cmd: list[str], host_connection: str, inner_connection: Path, host_folder: Path,
                  info_fd: int, scratch_mb: int, copy_limit_mb: int) -> list[str]:
    """The bubblewrap command line that runs ``kernel_cmd`` in the sandbox."""
    args = [shutil.which("bwrap") or "bwrap", "--unshare-all", "--unshare-user", "--uid", "1000", "--gid", "1000",
            "--hostname", "grading", "--die-with-parent", "--new-session", "--info-fd", str(info_fd),
            "--ro-bind", "/usr", "/usr", "--proc", "/proc", "--dev", "/dev",
            "--size", str(64 * 2**20), "--tmpfs", "/dev/shm", "--size", str(64 * 2**20), "--tmpfs", "/tmp",
            "--size", str(scratch_mb * 2**20), "--tmpfs", HOME,
            "--size", str(2**20), "--tmpfs", SOCKETS,
            "--ro-bind", str(inner_connection), CONNECTION_FILE]
    args += _readable_system()
    if host_folder.is_dir():
        args += ["--ro-bind", str(host_folder), SUBMISSION]
    args += ["--chdir", "/", "--"]
    inner_cmd = [CONNECTION_FILE if arg == host_connection else arg for arg in kernel_cmd]
    python, rest = inner_cmd[0], inner_cmd[1:]
    # The kernel's first step, before any learner code: copy the notebook's folder into the scratch home.
    entry = str(Path(__file__).with_name("kernel_entry.py"))  # run as a script: no package import cost
    return args + [python, entry, str(copy_limit_mb), "--", *rest]


def _readable_system() -> list[str]:
    """bubblewrap arguments for what every kernel reads: system libraries, the environment, the fonts."""
    args = []
    for name in ("bin", "lib", "lib32", "lib64", "libx32", "sbin"):
        path = Path("/") / name
        if path.is_symlink():
            args += ["--symlink", os.readlink(path), str(path)]
        elif path.is_dir():
            args += ["--ro-bind", str(path), str(path)]
    for path in SYSTEM_FILES:
        args += ["--ro-bind-try", path, path]
    for path in readable_paths():
        args += ["--ro-bind", str(path), str(path)]
    fonts = _font_cache()
    if fonts:
        args += ["--ro-bind", str(fonts), FONT_CACHE]
    return args


def zygote_bwrap_command(info_fd: int, ready_fd: int, scratch_mb: int) -> list[str]:
    """The sandbox of the warm kernel server (``grading.warm``): the files of a cold kernel's sandbox, no
    submission, and the capabilities *inside its own user namespace* that it needs to give each kernel
    namespaces and file systems of its own (every kernel drops them all before learner code runs).
    It runs as uid 0 of its user namespace: only there may it mount a fresh /proc for each kernel."""
    from mlops_course.grading import warm

    args = [shutil.which("bwrap") or "bwrap", "--unshare-all", "--unshare-user", "--uid", "0", "--gid", "0",
            "--cap-add", "ALL", "--hostname", "grading", "--die-with-parent", "--new-session",
            "--info-fd", str(info_fd), "--ro-bind", "/usr", "/usr", "--proc", "/proc", "--dev", "/dev",
            "--size", str(64 * 2**20), "--tmpfs", "/dev/shm", "--size", str(64 * 2**20), "--tmpfs", "/tmp",
            "--size", str(scratch_mb * 2**20), "--tmpfs", HOME, "--size", str(2**20), "--tmpfs", SOCKETS,
            "--size", str(2**20), "--tmpfs", warm.CONTROL_DIR]
    args += _readable_system()
    args += ["--chdir", "/", "--", sys.executable, "-m", "mlops_course.grading.warm", str(ready_fd), str(scratch_mb)]
    return args


@functools.lru_cache(maxsize=1)
def _font_cache() -> Path | None:
    """matplotlib's font cache of this environment, so the sandbox does not rebuild it for every kernel."""
    try:
        import matplotlib

        folder = Path(matplotlib.get_cachedir())
    except Exception:  # no matplotlib: nothing to copy
        return None
    return folder if any(folder.glob("fontlist-*.json")) else None


def protections() -> list[tuple[str, bool]]:
    """Each protection of grading and whether this machine offers it (``make doctor``)."""
    available, _ = availability()
    return [("learners' code sees only the Python environment, the course package, its data and its own folder",
             available),
            ("learners' code writes only a size-limited scratch folder that vanishes after grading", available),
            ("every process a submission starts ends with its grading (PID namespace)", available),
            ("a fork bomb stops at a process limit (pids cgroup; needs root)",
             available and any(ProcessLimit._usable(root) for root in ProcessLimit.ROOTS)),
            ("no network from learners' code (network namespace)", available),
            ("none of the grader's environment variables in the kernel", True)]


class SandboxedExecute(Execute):
    """nbgrader's Execute with the kernel in the grading sandbox (nbgrader passes its own manager class)."""

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("kernel_manager_class", SandboxedKernelManager)
        super().__init__(*args, **kwargs)

    def preprocess(self, nb, resources=None, km=None):
        self._started = time.monotonic()
        self._first_cell, self._setup_seen = True, False
        try:
            return super().preprocess(nb, resources, km)
        finally:
            if self._first_cell:  # no cell ran: the whole time went into starting the kernel
                _add_time("kernel_start", time.monotonic() - self._started)

    def preprocess_cell(self, cell, resources, index):
        if self._first_cell:
            self._first_cell = False
            _add_time("kernel_start", time.monotonic() - self._started)
        began = time.monotonic()
        try:
            return super().preprocess_cell(cell, resources, index)
        finally:
            if cell.cell_type == "code":
                _add_time(self._kind_of(cell), time.monotonic() - began)

    def _kind_of(self, cell) -> str:
        """Where a cell's time goes in the benchmark: the set-up cell (imports), the tests, the planted tamper
        checks (``grading.tamper``: a price of grading safely that a bare run does not pay), or the rest."""
        meta = cell.metadata.get("nbgrader", {})
        if cell.metadata.get("mlops_course_planted"):
            return "planted_checks"
        if meta.get("grade") and meta.get("locked"):
            return "test_cells"
        if not self._setup_seen:
            self._setup_seen = True
            return "imports"
        return "learner_cells"


# Seconds per part of grading, summed over the notebooks this process executed (the worker resets it).
TIMINGS: dict[str, float] = {}


def _add_time(kind: str, seconds: float) -> None:
    TIMINGS[kind] = TIMINGS.get(kind, 0.0) + seconds
