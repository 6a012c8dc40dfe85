"""A classroom on one machine: JupyterHub with nbgrader's exchange and a PostgreSQL gradebook.

    python3 classroom/classroom.py up       # set up (first run: a few minutes) and start; idempotent
    python3 classroom/classroom.py status   # what runs, where, and the accounts
    python3 classroom/classroom.py down     # stop the hub, its proxy, the user servers and PostgreSQL
    python3 classroom/classroom.py remove   # down, then delete the accounts and the classroom folder

Runs as root: it creates system accounts and starts servers that switch to them. Everything listens on
127.0.0.1 (PostgreSQL on a Unix socket only). Settings come from the environment:

    CLASSROOM_ROOT    the classroom's folder              (default /srv/mlops-classroom)
    CLASSROOM_NAME    prefix of its accounts and groups   (default mlops)
    CLASSROOM_PORT    the hub's port on 127.0.0.1         (default 8010; the next two ports are used too)
    CLASSROOM_PYTHON  the Python every account can run    (default /usr/bin/python3, Debian's)

What it builds under CLASSROOM_ROOT:

    env/        a Python environment with the course installed (not editable), readable by everyone
    public/     what learners may read: the datasets and the reading chapters (MLOPS_COURSE_ROOT)
    course/     the instructor's nbgrader course: solutions, releases, submissions (teachers only)
    exchange/   nbgrader's exchange, where releases, submissions and feedback pass between accounts
    postgres/   the gradebook's database cluster, and its socket in postgres/run/
    hub/        JupyterHub's state, logs and the accounts' passwords (root only)
    home/       the accounts' home folders
"""

from __future__ import annotations

import hashlib
import json
import os
import secrets
import shutil
import signal
import subprocess
import sys
import time
import urllib.error
import urllib.request
from dataclasses import dataclass
from pathlib import Path

HERE = Path(__file__).resolve().parent
REPO = HERE.parent
COURSE_ID = "mlops-business-ch3"  # as grader/nbgrader_config.py names it
PG_BIN = Path("/usr/lib/postgresql")
DATABASE = "gradebook"


@dataclass(frozen=True)
class Classroom:
    root: Path
    name: str
    port: int
    python: str

    @classmethod
    def from_environment(cls) -> "Classroom":
        return cls(root=Path(os.environ.get("CLASSROOM_ROOT", "/srv/mlops-classroom")).resolve(),
                   name=os.environ.get("CLASSROOM_NAME", "mlops"),
                   port=int(os.environ.get("CLASSROOM_PORT", "8010")),
                   python=os.environ.get("CLASSROOM_PYTHON", "/usr/bin/python3"))

    # accounts ------------------------------------------------------------------------------------
    @property
    def instructor(self) -> str:
        return f"{self.name}-instructor"

    @property
    def grader(self) -> str:
        return f"{self.name}-grader"

    @property
    def learners(self) -> list[str]:
        return [f"{self.name}-learner{i}" for i in (1, 2, 3)]

    @property
    def teachers(self) -> list[str]:
        return [self.instructor, self.grader]

    @property
    def accounts(self) -> list[str]:
        return self.teachers + self.learners

    @property
    def teachers_group(self) -> str:
        return f"{self.name}-teachers"

    @property
    def class_group(self) -> str:
        return f"{self.name}-class"

    # folders --------------------------------------------------------------------------------------
    @property
    def env(self) -> Path:
        return self.root / "env"

    @property
    def public(self) -> Path:
        return self.root / "public"

    @property
    def course(self) -> Path:
        return self.root / "course"

    @property
    def exchange(self) -> Path:
        return self.root / "exchange"

    @property
    def hub(self) -> Path:
        return self.root / "hub"

    @property
    def pgdata(self) -> Path:
        return self.root / "postgres" / "data"

    @property
    def pgsocket(self) -> Path:
        return self.root / "postgres" / "run"

    def home(self, account: str) -> Path:
        return self.root / "home" / account

    @property
    def passwords_file(self) -> Path:
        return self.hub / "passwords.json"

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    @property
    def db_url(self) -> str:
        """The gradebook for every teacher: no user or password, PostgreSQL knows them by their account."""
        return f"postgresql:///{DATABASE}?host={self.pgsocket}"

    def environment_for(self, account: str) -> dict[str, str]:
        """What an account's notebook server and commands see: the course's tools, data and gradebook."""
        env = {
            "HOME": str(self.home(account)),
            "USER": account,
            "LOGNAME": account,
            "PATH": f"{self.env / 'bin'}:/usr/local/bin:/usr/bin:/bin",
            "LANG": "C.UTF-8",
            "MLOPS_COURSE_ROOT": str(self.course if account in self.teachers else self.public),
            "MLOPS_COURSE_EXCHANGE": str(self.exchange),
        }
        if account in self.teachers:
            env["MLOPS_COURSE_DB_URL"] = self.db_url
        return env

    def passwords(self) -> dict[str, str]:
        return json.loads(self.passwords_file.read_text())


