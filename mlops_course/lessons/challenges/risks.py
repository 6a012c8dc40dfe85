"""The risks of operating a machine-learning model, in numbers a business can act on.

Chapter 1 uses this module to turn the slide's risk list into something to compute with:

- the **taxonomy** of the slides (``RISKS``): business and financial risks (the model is not available,
  its prediction quality deteriorates, maintenance), governance risks (a prediction is completely off,
  possible bias) and (cyber) safety risks;
- a **likelihood x impact matrix** (``risk_register``, ``plot_risk_matrix`` and the interactive
  ``risk_matrix_explorer``), scored 1 to 5 on each axis;
- **availability arithmetic**: downtime per year for an availability level, components in a chain and a
  fallback, and the expected cost of downtime with and without a fallback;
- decisions turned into money with the lender's one set of economics (``loan_profit``, ``policy_summary``;
  the figures live in ``mlops_course.lender``);
- two **(cyber) safety** demonstrations: applicants overstating an unverified input
  (``decision_flip_share``) and poisoned training labels (``poison_labels``).

The money figures are illustrative assumptions for the course's synthetic lender, not market data.
"""

from __future__ import annotations

import io
import textwrap
from dataclasses import dataclass
from typing import Mapping, Sequence

import ipywidgets as widgets
import numpy as np
import pandas as pd

from mlops_course.data.credit_model import APPROVAL_THRESHOLD, approve, predict_default
from mlops_course.data.loans import TRAIN_MONTHS
from mlops_course.data.months import month_labels
from mlops_course.lender import ECONOMICS, Economics

# --------------------------------------------------------------------------------------------------------
# Skills: MLOps at the intersection of three disciplines
# --------------------------------------------------------------------------------------------------------

#: The lender's monthly work, placed where it needs machine learning (ML), data engineering (DE) and
#: software engineering (SE). Keys are the disciplines a task needs.
LENDER_TASKS: dict[frozenset[str], tuple[str, ...]] = {
    frozenset({"ML"}): ("choose features", "evaluate AUC"),
    frozenset({"DE"}): ("collect applications", "store history"),
    frozenset({"SE"}): ("loan app API", "access control"),
    frozenset({"ML", "DE"}): ("feature pipeline", "drift checks"),
    frozenset({"ML", "SE"}): ("model serving", "seeded training"),
    frozenset({"DE", "SE"}): ("data contracts",),
    frozenset({"ML", "DE", "SE"}): ("MLOps:", "retrain, test,", "deploy, monitor"),
}

_VENN_CENTRES = {"ML": (-0.6, 0.35), "DE": (0.6, 0.35), "SE": (0.0, -0.7)}
_VENN_NAMES = {"ML": "Machine learning", "DE": "Data engineering", "SE": "Software engineering"}
_VENN_COLOURS = {"ML": "#4c72b0", "DE": "#55a868", "SE": "#c44e52"}
# Where the text of each region goes (chosen by eye for circles of radius 1.1 at the centres above).
_VENN_TEXT = {
    frozenset({"ML"}): (-1.15, 0.75), frozenset({"DE"}): (1.15, 0.75), frozenset({"SE"}): (0.0, -1.3),
    frozenset({"ML", "DE"}): (0.0, 0.95), frozenset({"ML", "SE"}): (-0.85, -0.45),
    frozenset({"DE", "SE"}): (0.85, -0.45), frozenset({"ML", "DE", "SE"}): (0.0, 0.0),
}


