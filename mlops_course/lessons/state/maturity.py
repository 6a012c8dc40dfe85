"""Lesson 3, "The state of MLOps today": the calculations behind the chapter, with their sources.

Four tools, each a few pure functions plus a plot:

1. **Maturity self-assessment** (``PRACTICES``, ``assess``, ``profile``, ``plot_assessment``,
   ``self_assessment``). Fifteen yes/no practices, each tied to the level at which it first appears in
   Google Cloud's "MLOps: Continuous delivery and automation pipelines in machine learning" (levels 0-2)
   and in Microsoft Azure's "Machine Learning operations maturity model" (levels 0-4). The questionnaire
   and the tie of each practice to a level are this course's reading of the two documents, not an
   official assessment by either company.
2. **ML Test Score** (``ML_TEST_SCORE_TESTS``, ``ml_test_score``): Breck et al., "The ML Test Score: A
   Rubric for ML Production Readiness and Technical Debt Reduction", IEEE Big Data 2017 -- 28 tests in
   four sections, half a point for a test run manually (with the results documented and distributed),
   one point when it runs automatically and repeatedly; the final score is the minimum of the four
   section sums.
3. **Build vs buy** (``decision_matrix``, ``weight_sensitivity``): a weighted decision matrix and how its
   verdict moves when one weight moves.
4. **Governance** (``GOVERNANCE_MAP``, ``governance_coverage``, ``lifecycle_evidence``): requirements of
   the EU AI Act (Regulation (EU) 2024/1689) for high-risk systems and the functions of the NIST AI RMF
   1.0, each mapped to the practices of the questionnaire that produce evidence for it. The mapping is the
   course's teaching aid, not legal advice and not an official crosswalk.

The level rule ("staircase"): a team is at level L when every practice of levels 1 to L is in place. A
practice of a higher level does not count until the levels below it are complete, because maturity
models describe foundations that later levels build on: automated retraining without versioned models
or validation gates is a faster way to ship an unchecked model, not a higher level.
"""

from __future__ import annotations

import html
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
from matplotlib.figure import Figure
from sklearn.metrics import roc_auc_score

from mlops_course.data.months import month_labels
from mlops_course.lender import MATURITY_ANSWERS, TEST_STATUSES

# ---------------------------------------------------------------------------------------------------------
# 1. Maturity self-assessment
# ---------------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Practice:
    """One yes/no question of the self-assessment.

    ``google_level`` / ``microsoft_level`` is the level of that framework at which the practice is first
    required, or ``None`` when the framework does not use it as a criterion.
    """

    key: str
    statement: str
    dimension: str
    google_level: int | None
    microsoft_level: int | None


@dataclass(frozen=True)
class Framework:
    key: str
    title: str
    level_names: tuple[str, ...]

    @property
    def max_level(self) -> int:
        return len(self.level_names) - 1


FRAMEWORKS = {
    "google": Framework(
        "google",
        "Google Cloud (levels 0-2)",
        ("Manual process", "ML pipeline automation", "CI/CD pipeline automation"),
    ),
    "microsoft": Framework(
        "microsoft",
        "Microsoft Azure (levels 0-4)",
        (
            "No MLOps",
            "DevOps but no MLOps",
            "Automated training",
            "Automated model deployment",
            "Full MLOps automated operations",
        ),
    ),
}

DIMENSIONS = ("People", "Data and features", "Training and tracking", "Release", "Monitoring")

