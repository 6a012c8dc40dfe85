"""Sphinx directive ``{knowledge-check} <id>``: a knowledge check on a static page.

The live widget needs a kernel. On the site a check shows its question and options; the answer and the
explanation of every option sit in an HTML ``details`` element, closed until the reader clicks it. The
check comes from the course's bank (``get_check(id)`` of the module named by the ``knowledge_check_module``
setting), so the page says exactly what the notebook's widget says.
"""

from __future__ import annotations

import importlib
import string

from docutils import nodes
from docutils.statemachine import StringList
from sphinx.application import Sphinx
from sphinx.util.docutils import SphinxDirective

BANK = "mlops_course.lessons.knowledge_checks"


def _bank(module_name: str):
    try:
        return importlib.import_module(module_name)
    except ImportError as error:
        raise ValueError(f"cannot import the bank of knowledge checks {module_name!r}: {error}") from None


class KnowledgeCheckDirective(SphinxDirective):
    required_arguments = 1
    has_content = False

    def run(self) -> list[nodes.Node]:
        check_id = self.arguments[0]
        try:
            check = _bank(self.config.knowledge_check_module).get_check(check_id)
        except (KeyError, ValueError) as error:
            message = error.args[0] if error.args else str(error)
            raise self.error(f"knowledge check {check_id!r}: {message}") from None
        correct = [i for i, option in enumerate(check.options) if option.correct]
        if len(correct) != 1:
            raise self.error(f"knowledge check {check_id!r} has {len(correct)} correct options; it needs exactly one")
        letters = string.ascii_uppercase

        box = nodes.container(classes=["knowledge-check"], ids=[f"check-{check_id}"])
        box += nodes.rubric(text="Knowledge check")
        box += self._markdown(check.question)
        options = nodes.enumerated_list(enumtype="upperalpha", prefix="", suffix=".", classes=["check-options"])
        for option in check.options:
            item = nodes.list_item()
            item += self._markdown(option.text)
            options += item
        box += options

        answer = nodes.container(classes=["check-answer-body"])
        answer += self._markdown(f"**Answer: {letters[correct[0]]}.** {check.options[correct[0]].why}")
        for index, option in enumerate(check.options):
            if index != correct[0]:
                answer += self._markdown(f"*{letters[index]} is not the best answer:* {option.why}")
        box += nodes.raw("", '<details class="check-answer"><summary>Show the answer and why</summary>',
                         format="html")
        box += answer
        box += nodes.raw("", "</details>", format="html")
        return [box]

    def _markdown(self, text: str) -> nodes.container:
        holder = nodes.container()
        self.state.nested_parse(StringList(text.splitlines(), source=self.get_source_info()[0]),
                                self.content_offset, holder)
        return holder


def setup(app: Sphinx) -> dict:
    app.add_config_value("knowledge_check_module", BANK, "env")
    app.add_directive("knowledge-check", KnowledgeCheckDirective)
    return {"parallel_read_safe": True, "parallel_write_safe": True}
