"""Headless Chromium from Debian, driven by selenium, as a learner or an instructor would use the course."""

from __future__ import annotations

import shutil
import tempfile
import time
from contextlib import contextmanager
from pathlib import Path

from selenium import webdriver
from selenium.common.exceptions import StaleElementReferenceException, WebDriverException
from selenium.webdriver.chrome.service import Service
from selenium.webdriver.common.by import By
from selenium.webdriver.support import expected_conditions as seen
from selenium.webdriver.support.ui import WebDriverWait

CHROMIUM = "/usr/bin/chromium"
CHROMEDRIVER = "/usr/bin/chromedriver"
# As root, in a machine without a display or a network beyond loopback (see the README's tests section).
FLAGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
         "--disable-background-networking", "--disable-component-update", "--disable-sync",
         "--disable-dev-shm-usage", "--window-size=1400,1000"]


class Browser:
    """One browser window; ``shot`` keeps a numbered screenshot of every step for people to look at."""

    def __init__(self, driver, artefacts: Path, prefix: str):
        self.driver = driver
        self.artefacts = artefacts
        self.prefix = prefix
        self.step = 0

    def shot(self, name: str) -> Path:
        self.step += 1
        path = self.artefacts / f"{self.prefix}-{self.step:02d}-{name}.png"
        self.driver.save_screenshot(str(path))
        return path

    def wait(self, condition, timeout: float = 60, message: str = ""):
        return WebDriverWait(self.driver, timeout, ignored_exceptions=[StaleElementReferenceException]).until(
            condition, message)

    def find(self, xpath: str, timeout: float = 60):
        return self.wait(seen.visibility_of_element_located((By.XPATH, xpath)), timeout,
                         f"nothing matched {xpath}")

    def click(self, xpath: str, timeout: float = 60):
        element = self.wait(seen.element_to_be_clickable((By.XPATH, xpath)), timeout, f"cannot click {xpath}")
        element.click()
        return element

    def text_appears(self, xpath: str, text: str, timeout: float = 60):
        self.wait(lambda d: any(text in e.text for e in d.find_elements(By.XPATH, xpath)), timeout,
                  f"{text!r} never appeared in {xpath}")

    # JupyterLab -------------------------------------------------------------------------------
    def wait_for_lab(self, timeout: float = 120):
        self.find("//div[@id='jp-main-dock-panel']", timeout)
        # the launcher or a restored tab means the application has finished starting
        self.wait(lambda d: d.find_elements(By.CSS_SELECTOR, ".lm-TabBar-tab"), timeout)
        time.sleep(1)

    def menu(self, top: str, item: str):
        self.click(f"//div[contains(@class,'lm-MenuBar-itemLabel') and normalize-space()='{top}']")
        self.click(f"//li[contains(@class,'lm-Menu-item')]//div[contains(@class,'lm-Menu-itemLabel') "
                   f"and normalize-space()='{item}']")

    def dialogs(self) -> list[str]:
        """Texts of the dialogs JupyterLab shows (error pop-ups, update offers, ...)."""
        return [d.text for d in self.driver.find_elements(By.CSS_SELECTOR, ".jp-Dialog")]

    def notifications(self) -> list[str]:
        return [t.text for t in self.driver.find_elements(By.CSS_SELECTOR, ".Toastify__toast")]

    def close_dialog(self):
        self.click("//div[contains(@class,'jp-Dialog')]//button[contains(@class,'jp-mod-accept')]")
        self.wait(lambda d: not d.find_elements(By.CSS_SELECTOR, ".jp-Dialog"), 30)


@contextmanager
def chromium(artefacts: Path, prefix: str):
    """A fresh headless Chromium with its own profile; stopped, with its profile removed, afterwards."""
    profile = tempfile.mkdtemp(prefix="chromium-profile-")
    options = webdriver.ChromeOptions()
    options.binary_location = CHROMIUM
    for flag in FLAGS + [f"--user-data-dir={profile}"]:
        options.add_argument(flag)
    service = Service(executable_path=CHROMEDRIVER, log_output=str(artefacts / f"{prefix}-chromedriver.log"))
    driver = webdriver.Chrome(options=options, service=service)
    driver.set_page_load_timeout(120)
    browser = Browser(driver, artefacts, prefix)
    try:
        yield browser
    except (AssertionError, WebDriverException):
        try:
            browser.shot("failure")
        except WebDriverException:
            pass
        raise
    finally:
        driver.quit()
        shutil.rmtree(profile, ignore_errors=True)