# Sources per practice (G = Google guide, M = Microsoft model), in the documents' own terms:
PRACTICES: tuple[Practice, ...] = (
    # M1 "Version control for code"; Google level 0 already keeps notebooks in source control.
    Practice("code_versioned", "Code for data preparation, training and scoring is under version control.",
             "Training and tracking", None, 1),
    # M1 "Automated builds", "Automated tests for application code".
    Practice("app_ci", "The application that uses the model is built and unit-tested automatically.",
             "Release", None, 1),
    # M1 "Data pipeline gathers data automatically"; G1 data extraction is a step of the automated pipeline.
    Practice("data_pipeline", "Training data is gathered by an automated data pipeline, not by hand.",
             "Data and features", 1, 1),
    # M2 people: data scientists work with data engineers "to convert experimentation code into repeatable
    # scripts/jobs".
    Practice("collaboration_training",
             "Data scientists and data engineers turn experiment code together into repeatable jobs.",
             "People", None, 2),
    # M2 "Automated model training"; G1 "Rapid experiment" (orchestrated steps) and "Pipeline deployment".
    Practice("training_pipeline", "Training runs as one orchestrated, repeatable pipeline, without manual steps.",
             "Training and tracking", 1, 2),
    # M2 "Experiment results tracked", "Centralized tracking of model training performance";
    # G1 "Metadata management".
    Practice("experiment_tracking",
             "Every training run records its code version, data, parameters and metrics centrally.",
             "Training and tracking", 1, 2),
    # M2 "Both training code and resulting models are version controlled", "Model management";
    # G2 component "Model registry".
    Practice("model_registry", "Trained models are versioned in a model registry.",
             "Training and tracking", 2, 2),
    # M2 "scheduled or event-driven jobs for recurring training"; G1 "CT of the model in production".
    Practice("continuous_training",
             "The model is retrained automatically on fresh data (on a schedule or when new data arrives).",
             "Training and tracking", 1, 2),
    # G2 component "Feature store" (optional at G1); M2 technology "Adopt Managed Feature Store".
    Practice("feature_store",
             "Features are defined once and served identically for training and prediction (feature store).",
             "Data and features", 2, 2),
    # M3 people: software engineers work with data engineers "to automate model integration".
    Practice("collaboration_release",
             "Data, ML and software engineers automate the model's integration into the application together.",
             "People", None, 3),
    # M3 "Unit and integration tests for each model release", "Integrated A/B testing", "Automated tests
    # for all code"; G1 "Data and model validation".
    Practice("validation_gates",
             "Automated data and model validation gates decide whether a new model may be released.",
             "Release", 1, 3),
    # M3 "Automatic release", "Release managed by continuous delivery (CI/CD) pipeline";
    # G1 "Continuous delivery of models".
    Practice("automated_model_release", "A validated model is released to production automatically by a pipeline.",
             "Release", 1, 3),
    # G2 pipeline continuous integration and delivery. Microsoft's level 3 is about releasing models
    # automatically; its "automated tests for all code" is covered by validation_gates and app_ci, so a
    # pipeline whose own code is still deployed by hand can be at Microsoft level 3 or 4.
    Practice("pipeline_cicd",
             "Changes to the training pipeline itself are built, tested and deployed automatically (CI/CD).",
             "Release", 2, None),
    # M4 "Verbose, centralized metrics from deployed model"; G2 stage "Monitoring".
    Practice("production_monitoring",
             "Inputs, predictions and model quality in production are monitored centrally, with alerts.",
             "Monitoring", 2, 4),
    # M4 "Retraining triggered automatically based on production metrics".
    Practice("metric_triggered_retraining",
             "Drift or a drop in quality in production triggers retraining automatically.",
             "Monitoring", None, 4),
)

PRACTICE_KEYS = tuple(p.key for p in PRACTICES)
_BY_KEY = {p.key: p for p in PRACTICES}

#: The course's lender, answered from its practice history (``mlops_course.lender.MATURITY_ANSWERS``, where
#: each answer has its evidence): code is versioned and unit tested on every commit and the original
#: training re-runs nightly, but the model was trained once and never retrained, no registry holds it, it
#: was validated by hand, and nobody monitors its quality in production.
EXAMPLE_ANSWERS: dict[str, bool] = {key: answer for key, (answer, _evidence) in MATURITY_ANSWERS.items()}


@dataclass(frozen=True)
class LevelResult:
    """The level a team reaches in one framework, and what stands between it and the next level."""

    framework: str
    level: int
    level_name: str
    max_level: int
    missing_for_next: tuple[str, ...]  # practice keys still missing for level + 1 (empty at the top)
    in_place_above: tuple[str, ...]  # practices in place that belong to levels above the one reached


def validate_answers(answers: Mapping[str, bool]) -> dict[str, bool]:
    """Check that ``answers`` gives a True/False for every practice and nothing else; return a plain dict.

    An incomplete questionnaire is an error rather than "no": a missing answer silently counted as "no"
    would lower the level without anyone noticing.
    """
    if not isinstance(answers, Mapping):
        raise TypeError(f"answers must be a mapping of practice key to True/False, got {type(answers).__name__}")
    unknown = sorted(set(answers) - set(PRACTICE_KEYS))
    if unknown:
        raise KeyError(f"unknown practice keys {unknown}; valid keys: {list(PRACTICE_KEYS)}")
    missing = [key for key in PRACTICE_KEYS if key not in answers]
    if missing:
        raise KeyError(f"no answer for {missing}; answer every practice with True or False")
    not_bool = [key for key, value in answers.items() if not isinstance(value, (bool, np.bool_))]
    if not_bool:
        raise TypeError(f"answers must be True or False; {not_bool} are not")
    return {key: bool(answers[key]) for key in PRACTICE_KEYS}


def _level_of(practice: Practice, framework: str) -> int | None:
    return practice.google_level if framework == "google" else practice.microsoft_level


def _framework(framework: str) -> Framework:
    if framework not in FRAMEWORKS:
        raise ValueError(f"framework must be one of {list(FRAMEWORKS)}, got {framework!r}")
    return FRAMEWORKS[framework]


def practices_of_level(framework: str, level: int) -> tuple[str, ...]:
    """The practice keys that a framework first requires at ``level`` (1 and above)."""
    _framework(framework)
    return tuple(p.key for p in PRACTICES if _level_of(p, framework) == level)


