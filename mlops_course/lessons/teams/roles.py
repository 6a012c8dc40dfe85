"""How MLOps teams operate: roles, a responsibility (RACI) matrix and its checks, operating models,
monitors with owners and runbooks, and a validation gate.

The roles follow Kreuzberger, Kuehl and Hirschl, "Machine Learning Operations (MLOps): Overview,
Definition, and Architecture" (IEEE Access, 2023), plus two roles a regulated lender cannot do without
(domain expert, risk and compliance). The team types are those of Skelton and Pais, "Team Topologies"
(2019). The RACI matrix, the operating-model comparison, the monitor limits and the gate's rules are the
course's worked example for its synthetic lender, not figures from those sources.

RACI letters: R = responsible (does the work), A = accountable (owns the outcome and signs it off),
C = consulted (asked before), I = informed (told after). ``"A/R"`` marks a role that both owns and does
the work; an empty string means no part in the activity.
"""

from __future__ import annotations

from dataclasses import dataclass

import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
from matplotlib.colors import ListedColormap

from mlops_course.data import CATEGORICAL_FEATURES, NUMERIC_FEATURES
from mlops_course.data.months import month_labels

# ---------------------------------------------------------------------------------------------------------
# Roles
# ---------------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Role:
    """A role in an ML product team: what it owns and the skills it brings."""

    title: str
    owns: str
    skills: str
    source: str


ROLES = (
    Role("Business stakeholder", "the business goal, the success metric and the budget; signs off decisions",
         "domain economics, prioritisation, communication", "Kreuzberger et al. 2023"),
    Role("Domain expert", "what the data mean and which predictions are plausible (here: credit risk)",
         "credit policy, the applicants, the market", "added for a regulated lender"),
    Role("Data scientist", "the model: features, training, evaluation, documentation",
         "statistics, machine learning, experiment design", "Kreuzberger et al. 2023"),
    Role("Data engineer", "data pipelines: ingestion, cleaning, data quality at the source",
         "databases, pipelines, data contracts", "Kreuzberger et al. 2023"),
    Role("ML/MLOps engineer", "getting the model into production and keeping it healthy",
         "software engineering, automation, monitoring", "Kreuzberger et al. 2023"),
    Role("Software engineer", "the application that calls the model and acts on its output",
         "software design, testing, APIs", "Kreuzberger et al. 2023"),
    Role("DevOps/platform engineer", "infrastructure: CI/CD, serving, compute, observability tools",
         "cloud, containers, CI/CD, reliability", "Kreuzberger et al. 2023 (DevOps engineer)"),
    Role("Risk & compliance", "model risk, fairness and regulatory obligations; independent challenge",
         "regulation, model validation, audit", "added for a regulated lender"),
)  # fmt: skip

ROLE_TITLES = tuple(role.title for role in ROLES)


def roles_table() -> pd.DataFrame:
    """The roles as a table: title, what the role owns, its key skills, and where the role comes from."""
    return pd.DataFrame([vars(role) for role in ROLES]).set_index("title")


# ---------------------------------------------------------------------------------------------------------
# RACI matrix
# ---------------------------------------------------------------------------------------------------------

#: The model lifecycle, in order. A complete RACI matrix has one row for each.
LIFECYCLE = (
    "Set business goal and success metric",
    "Source and prepare data",
    "Validate incoming data",
    "Train and evaluate model",
    "Choose decision threshold",
    "Review fairness and compliance",
    "Deploy model",
    "Monitor in production",
    "Respond to incidents",
    "Decide on retraining",
    "Document model (model card)",
)

RACI_CODES = ("A/R", "A", "R", "C", "I", "")

