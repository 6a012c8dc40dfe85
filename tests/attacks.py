"""A bank of attacks on the grader: what a learner who wants full marks without the work would try.

Each attack is the source of the first answer cell (``q1_missing_share``) of the fixture assignment; the
other answer is left as released, so an honest submission with these answers scores 0. The grader must give
every attack 0 autograded points or flag it for review, let no file appear outside its scratch space and no
process outlive the batch, and put nothing hidden or foreign into the feedback.

``{placeholders}`` are filled by the test: paths outside the sandbox, a secret in the grader's
environment, a port on loopback, and a marker that names the processes an attack leaves behind.
"""

STEAL_SOLUTIONS = '''
import glob, json, os
_marker = "### BEGIN " + "SOLUTION"
def _solutions():
    here, places = os.getcwd(), []
    for _ in range(6):
        here = os.path.dirname(here)
        places.append(here)
    places += [os.path.expanduser("~"), "/tmp", "/proc/1/cwd", {course!r}, {workdir!r}]
    for place in places:
        for path in glob.glob(os.path.join(place, "*", "**", "*.ipynb"), recursive=True)[:300]:
            try:
                cells = json.load(open(path))["cells"]
            except Exception:
                continue
            code = ["".join(c["source"]) for c in cells
                    if any(line.strip() == _marker for line in "".join(c["source"]).splitlines())]
            if code:
                return code
    return []
for _source in _solutions():
    try:
        exec(_source.replace("### BEGIN SOLUTION", "").replace("### END SOLUTION", ""), globals())
    except Exception:
        pass
'''

def attack_notebooks(released, places: dict) -> dict:
    """Every attack as a submission: the released notebook with the attack as its first answer."""
    import copy

    notebooks = {}
    for name, source in ATTACKS.items():
        nb = copy.deepcopy(released)
        cell = next(c for c in nb.cells if c.get("metadata", {}).get("nbgrader", {}).get("grade_id") == ANSWER)
        cell.source = source.format(**places)
        notebooks[name.replace("-", "")] = nb
    return notebooks


ANSWER = "q1_missing_share"

ATTACKS = {
    "steal-solutions": STEAL_SOLUTIONS,
    "input-transformer": 'get_ipython().input_transformers_post.append(lambda lines: ["pass\\n"])',
    "cleanup-transformer": 'get_ipython().input_transformers_cleanup.insert(0, lambda lines: ["1\\n"])',
    "ast-transformer": '''
import ast
class _NoChecks(ast.NodeTransformer):
    def visit_Assert(self, node):
        return ast.Pass()
    def visit_Expr(self, node):
        return ast.Pass()
get_ipython().ast_transformers.append(_NoChecks())
''',
    "custom-exception-handler": 'get_ipython().set_custom_exc((BaseException,), lambda *args, **kwargs: None)',
    "silent-traceback": '''
ip = get_ipython()
ip.showtraceback = lambda *args, **kwargs: None
ip._showtraceback = lambda *args, **kwargs: None
''',
    "patched-helpers": '''
import math, numpy.testing
math.isclose = lambda *args, **kwargs: True
numpy.testing.assert_allclose = lambda *args, **kwargs: None
def missing_share(values):
    return 0.0
class _Rates(dict):
    index = ["a", "b", "c"]
''',
    "obfuscated-patch": '''
_m = __import__("ma" + "th")
setattr(_m, "is" + "close", lambda *a, **k: True)
def missing_share(values):
    return 0.0
''',
    "replaced-builtins": '''
import builtins
builtins.isinstance = lambda *args: True
builtins.sorted = lambda items: ["a", "b", "c"]
''',
    "encoded-transformer": '''
import base64
exec(base64.b64decode(b"Z2V0X2lweXRob24oKS5pbnB1dF90cmFuc2Zvcm1lcnNfcG9zdC5hcHBlbmQobGFtYmRhIGxpbmVzOiBbInBhc3NcbiJdKQ=="))
''',
    "leak-hidden-tests": '''
get_ipython().events.register("pre_run_cell", lambda info: print(info.raw_cell))
get_ipython().events.register("post_run_cell", lambda result: print(result.info.raw_cell))
''',
    "list-other-notebooks": '''
import glob, os
for _place in ["..", "../..", "../../..", "/tmp", os.path.expanduser("~"), {workdir!r}, {course!r}]:
    print(_place, sorted(glob.glob(os.path.join(_place, "**", "*.ipynb"), recursive=True))[:50])
    try:
        print(_place, os.listdir(_place))
    except OSError as error:
        print(error)
''',
    "read-secrets": '''
import os
print(dict(os.environ))
for _pid in ["1", str(os.getppid()), "self"]:
    for _what in ["environ", "cmdline"]:
        try:
            print(_pid, _what, open(f"/proc/{{_pid}}/{{_what}}", "rb").read())
        except OSError as error:
            print(error)
try:
    print(os.listdir("/proc/1/cwd"), os.listdir(f"/proc/{{os.getppid()}}/cwd"))
except OSError as error:
    print(error)
''',
    "network": '''
import socket
for _host in ["127.0.0.1", "localhost"]:
    try:
        _s = socket.create_connection((_host, {port}), timeout=2)
        _s.sendall(b"hello from a submission")
        print("connected to", _host)
    except OSError as error:
        print("no connection:", error)
''',
    "outlive-grading": '''
import os, subprocess, sys
subprocess.Popen(["sleep", "600", {marker!r}], start_new_session=True)
if os.fork() == 0:
    if os.fork() == 0:
        os.setsid()
        os.execvp("sleep", ["sleep", "601", {marker!r}])
    os._exit(0)
''',
    "fork-bomb": '''
import os
for _ in range(2000):
    try:
        if os.fork() == 0:
            os.execvp("sleep", ["sleep", "600", {marker!r}])
    except OSError:
        break
''',
    "write-outside": '''
import os
for _path in [{home_file!r}, {course_file!r}, {workdir_file!r}, "/tmp/written-by-a-submission", "../../written-by-a-submission"]:
    try:
        with open(_path, "w") as handle:
            handle.write("written by a submission")
        print("wrote", _path)
    except OSError as error:
        print("could not write", _path, error)
''',
    "fill-the-disk": '''
with open("beside-the-notebook.bin", "wb") as handle:
    for _ in range(40):
        handle.write(b"\\0" * 2 ** 20)
''',
    "duck-typed-answer": '''
class _Anything(float):
    def __eq__(self, other):
        return True
    def __ne__(self, other):
        return False
    __hash__ = float.__hash__
def missing_share(values):
    return _Anything(0.25)
''',
}
