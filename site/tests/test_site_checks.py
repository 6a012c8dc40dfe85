"""Links, images and secrets of the built site, and proof that each check finds what it looks for."""

from __future__ import annotations

import shutil
from pathlib import Path

from course_site import build, linkcheck, secrets

ROOT = Path(__file__).resolve().parents[2]  # the course folder

SOLUTIONS = sorted(ROOT.glob("solutions/*/*.ipynb"))


def test_every_internal_link_and_image_resolves_and_nothing_loads_from_the_internet(site_dir):
    found = linkcheck.problems(site_dir)
    assert found == [], "\n".join(found)


def test_the_site_has_pages_links_and_images_to_check(site_dir):
    pages = [p for p in site_dir.rglob("*.html") if p.relative_to(site_dir).parts[0] != "_static"]
    refs = [ref for page in pages for ref in linkcheck.references(page)]
    assert len(pages) >= 10
    assert sum(tag == "img" for tag, _, _ in refs) >= 1, "no image on the whole site"
    assert sum(tag == "a" and not target.startswith("http") for tag, target, _ in refs) >= 50


def test_the_link_checker_reports_broken_links_images_fragments_and_external_loads(tmp_path):
    (tmp_path / "sub").mkdir()
    (tmp_path / "ok.html").write_text('<p id="here">x</p>')
    (tmp_path / "sub" / "page.html").write_text(
        '<a href="../ok.html#here">fine</a> <a href="../ok.html#nowhere">bad fragment</a>'
        '<a href="../missing.html">missing</a> <img src="../gone.png">'
        '<a href="https://example.org/">followed, fine</a>'
        '<script src="https://cdn.example.org/x.js"></script> <a href="../../outside.html">outside</a>')
    found = "\n".join(linkcheck.problems(tmp_path))
    assert "nowhere" in found and "missing.html" in found and "gone.png" in found
    assert "cdn.example.org" in found and "outside.html" in found
    assert "https://example.org/" not in found and "#here" not in found
    assert len(linkcheck.problems(tmp_path)) == 5


def test_every_solution_notebook_gives_texts_to_search_for():
    found = secrets.forbidden_texts(ROOT)
    for notebook in SOLUTIONS:
        name = str(notebook.relative_to(ROOT))
        assert sum(secret.notebook == name for secret in found) >= 10, (
            f"{name}: hardly any solution or hidden-test text found; did the BEGIN/END markers change?")


def test_no_solution_or_hidden_test_text_is_on_the_site(site_dir):
    hits = secrets.scan(site_dir, secrets.forbidden_texts(ROOT))
    assert hits == [], "\n".join(f"{page}: {secret.notebook}: {secret.text!r}" for page, secret in hits[:20])


def test_the_scan_finds_a_solution_however_the_page_renders_it(tmp_path):
    found = secrets.forbidden_texts(ROOT)
    code = next(s for s in found if "=" in s.text and "(" in s.text)
    # Highlighted code: every token in its own span, as Pygments writes it.
    spans = "".join(f"<span class='n'>{token}</span> " for token in code.text.split())
    (tmp_path / "code.html").write_text(f"<pre>{spans}</pre>")
    # A model answer rendered from Markdown: emphasis marks gone, HTML entities in place.
    answer = next(s for s in found if "**" in s.text or len(s.text.split()) > 8)
    words = answer.text.replace("**", "").replace("&", "&amp;")
    (tmp_path / "answer.html").write_text(f"<p><strong>{words}</strong></p>")
    (tmp_path / "clean.html").write_text("<p>Nothing to see here.</p>")
    hits = {(page, secret.key) for page, secret in secrets.scan(tmp_path, [code, answer])}
    assert ("code.html", code.key) in hits
    assert ("answer.html", answer.key) in hits
    assert not any(page == "clean.html" for page, _ in hits)


def test_text_published_on_purpose_is_not_a_secret():
    public = secrets._public_text(ROOT)
    for secret in secrets.forbidden_texts(ROOT):
        assert secret.key not in public


def test_a_build_that_would_publish_a_solution_fails_and_names_it(tmp_path):
    course = tmp_path / "course"
    chapter = sorted((ROOT / "chapters").glob("[0-9][0-9]-*.ipynb"))[0]  # one chapter keeps it quick
    for path in [chapter, ROOT / "README.md", ROOT / "chapters" / "README.md", ROOT / "datasets" / "README.md",
                 *ROOT.glob("datasets/*/CARD.md"), *ROOT.glob("exercises/*/*.ipynb"), *ROOT.glob("solutions/*/*.ipynb")]:
        target = course / path.relative_to(ROOT)
        target.parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(path, target)
    leaked = next(s for s in secrets.forbidden_texts(ROOT) if "=" in s.text)
    card = sorted(course.glob("datasets/*/CARD.md"))[0]
    card.write_text(card.read_text(encoding="utf-8") + f"\n```python\n{leaked.text}\n```\n", encoding="utf-8")
    result = build.build(course, tmp_path / "site")
    assert not result.ok
    assert any(leaked.text in problem and card.parent.name in problem for problem in result.problems), (
        "\n".join(result.problems))