def maturity_level(answers: Mapping[str, bool], framework: str) -> LevelResult:
    """Apply the staircase rule: the highest level whose practices, and those of all lower levels, are in place."""
    spec = _framework(framework)
    answers = validate_answers(answers)
    level = 0
    for candidate in range(1, spec.max_level + 1):
        if not all(answers[key] for key in practices_of_level(framework, candidate)):
            break
        level = candidate
    missing = () if level == spec.max_level else tuple(
        key for key in practices_of_level(framework, level + 1) if not answers[key]
    )
    above = tuple(
        p.key for p in PRACTICES if answers[p.key] and (_level_of(p, framework) or 0) > level
    )
    return LevelResult(framework, level, spec.level_names[level], spec.max_level, missing, above)


def assess(answers: Mapping[str, bool]) -> dict[str, LevelResult]:
    """The level in both frameworks, keyed ``"google"`` and ``"microsoft"``."""
    return {name: maturity_level(answers, name) for name in FRAMEWORKS}


def practices_table() -> pd.DataFrame:
    """The questionnaire as a table: statement, dimension and the level at which each framework asks for it."""
    rows = [
        {"practice": p.key, "statement": p.statement, "dimension": p.dimension,
         "Google level": p.google_level, "Microsoft level": p.microsoft_level}
        for p in PRACTICES
    ]
    table = pd.DataFrame(rows).set_index("practice")
    for column in ("Google level", "Microsoft level"):
        table[column] = table[column].astype("Int64")  # keeps "not a criterion" as <NA>, not as 0 or NaN
    return table


def profile(answers: Mapping[str, bool]) -> pd.Series:
    """Share of the practices in place in each dimension (0 to 1), in the order of ``DIMENSIONS``."""
    answers = validate_answers(answers)
    frame = pd.DataFrame({"dimension": [p.dimension for p in PRACTICES], "done": [answers[k] for k in PRACTICE_KEYS]})
    shares = frame.groupby("dimension")["done"].mean().reindex(list(DIMENSIONS))
    shares.name = "share in place"
    return shares


def _dimension_counts(answers: Mapping[str, bool]) -> dict[str, tuple[int, int]]:
    answers = validate_answers(answers)
    return {d: (sum(answers[p.key] for p in PRACTICES if p.dimension == d),
                sum(p.dimension == d for p in PRACTICES)) for d in DIMENSIONS}


def level_progress(answers: Mapping[str, bool]) -> pd.DataFrame:
    """For every level of both frameworks: how many of its own practices are in place."""
    answers = validate_answers(answers)
    rows = []
    for name, spec in FRAMEWORKS.items():
        for level in range(1, spec.max_level + 1):
            keys = practices_of_level(name, level)
            done = sum(answers[k] for k in keys)
            rows.append({"framework": name, "level": level, "name": spec.level_names[level],
                         "in place": done, "of": len(keys), "share": done / len(keys)})
    return pd.DataFrame(rows)


def describe_assessment(answers: Mapping[str, bool]) -> str:
    """A short plain-text report of both levels and the next steps."""
    lines = []
    for name, result in assess(answers).items():
        spec = FRAMEWORKS[name]
        lines.append(f"{spec.title}: level {result.level}, '{result.level_name}'.")
        if result.missing_for_next:
            lines.append(f"  Missing for level {result.level + 1}: {', '.join(result.missing_for_next)}.")
        else:
            lines.append("  Top level reached.")
        if result.in_place_above:
            lines.append(f"  Already in place for higher levels: {', '.join(result.in_place_above)}.")
    return "\n".join(lines)


def plot_assessment(answers: Mapping[str, bool], figsize: tuple[float, float] = (11, 3.8)) -> Figure:
    """Two panels: the profile by dimension, and the share of each level's practices in place."""
    shares = profile(answers)
    progress = level_progress(answers)
    results = assess(answers)
    counts = _dimension_counts(answers)
    fig, (left, right) = plt.subplots(1, 2, figsize=figsize, gridspec_kw={"width_ratios": [1, 1.2]})
    left.barh(shares.index[::-1], [1.0] * len(shares), color="#EEEEEE")  # the full bar: what 100% looks like
    left.barh(shares.index[::-1], shares.values[::-1], color="#4C72B0")
    for y, dimension in enumerate(shares.index[::-1]):
        done, total = counts[dimension]
        left.text(0.02, y, f"{done} of {total}", va="center", fontsize=8)
    left.set_xlim(0, 1)
    left.set_xlabel("share of the dimension's practices in place")
    left.set_title("Profile by dimension")
    labels = [f"{'G' if f == 'google' else 'M'}{lvl}" for f, lvl in zip(progress["framework"], progress["level"])]
    reached = [lvl <= results[f].level for f, lvl in zip(progress["framework"], progress["level"])]
    colours = ["#55A868" if ok else "#DD8452" for ok in reached]
    right.bar(labels, progress["share"], color=colours)
    for x, (done, total) in enumerate(zip(progress["in place"], progress["of"])):
        right.text(x, done / total + 0.02, f"{done} of {total}", ha="center", fontsize=8)
    right.axhline(1.0, color="grey", linestyle="--", linewidth=1)
    right.set_ylim(0, 1.1)
    right.set_ylabel("share of the level's practices in place")
    right.set_title(f"Google level {results['google'].level}, Microsoft level {results['microsoft'].level} "
                    "(green = level reached)")
    fig.tight_layout()
    return fig