def plot_mlops_venn(tasks: Mapping[frozenset[str], Sequence[str]] | None = None, ax=None):
    """Draw MLOps as the intersection of ML, data and software engineering, with tasks in each region."""
    import matplotlib.pyplot as plt
    from matplotlib.patches import Circle

    tasks = LENDER_TASKS if tasks is None else tasks
    if ax is None:
        _, ax = plt.subplots(figsize=(7, 6.5))
    for key, (x, y) in _VENN_CENTRES.items():
        ax.add_patch(Circle((x, y), 1.1, facecolor=_VENN_COLOURS[key], alpha=0.25, edgecolor=_VENN_COLOURS[key]))
    title_positions = {"ML": (-1.05, 1.6), "DE": (1.05, 1.6), "SE": (0.0, -1.95)}
    for key, (x, y) in title_positions.items():
        ax.text(x, y, _VENN_NAMES[key], ha="center", va="center", fontsize=11, fontweight="bold",
                color=_VENN_COLOURS[key])
    for region, lines in tasks.items():
        x, y = _VENN_TEXT[frozenset(region)]
        bold = len(region) == 3
        ax.text(x, y, "\n".join(lines), ha="center", va="center", fontsize=8.5,
                fontweight="bold" if bold else "normal")
    ax.set_xlim(-2.0, 2.0)
    ax.set_ylim(-2.15, 1.8)
    ax.set_aspect("equal")
    ax.axis("off")
    ax.set_title("MLOps sits where the three disciplines overlap")
    return ax


# --------------------------------------------------------------------------------------------------------
# Taxonomy
# --------------------------------------------------------------------------------------------------------

CATEGORIES = ("Business and financial", "Governance", "(Cyber) safety")


@dataclass(frozen=True)
class Risk:
    """One risk of operating a model, as the slides name it, with what it means for the lender."""

    key: str
    name: str
    category: str
    short: str
    on_the_loan_stream: str
    control: str


RISKS: tuple[Risk, ...] = (
    Risk(
        "not_available", "Application/model might not be available", "Business and financial", "Not available",
        "The scoring service is down: applications wait or go to a competitor.",
        "Availability target, alerting, a fallback decision rule, manual review.",
    ),
    Risk(
        "quality_deteriorating", "Prediction quality might deteriorate", "Business and financial",
        "Quality deteriorating",
        "From 2024-08 an economic shock changes who defaults; the model's AUC falls from about 0.81 to 0.69.",
        "Performance monitoring on labelled outcomes, drift monitoring, retraining.",
    ),
    Risk(
        "maintenance", "Maintenance risk", "Business and financial", "Maintenance",
        "An upstream system renames a category or changes units; the model keeps scoring, silently wrong.",
        "Data contracts, schema validation, versioned pipelines, owners for every dependency.",
    ),
    Risk(
        "completely_off", "Prediction might be completely off", "Governance", "Completely off",
        "In 2024-07 a broker sends loan amounts in cents; the model declines all 457 of its applicants.",
        "Input validation guardrails, range checks, human review of flagged cases.",
    ),
    Risk(
        "bias", "Possible bias", "Governance", "Bias",
        "The model approves 52.7% of women and 71.8% of men (2024-03): below the four-fifths screen.",
        "Fairness metrics per group, proxy analysis, documented mitigation and sign-off.",
    ),
    Risk(
        "cyber_safety", "(Cyber) safety risks", "(Cyber) safety", "(Cyber) safety",
        "Applicants overstate an unverified income; an insider relabels defaults as repaid before training.",
        "Verify inputs, protect and version training data, access control, monitor outputs.",
    ),
)

RISK_KEYS = tuple(risk.key for risk in RISKS)

#: The course's example assessment for the lender: (likelihood, impact), each from 1 (low) to 5 (high).
#: A judgement made for teaching, to be argued with -- not a measurement.
EXAMPLE_ASSESSMENT: dict[str, tuple[int, int]] = {
    "not_available": (3, 3),
    "quality_deteriorating": (4, 4),
    "maintenance": (4, 3),
    "completely_off": (2, 5),
    "bias": (3, 5),
    "cyber_safety": (2, 4),
}

#: Score bands of the 5 x 5 matrix (score = likelihood x impact); the course's convention.
LEVELS = (("low", 1, 4), ("medium", 5, 9), ("high", 10, 16), ("very high", 17, 25))