_REFERENCE_RACI = {
    # activity: {role: code}; roles left out have no part
    "Set business goal and success metric": {
        "Business stakeholder": "A/R", "Domain expert": "C", "Data scientist": "C", "Risk & compliance": "C",
        "ML/MLOps engineer": "I",
    },
    "Source and prepare data": {
        "Data engineer": "A/R", "Data scientist": "C", "Domain expert": "C", "Risk & compliance": "I",
    },
    "Validate incoming data": {
        "Data engineer": "A", "ML/MLOps engineer": "R", "Data scientist": "C", "Domain expert": "C",
    },
    "Train and evaluate model": {
        "Data scientist": "A/R", "Domain expert": "C", "Data engineer": "C", "ML/MLOps engineer": "C",
    },
    "Choose decision threshold": {
        "Business stakeholder": "A", "Data scientist": "R", "Domain expert": "C", "Risk & compliance": "C",
    },
    "Review fairness and compliance": {
        "Risk & compliance": "A", "Data scientist": "R", "Business stakeholder": "C", "Domain expert": "C",
    },
    "Deploy model": {
        "ML/MLOps engineer": "A", "Software engineer": "R", "DevOps/platform engineer": "R",
        "Data scientist": "C", "Business stakeholder": "I", "Risk & compliance": "I",
    },
    "Monitor in production": {
        "ML/MLOps engineer": "A/R", "DevOps/platform engineer": "R", "Data scientist": "C",
        "Data engineer": "C", "Business stakeholder": "I",
    },
    "Respond to incidents": {
        "ML/MLOps engineer": "A", "Data engineer": "R", "Software engineer": "R", "Data scientist": "C",
        "DevOps/platform engineer": "C", "Business stakeholder": "I", "Risk & compliance": "I",
    },
    "Decide on retraining": {
        "Business stakeholder": "A", "Data scientist": "R", "ML/MLOps engineer": "C", "Risk & compliance": "C",
    },
    "Document model (model card)": {
        "Data scientist": "A/R", "Risk & compliance": "C", "ML/MLOps engineer": "C", "Business stakeholder": "I",
    },
}  # fmt: skip


def reference_raci() -> pd.DataFrame:
    """The course's RACI matrix for the lender's credit model: activities (rows) by roles (columns)."""
    matrix = pd.DataFrame("", index=pd.Index(LIFECYCLE, name="activity"), columns=list(ROLE_TITLES))
    for activity, codes in _REFERENCE_RACI.items():
        for role, code in codes.items():
            matrix.loc[activity, role] = code
    return matrix


@dataclass(frozen=True)
class Finding:
    """One problem a RACI check found."""

    check: str
    activity: str
    detail: str


def _roles_with(row: pd.Series, codes: tuple[str, ...]) -> list[str]:
    return [role for role, code in row.items() if code in codes]


def raci_findings(matrix: pd.DataFrame, required_activities=LIFECYCLE) -> list[Finding]:
    """Check a RACI matrix and return every problem found (an empty list means it passes).

    The checks: every cell holds a known code; every required activity is in the matrix; every activity
    has exactly one accountable role and at least one responsible role; every role has a part somewhere.
    """
    if not isinstance(matrix, pd.DataFrame):
        raise TypeError(f"matrix must be a pandas DataFrame (activities x roles), got {type(matrix).__name__}")
    matrix = matrix.fillna("")
    findings = []
    for activity, row in matrix.iterrows():
        for role, code in row.items():
            if code not in RACI_CODES:
                findings.append(Finding("known codes", activity, f"{role} has {code!r}; use one of {RACI_CODES}"))
    for activity in required_activities:
        if activity not in matrix.index:
            findings.append(Finding("lifecycle covered", activity, "activity missing from the matrix"))
    for activity, row in matrix.iterrows():
        accountable = _roles_with(row, ("A", "A/R"))
        if not accountable:
            findings.append(Finding("exactly one A", activity, "no accountable role: nobody owns the outcome"))
        elif len(accountable) > 1:
            findings.append(Finding("exactly one A", activity, f"{len(accountable)} accountable roles: "
                                    + ", ".join(accountable)))  # fmt: skip
        if not _roles_with(row, ("R", "A/R")):
            findings.append(Finding("at least one R", activity, "no responsible role: nobody does the work"))
    for role in matrix.columns:
        if (matrix[role] == "").all():
            findings.append(Finding("every role has a part", "(all)", f"{role} takes part in no activity"))
    return findings


