"""The built site in a real browser: Debian's headless Chromium, driven by Playwright, against the site served
on loopback. Screenshots go to build/site-screenshots/ for a person to look at."""

from __future__ import annotations

import functools
import re
import shutil
import threading
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import nbformat
import pytest

ROOT = Path(__file__).resolve().parents[2]  # the course folder

CHROMIUM = Path("/usr/bin/chromium")
# Flags for a root container with no network but loopback: no sandbox, no GPU, no background connections.
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                 "--disable-background-networking", "--disable-component-update", "--disable-sync"]
SHOTS = ROOT / "build" / "site-screenshots"


class _QuietHandler(SimpleHTTPRequestHandler):
    def log_message(self, *args):  # keep the test output to failures
        pass


@pytest.fixture(scope="module")
def server(site_dir):
    handler = functools.partial(_QuietHandler, directory=str(site_dir))
    httpd = ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{httpd.server_address[1]}"
    httpd.shutdown()
    httpd.server_close()
    thread.join(timeout=10)


@pytest.fixture(scope="module")
def browser(tmp_path_factory):
    if not CHROMIUM.exists():
        pytest.fail(f"{CHROMIUM} is missing: install Debian's chromium with `make system`")
    from playwright.sync_api import sync_playwright

    profile = tmp_path_factory.mktemp("chromium-profile")
    with sync_playwright() as playwright:
        context = playwright.chromium.launch_persistent_context(
            str(profile), executable_path=str(CHROMIUM), headless=True, args=CHROMIUM_ARGS,
            viewport={"width": 1280, "height": 900})
        yield context
        context.close()


@pytest.fixture(scope="module")
def shots():
    if SHOTS.exists():
        shutil.rmtree(SHOTS)
    SHOTS.mkdir(parents=True)
    return SHOTS


def _chapter_with_most_plots() -> Path:
    def plots(path):
        notebook = nbformat.read(path, as_version=4)
        return sum("image/png" in o.get("data", {}) for c in notebook.cells for o in c.get("outputs", []))
    return max(sorted((ROOT / "chapters").glob("[0-9][0-9]-*.ipynb")), key=plots)


def _broken_images(page) -> list[str]:
    return page.eval_on_selector_all(
        "article img", "imgs => imgs.filter(i => !(i.complete && i.naturalWidth > 0)).map(i => i.src)")


def test_the_landing_page_opens_and_leads_to_a_chapter_with_plots(server, browser, shots):
    page = browser.new_page()
    failed = []
    page.on("requestfailed", lambda request: failed.append(request.url))
    page.goto(f"{server}/index.html")
    assert page.locator("article h1").first.is_visible()
    page.screenshot(path=str(shots / "landing.png"))

    chapter = _chapter_with_most_plots()
    page.locator(f"article a[href^='chapters/{chapter.stem}.html']").first.click()
    page.wait_for_url(f"**/chapters/{chapter.stem}.html")
    page.wait_for_load_state("load")
    assert page.locator("article img").count() >= 1, f"{chapter.name}: no plot on its page"
    assert _broken_images(page) == []
    page.screenshot(path=str(shots / "chapter-top.png"))
    images = page.locator("article img")
    plot = images.nth(images.count() // 2)  # a plot from the middle of the lesson
    plot.scroll_into_view_if_needed()
    page.evaluate("window.scrollBy(0, -120)")  # keep the sticky header off the plot
    page.screenshot(path=str(shots / "chapter-plot.png"))
    assert failed == [], f"requests that failed: {failed}"
    page.close()


def test_a_knowledge_check_reveals_its_answer_only_on_a_click(server, browser, shots):
    chapters = sorted((ROOT / "chapters").glob("[0-9][0-9]-*.ipynb"))
    from course_site.notebooks import knowledge_check_id

    with_checks = [c for c in chapters if any(knowledge_check_id(cell.source) for cell in nbformat.read(
        c, as_version=4).cells if cell.cell_type == "code")]
    if not with_checks:
        pytest.skip("no chapter has a knowledge check to click")
    page = browser.new_page()
    page.goto(f"{server}/chapters/{with_checks[0].stem}.html")
    check = page.locator("div.knowledge-check").first
    answer = check.locator("details .check-answer-body")
    check.scroll_into_view_if_needed()
    page.evaluate("window.scrollBy(0, -120)")
    assert check.locator("ol li").first.is_visible()
    assert not answer.is_visible(), "the answer is visible before the click"
    page.screenshot(path=str(shots / "check-closed.png"))
    check.locator("summary").click()
    assert answer.is_visible(), "a click on the summary does not reveal the answer"
    assert "Answer:" in answer.inner_text()
    page.screenshot(path=str(shots / "check-open.png"))
    page.close()


def test_the_search_page_finds_a_chapter(server, browser):
    from course_site.pages import chapter_title

    chapter = sorted((ROOT / "chapters").glob("[0-9][0-9]-*.ipynb"))[0]
    word = max(re.findall(r"[A-Za-z]+", chapter_title(chapter)), key=len)  # a word of the chapter's title
    page = browser.new_page()
    page.goto(f"{server}/search.html?q={word}")
    page.wait_for_selector("#search-results li", timeout=15_000)
    assert page.locator("#search-results li a[href*='chapters/']").count() >= 1
    page.close()