def _check_scale(value, name: str) -> int:
    if isinstance(value, bool) or not isinstance(value, (int, np.integer)) or not 1 <= value <= 5:
        raise ValueError(f"{name} must be a whole number from 1 to 5, got {value!r}")
    return int(value)


def risk_score(likelihood: int, impact: int) -> int:
    """Likelihood x impact, each on the 1-to-5 scale."""
    return _check_scale(likelihood, "likelihood") * _check_scale(impact, "impact")


def risk_level(score: int) -> str:
    """The band of a score: low (1-4), medium (5-9), high (10-16) or very high (17-25)."""
    for level, low, high in LEVELS:
        if low <= score <= high:
            return level
    raise ValueError(f"a risk score is between 1 and 25, got {score!r}")


def _validated(assessment: Mapping[str, tuple[int, int]] | None) -> dict[str, tuple[int, int]]:
    assessment = dict(EXAMPLE_ASSESSMENT if assessment is None else assessment)
    unknown = set(assessment) - set(RISK_KEYS)
    missing = set(RISK_KEYS) - set(assessment)
    if unknown or missing:
        raise ValueError(f"an assessment scores every risk {list(RISK_KEYS)}; unknown {sorted(unknown)}, "
                         f"missing {sorted(missing)}")
    for key, (likelihood, impact) in assessment.items():
        risk_score(likelihood, impact)  # validates both
    return assessment


def risk_register(assessment: Mapping[str, tuple[int, int]] | None = None) -> pd.DataFrame:
    """A risk register: one row per risk with its scores and level, the most severe first."""
    assessment = _validated(assessment)
    rows = []
    for risk in RISKS:
        likelihood, impact = assessment[risk.key]
        score = risk_score(likelihood, impact)
        rows.append({"category": risk.category, "risk": risk.short, "likelihood": likelihood,
                     "impact": impact, "score": score, "level": risk_level(score)})
    register = pd.DataFrame(rows)
    # A stable sort keeps the slide order among equal scores.
    return register.sort_values("score", ascending=False, kind="stable").reset_index(drop=True)


# --------------------------------------------------------------------------------------------------------
# The matrix as a picture, static and interactive
# --------------------------------------------------------------------------------------------------------

_LEVEL_COLOURS = {"low": "#d9f0d3", "medium": "#fee8a0", "high": "#fdae61", "very high": "#f46d43"}
_CATEGORY_MARKERS = {"Business and financial": "o", "Governance": "s", "(Cyber) safety": "^"}


def plot_risk_matrix(assessment: Mapping[str, tuple[int, int]] | None = None, ax=None, title: str | None = None):
    """Draw the 5 x 5 likelihood x impact matrix with every risk placed in its cell; return the axes."""
    import matplotlib.pyplot as plt
    from matplotlib.lines import Line2D
    from matplotlib.patches import Patch, Rectangle

    assessment = _validated(assessment)
    if ax is None:
        _, ax = plt.subplots(figsize=(9, 6))
    for likelihood in range(1, 6):
        for impact in range(1, 6):
            colour = _LEVEL_COLOURS[risk_level(likelihood * impact)]
            ax.add_patch(Rectangle((impact - 0.5, likelihood - 0.5), 1, 1, facecolor=colour, edgecolor="white"))
    # Risks that share a cell are spread vertically so that every label stays readable.
    cells: dict[tuple[int, int], list[Risk]] = {}
    for risk in RISKS:
        cells.setdefault(assessment[risk.key][::-1], []).append(risk)
    for (impact, likelihood), in_cell in cells.items():
        crowded = len(in_cell) > 2
        span = 0.8 if crowded else 0.6
        for i, risk in enumerate(in_cell):
            y = likelihood + span / 2 - span * (i + 0.5) / len(in_cell)
            ax.plot(impact - 0.38, y, marker=_CATEGORY_MARKERS[risk.category], color="black",
                    markersize=5 if crowded else 6)
            # Wrap long names to stay inside the cell, unless the cell is too crowded for two-line labels.
            label = risk.short if crowded else textwrap.fill(risk.short, 14)
            ax.text(impact - 0.3, y, label, va="center", ha="left", fontsize=7 if crowded else 8)
    ax.set_xlim(0.5, 5.5)
    ax.set_ylim(0.5, 5.5)
    ax.set_xticks(range(1, 6), ["1\nnegligible", "2\nminor", "3\nmoderate", "4\nmajor", "5\nsevere"])
    ax.set_yticks(range(1, 6), ["1 rare", "2 unlikely", "3 possible", "4 likely", "5 almost\ncertain"])
    ax.set_xlabel("impact")
    ax.set_ylabel("likelihood")
    ax.set_title(title or "Likelihood x impact of the risks of operating the credit model")
    handles = [Patch(facecolor=c, label=level) for level, c in _LEVEL_COLOURS.items()]
    handles += [Line2D([], [], marker=m, color="black", linestyle="", label=c) for c, m in _CATEGORY_MARKERS.items()]
    ax.legend(handles=handles, loc="upper left", bbox_to_anchor=(1.01, 1), fontsize=8, frameon=False)
    return ax