class SelfAssessment:
    """The interactive questionnaire: one checkbox per practice, a button, and the result below.

    ``widget`` is the ipywidgets container; ``compute()`` is what the button does (tests call it).
    """

    def __init__(self, initial: Mapping[str, bool] | None = None):
        import ipywidgets as widgets

        from mlops_course.widgets import StaticTextBox

        initial = validate_answers(initial) if initial is not None else dict.fromkeys(PRACTICE_KEYS, False)
        layout = widgets.Layout(width="95%")
        self.checkboxes = {
            p.key: widgets.Checkbox(value=initial[p.key], description=f"[{p.dimension}] {p.statement}",
                                    indent=False, layout=layout)
            for p in PRACTICES
        }
        self.button = widgets.Button(description="Compute my level", button_style="primary")
        self.result = widgets.HTML(value="")
        self.plot_area = widgets.Output()
        self.button.on_click(lambda _: self.compute())
        children = [*self.checkboxes.values(), self.button, self.result, self.plot_area]
        static = (f"[Interactive questionnaire: {len(PRACTICES)} checkboxes and a 'Compute my level' button; "
                  "it needs a running notebook.]")
        self.widget = StaticTextBox(children, static)

    def answers(self) -> dict[str, bool]:
        return {key: box.value for key, box in self.checkboxes.items()}

    def compute(self) -> str:
        """Score the ticked practices, show the report and the plot, and return the report."""
        report = describe_assessment(self.answers())
        self.result.value = f"<pre>{html.escape(report)}</pre>"
        fig = plot_assessment(self.answers())
        # Set the output area's content from the kernel side, so the plot appears in any front end.
        self.plot_area.outputs = ()
        self.plot_area.append_display_data(fig)
        plt.close(fig)  # shown once in the output area; closing it stops a second copy below the cell
        return report


def self_assessment() -> None:
    """Print how to use the questionnaire, then display it (all boxes unticked)."""
    from IPython.display import display

    print("Self-assessment: tick every practice your team has in place for one production model, then press "
          "'Compute my level'.\nIn a static copy of this notebook the boxes do nothing; the worked example "
          "above shows what the result looks like.")
    display(SelfAssessment().widget)


# ---------------------------------------------------------------------------------------------------------
# 2. ML Test Score (Breck et al., IEEE Big Data 2017, Tables I-V)
# ---------------------------------------------------------------------------------------------------------

ML_TEST_SCORE_SECTIONS = ("data", "model", "infrastructure", "monitoring")

#: The 28 tests in the paper's order (short titles of Tables I to IV).
ML_TEST_SCORE_TESTS: dict[str, tuple[str, ...]] = {
    "data": (
        "Feature expectations are captured in a schema",
        "All features are beneficial",
        "No feature's cost is too much",
        "Features adhere to meta-level requirements",
        "The data pipeline has appropriate privacy controls",
        "New features can be added quickly",
        "All input feature code is tested",
    ),
    "model": (
        "Model specs are reviewed and submitted",
        "Offline and online metrics correlate",
        "All hyperparameters have been tuned",
        "The impact of model staleness is known",
        "A simpler model is not better",
        "Model quality is sufficient on important data slices",
        "The model is tested for considerations of inclusion",
    ),
    "infrastructure": (
        "Training is reproducible",
        "Model specs are unit tested",
        "The ML pipeline is integration tested",
        "Model quality is validated before serving",
        "The model is debuggable",
        "Models are canaried before serving",
        "Serving models can be rolled back",
    ),
    "monitoring": (
        "Dependency changes result in notification",
        "Data invariants hold for inputs",
        "Training and serving are not skewed",
        "Models are not too stale",
        "Models are numerically stable",
        "Computing performance has not regressed",
        "Prediction quality has not regressed",
    ),
}

#: Points per test: manual means run by hand with the results documented and distributed; automated
#: means a system runs it automatically on a repeated basis.
TEST_POINTS = {"not done": 0.0, "manual": 0.5, "automated": 1.0}