# running commands -------------------------------------------------------------------------------

def run(cmd: list[str], **kwargs) -> subprocess.CompletedProcess:
    kwargs.setdefault("check", True)
    return subprocess.run([str(c) for c in cmd], **kwargs)


def run_as(room: Classroom, account: str, cmd: list[str], cwd: Path | None = None, check: bool = True,
           extra_env: dict[str, str] | None = None, capture: bool = True,
           stdin: str | None = None) -> subprocess.CompletedProcess:
    """Run a command as one of the classroom's accounts, with that account's environment only."""
    env = room.environment_for(account) | (extra_env or {})
    wrapped = ["setpriv", f"--reuid={account}", f"--regid={_primary_group(room, account)}", "--init-groups",
               "--reset-env", "env", *[f"{k}={v}" for k, v in env.items()], *map(str, cmd)]
    result = subprocess.run(wrapped, cwd=str(cwd or room.home(account)), text=True,
                            capture_output=capture, input=stdin)
    if check and result.returncode != 0:
        raise RuntimeError(f"as {account}: {' '.join(map(str, cmd))} failed ({result.returncode}):\n"
                           f"{result.stdout}\n{result.stderr}")
    return result


def _primary_group(room: Classroom, account: str) -> str:
    # Teachers' files belong to the teachers' group, so that the instructor and the grader share them.
    return room.teachers_group if account in room.teachers else room.class_group


def _postgres_bin() -> Path:
    versions = sorted((p for p in PG_BIN.glob("*/bin/postgres")), key=lambda p: int(p.parent.parent.name))
    if not versions:
        raise SystemExit("PostgreSQL's server is not installed: run `make system` (Debian package postgresql)")
    return versions[-1].parent


def check_machine() -> None:
    if os.geteuid() != 0:
        raise SystemExit("the classroom creates accounts and starts servers for them: run it as root "
                         "(sudo make classroom)")
    for tool, package in (("useradd", "passwd"), ("setpriv", "util-linux"), ("npm", "npm"),
                          ("node", "nodejs")):
        if not shutil.which(tool):
            raise SystemExit(f"`{tool}` is missing: run `make system` (Debian package {package})")
    _postgres_bin()


# 1. the shared Python environment ---------------------------------------------------------------

def _source_stamp() -> str:
    """Changes whenever what the environment installs changes: dependencies or the package's code."""
    digest = hashlib.sha256()
    for path in [REPO / "pyproject.toml", REPO / "requirements" / "lock.txt",
                 *sorted((REPO / "mlops_course").rglob("*.py")), *sorted((REPO / "jupyter-settings").glob("*.json"))]:
        digest.update(str(path.relative_to(REPO)).encode() + path.read_bytes())
    return digest.hexdigest()


def build_environment(room: Classroom) -> None:
    stamp = room.env / ".course-stamp"
    wanted = _source_stamp()
    if stamp.exists() and stamp.read_text() == wanted:
        return
    print(f"classroom: installing the course for every account into {room.env} (a few minutes)", flush=True)
    if not (room.env / "bin" / "python").exists():
        run([room.python, "-m", "venv", room.env])
    pip = [room.env / "bin" / "python", "-m", "pip", "--quiet", "--disable-pip-version-check"]
    # A copy of the package (not editable): learners read the environment, never the repository.
    build = room.root / "build-src"
    shutil.rmtree(build, ignore_errors=True)
    shutil.copytree(REPO, build, ignore=shutil.ignore_patterns(
        ".git", ".venv", "build", "node_modules", "grader", "solutions", "exercises", "tests", "datasets",
        "chapters", "bench", "classroom", "*.egg-info", "__pycache__"))
    try:
        run(pip + ["install", "-c", REPO / "requirements" / "lock.txt", f"{build}[classroom]"])
    finally:
        shutil.rmtree(build, ignore_errors=True)
    stamp.write_text(wanted)