def check_raci(matrix: pd.DataFrame, required_activities=LIFECYCLE) -> pd.DataFrame:
    """``raci_findings`` as a table with columns check, activity, detail (no rows: the matrix passes)."""
    findings = raci_findings(matrix, required_activities)
    return pd.DataFrame([vars(f) for f in findings], columns=["check", "activity", "detail"])


_CODE_COLOURS = {"": "#f7f7f7", "I": "#d9e8f5", "C": "#9ecae1", "R": "#fdae6b", "A": "#e6550d", "A/R": "#a63603"}


def plot_raci(matrix: pd.DataFrame, ax=None, title: str = "Who does what in the model lifecycle (RACI)"):
    """Draw the RACI matrix as a heatmap: one colour per letter, the letter written in each cell."""
    if ax is None:
        _, ax = plt.subplots(figsize=(10, 5.5))
    known = list(_CODE_COLOURS)
    values = matrix.fillna("").map(lambda code: known.index(code) if code in known else np.nan)
    colours = ListedColormap(list(_CODE_COLOURS.values()))
    ax.imshow(values.to_numpy(dtype=float), cmap=colours, vmin=-0.5, vmax=len(known) - 0.5, aspect="auto")
    for (i, j), code in np.ndenumerate(matrix.fillna("").to_numpy()):
        dark = code in ("A", "A/R")
        ax.text(j, i, code if code in known else f"{code}?", ha="center", va="center",
                color="white" if dark else "black", fontsize=9, fontweight="bold" if dark else "normal")  # fmt: skip
    ax.set_xticks(range(matrix.shape[1]), matrix.columns, rotation=30, ha="right")
    ax.set_yticks(range(matrix.shape[0]), matrix.index)
    ax.set_title(title)
    return ax


# ---------------------------------------------------------------------------------------------------------
# Operating models and team types
# ---------------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class OperatingModel:
    """How an organisation places its ML people, and when that placement fits."""

    name: str
    how_it_works: str
    fits_when: str
    watch_out_for: str
    team_of_role: dict


_PRODUCT, _ML, _HUB, _RISK = "product team", "central ML team", "ML platform hub", "risk function"

OPERATING_MODELS = (
    OperatingModel(
        "centralised",
        "one central ML team builds and runs models for every business unit",
        "few use cases, scarce ML skills, a need for common standards early on",
        "distance from the business: hand-offs, queues, models nobody in the business owns",
        {"Business stakeholder": _PRODUCT, "Domain expert": _PRODUCT, "Software engineer": _PRODUCT,
         "Data scientist": _ML, "Data engineer": _ML, "ML/MLOps engineer": _ML,
         "DevOps/platform engineer": _ML, "Risk & compliance": _RISK},
    ),
    OperatingModel(
        "embedded",
        "each product team has its own data scientists and engineers and runs its own ML stack",
        "a few mature product teams whose ML problems differ a lot",
        "every team rebuilds pipelines, monitoring and tooling; standards drift apart",
        {"Business stakeholder": _PRODUCT, "Domain expert": _PRODUCT, "Software engineer": _PRODUCT,
         "Data scientist": _PRODUCT, "Data engineer": _PRODUCT, "ML/MLOps engineer": _PRODUCT,
         "DevOps/platform engineer": _PRODUCT, "Risk & compliance": _RISK},
    ),
    OperatingModel(
        "hub-and-spoke",
        "data scientists sit in product teams (spokes); a central hub provides the ML platform and standards",
        "many use cases across units; ML is moving from projects to products",
        "the hub becomes a bottleneck if it builds for teams instead of offering self-service",
        {"Business stakeholder": _PRODUCT, "Domain expert": _PRODUCT, "Software engineer": _PRODUCT,
         "Data scientist": _PRODUCT, "Data engineer": _HUB, "ML/MLOps engineer": _HUB,
         "DevOps/platform engineer": _HUB, "Risk & compliance": _RISK},
    ),
)  # fmt: skip

