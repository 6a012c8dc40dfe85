"""Sphinx configuration of the course website (see site/README.md). The page sources are staged into
build/site-src/ by course_site.build; this file stays here and is found with ``sphinx-build -c site``."""

import sys
from pathlib import Path

# Sphinx runs this file as a script; the builder's directive lives next to it, outside the course package.
sys.path.insert(0, str(Path(__file__).resolve().parent))

project = "MLOps for Business, chapter 3"
author = "The course authors"
copyright = "the course authors; code MIT, content CC BY 4.0"

extensions = ["myst_nb", "course_site.knowledge"]

# The notebooks are shown with the outputs they were committed with; nothing is executed.
nb_execution_mode = "off"
nb_merge_streams = True
myst_heading_anchors = 3
myst_enable_extensions = ["colon_fence"]

exclude_patterns = ["files/**", "manifest.json"]
templates_path = []

html_theme = "sphinx_book_theme"
html_title = "MLOps for Business, chapter 3"
html_static_path = [str(Path(__file__).resolve().parent / "_static")]
html_css_files = ["course.css"]
html_copy_source = False
html_show_sourcelink = False
html_last_updated_fmt = None
html_theme_options = {
    "home_page_in_toc": True,
    "use_download_button": False,
    "use_fullscreen_button": False,
    "use_repository_button": False,
    "show_toc_level": 2,
}