#: Table V of the paper: upper bound of each score band and its reading (the paper's wording, shortened).
_SCORE_BANDS = (
    (0.0, "More of a research project than a productionized system."),
    (1.0, "Not totally untested, but it is worth considering the possibility of serious holes in reliability."),
    (2.0, "There's been first pass at basic productionization, but additional investment may be needed."),
    (3.0, "Reasonably tested, but it's possible that more of those tests and procedures may be automated."),
    (5.0, "Strong levels of automated testing and monitoring, appropriate for mission-critical systems."),
    (np.inf, "Exceptional levels of automated testing and monitoring."),
)

#: The lender's statuses, test by test in the order of ``ML_TEST_SCORE_TESTS``, from its audit in
#: ``mlops_course.lender.TEST_AUDIT`` (hyperparameters never tuned, validation once by hand, inputs
#: summarised by hand monthly, prediction quality never compared).
EXAMPLE_TEST_STATUSES: dict[str, tuple[str, ...]] = {section: tuple(statuses)
                                                     for section, statuses in TEST_STATUSES.items()}


@dataclass(frozen=True)
class MLTestScore:
    section_scores: pd.Series  # points per section, 0 to 7
    final: float  # the minimum of the section scores
    weakest: tuple[str, ...]  # the section(s) that set the final score
    meaning: str  # the paper's reading of the final score (Table V)


def validate_statuses(statuses: Mapping[str, Sequence[str]]) -> dict[str, tuple[str, ...]]:
    """Check one status per test ("not done", "manual" or "automated") for the four sections."""
    if not isinstance(statuses, Mapping):
        raise TypeError("statuses must map each section to a sequence of 7 statuses")
    if set(statuses) != set(ML_TEST_SCORE_SECTIONS):
        raise KeyError(f"statuses need exactly the sections {list(ML_TEST_SCORE_SECTIONS)}, got {sorted(statuses)}")
    clean = {}
    for section in ML_TEST_SCORE_SECTIONS:
        values = tuple(statuses[section])
        if len(values) != len(ML_TEST_SCORE_TESTS[section]):
            expected = len(ML_TEST_SCORE_TESTS[section])
            raise ValueError(f"section {section!r} has {expected} tests, got {len(values)} statuses")
        wrong = [v for v in values if v not in TEST_POINTS]
        if wrong:
            raise ValueError(f"unknown statuses {wrong} in {section!r}; use {list(TEST_POINTS)}")
        clean[section] = values
    return clean


def interpret_ml_test_score(score: float) -> str:
    """The paper's reading of a final score (Table V): 0, (0, 1], (1, 2], (2, 3], (3, 5], above 5."""
    if not 0 <= score <= 7:
        raise ValueError(f"an ML Test Score lies between 0 and 7, got {score}")
    for upper, meaning in _SCORE_BANDS:
        if score <= upper:
            return meaning
    raise AssertionError("unreachable: the last band has no upper bound")


def ml_test_score(statuses: Mapping[str, Sequence[str]]) -> MLTestScore:
    """Sum the points per section; the final score is the minimum over the four sections."""
    statuses = validate_statuses(statuses)
    sums = pd.Series({s: sum(TEST_POINTS[v] for v in statuses[s]) for s in ML_TEST_SCORE_SECTIONS}, name="points")
    final = float(sums.min())
    weakest = tuple(s for s in ML_TEST_SCORE_SECTIONS if sums[s] == final)
    return MLTestScore(sums, final, weakest, interpret_ml_test_score(final))


def ml_test_score_table(statuses: Mapping[str, Sequence[str]] | None = None) -> pd.DataFrame:
    """The 28 tests as a long table (section, number, test), with status and points when given."""
    rows = [{"section": s, "test no.": i + 1, "test": t}
            for s in ML_TEST_SCORE_SECTIONS for i, t in enumerate(ML_TEST_SCORE_TESTS[s])]
    table = pd.DataFrame(rows)
    if statuses is not None:
        clean = validate_statuses(statuses)
        table["status"] = [v for s in ML_TEST_SCORE_SECTIONS for v in clean[s]]
        table["points"] = table["status"].map(TEST_POINTS)
    return table


def score_if_improved(statuses: Mapping[str, Sequence[str]]) -> pd.Series:
    """The final score after automating one more test in each section (a test not done first, else a manual one).

    Shows the consequence of the minimum: only work on the weakest section raises the final score.
    """
    statuses = validate_statuses(statuses)
    out = {}
    for section in ML_TEST_SCORE_SECTIONS:
        values = list(statuses[section])
        for target in ("not done", "manual"):
            if target in values:
                values[values.index(target)] = "automated"
                break
        out[section] = ml_test_score({**statuses, section: values}).final
    return pd.Series(out, name="final score if one more test in this section were automated")