#: The four fundamental team types of Skelton and Pais, "Team Topologies" (2019), with an ML example.
TEAM_TYPES = {
    "stream-aligned": ("aligned to one flow of work for a business domain, delivering end to end",
                       "the consumer-lending team that owns the credit decision, model included"),
    "platform": ("provides internal services that stream-aligned teams use on their own (self-service)",
                 "an ML platform team offering pipelines, a model registry, serving and monitoring"),
    "enabling": ("specialists who help other teams acquire a capability, then step back",
                 "MLOps coaches who help a product team set up its first monitoring and runbooks"),
    "complicated-subsystem": ("owns a part that needs deep specialist knowledge",
                              "a team owning a specialised model many products call, e.g. fraud scoring"),
}  # fmt: skip


def operating_models_table() -> pd.DataFrame:
    """The operating models side by side: how each works, when it fits, what to watch out for."""
    rows = [{k: v for k, v in vars(m).items() if k != "team_of_role"} for m in OPERATING_MODELS]
    return pd.DataFrame(rows).set_index("name")


def team_types_table() -> pd.DataFrame:
    """Team Topologies' four team types with what each does and an ML example."""
    rows = [
        {"team type": name, "what it does": what, "ML example": example}
        for name, (what, example) in TEAM_TYPES.items()
    ]
    return pd.DataFrame(rows).set_index("team type")


def cross_team_activities(matrix: pd.DataFrame, team_of_role: dict) -> pd.Series:
    """Per activity, the number of teams whose roles are responsible or accountable for it.

    An activity with more than one such team needs a hand-off or coordination between teams.
    """
    missing = set(matrix.columns) - set(team_of_role)
    if missing:
        raise KeyError(f"team_of_role has no team for the roles {sorted(missing)}")
    doers = matrix.isin(["R", "A", "A/R"])
    return doers.apply(lambda row: len({team_of_role[role] for role in row.index[row]}), axis=1).rename("teams")


def compare_operating_models(matrix: pd.DataFrame, product_lines: int = 4) -> pd.DataFrame:
    """For each operating model: activities that cross team lines, and ML stacks to build and run.

    A deliberately simple model of the trade-off: fewer team boundaries mean fewer hand-offs, but
    putting everything in product teams means every product line builds its own ML stack.
    """
    if product_lines < 1:
        raise ValueError("product_lines must be at least 1")
    rows = []
    for model in OPERATING_MODELS:
        stacks = product_lines if model.team_of_role["DevOps/platform engineer"] == _PRODUCT else 1
        rows.append({"operating model": model.name,
                     "activities crossing teams": int((cross_team_activities(matrix, model.team_of_role) > 1).sum()),
                     "ML stacks to run": stacks})  # fmt: skip
    return pd.DataFrame(rows).set_index("operating model")


# ---------------------------------------------------------------------------------------------------------
# Monitors with owners and runbooks
# ---------------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Monitor:
    """A monitored quantity with its alert limit, the role that owns the alert and the runbook to follow."""

    name: str
    measures: str
    limit: float
    owner: str
    runbook: tuple[str, ...]