def install_configuration(room: Classroom) -> None:
    """nbgrader's settings for every account (exchange, course), and JupyterLab's for the classroom."""
    etc = room.env / "etc" / "jupyter"
    etc.mkdir(parents=True, exist_ok=True)
    text = (HERE / "nbgrader_config.py").read_text()
    settings = f"EXCHANGE = {str(room.exchange)!r}\nTEACHERS_GROUP = {room.teachers_group!r}\n"
    (etc / "nbgrader_config.py").write_text(settings + text)
    # the instructor's one extra command: feedback of `mlops-course feedback` out through the exchange
    shutil.copyfile(HERE / "release-feedback", room.env / "bin" / "release-feedback")
    (room.env / "bin" / "release-feedback").chmod(0o755)
    for path in (room.env, room.env / "etc", etc, etc / "nbgrader_config.py"):
        path.chmod(0o755 if path.is_dir() else 0o644)


def install_proxy() -> Path:
    """configurable-http-proxy from npm, at the version of classroom/package-lock.json."""
    proxy = HERE / "node_modules" / ".bin" / "configurable-http-proxy"
    marker = HERE / "node_modules" / ".package-lock.json"
    if not (proxy.exists() and marker.exists() and
            marker.stat().st_mtime >= (HERE / "package-lock.json").stat().st_mtime):
        print("classroom: installing configurable-http-proxy from npm", flush=True)
        run(["npm", "ci", "--no-audit", "--no-fund", "--silent"], cwd=HERE)
    return proxy


# 2. accounts ------------------------------------------------------------------------------------

def _exists(database: str, key: str) -> bool:
    return subprocess.run(["getent", database, key], capture_output=True).returncode == 0


def _members(group: str) -> set[str]:
    found = subprocess.run(["getent", "group", group], capture_output=True, text=True).stdout.strip()
    return set(filter(None, found.split(":")[-1].split(","))) if found else set()


def create_accounts(room: Classroom) -> None:
    for group in (room.class_group, room.teachers_group):
        if not _exists("group", group):
            run(["groupadd", "--system", group])
    (room.root / "home").mkdir(parents=True, exist_ok=True)
    (room.root / "home").chmod(0o755)
    for account in room.accounts:
        if _exists("passwd", account):
            if account not in _members(room.class_group):
                raise SystemExit(f"an account {account} exists that this classroom did not create; choose "
                                 "another prefix with CLASSROOM_NAME=...")
        else:
            run(["useradd", "--home-dir", room.home(account), "--create-home", "--shell", "/bin/bash",
                 "--gid", _primary_group(room, account), "--groups", room.class_group, account])
        room.home(account).chmod(0o700)
    room.hub.mkdir(parents=True, exist_ok=True)
    room.hub.chmod(0o700)
    if not room.passwords_file.exists():
        room.passwords_file.write_text(json.dumps(
            {account: secrets.token_urlsafe(12) for account in room.accounts}, indent=2))
        room.passwords_file.chmod(0o600)
    lines = "".join(f"{account}:{password}\n" for account, password in room.passwords().items())
    run(["chpasswd"], input=lines, text=True)


def remove_accounts(room: Classroom) -> None:
    for account in room.accounts:
        if _exists("passwd", account) and account in _members(room.class_group):
            run(["userdel", account])
    for group in (room.teachers_group, room.class_group):
        if _exists("group", group):
            run(["groupdel", group], check=False)


# 3. folders: public material, the instructor's course, the exchange ------------------------------

def _copy_tree(source: Path, target: Path) -> None:
    shutil.copytree(source, target, dirs_exist_ok=True,
                    ignore=shutil.ignore_patterns(".ipynb_checkpoints", "__pycache__", "course"))