def _figure_png(assessment: Mapping[str, tuple[int, int]]) -> bytes:
    """Render the matrix to PNG bytes without showing it (for the interactive widget)."""
    from matplotlib.figure import Figure

    figure = Figure(figsize=(9, 6), dpi=72)
    plot_risk_matrix(assessment, ax=figure.add_subplot(), title="Your assessment")
    figure.tight_layout()
    buffer = io.BytesIO()
    figure.savefig(buffer, format="png")
    return buffer.getvalue()


def _ranking_text(assessment: Mapping[str, tuple[int, int]]) -> str:
    register = risk_register(assessment)
    lines = [f"{i + 1}. {row.risk}: {row.likelihood} x {row.impact} = {row.score} ({row.level})"
             for i, row in enumerate(register.itertuples())]
    return "\n".join(lines)


class RiskMatrixExplorer:
    """Pick a risk, move its likelihood and impact sliders, and see the matrix and the ranking change.

    The picture is an ``ipywidgets.Image`` re-rendered on every change, so nothing is printed while the
    notebook runs; the widget's plain-text form is a fixed description, so saved outputs stay the same.
    """

    def __init__(self, assessment: Mapping[str, tuple[int, int]] | None = None):
        self.assessment = _validated(assessment)
        self._risk = widgets.Dropdown(options=[(r.short, r.key) for r in RISKS], value=RISKS[0].key,
                                      description="Risk:")
        first = self.assessment[RISKS[0].key]
        self._likelihood = widgets.IntSlider(value=first[0], min=1, max=5, description="Likelihood:")
        self._impact = widgets.IntSlider(value=first[1], min=1, max=5, description="Impact:")
        self._image = widgets.Image(value=_figure_png(self.assessment), format="png", width=640)
        self._ranking = widgets.Textarea(value=_ranking_text(self.assessment), rows=6, disabled=True,
                                         layout=widgets.Layout(width="420px"))
        self._updating = False
        self._risk.observe(self._on_pick_risk, names="value")
        self._likelihood.observe(self._on_score, names="value")
        self._impact.observe(self._on_score, names="value")
        controls = widgets.HBox([widgets.VBox([self._risk, self._likelihood, self._impact]), self._ranking])
        self.widget = _PlainTextBox([controls, self._image], "Interactive risk matrix: pick a risk and move "
                                    "its sliders (needs a running kernel).")

    def set_scores(self, key: str, likelihood: int, impact: int) -> None:
        """Change one risk's scores (what the sliders do) and redraw."""
        risk_score(likelihood, impact)
        if key not in RISK_KEYS:
            raise ValueError(f"unknown risk {key!r}; use one of {list(RISK_KEYS)}")
        self.assessment[key] = (likelihood, impact)
        self._image.value = _figure_png(self.assessment)
        self._ranking.value = _ranking_text(self.assessment)

    def _on_pick_risk(self, change) -> None:
        likelihood, impact = self.assessment[change["new"]]
        # Show the picked risk's stored scores; moving the sliders here must not rescore anything.
        self._updating = True
        self._likelihood.value, self._impact.value = likelihood, impact
        self._updating = False

    def _on_score(self, _change) -> None:
        if self._updating:
            return
        self.set_scores(self._risk.value, self._likelihood.value, self._impact.value)