def plot_ml_test_score(statuses: Mapping[str, Sequence[str]], figsize: tuple[float, float] = (8, 3.6)) -> Figure:
    """Bars of manual and automated points per section, with the final score (the minimum) as a line."""
    table = ml_test_score_table(statuses)
    result = ml_test_score(statuses)
    by = table.pivot_table(index="section", columns="status", values="points", aggfunc="sum", fill_value=0.0)
    by = by.reindex(index=list(ML_TEST_SCORE_SECTIONS), columns=["automated", "manual"], fill_value=0.0)
    fig, ax = plt.subplots(figsize=figsize)
    ax.bar(by.index, by["automated"], color="#55A868", label="automated (1 point each)")
    ax.bar(by.index, by["manual"], bottom=by["automated"], color="#C9DFA4", label="manual (0.5 points each)")
    ax.axhline(result.final, color="#C44E52", linestyle="--", label=f"final score = minimum = {result.final:.1f}")
    ax.set_ylim(0, 7)
    ax.set_ylabel("points (7 tests per section)")
    ax.set_title("ML Test Score by section")
    ax.legend(loc="upper right", fontsize=8)
    fig.tight_layout()
    return fig


# ---------------------------------------------------------------------------------------------------------
# 3. Build vs buy: a weighted decision matrix
# ---------------------------------------------------------------------------------------------------------

#: Illustrative assumptions of the example lender for its model-monitoring capability (1 = poor, 5 = best).
#: They are not market data: the point is the method, and how the verdict depends on the weights.
EXAMPLE_BUILD_BUY_SCORES = pd.DataFrame(
    {
        "fit to our requirements": [5, 3, 4],
        "time to value": [2, 5, 4],
        "3-year total cost": [3, 3, 2],
        "skills we have or can hire": [2, 4, 3],
        "control, audit trail, no lock-in": [5, 2, 4],
    },
    index=pd.Index(["build (open-source parts)", "buy (managed platform)", "hybrid (platform + own checks)"],
                   name="option"),
)
EXAMPLE_BUILD_BUY_WEIGHTS = pd.Series(
    {"fit to our requirements": 0.25, "time to value": 0.20, "3-year total cost": 0.20,
     "skills we have or can hire": 0.15, "control, audit trail, no lock-in": 0.20},
    name="weight",
)


def _check_matrix(scores: pd.DataFrame, weights: pd.Series) -> None:
    if set(scores.columns) != set(weights.index):
        raise KeyError(f"criteria differ: scores have {sorted(scores.columns)}, weights have {sorted(weights.index)}")
    if scores.isna().any().any() or weights.isna().any():
        raise ValueError("scores and weights must not contain missing values")
    if (weights < 0).any():
        raise ValueError("weights must not be negative")
    if not np.isclose(weights.sum(), 1.0):
        raise ValueError(f"weights must add up to 1, they add up to {weights.sum():.3f}")


def decision_matrix(scores: pd.DataFrame, weights: pd.Series) -> pd.DataFrame:
    """Weighted contribution of every criterion to every option (score x weight), plus the ``total``.

    ``scores``: options as rows, criteria as columns. ``weights``: one per criterion, adding up to 1.
    """
    _check_matrix(scores, weights)
    contributions = scores[list(weights.index)].mul(weights, axis="columns")
    contributions["total"] = contributions.sum(axis="columns")
    return contributions


def reweight(weights: pd.Series, criterion: str, new_weight: float) -> pd.Series:
    """Set one criterion's weight and rescale the others proportionally so that the weights still add up to 1."""
    if criterion not in weights.index:
        raise KeyError(f"unknown criterion {criterion!r}; criteria: {list(weights.index)}")
    if not 0 <= new_weight <= 1:
        raise ValueError(f"a weight lies between 0 and 1, got {new_weight}")
    others = weights.drop(criterion)
    if others.sum() == 0:
        raise ValueError("the other weights are all zero; there is nothing to rescale")
    scaled = others / others.sum() * (1 - new_weight)
    return pd.concat([scaled, pd.Series({criterion: new_weight})]).reindex(weights.index).rename(weights.name)


def weight_sensitivity(scores: pd.DataFrame, weights: pd.Series, criterion: str,
                       grid: Sequence[float] | None = None) -> pd.DataFrame:
    """Each option's total as the weight of ``criterion`` runs over ``grid`` (default 0 to 0.6)."""
    _check_matrix(scores, weights)
    grid = np.round(np.linspace(0, 0.6, 13), 2) if grid is None else grid
    rows = {w: decision_matrix(scores, reweight(weights, criterion, w))["total"] for w in grid}
    table = pd.DataFrame(rows).T
    table.index.name = f"weight of '{criterion}'"
    return table