MONITORS = (
    Monitor("missing values", "largest share of missing values in any model input", 0.05, "Data engineer", (
        "Find the input and the channel with the missing values.",
        "Ask the owner of the source system whether a form, API or export changed.",
        "With the business stakeholder, decide whether affected applications go to manual review.",
    )),
    Monitor("out of range", "share of rows with a numeric input outside the reference range", 0.01,
            "Data engineer", (
        "List the affected inputs and compare their values with the reference (units? a factor of 100?).",
        "Stop automated decisions on the affected rows until the source is fixed.",
        "Re-score the affected applications once the values are corrected.",
    )),
    Monitor("unseen categories", "share of rows with a category the model never saw", 0.01,
            "ML/MLOps engineer", (
        "Find the new category and where it comes from.",
        "Ask the data scientist whether the model handles it acceptably or needs retraining.",
    )),
    Monitor("approval rate shift", "absolute change of the approval rate against the reference", 0.05,
            "ML/MLOps engineer", (
        "Check the data monitors first: most sudden shifts are data problems.",
        "Compare approval rates by channel and region to locate the shift.",
        "Inform the business stakeholder; agree whether to pause, roll back or continue.",
    )),
)  # fmt: skip


def monitors_table() -> pd.DataFrame:
    """The monitors side by side: what each measures, its alert limit and the role that owns it."""
    rows = [{"monitor": m.name, "measures": m.measures, "limit": m.limit, "owner": m.owner} for m in MONITORS]
    return pd.DataFrame(rows).set_index("monitor")


def _missing_share(batch: pd.DataFrame, reference: pd.DataFrame) -> float:
    return float(batch[list(NUMERIC_FEATURES + CATEGORICAL_FEATURES)].isna().mean().max())


def _out_of_range_share(batch: pd.DataFrame, reference: pd.DataFrame) -> float:
    outside = pd.Series(False, index=batch.index)
    for column in NUMERIC_FEATURES:
        low, high = reference[column].min(), reference[column].max()
        outside |= (batch[column] < low) | (batch[column] > high)
    return float(outside.mean())


def _unseen_share(batch: pd.DataFrame, reference: pd.DataFrame) -> float:
    unseen = pd.Series(False, index=batch.index)
    for column in CATEGORICAL_FEATURES:
        seen = set(reference[column].dropna().unique())
        unseen |= batch[column].notna() & ~batch[column].isin(seen)
    return float(unseen.mean())


def _approval_shift(batch: pd.DataFrame, reference: pd.DataFrame) -> float:
    for frame, name in ((batch, "batch"), (reference, "reference")):
        if "approved" not in frame.columns:
            raise KeyError(f"the {name} has no 'approved' column; score it first (score_applications)")
    return float(abs(batch["approved"].mean() - reference["approved"].mean()))


_MEASURE = {"missing values": _missing_share, "out of range": _out_of_range_share,
            "unseen categories": _unseen_share, "approval rate shift": _approval_shift}  # fmt: skip
DATA_MONITORS = ("missing values", "out of range", "unseen categories")


def run_monitors(batch: pd.DataFrame, reference: pd.DataFrame, monitors=None) -> pd.DataFrame:
    """Evaluate monitors on a batch against the reference; one row per monitor with its owner.

    ``monitors`` is a list of monitor names (default: all; ``DATA_MONITORS`` for data checks only, which
    need no model). The approval-rate monitor needs scored frames (``score_applications``).
    """
    if len(batch) == 0 or len(reference) == 0:
        raise ValueError("batch and reference must both have rows")
    chosen = [m for m in MONITORS if monitors is None or m.name in monitors]
    rows = []
    for monitor in chosen:
        value = _MEASURE[monitor.name](batch, reference)
        rows.append({"monitor": monitor.name, "value": round(value, 4), "limit": monitor.limit,
                     "status": "ALERT" if value > monitor.limit else "ok", "owner": monitor.owner})  # fmt: skip
    return pd.DataFrame(rows).set_index("monitor")


def runbook(monitor_name: str) -> str:
    """The runbook of a monitor as numbered steps, headed by the monitor and its owner."""
    by_name = {m.name: m for m in MONITORS}
    if monitor_name not in by_name:
        raise KeyError(f"no monitor called {monitor_name!r}; the monitors are {sorted(by_name)}")
    monitor = by_name[monitor_name]
    steps = [f"  {i}. {step}" for i, step in enumerate(monitor.runbook, start=1)]
    return "\n".join([f"Runbook '{monitor.name}' (owner: {monitor.owner})", *steps])