class _PlainTextBox(widgets.VBox):
    """A VBox whose plain-text form is a fixed sentence instead of the widget's changing repr."""

    def __init__(self, children, text: str):
        super().__init__(children)
        self._text = text

    def _repr_mimebundle_(self, **kwargs):
        bundle = super()._repr_mimebundle_(**kwargs)
        bundle["text/plain"] = self._text
        return bundle


def risk_matrix_explorer(assessment: Mapping[str, tuple[int, int]] | None = None) -> RiskMatrixExplorer:
    """Display the interactive matrix, starting from ``assessment`` (default: the course's example)."""
    from IPython.display import display

    explorer = RiskMatrixExplorer(assessment)
    display(explorer.widget)
    return explorer


# --------------------------------------------------------------------------------------------------------
# Availability and the cost of downtime
# --------------------------------------------------------------------------------------------------------

HOURS_PER_YEAR = 365 * 24


def _check_availability(availability: float) -> float:
    if not 0.0 <= availability <= 1.0:
        raise ValueError(f"availability is a share between 0 and 1 (99.9% is 0.999), got {availability!r}")
    return float(availability)


def downtime_hours(availability: float, period_hours: float = HOURS_PER_YEAR) -> float:
    """Expected hours without service in ``period_hours`` (default: a year of 8,760 hours)."""
    return (1.0 - _check_availability(availability)) * period_hours


def serial_availability(*availabilities: float) -> float:
    """Availability of a chain whose every link is needed (independent failures): the product."""
    if not availabilities:
        raise ValueError("give the availability of at least one component")
    return float(np.prod([_check_availability(a) for a in availabilities]))


def availability_with_fallback(primary: float, fallback: float) -> float:
    """Availability when a fallback takes over whenever the primary is down (independent failures)."""
    return 1.0 - (1.0 - _check_availability(primary)) * (1.0 - _check_availability(fallback))


def expected_cost(probability: float, cost: float) -> float:
    """Expected cost of an event: probability x cost."""
    if not 0.0 <= probability <= 1.0:
        raise ValueError(f"probability must be between 0 and 1, got {probability!r}")
    return probability * cost


def expected_downtime_cost(
    availability: float,
    requests_per_hour: float,
    value_per_request: float,
    fallback_keeps: float = 0.0,
    period_hours: float = HOURS_PER_YEAR,
) -> float:
    """Expected value lost to downtime in a period.

    Each request arriving while the model is down loses ``value_per_request``, except the share
    ``fallback_keeps`` (0 to 1) of that value that a fallback -- a simpler rule, manual review -- still earns.
    """
    if not 0.0 <= fallback_keeps <= 1.0:
        raise ValueError(f"fallback_keeps is the share of value a fallback keeps, 0 to 1, got {fallback_keeps!r}")
    lost_requests = downtime_hours(availability, period_hours) * requests_per_hour
    return lost_requests * value_per_request * (1.0 - fallback_keeps)