def lay_out_folders(room: Classroom) -> None:
    # What every learner may read: datasets (the course package finds them here) and the chapters.
    room.public.mkdir(parents=True, exist_ok=True)
    for part in ("datasets", "chapters"):
        _copy_tree(REPO / part, room.public / part)
    run(["chmod", "-R", "u=rwX,go=rX", room.public])

    # The instructor's nbgrader course: the same layout as the repository; teachers only.
    room.course.mkdir(parents=True, exist_ok=True)
    for part in ("solutions", "exercises", "grader", "datasets"):
        _copy_tree(REPO / part, room.course / part)
    shutil.copyfile(REPO / "nbgrader_config.py", room.course / "nbgrader_config.py")
    run(["chown", "-R", f"{room.instructor}:{room.teachers_group}", room.course])
    run(["chmod", "-R", "u=rwX,g=rwX,o=", room.course])
    run(["find", room.course, "-type", "d", "-exec", "chmod", "g+s", "{}", "+"])

    # nbgrader's exchange: everyone may enter the root; the course folder inside is the instructor's,
    # created by `nbgrader release_assignment` with nbgrader's own permissions.
    room.exchange.mkdir(parents=True, exist_ok=True)
    room.exchange.chmod(0o1777)

    for account in room.accounts:
        _write_user_settings(room, account)


def _write_user_settings(room: Classroom, account: str) -> None:
    """Per-account Jupyter settings: teachers get the Formgrader on their course, learners do not."""
    home = room.home(account)
    jupyter = home / ".jupyter"
    teacher = account in room.teachers
    files = {
        jupyter / "jupyter_server_config.json": {"ServerApp": {"jpserver_extensions": {
            "nbgrader.server_extensions.formgrader": teacher,
            "nbgrader.server_extensions.create_assignment": teacher,
        }}},
        jupyter / "labconfig" / "page_config.json": {"disabledExtensions": {
            "@jupyter/nbgrader:formgrader": not teacher,
            "@jupyter/nbgrader:create-assignment": not teacher,
            # the course-wide default hides the Assignment List where no exchange exists; here one does
            "@jupyter/nbgrader:assignment-list": False,
            "@jupyter/nbgrader:course-list": False,
        }},
    }
    for path, content in files.items():
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(json.dumps(content, indent=2) + "\n")
    if teacher:
        (jupyter / "nbgrader_config.py").write_text(
            "# The course this account teaches: its folders, and the PostgreSQL gradebook.\n"
            f"load_subconfig({str(room.course / 'nbgrader_config.py')!r})  # noqa: F821\n")
    else:
        link = home / "course-material"
        if not link.is_symlink():
            link.symlink_to(room.public)
    run(["chown", "-R", f"{account}:{_primary_group(room, account)}", jupyter])
    if not teacher:
        run(["chown", "-h", f"{account}:{_primary_group(room, account)}", home / "course-material"])


# 4. the PostgreSQL gradebook ----------------------------------------------------------------------

def _as_postgres(cmd: list, **kwargs) -> subprocess.CompletedProcess:
    return run(["setpriv", "--reuid=postgres", "--regid=postgres", "--init-groups", *cmd], **kwargs)


def _psql(room: Classroom, sql: str, database: str = "postgres") -> str:
    return _as_postgres([_postgres_bin() / "psql", "-h", room.pgsocket, "-d", database, "-v",
                         "ON_ERROR_STOP=1", "-qAt", "-c", sql], capture_output=True, text=True).stdout.strip()


def start_postgres(room: Classroom) -> None:
    pg = _postgres_bin()
    (room.root / "postgres").mkdir(parents=True, exist_ok=True)
    (room.root / "postgres").chmod(0o755)
    run(["chown", "postgres:postgres", room.root / "postgres"])
    room.pgsocket.mkdir(parents=True, exist_ok=True)
    run(["chown", "postgres:postgres", room.pgsocket])
    room.pgsocket.chmod(0o755)
    if not (room.pgdata / "PG_VERSION").exists():
        room.pgdata.mkdir(parents=True, exist_ok=True)
        run(["chown", "postgres:postgres", room.pgdata])
        _as_postgres([pg / "initdb", "-D", room.pgdata, "--auth-local=peer", "--auth-host=reject",
                      "--encoding=UTF8", "--locale=C.UTF-8"], capture_output=True)
        # Only the teachers' accounts, known by their login (peer), reach the gradebook; no TCP at all.
        (room.pgdata / "pg_hba.conf").write_text(
            "# TYPE  DATABASE  USER      METHOD\n"
            "local   all       postgres  peer\n"
            f"local   {DATABASE} +{room.name}_teachers peer\n")
    if _postgres_running(room):
        return
    options = f"-c listen_addresses='' -c unix_socket_directories='{room.pgsocket}'"
    _as_postgres([pg / "pg_ctl", "-D", room.pgdata, "-l", room.root / "postgres" / "server.log",
                  "-o", options, "-w", "-t", "60", "start"], capture_output=True)
    _create_gradebook_database(room)


