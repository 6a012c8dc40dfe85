"""Knowledge-check widget for the chapter notebooks: a scenario question with feedback on every option.

A chapter cell shows a check from the bank (``mlops_course.lessons.knowledge_checks``) by its id::

    knowledge_check("ch1-metric-alignment")

The widget shows the question as formatted text and every option as a full-width button holding the
option's whole text, wrapped between words. Clicking an option marks it and explains why it is right or
why it is wrong; a learner may try the other options to read their explanations too.

What a reader without a running kernel sees (GitHub, an HTML export, a diff, nbval's comparison) is the
widget's static fallback: the question and the options, never which option is correct and never the
explanations. The fallback is built from fixed strings only, so re-executing a notebook reproduces its
committed output exactly.
"""

from __future__ import annotations

import html
import re

import ipywidgets as widgets
from IPython.display import display

from mlops_course.lessons.knowledge_checks import KnowledgeCheck, get_check

#: Words wrap between words, never inside one; the button grows with its text instead of cutting it off.
_STYLE = """<style>
.mlops-kc-option.jupyter-button, .mlops-kc-option.widget-button {
  white-space: normal; overflow-wrap: normal; word-break: normal; hyphens: none;
  height: auto; min-height: 2.4em; text-align: left; line-height: 1.4; padding: 0.4em 0.8em;
  text-overflow: clip; overflow: visible;
}
</style>"""

STATIC_HINT = "Run the notebook and choose an option to get feedback."


#: Inline Markdown of the questions besides `code`: **strong** and *emphasis*.
_INLINE = [(re.compile(r"\*\*([^*]+)\*\*"), r"<strong>\1</strong>"),
           (re.compile(r"\*([^*]+)\*"), r"<em>\1</em>")]


def markdown_to_html(text: str) -> str:
    """Render a question's Markdown (paragraphs, `code`, **strong**, *emphasis*) to HTML.

    The bank uses only this small subset (a test keeps it so), which spares the course a Markdown library.
    """
    paragraphs = [p.strip() for p in re.split(r"\n\s*\n", text.strip()) if p.strip()]
    rendered = []
    for paragraph in paragraphs:
        # code spans first, so that stars inside code are left alone
        pieces = re.split(r"(`[^`]+`)", html.escape(paragraph, quote=False))
        out = []
        for piece in pieces:
            if piece.startswith("`") and piece.endswith("`") and len(piece) > 1:
                out.append(f"<code>{piece[1:-1]}</code>")
            else:
                for pattern, replacement in _INLINE:
                    piece = pattern.sub(replacement, piece)
                out.append(piece)
        rendered.append(f"<p>{''.join(out)}</p>")
    return "".join(rendered)


def static_text(check: KnowledgeCheck) -> str:
    """The plain-text fallback: the question and the options, nothing that tells the answer."""
    lines = ["Knowledge check", "", check.question, ""]
    lines += [f"- {option.text}" for option in check.options]
    lines += ["", STATIC_HINT]
    return "\n".join(lines)


def static_html(check: KnowledgeCheck) -> str:
    """The HTML fallback: the same content as :func:`static_text`, formatted."""
    items = "".join(f"<li>{html.escape(option.text)}</li>" for option in check.options)
    return (f'<div class="mlops-kc-static"><p><strong>Knowledge check</strong></p>'
            f"{markdown_to_html(check.question)}<ul>{items}</ul><p><em>{STATIC_HINT}</em></p></div>")


class StaticTextBox(widgets.VBox):
    """A VBox whose plain-text representation is ``static_text`` instead of the widget's repr.

    Front ends that cannot render widgets (static copies of a notebook) show that text; it is also what
    nbval compares, so it must not contain anything that changes between runs. The lesson modules use it
    for their interactive tools (risk matrix, self-assessment).
    """

    def __init__(self, children, static_text: str):
        if not isinstance(static_text, str) or not static_text.strip():
            raise ValueError("static_text must be a non-empty string")
        super().__init__(children)
        self._static_text = static_text

    def _repr_mimebundle_(self, **kwargs):
        bundle = super()._repr_mimebundle_(**kwargs)
        bundle["text/plain"] = self._static_text
        return bundle


class KnowledgeCheckWidget(widgets.VBox):
    """The live widget of one check: question, one button per option, and a feedback line.

    ``choose(index)`` is what a click on an option does; tests and other front ends call it directly.
    """

    def __init__(self, check: KnowledgeCheck):
        if not isinstance(check, KnowledgeCheck):
            raise TypeError(f"expected a KnowledgeCheck, got {type(check).__name__}; "
                            "use knowledge_check('<id>') to show a check from the bank")
        self.check = check
        self.feedback = ""
        self.solved = False
        self.tried: set[int] = set()
        self.question_html = widgets.HTML(
            f"<p><strong>Knowledge check</strong></p>{markdown_to_html(check.question)}")
        self.option_buttons = [self._option_button(i, option.text) for i, option in enumerate(check.options)]
        self.feedback_html = widgets.HTML(value="")
        super().__init__([widgets.HTML(_STYLE), self.question_html, *self.option_buttons, self.feedback_html],
                         layout=widgets.Layout(width="100%", max_width="52em"))

    def _option_button(self, index: int, text: str) -> widgets.Button:
        button = widgets.Button(description=text, layout=widgets.Layout(width="100%", height="auto"))
        button.add_class("mlops-kc-option")
        button.on_click(lambda _button, index=index: self.choose(index))
        return button

    def choose(self, index: int) -> str:
        """Pick option ``index`` (0-based), mark it, and return the feedback shown below the options."""
        if isinstance(index, bool) or not isinstance(index, int) or not 0 <= index < len(self.check.options):
            raise ValueError(f"choose an option index from 0 to {len(self.check.options) - 1}, got {index!r}")
        option = self.check.options[index]
        self.tried.add(index)
        if option.correct:
            self.solved = True
            self.feedback = f"Correct. {option.why}"
        else:
            again = "" if self.solved else " Try another option."
            self.feedback = f"Not this one. {option.why}{again}"
        self.option_buttons[index].button_style = "success" if option.correct else "danger"
        self.feedback_html.value = f"<p>{html.escape(self.feedback)}</p>"
        return self.feedback

    def _repr_mimebundle_(self, **kwargs):
        bundle = super()._repr_mimebundle_(**kwargs)
        bundle["text/plain"] = static_text(self.check)
        bundle["text/html"] = static_html(self.check)
        return bundle


def knowledge_check(check_id: str) -> None:
    """Display the knowledge check ``check_id`` from the bank.

    Returns ``None`` so that a cell ending with this call does not display the widget twice.
    """
    display(KnowledgeCheckWidget(get_check(check_id)))
