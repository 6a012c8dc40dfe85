"""The single-user course (`make lab`) in a real browser, started the "without make" way.

JupyterLab runs from the course environment with that environment *not* on PATH, a fresh home folder
(first start: no saved settings), on a copy of the course so that nothing in the repository changes.
Screenshots of every step are kept in build/classroom/.
"""

from __future__ import annotations

import os
import secrets
import shutil
import sqlite3
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest
from selenium.common.exceptions import TimeoutException
from selenium.webdriver.common.by import By

from browser import chromium
from conftest import _free_port_block

REPO = Path(__file__).resolve().parents[2]
VENV_BIN = Path(sys.executable).parent
CURRENT = "//div[contains(@class,'jp-NotebookPanel') and not(contains(@class,'lm-mod-hidden'))]"


@pytest.fixture(scope="module")
def lab(tmp_path_factory, artefacts):
    course = tmp_path_factory.mktemp("course")
    for part in ("chapters", "exercises", "solutions", "grader", "datasets"):
        shutil.copytree(REPO / part, course / part, ignore=shutil.ignore_patterns("course", ".ipynb_checkpoints"))
    shutil.copyfile(REPO / "nbgrader_config.py", course / "nbgrader_config.py")
    home = tmp_path_factory.mktemp("home")
    # every cell in the page, so that the browser finds a widget below the fold after Run All
    tracker = home / ".jupyter/lab/user-settings/@jupyterlab/notebook-extension/tracker.jupyterlab-settings"
    tracker.parent.mkdir(parents=True)
    tracker.write_text('{"windowingMode": "none"}')
    port, token = _free_port_block(1), secrets.token_hex(16)
    env = {"HOME": str(home), "PATH": "/usr/local/bin:/usr/bin:/bin", "LANG": "C.UTF-8",
           "MLOPS_COURSE_ROOT": str(course)}
    log = open(artefacts / "lab-server.log", "wb")
    server = subprocess.Popen(
        [VENV_BIN / "jupyter", "lab", "--no-browser", "--allow-root", "--ServerApp.ip=127.0.0.1",
         f"--ServerApp.port={port}", f"--IdentityProvider.token={token}", f"--ServerApp.root_dir={course}"],
        cwd=course, env=env, stdout=log, stderr=subprocess.STDOUT, start_new_session=True)
    url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 90
        while True:
            try:
                urllib.request.urlopen(f"{url}/api/status?token={token}", timeout=5)
                break
            except OSError:
                if server.poll() is not None or time.monotonic() > deadline:
                    raise RuntimeError(f"JupyterLab did not start; see {artefacts / 'lab-server.log'}")
                time.sleep(0.5)
        yield url, token, course
    finally:
        os.killpg(server.pid, 15)
        try:
            server.wait(timeout=30)
        except subprocess.TimeoutExpired:
            os.killpg(server.pid, 9)
            server.wait()
        log.close()


STATUS_BAR = "//div[contains(@class,'jp-StatusBar-Widget')]"


def _run_until_a_check_shows(browser, chapter_url: str):
    """Open the chapter, wait for its kernel, run every cell and return the first knowledge check's option.

    On a machine that has just been set up, the first kernel of a fresh JupyterLab profile can stay
    unconnected ("Unknown" in the status bar); the page is then opened once more, as a learner would.
    """
    for attempt in range(2):
        browser.driver.get(chapter_url)
        browser.wait_for_lab()
        try:
            browser.find("//h1[contains(normalize-space(.),'Lesson 1')]", 60)
            browser.text_appears(STATUS_BAR, "| Idle", 120)  # the kernel is connected before cells are queued
            browser.menu("Run", "Run All Cells")
            return browser.find("(//button[contains(@class,'mlops-kc-option')])[1]", 180)
        except TimeoutException:
            browser.shot(f"knowledge-check-attempt-{attempt + 1}")
            if attempt:
                raise


def test_lab_validate_knowledge_check_and_formgrader(lab, artefacts):
    url, token, course = lab
    with chromium(artefacts, "lab") as browser:
        browser.driver.get(f"{url}/lab/tree/exercises/drift/drift.ipynb?token={token}")
        browser.wait_for_lab()
        validate = f"{CURRENT}//*[contains(@class,'validate-button')]"
        browser.find(validate, 90)
        time.sleep(3)  # news and update offers arrive a moment after start
        browser.shot("lab-started")
        assert not browser.dialogs(), f"dialogs on start: {browser.dialogs()}"
        offers = [t for t in browser.notifications() if "news" in t.lower() or "newer version" in t.lower()]
        assert not offers, f"pop-ups on start: {offers}"

        # Validate on an exercise: the release has no answers, so the visible tests fail, with messages
        browser.click(validate)
        browser.text_appears("//div[contains(@class,'jp-Dialog')]", "Validation Results", 180)
        browser.text_appears("//div[contains(@class,'jp-Dialog')]", "failed", 30)
        browser.shot("validated")
        browser.close_dialog()

        # without an exchange there is no Assignment List to show errors; the Formgrader lists the course
        browser.click("//div[contains(@class,'lm-MenuBar-itemLabel') and normalize-space()='Nbgrader']")
        items = [e.text for e in browser.driver.find_elements(By.CSS_SELECTOR, ".lm-Menu-itemLabel")]
        assert "Formgrader" in items and "Assignment List" not in items, items
        browser.click("//li[contains(@class,'lm-Menu-item')]//div[normalize-space()='Formgrader']")
        frame = browser.find("//iframe[contains(@src,'formgrader')]", 60)
        browser.driver.switch_to.frame(frame)
        for assignment in ("bias", "drift", "operations"):
            browser.text_appears("//table", assignment, 60)
        page = browser.driver.find_element(By.TAG_NAME, "body").text
        assert "does not exist" not in page, "the Formgrader reports a missing exchange"
        browser.driver.switch_to.default_content()
        browser.shot("formgrader")

        # a chapter's knowledge check answers a click
        option = _run_until_a_check_shows(browser, f"{url}/lab/tree/chapters/01-business-challenges-and-risks.ipynb"
                                                   f"?token={token}")
        # a click is answered once the kernel has run every cell queued before it
        browser.text_appears("//div[contains(@class,'jp-StatusBar-Widget')]", "| Idle", 180)
        option.location_once_scrolled_into_view
        browser.shot("knowledge-check")
        option.click()
        browser.wait(lambda d: any(("Correct." in e.text or "Not this one." in e.text)
                                   for e in d.find_elements(By.CSS_SELECTOR, ".jp-OutputArea-output")), 60,
                     "the knowledge check did not answer the click")
        browser.shot("knowledge-check-answered")
        assert not [d for d in browser.dialogs() if "Error" in d], browser.dialogs()

    # the Formgrader created its gradebook properly, with nbgrader's schema version recorded
    gradebook = course / "grader" / "course" / "gradebook.db"
    with sqlite3.connect(gradebook) as db:
        versions = db.execute("SELECT version_num FROM alembic_version").fetchall()
    assert versions, "the gradebook has no alembic version: `nbgrader db upgrade` could not upgrade it"