def _postgres_running(room: Classroom) -> bool:
    pid = _postmaster_pid(room)
    return pid is not None and _alive(pid)


def _postmaster_pid(room: Classroom) -> int | None:
    pidfile = room.pgdata / "postmaster.pid"
    try:
        return int(pidfile.read_text().split()[0])
    except (OSError, ValueError, IndexError):
        return None


def _create_gradebook_database(room: Classroom) -> None:
    group = f"{room.name}_teachers"
    if not _psql(room, f"SELECT 1 FROM pg_roles WHERE rolname = '{group}'"):
        _psql(room, f'CREATE ROLE "{group}" NOLOGIN')
    for account in room.teachers:
        if not _psql(room, f"SELECT 1 FROM pg_roles WHERE rolname = '{account}'"):
            _psql(room, f'CREATE ROLE "{account}" LOGIN IN ROLE "{group}"')
    if not _psql(room, f"SELECT 1 FROM pg_database WHERE datname = '{DATABASE}'"):
        _psql(room, f'CREATE DATABASE {DATABASE} OWNER "{room.instructor}"')
    # The instructor creates nbgrader's tables; the grader may read and write every one of them.
    _psql(room, f'GRANT ALL ON SCHEMA public TO "{group}"', DATABASE)
    _psql(room, f'ALTER DEFAULT PRIVILEGES FOR ROLE "{room.instructor}" IN SCHEMA public '
                f'GRANT ALL ON TABLES TO "{group}"', DATABASE)
    _psql(room, f'ALTER DEFAULT PRIVILEGES FOR ROLE "{room.instructor}" IN SCHEMA public '
                f'GRANT ALL ON SEQUENCES TO "{group}"', DATABASE)
    # nbgrader's schema, with its alembic version, created once by the instructor.
    run_as(room, room.instructor, [room.env / "bin" / "python", "-c",
                                   "import os, warnings; warnings.simplefilter('ignore');"
                                   "from nbgrader.api import Gradebook;"
                                   "Gradebook(os.environ['MLOPS_COURSE_DB_URL']).close()"])


def stop_postgres(room: Classroom) -> None:
    if _postgres_running(room):
        _as_postgres([_postgres_bin() / "pg_ctl", "-D", room.pgdata, "-m", "fast", "-w", "stop"],
                     capture_output=True)


# 5. JupyterHub ----------------------------------------------------------------------------------

def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def _pid(path: Path) -> int | None:
    try:
        return int(path.read_text().strip())
    except (OSError, ValueError):
        return None


def hub_running(room: Classroom) -> bool:
    pid = _pid(room.hub / "jupyterhub.pid")
    return pid is not None and _alive(pid)


def start_hub(room: Classroom, proxy: Path) -> None:
    if hub_running(room):
        return
    settings = {
        "root": str(room.root), "port": room.port, "proxy": str(proxy), "env": str(room.env),
        "instructor": room.instructor, "grader": room.grader, "learners": room.learners,
        "course": str(room.course), "public": str(room.public),
        "user_environment": {account: room.environment_for(account) for account in room.accounts},
    }
    (room.hub / "settings.json").write_text(json.dumps(settings, indent=2))
    log = open(room.hub / "jupyterhub.log", "ab")
    env = {"PATH": f"{room.env / 'bin'}:{proxy.parent}:/usr/local/bin:/usr/bin:/bin", "LANG": "C.UTF-8",
           "CLASSROOM_SETTINGS": str(room.hub / "settings.json")}
    process = subprocess.Popen([room.env / "bin" / "jupyterhub", "-f", HERE / "jupyterhub_config.py"],
                               cwd=room.hub, env=env, stdout=log, stderr=subprocess.STDOUT,
                               stdin=subprocess.DEVNULL, start_new_session=True)
    (room.hub / "jupyterhub.pid").write_text(str(process.pid))
    deadline = time.monotonic() + 90
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise SystemExit(f"JupyterHub stopped at start-up; see {room.hub / 'jupyterhub.log'}")
        try:
            with urllib.request.urlopen(f"{room.url}/hub/api", timeout=5) as answer:
                if answer.status == 200:
                    return
        except (urllib.error.URLError, ConnectionError, TimeoutError):
            pass
        time.sleep(0.5)
    raise SystemExit(f"JupyterHub did not answer on {room.url} within 90 s; see {room.hub / 'jupyterhub.log'}")