def availability_table(levels=(0.99, 0.995, 0.999, 0.9999), **cost_arguments) -> pd.DataFrame:
    """Downtime per year and per month for each availability level, plus the expected yearly cost of
    downtime without and with a fallback when ``requests_per_hour``, ``value_per_request`` and
    ``fallback_keeps`` are given."""
    rows = []
    for level in levels:
        row = {"availability": f"{level:.2%}", "downtime h/year": downtime_hours(level),
               "downtime min/month": downtime_hours(level, HOURS_PER_YEAR / 12) * 60}
        if cost_arguments:
            keeps = cost_arguments.get("fallback_keeps", 0.0)
            base = {k: v for k, v in cost_arguments.items() if k != "fallback_keeps"}
            row["cost without fallback"] = expected_downtime_cost(level, **base)
            row["cost with fallback"] = expected_downtime_cost(level, **base, fallback_keeps=keeps)
        rows.append(row)
    return pd.DataFrame(rows).set_index("availability")


# --------------------------------------------------------------------------------------------------------
# Loan economics: decisions into money
# --------------------------------------------------------------------------------------------------------


def loan_profit(approved, defaulted, economics: Economics = ECONOMICS) -> np.ndarray:
    """Euros earned by each decision under the lender's economics (``mlops_course.lender``).

    A repaid approved loan earns ``economics.gain_repaid``, a defaulted one loses ``economics.loss_default``,
    and a rejection costs ``economics.rejection_cost``.
    """
    return economics.value(approved, np.asarray(defaulted).astype(int))


def policy_summary(policies: Mapping[str, object], defaulted, economics: Economics = ECONOMICS) -> pd.DataFrame:
    """Compare approval policies by a statistical metric (accuracy) and by the money they earn.

    ``policies`` maps a name to the boolean approvals of that policy. Accuracy counts a rejection of a
    defaulter and an approval of a repayer as correct.
    """
    defaulted = np.asarray(defaulted).astype(int)
    rows = {}
    for name, approved in policies.items():
        approved = np.asarray(approved, dtype=bool)
        rows[name] = {
            "accuracy": float(np.mean(approved == (defaulted == 0))),
            "approval rate": float(approved.mean()),
            "default rate among approved": float(defaulted[approved].mean()) if approved.any() else float("nan"),
            "profit per application": float(loan_profit(approved, defaulted, economics).mean()),
        }
    return pd.DataFrame(rows).T


# --------------------------------------------------------------------------------------------------------
# (Cyber) safety demonstrations
# --------------------------------------------------------------------------------------------------------


def decision_flip_share(model, rejected: pd.DataFrame, feature: str, factors,
                        threshold: float = APPROVAL_THRESHOLD) -> pd.Series:
    """Share of rejected applications that the policy would approve if ``feature`` were multiplied by
    each factor (an applicant overstating or understating an unverified input)."""
    if rejected.empty:
        raise ValueError("no rejected applications given")
    if feature not in rejected.columns or not pd.api.types.is_numeric_dtype(rejected[feature]):
        raise ValueError(f"{feature!r} must be a numeric column of the applications")
    shares = {}
    for factor in factors:
        altered = rejected.copy()
        altered[feature] = rejected[feature] * factor
        shares[factor] = float(approve(predict_default(model, altered), threshold).mean())
    return pd.Series(shares, name=f"share approved after changing {feature}").rename_axis("factor")


def poison_labels(loans: pd.DataFrame, share: float, months=TRAIN_MONTHS, seed: int = 0) -> pd.DataFrame:
    """A copy of ``loans`` in which ``share`` of the recorded defaults of the training ``months`` are
    relabelled as repaid -- what an insider hiding bad loans, or a broken label feed, would do."""
    if not 0.0 <= share <= 1.0:
        raise ValueError(f"share must be between 0 and 1, got {share!r}")
    poisoned = loans.copy()
    in_months = month_labels(poisoned["month"]).isin(months)
    defaults = poisoned.index[in_months & (poisoned["default"] == 1)]
    if defaults.empty:
        raise ValueError(f"no recorded defaults in the months {tuple(months)}")
    rng = np.random.default_rng(seed)
    flipped = rng.choice(defaults, size=int(round(share * len(defaults))), replace=False)
    poisoned.loc[flipped, "default"] = 0
    return poisoned
