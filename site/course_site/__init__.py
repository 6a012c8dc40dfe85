"""Builds the course website: the committed notebooks and documents of the repository, rendered by Sphinx
with MyST-NB into ``build/site/``, never executed.

One idea per module:

- ``links``       maps repository paths in Markdown links to the pages that show them on the site;
- ``notebooks``   prepares a chapter notebook for a static page (knowledge checks, widget outputs);
- ``pages``       writes every page's source (landing, chapters, assignments, datasets, guides) into a
                  staging folder, from the files the repository holds at build time;
- ``knowledge``   the Sphinx directive that renders a knowledge check with a click-to-reveal answer;
- ``secrets``     the solution and hidden-test texts that must never reach the site, and a scan for them;
- ``linkcheck``   every internal link and image of the built site resolves;
- ``build``       stages the sources, runs Sphinx with warnings as errors, then checks the result.

The builder lives outside the ``mlops_course`` package on purpose: learners never need it.
"""