def monitor_history(scored: pd.DataFrame, reference: pd.DataFrame) -> pd.DataFrame:
    """Every monitor's value for every month of ``scored``: the numbers on a monitoring dashboard."""
    months = month_labels(scored["month"])
    table = {month: run_monitors(batch, reference)["value"] for month, batch in scored.groupby(months)}
    return pd.DataFrame(table).T.rename_axis("month")


def plot_monitor_history(history: pd.DataFrame, axes=None):
    """One small panel per monitor: its monthly value, its alert limit, and alerts marked in red."""
    limits = {m.name: m.limit for m in MONITORS}
    if axes is None:
        _, axes = plt.subplots(1, len(history.columns), figsize=(12, 3.2), sharex=True)
    for ax, name in zip(np.atleast_1d(axes), history.columns):
        values = history[name]
        ax.plot(range(len(values)), values, marker="o", color="tab:blue", markersize=4)
        alerts = values > limits[name]
        ax.scatter(np.flatnonzero(alerts), values[alerts], color="tab:red", zorder=3, label="alert")
        ax.axhline(limits[name], color="tab:red", linestyle="--", linewidth=1)
        ax.set_title(name, fontsize=10)
        ax.set_xticks(range(len(values))[::2], values.index[::2], rotation=60, fontsize=8)
    np.atleast_1d(axes)[0].figure.tight_layout()
    return axes


# ---------------------------------------------------------------------------------------------------------
# Validation gate
# ---------------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class GateDecision:
    """The verdict of the validation gate: promote the candidate or not, and why."""

    promote: bool
    reasons: tuple[str, ...]

    def __str__(self) -> str:
        verdict = "PROMOTE" if self.promote else "BLOCK"
        return "\n".join([verdict, *(f"  - {reason}" for reason in self.reasons)])


def validation_gate(
    candidate: dict,
    current: dict,
    data_checks: pd.DataFrame,
    auc_tolerance: float = 0.005,
    profit_tolerance: float = 0.01,
) -> GateDecision:
    """Decide whether a candidate model may replace the current one.

    ``candidate`` and ``current`` hold ``auc`` and ``profit`` on the same holdout (see
    ``business_metrics.evaluate_model``); ``data_checks`` is ``run_monitors`` on the candidate's training
    data. The gate blocks when a data check alerted, when the AUC is more than ``auc_tolerance`` below the
    current model's, or when the profit is more than ``profit_tolerance`` (a share, 0.01 = 1%) below it.
    The tolerances keep sampling noise on the holdout from blocking an equally good model. Every reason
    is listed, not only the first.
    """
    if auc_tolerance < 0 or not 0 <= profit_tolerance < 1:
        raise ValueError("auc_tolerance must be >= 0 and profit_tolerance a share between 0 and 1")
    for name, metrics in (("candidate", candidate), ("current", current)):
        missing = {"auc", "profit"} - set(metrics)
        if missing:
            raise KeyError(f"{name} metrics lack {sorted(missing)}")
    reasons = []
    for monitor, row in data_checks.iterrows():
        if row["status"] == "ALERT":
            reasons.append(f"data check '{monitor}' failed on the training data ({row['value']} > {row['limit']})")
    if candidate["auc"] < current["auc"] - auc_tolerance:
        reasons.append(f"AUC {candidate['auc']:.3f} is below the current {current['auc']:.3f}")
    if candidate["profit"] < current["profit"] - profit_tolerance * abs(current["profit"]):
        reasons.append(f"profit {candidate['profit']:,.0f} EUR is below the current {current['profit']:,.0f} EUR")
    if reasons:
        return GateDecision(False, tuple(reasons))
    summary = (
        f"AUC {candidate['auc']:.3f} vs {current['auc']:.3f}, profit {candidate['profit']:,.0f} vs "
        f"{current['profit']:,.0f} EUR; data checks passed"
    )
    return GateDecision(True, (summary,))
