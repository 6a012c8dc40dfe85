"""The classroom in a real browser: a learner fetches, validates and submits; the instructor grades.

Uses the ``bias`` assignment, so that it does not meet the scripted term (``drift``). Screenshots of
every step are kept in build/classroom/.
"""

from __future__ import annotations

import json
import time

from selenium.webdriver.common.keys import Keys

from browser import chromium
from classroom import run_as

ASSIGNMENT = "bias"


def _login(browser, room, account: str):
    browser.driver.get(f"{room.url}/hub/login")
    browser.find("//input[@id='username_input']").send_keys(account)
    browser.find("//input[@id='password_input']").send_keys(room.passwords()[account])
    browser.shot("login")
    browser.click("//*[@id='login_submit']")


def _written_cell(room) -> str:
    import nbformat

    source = nbformat.read(room.course / "solutions" / ASSIGNMENT / f"{ASSIGNMENT}.ipynb", as_version=4)
    manual = [c.metadata["nbgrader"]["grade_id"] for c in source.cells
              if c.metadata.get("nbgrader", {}).get("grade") and c.cell_type == "markdown"]
    assert manual, f"{ASSIGNMENT} has no written answer to grade"
    return manual[-1]


def test_learner_fetches_validates_submits_and_instructor_grades(room, artefacts):
    tool = lambda name: str(room.env / "bin" / name)  # noqa: E731
    run_as(room, room.instructor, [tool("nbgrader"), "release_assignment", ASSIGNMENT], cwd=room.course)
    learner = room.learners[0]

    with chromium(artefacts, "hub-learner") as browser:
        _login(browser, room, learner)
        browser.wait_for_lab()
        browser.shot("lab")
        assert not browser.dialogs(), browser.dialogs()
        browser.menu("Nbgrader", "Assignment List")
        browser.text_appears("//div[@id='released_assignments_list']", ASSIGNMENT)
        browser.shot("assignment-list")
        browser.click("//div[@id='released_assignments_list']//button[normalize-space()='Fetch']")
        browser.text_appears("//div[@id='fetched_assignments_list']", ASSIGNMENT)
        browser.shot("fetched")
        browser.click("//div[@id='fetched_assignments_list']//a[contains(@class,'assignment-notebooks-link')]")
        browser.click(f"//div[@id='fetched_assignments_list']//div[contains(@class,'assignment-notebooks')]"
                      f"//a[normalize-space()='{ASSIGNMENT}']")
        browser.find("//div[contains(@class,'jp-NotebookPanel') and not(contains(@class,'lm-mod-hidden'))]"
                     "//*[contains(@class,'validate-button')]", 90)
        browser.shot("notebook")
        browser.click("//div[contains(@class,'jp-NotebookPanel') and not(contains(@class,'lm-mod-hidden'))]"
                     "//*[contains(@class,'validate-button')]")
        # the release has no answers yet: validation runs the visible tests and reports the failures
        browser.text_appears("//div[contains(@class,'jp-Dialog')]", "Validation Results", 180)
        browser.text_appears("//div[contains(@class,'jp-Dialog')]", "failed", 30)
        browser.shot("validated")
        browser.close_dialog()
        browser.click("//li[contains(@class,'lm-TabBar-tab')]//div[normalize-space()='Assignments']")
        browser.click("//div[@id='fetched_assignments_list']//button[normalize-space()='Submit']")
        browser.text_appears("//div[@id='submitted_assignments_list']", ASSIGNMENT, 90)
        browser.shot("submitted")

    # the instructor collects and autogrades on the command line, then grades the written answer
    run_as(room, room.instructor, [tool("nbgrader"), "collect", ASSIGNMENT], cwd=room.course)
    run_as(room, room.instructor, [tool("mlops-course"), "autograde", ASSIGNMENT], cwd=room.course)
    written = _written_cell(room)
    with chromium(artefacts, "hub-instructor") as browser:
        _login(browser, room, room.instructor)
        browser.wait_for_lab()
        browser.menu("Nbgrader", "Formgrader")
        browser.shot("formgrader")
        browser.driver.get(f"{room.url}/user/{room.instructor}/formgrader/gradebook/{ASSIGNMENT}/{ASSIGNMENT}")
        browser.text_appears("//table", "Submission #1", 60)
        browser.shot("submissions")
        browser.click("//table//a[contains(normalize-space(),'Submission #1')]")
        # the page fills its fields from the gradebook after loading: type only once it has done so
        for _ in range(3):
            score = browser.find(f"//input[@id='{written}' and contains(@class,'score')]", 90)
            browser.wait(lambda d: score.get_attribute("placeholder"), 60, "the grades never loaded")
            score.clear()
            score.send_keys("2", Keys.TAB)  # the Formgrader saves a score when its field changes
            if _manual_score(room, written, learner, wait=10) == 2:
                break
        browser.shot("graded")

    assert _manual_score(room, written, learner, wait=10) == 2, \
        "the grade typed in the Formgrader is not in the gradebook"


def _manual_score(room, cell: str, student: str, wait: float):
    """The manual score of one answer, read by the grader account; waits a little for a save to land."""
    check = (
        "import json, os, warnings; warnings.simplefilter('ignore');"
        "from nbgrader.api import Gradebook;"
        "gb = Gradebook(os.environ['MLOPS_COURSE_DB_URL']);"
        f"g = gb.find_grade({cell!r}, {ASSIGNMENT!r}, {ASSIGNMENT!r}, {student!r});"
        "print(json.dumps(g.manual_score)); gb.close()")
    deadline = time.monotonic() + wait
    while True:
        score = json.loads(run_as(room, room.grader, [str(room.env / "bin" / "python"), "-c", check]).stdout)
        if score is not None or time.monotonic() > deadline:
            return score
        time.sleep(0.5)