def plot_decision_matrix(scores: pd.DataFrame, weights: pd.Series, criterion: str,
                         figsize: tuple[float, float] = (11, 4.6)) -> Figure:
    """Left: stacked weighted contributions per option. Right: totals as one weight varies."""
    matrix = decision_matrix(scores, weights).drop(columns="total")
    sensitivity = weight_sensitivity(scores, weights, criterion)
    fig, (left, right) = plt.subplots(1, 2, figsize=figsize)
    matrix.plot.barh(stacked=True, ax=left, colormap="tab10", width=0.6)
    left.set_xlabel("weighted score (maximum 5)")
    left.set_ylabel("")
    left.set_title("Weighted decision matrix")
    left.legend(fontsize=7, loc="upper center", bbox_to_anchor=(0.5, -0.2), ncol=2)
    for option in sensitivity.columns:
        right.plot(sensitivity.index, sensitivity[option], marker="o", markersize=3, label=option)
    right.axvline(weights[criterion], color="grey", linestyle="--", linewidth=1, label="agreed weight")
    right.set_xlabel(f"weight of '{criterion}' (others rescaled)")
    right.set_ylabel("total")
    right.set_title("Does the verdict survive a change of weight?")
    right.legend(fontsize=7)
    fig.tight_layout()
    return fig


# ---------------------------------------------------------------------------------------------------------
# 4. Governance: EU AI Act requirements for high-risk systems and NIST AI RMF functions
# ---------------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Requirement:
    source: str
    reference: str
    title: str
    practices: tuple[str, ...]  # questionnaire practices that produce evidence for it
    evidence: str  # what an MLOps team can show


GOVERNANCE_MAP: tuple[Requirement, ...] = (
    Requirement("EU AI Act", "Art. 9", "Risk management system",
                ("validation_gates", "production_monitoring"),
                "risk register per model; release gates with thresholds; monitoring alerts with owners"),
    Requirement("EU AI Act", "Art. 10", "Data and data governance",
                ("data_pipeline", "validation_gates", "feature_store"),
                "datasheet; data lineage; automated data validation; examination for possible biases"),
    # Annex IV asks the documentation to describe, among much else, the validation and testing procedures
    # and their results, so versioning alone cannot feed it.
    Requirement("EU AI Act", "Art. 11", "Technical documentation",
                ("code_versioned", "experiment_tracking", "model_registry", "validation_gates"),
                "model card; training run metadata; versioned code, data and model; test and validation results"),
    # Record-keeping is about events while the system is in use; training-run records do not count.
    Requirement("EU AI Act", "Art. 12", "Record-keeping",
                ("production_monitoring",),
                "automatic logs of each prediction with model version and inputs, kept over the lifetime"),
    Requirement("EU AI Act", "Art. 14", "Human oversight",
                ("validation_gates", "production_monitoring"),
                "review queue for borderline cases; a person who can override or stop; alerts reach a person"),
    Requirement("EU AI Act", "Art. 15", "Accuracy, robustness and cybersecurity",
                ("validation_gates", "production_monitoring", "metric_triggered_retraining", "pipeline_cicd"),
                "declared accuracy metrics; tests on slices and bad inputs; monitoring; secure, tested pipeline"),
    Requirement("NIST AI RMF", "GOVERN", "A culture of risk management is cultivated and present",
                ("collaboration_training", "collaboration_release"),
                "named owners and roles; policies; responsibility matrix"),
    Requirement("NIST AI RMF", "MAP", "Context is recognized and risks related to context are identified",
                ("collaboration_training", "data_pipeline"),
                "intended use and context documented with the business; data sources known"),
    Requirement("NIST AI RMF", "MEASURE", "Identified risks are assessed, analyzed, or tracked",
                ("validation_gates", "production_monitoring", "experiment_tracking"),
                "metrics for accuracy, drift and bias, tracked per model version"),
    Requirement("NIST AI RMF", "MANAGE", "Risks are prioritized and acted upon based on a projected impact",
                ("automated_model_release", "metric_triggered_retraining", "production_monitoring"),
                "runbooks; rollback; retraining; incident reviews"),
)


def governance_table() -> pd.DataFrame:
    """The governance map as a table (one row per requirement or function)."""
    return pd.DataFrame(
        [{"source": r.source, "reference": r.reference, "requirement": r.title,
          "MLOps practices": ", ".join(r.practices), "evidence": r.evidence} for r in GOVERNANCE_MAP]
    )


def governance_coverage(answers: Mapping[str, bool]) -> pd.DataFrame:
    """For each requirement: how many of its supporting practices are in place, and which are missing."""
    answers = validate_answers(answers)
    rows = []
    for r in GOVERNANCE_MAP:
        done = [p for p in r.practices if answers[p]]
        missing = [p for p in r.practices if not answers[p]]
        share = len(done) / len(r.practices)
        # "all in place" means the practices that feed the evidence exist, not that the law is met
        status = "all in place" if share == 1 else ("none" if share == 0 else "partly")
        rows.append({"requirement": f"{r.reference} {r.title}" if r.source == "EU AI Act" else f"NIST {r.reference}",
                     "share": share, "status": status, "missing": ", ".join(missing) or "-"})
    return pd.DataFrame(rows)