def _account_processes(room: Classroom) -> list[int]:
    """Processes of the classroom's accounts (notebook servers, kernels), found by their owner's id."""
    uids = set()
    for account in room.accounts:
        entry = subprocess.run(["getent", "passwd", account], capture_output=True, text=True).stdout
        if entry:
            uids.add(int(entry.split(":")[2]))
    found = []
    for status in Path("/proc").glob("[0-9]*/status"):
        try:
            uid_line = next(line for line in status.read_text().splitlines() if line.startswith("Uid:"))
        except (OSError, StopIteration):
            continue
        if int(uid_line.split()[1]) in uids:
            found.append(int(status.parent.name))
    return found


def _stop(pids: list[int], grace: float = 10) -> None:
    for pid in pids:
        try:
            os.kill(pid, signal.SIGTERM)
        except ProcessLookupError:
            pass
    deadline = time.monotonic() + grace
    while time.monotonic() < deadline and any(_alive(p) for p in pids):
        time.sleep(0.2)
    for pid in pids:
        if _alive(pid):
            try:
                os.kill(pid, signal.SIGKILL)
            except ProcessLookupError:
                pass


def stop_hub(room: Classroom) -> None:
    hub = _pid(room.hub / "jupyterhub.pid")
    proxy = _pid(room.hub / "proxy.pid")
    if hub and _alive(hub):
        _stop([hub], grace=20)  # the hub stops the user servers and the proxy it started
    if proxy and _alive(proxy):
        _stop([proxy])
    _stop(_account_processes(room))
    for name in ("jupyterhub.pid", "proxy.pid"):
        (room.hub / name).unlink(missing_ok=True)


# commands ---------------------------------------------------------------------------------------

def up(room: Classroom) -> None:
    check_machine()
    room.root.mkdir(parents=True, exist_ok=True)
    room.root.chmod(0o755)
    build_environment(room)
    install_configuration(room)
    proxy = install_proxy()
    create_accounts(room)
    lay_out_folders(room)
    start_postgres(room)
    start_hub(room, proxy)
    status(room)


def status(room: Classroom) -> None:
    print(f"classroom {room.name} in {room.root}")
    print(f"  JupyterHub      {room.url}  ({'running' if hub_running(room) else 'stopped'})")
    print(f"  gradebook       {room.db_url}  ({'running' if _postgres_running(room) else 'stopped'})")
    print(f"  exchange        {room.exchange}")
    print(f"  instructor      {room.instructor} (course in {room.course})")
    print(f"  grader          {room.grader}")
    print(f"  learners        {', '.join(room.learners)}")
    if room.passwords_file.exists():
        print(f"  passwords       {room.passwords_file} (root only)")


def down(room: Classroom) -> None:
    if room.hub.exists():
        stop_hub(room)
    stop_postgres(room)
    print(f"classroom {room.name}: stopped")


def remove(room: Classroom, keep_environment: bool = False) -> None:
    down(room)
    remove_accounts(room)
    if room.root.exists():
        for child in room.root.iterdir():
            if not (keep_environment and child == room.env):
                shutil.rmtree(child) if child.is_dir() and not child.is_symlink() else child.unlink()
    print(f"classroom {room.name}: accounts and {room.root} removed")


def main(argv: list[str]) -> int:
    room = Classroom.from_environment()
    command = argv[0] if argv else "status"
    if command == "up":
        up(room)
    elif command == "down":
        down(room)
    elif command == "status":
        status(room)
    elif command == "remove":
        remove(room, keep_environment="--keep-environment" in argv)
    else:
        print(__doc__)
        return 2
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
