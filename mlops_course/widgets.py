"""Knowledge checks for the chapter notebooks: a multiple-choice question with immediate feedback.

Use in a notebook cell::

    from mlops_course.widgets import knowledge_check

    knowledge_check(
        "Which section decides the ML Test Score?",
        ["The average of the four", "The weakest of the four", "The strongest of the four"],
        correct=1,
        explanation="The final score is the minimum over the four sections.",
    )

The call prints the question and its lettered options as plain text, then shows one button per letter.
A click gives feedback at once: "Correct" with the explanation, or "Not quite" and a second try; after
the second wrong try the answer and the explanation are shown.

Why the plain text: a notebook read without a running kernel (on GitHub, in an HTML export, in a diff)
cannot show live widgets, and the chapters must still read well there. The printed question is that
static version; the widget's own plain-text fallback holds the answer and the explanation, so a static
copy shows them while a live notebook keeps them behind the buttons. Both texts are fixed strings, so the
committed outputs are reproduced exactly when the notebook is executed again.
"""

from __future__ import annotations

import html
import string
from collections.abc import Sequence

import ipywidgets as widgets
from IPython.display import display

#: Wrong tries allowed before the answer is shown.
MAX_TRIES = 2


def _letters(count: int) -> list[str]:
    return list(string.ascii_lowercase[:count])


def _correct_index(options: Sequence[str], correct: int | str) -> int:
    """Accept the correct option as a 0-based index or as the option's exact text."""
    if isinstance(correct, bool):  # bool is an int subclass; True would silently mean option b
        raise TypeError("correct must be an option index (int) or the option's text (str), not a bool")
    if isinstance(correct, int):
        if not 0 <= correct < len(options):
            raise ValueError(f"correct={correct} is not an option index; use 0 to {len(options) - 1}")
        return correct
    if isinstance(correct, str):
        if correct not in options:
            raise ValueError(f"correct={correct!r} is not one of the options {list(options)}")
        return list(options).index(correct)
    raise TypeError(f"correct must be an int index or the option text, got {type(correct).__name__}")


class StaticTextBox(widgets.VBox):
    """A VBox whose plain-text representation is ``static_text`` instead of the widget's repr.

    Front ends that cannot render widgets (static copies of a notebook) show that text; it is also what
    nbval compares, so it must not contain anything that changes between runs.
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


class KnowledgeCheck:
    """One multiple-choice question: its static text, its widget and the feedback logic.

    ``answer(choice)`` is what a click on a letter does; tests and non-widget front ends call it directly.
    ``widget`` is the container to display, ``buttons`` the letter buttons, ``feedback_html`` the feedback line.
    """

    def __init__(self, question: str, options: Sequence[str], correct: int | str, explanation: str):
        if not isinstance(question, str) or not question.strip():
            raise ValueError("question must be a non-empty string")
        options = list(options)
        if len(options) < 2:
            raise ValueError(f"a knowledge check needs at least two options, got {len(options)}")
        if len(options) > 26:
            raise ValueError("a knowledge check takes at most 26 options (one letter each)")
        if any(not isinstance(o, str) or not o.strip() for o in options):
            raise ValueError("every option must be a non-empty string")
        if len(set(options)) != len(options):
            raise ValueError("options must be different from each other")
        if not isinstance(explanation, str) or not explanation.strip():
            raise ValueError("explanation must be a non-empty string: learners need the why, not only the what")
        self.question = question.strip()
        self.options = options
        self.correct = _correct_index(options, correct)
        self.explanation = explanation.strip()
        self.letters = _letters(len(options))
        self.wrong_tries = 0
        self.feedback = ""
        self.solved = False
        self.buttons = widgets.ToggleButtons(
            options=[(letter, i) for i, letter in enumerate(self.letters)],
            value=None,
            description="Your answer:",
            style={"button_width": "3em", "description_width": "initial"},
        )
        self.feedback_html = widgets.HTML(value="")
        self.buttons.observe(self._on_pick, names="value")
        self.widget = StaticTextBox([self.buttons, self.feedback_html], self.answer_key())

    # -- texts -------------------------------------------------------------------------------------------
    def question_text(self) -> str:
        """The question and its lettered options, as printed above the widget."""
        lines = [f"Knowledge check: {self.question}"]
        lines += [f"  {letter}) {option}" for letter, option in zip(self.letters, self.options)]
        lines.append("Pick a letter below for feedback.")
        return "\n".join(lines)

    def answer_key(self) -> str:
        """The answer and the explanation, the widget's text for readers without a live kernel."""
        letter = self.letters[self.correct]
        return f"Answer: {letter}) {self.options[self.correct]}\n{self.explanation}"

    # -- behaviour ---------------------------------------------------------------------------------------
    def answer(self, choice: int | str) -> str:
        """Record a choice (a letter such as ``"b"`` or a 0-based index) and return the feedback text."""
        index = self._choice_index(choice)
        letter = self.letters[index]
        if index == self.correct:
            self.solved = True
            self.feedback = f"Correct: {letter}) {self.options[index]}. {self.explanation}"
        elif self.solved:
            self.feedback = f"You already found the answer ({self.letters[self.correct]}). {self.explanation}"
        else:
            self.wrong_tries += 1
            if self.wrong_tries < MAX_TRIES:
                self.feedback = (f"Not quite: {letter}) is not the best answer. "
                                 "Read the options again and try once more.")
            else:
                self.feedback = f"Not quite. {self.answer_key().replace(chr(10), ' ')}"
        self.feedback_html.value = f"<p>{html.escape(self.feedback)}</p>"
        return self.feedback

    def _choice_index(self, choice: int | str) -> int:
        if isinstance(choice, str) and choice.strip().lower() in self.letters:
            return self.letters.index(choice.strip().lower())
        if isinstance(choice, int) and not isinstance(choice, bool) and 0 <= choice < len(self.options):
            return choice
        raise ValueError(f"choice must be one of the letters {self.letters} or an index 0 to {len(self.options) - 1}")

    def _on_pick(self, change) -> None:
        if change["new"] is not None:
            self.answer(change["new"])

    def show(self) -> None:
        """Print the static question, then display the widget."""
        print(self.question_text())
        display(self.widget)


def knowledge_check(question: str, options: Sequence[str], correct: int | str, explanation: str) -> None:
    """Show a multiple-choice knowledge check with immediate feedback.

    ``correct`` is the 0-based index of the right option or its exact text. Returns ``None`` so that a
    cell ending with this call does not display the widget twice.
    """
    KnowledgeCheck(question, options, correct, explanation).show()
