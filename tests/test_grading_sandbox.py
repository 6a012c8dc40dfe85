"""The grading sandbox (``mlops_course.grading.sandbox``): what the kernel is given, and the fallback.

The attacks themselves are graded through the real autograde in ``test_grading_attacks.py``; here are the
parts that must hold on every machine, with or without bubblewrap.
"""

import asyncio
from pathlib import Path

import pytest

from mlops_course.grading import sandbox
from mlops_course.instructor import autograde
from mlops_course.paths import course_root


def test_kernel_environment_is_an_allow_list(monkeypatch):
    monkeypatch.setenv("GRADER_API_TOKEN", "secret")
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", "secret")
    monkeypatch.setenv("OMP_NUM_THREADS", "1")
    for sandboxed in (True, False):
        env = sandbox.kernel_environment(sandboxed=sandboxed)
        assert "secret" not in env.values()
        assert env["OMP_NUM_THREADS"] == "1"
    assert sandbox.kernel_environment(sandboxed=True)["HOME"] == sandbox.HOME


def test_readable_paths_hold_the_environment_package_and_data_only():
    paths = sandbox.readable_paths()
    root = course_root()
    assert root not in paths, "the whole course folder (solutions, grader) must not be visible"
    for forbidden in ("solutions", "exercises", "grader", "tests"):
        assert not any(p == root / forbidden or root / forbidden in p.parents for p in paths), forbidden
    assert any((p / "mlops_course").is_dir() or p.name == "mlops_course" for p in paths)
    assert Path.home() not in paths


def test_bwrap_command_isolates_everything(tmp_path):
    connection = tmp_path / "inner.json"
    connection.write_text("{}")
    command = sandbox.bwrap_command(["python", "-m", "ipykernel_launcher", "-f", "/host/kernel.json"],
                                    "/host/kernel.json", connection, tmp_path, 5, 256, 16)
    text = " ".join(command)
    for flag in ("--unshare-all", "--unshare-user", "--die-with-parent", "--new-session", "--proc /proc"):
        assert flag in text
    assert "/host/kernel.json" not in command and sandbox.CONNECTION_FILE in command
    assert "--bind" not in command, "nothing of the host may be writable from inside"
    assert f"{tmp_path} {sandbox.SUBMISSION}" in text


def test_without_the_sandbox_auto_falls_back_and_required_refuses(monkeypatch):
    monkeypatch.setattr(sandbox, "availability", lambda: (False, "bubblewrap (bwrap) is not installed"))
    assert "WITHOUT the sandbox" in sandbox.missing_protection_warning()
    manager = sandbox.SandboxedKernelManager(mode="required")
    with pytest.raises(sandbox.SandboxUnavailable, match="not installed"):
        asyncio.run(manager._async_pre_start_kernel())
    refusal = autograde.sandbox_refusal(autograde.Options(sandbox="required"))
    assert refusal and "not installed" in refusal
    assert autograde.sandbox_refusal(autograde.Options(sandbox="auto")) is None


@pytest.mark.slow
def test_fallback_kernel_still_runs_code_with_a_clean_environment(monkeypatch, tmp_path):
    import nbformat
    from nbclient import NotebookClient

    monkeypatch.setattr(sandbox, "availability", lambda: (False, "no user namespaces"))
    monkeypatch.setenv("GRADER_API_TOKEN", "secret-value")
    nb = nbformat.v4.new_notebook()
    nb.cells = [nbformat.v4.new_code_cell("import os; print(sorted(os.environ.values()))")]
    NotebookClient(nb, timeout=60, kernel_manager_class=sandbox.SandboxedKernelManager,
                   resources={"metadata": {"path": str(tmp_path)}}).execute()
    printed = nb.cells[0].outputs[0].text
    assert "secret-value" not in printed


def test_warm_server_sandbox_has_the_kernels_files_and_nothing_writable(tmp_path):
    connection = tmp_path / "inner.json"
    connection.write_text("{}")
    cold = sandbox.bwrap_command(["python", "-m", "ipykernel_launcher", "-f", "/host/kernel.json"],
                                 "/host/kernel.json", connection, tmp_path, 5, 256, 16)
    server = sandbox.zygote_bwrap_command(5, 6, 256)
    for flag in ("--unshare-all", "--unshare-user", "--die-with-parent", "--new-session"):
        assert flag in server
    assert "--bind" not in server, "nothing of the host may be writable from inside"
    binds = lambda command: {command[i + 1] for i, arg in enumerate(command) if arg == "--ro-bind"}
    assert binds(server) == binds(cold) - {str(connection), str(tmp_path)}, "the same read-only files, no submission"
    assert server[server.index("--cap-add") + 1] == "ALL" and server[server.index("--uid") + 1] == "0", \
        "capabilities only inside its own user namespace, to give each kernel namespaces of its own"