def plot_governance_coverage(answers: Mapping[str, bool], figsize: tuple[float, float] = (9, 4.2)) -> Figure:
    """Horizontal bars: share of each requirement's supporting practices that the team has in place."""
    coverage = governance_coverage(answers)
    colours = coverage["status"].map({"all in place": "#55A868", "partly": "#DD8452", "none": "#C44E52"})
    labels = coverage["requirement"][::-1]
    fig, ax = plt.subplots(figsize=figsize)
    ax.barh(labels, [1.0] * len(coverage), color="#EEEEEE")  # the full bar: every supporting practice in place
    ax.barh(labels, coverage["share"][::-1], color=list(colours[::-1]))
    for y, (status, share) in enumerate(zip(coverage["status"][::-1], coverage["share"][::-1])):
        ax.text(max(share, 0) + 0.01, y, status, va="center", fontsize=8,
                color="#C44E52" if status == "none" else "black")
    ax.set_xlim(0, 1.15)
    ax.set_xlabel("share of supporting practices in place (green = all, orange = some, red = none)")
    ax.set_title("Practices that feed evidence into each requirement (in place is not compliant)")
    ax.tick_params(axis="y", labelsize=8)
    fig.tight_layout()
    return fig


def lifecycle_evidence(scored: pd.DataFrame) -> pd.DataFrame:
    """Monthly accuracy and outcome evidence for a scored credit model.

    ``scored`` needs the columns ``month``, ``default``, ``p_default``, ``approved`` and ``sex`` (as made by
    ``mlops_course.data.score_applications``). Returns, per month, the AUC (accuracy), the approval rate, and
    the ratio of the women's to the men's approval rate (the selection-rate ratio that the four-fifths
    screen compares with 0.8).
    """
    needed = ["month", "default", "p_default", "approved", "sex"]
    missing = [c for c in needed if c not in scored.columns]
    if missing:
        raise KeyError(f"scored applications lack the columns {missing}")
    rows = {}
    for month, group in scored.groupby(month_labels(scored["month"])):
        rate = group.groupby("sex", observed=True)["approved"].mean()
        rows[month] = {
            "AUC": roc_auc_score(group["default"], group["p_default"]),
            "approval rate": group["approved"].mean(),
            "approval ratio women/men": rate.get("female", np.nan) / rate.get("male", np.nan),
        }
    table = pd.DataFrame(rows).T
    table.index.name = "month"
    return table.round(3)


def plot_lifecycle_evidence(monthly: pd.DataFrame, reference_month: str = "2024-03",
                            figsize: tuple[float, float] = (11, 3.6)) -> Figure:
    """AUC by month against the reference month, and the approval ratio against the 0.8 screen."""
    fig, (left, right) = plt.subplots(1, 2, figsize=figsize, sharex=True)
    left.plot(monthly.index, monthly["AUC"], marker="o", color="#4C72B0")
    left.axhline(monthly.loc[reference_month, "AUC"], color="grey", linestyle="--", linewidth=1,
                 label=f"validation AUC ({reference_month})")
    left.set_ylabel("AUC")
    left.set_title("Accuracy over the lifecycle")
    left.legend(fontsize=8)
    right.plot(monthly.index, monthly["approval ratio women/men"], marker="o", color="#8172B2")
    right.axhline(0.8, color="#C44E52", linestyle="--", linewidth=1, label="four-fifths screen (0.8)")
    right.set_ylabel("approval rate women / men")
    right.set_ylim(0, 1)
    right.set_title("Outcome gap over the lifecycle")
    right.legend(fontsize=8)
    for ax in (left, right):
        ax.tick_params(axis="x", rotation=90, labelsize=7)
    fig.tight_layout()
    return fig


# ---------------------------------------------------------------------------------------------------------
# 5. What practitioners report as hard: the "three Vs" of Shankar et al. (2022)
# ---------------------------------------------------------------------------------------------------------

#: Which questionnaire practices serve each of the three variables that Shankar et al. found to govern
#: success in production ML. The assignment of practices is the course's.
THREE_VS: dict[str, tuple[str, ...]] = {
    "velocity": ("training_pipeline", "experiment_tracking", "automated_model_release", "pipeline_cicd"),
    "validation": ("validation_gates", "app_ci", "production_monitoring"),
    "versioning": ("code_versioned", "model_registry", "experiment_tracking", "feature_store"),
}


def three_vs_coverage(answers: Mapping[str, bool]) -> pd.DataFrame:
    """Per V: practices in place, practices missing, and the share in place."""
    answers = validate_answers(answers)
    rows = []
    for v, keys in THREE_VS.items():
        done = [k for k in keys if answers[k]]
        rows.append({"variable": v, "in place": ", ".join(done) or "-",
                     "missing": ", ".join(k for k in keys if not answers[k]) or "-",
                     "share": round(len(done) / len(keys), 2)})
    return pd.DataFrame(rows).set_index("variable")
