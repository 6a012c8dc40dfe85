"""Monitoring a model in production: what chapter 1 uses to catch problems that unit tests miss.

- ``psi``: the population stability index of one feature or of the model's score, by the course's
  convention (METHODS.md): bins at the reference deciles with open outer edges, right-closed bins, missing
  values dropped; categorical features one bin per category, unseen categories in their own bin; empty
  shares replaced by 1e-4 before the logarithm. Rule of thumb: below 0.10 stable, 0.10 to 0.25 moderate
  shift, above 0.25 major shift.
- ``psi_by_month`` and ``monitoring_report``: the same checks for every month of a stream.
- ``InputSchema`` and ``validate_inputs``: an input-validation guardrail that flags the rows a model should
  not decide alone (unknown categories, values outside the allowed range, missing columns) and raises
  batch alerts (a spike of missing values).
- ``monthly_performance``: AUC, approval rate and default rate among the approved, month by month --
  the only monitor that sees concept drift, and only once outcomes are known.
- ``selection_rates`` and ``four_fifths_screen``: approval rates by group and the four-fifths screen of
  the US Uniform Guidelines (29 CFR 1607.4(D)): a group whose rate is below 80% of the highest group's
  rate is generally regarded as evidence of adverse impact -- a screening flag, not proof.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Mapping, Sequence

import numpy as np
import pandas as pd
from sklearn.metrics import roc_auc_score

import mlops_course.data.loans as loan_spec
from mlops_course.data.months import month_labels

PSI_EPSILON = 1e-4
PSI_MODERATE = 0.10
PSI_MAJOR = 0.25
FOUR_FIFTHS = 0.8


#: Where the loan stream's injected events start (see ``datasets/loans/CARD.md``), for marking plots.
LOAN_EVENTS = (
    (loan_spec.INCIDENT_MONTH, "data incident"),
    (loan_spec.CONCEPT_DRIFT_START, "concept drift"),
    (loan_spec.INCOME_DRIFT_START, "income drift"),
    (loan_spec.NEW_CHANNEL_START, "new channel"),
)


def mark_loan_events(ax, months: Sequence[str], events=LOAN_EVENTS) -> None:
    """Draw a dotted line and a label on ``ax`` where each event of the loan stream starts.

    ``months`` are the x-axis labels in plotting order (the x position of a month is its index).
    """
    months = list(months)
    top = ax.get_ylim()[1]
    for month, label in events:
        if month in months:
            x = months.index(month) - 0.5
            ax.axvline(x, color="grey", linestyle=":", linewidth=1)
            ax.text(x + 0.1, top, label, rotation=90, va="top", ha="left", fontsize=8, color="dimgrey")


# --------------------------------------------------------------------------------------------------------
# Population stability index
# --------------------------------------------------------------------------------------------------------


def _psi_from_shares(reference_shares: np.ndarray, current_shares: np.ndarray, epsilon: float) -> float:
    r = np.where(reference_shares == 0, epsilon, reference_shares)
    c = np.where(current_shares == 0, epsilon, current_shares)
    return float(np.sum((c - r) * np.log(c / r)))


def psi(reference: pd.Series, current: pd.Series, bins: int = 10, epsilon: float = PSI_EPSILON) -> float:
    """Population stability index of ``current`` against ``reference`` (the order matters).

    Numeric series are cut at the reference's quantiles (deciles for ``bins=10``) with open outer edges;
    other series are compared category by category.
    """
    reference, current = pd.Series(reference).dropna(), pd.Series(current).dropna()
    if reference.empty or current.empty:
        raise ValueError("PSI needs at least one non-missing value in both the reference and the current sample")
    numeric = pd.api.types.is_numeric_dtype(reference) and pd.api.types.is_numeric_dtype(current)
    numeric = numeric and not pd.api.types.is_bool_dtype(reference)
    if numeric:
        inner = np.quantile(reference.to_numpy(float), np.linspace(0, 1, bins + 1)[1:-1])
        # Bins whose edges coincide (discrete features) are empty in both samples and contribute nothing.
        edges = np.unique(np.concatenate(([-np.inf], inner, [np.inf])))
        r = pd.cut(reference, edges, right=True).value_counts(normalize=True, sort=False).to_numpy()
        c = pd.cut(current, edges, right=True).value_counts(normalize=True, sort=False).to_numpy()
        return _psi_from_shares(r, c, epsilon)
    reference, current = reference.astype(str), current.astype(str)
    categories = sorted(set(reference) | set(current))
    r = reference.value_counts(normalize=True).reindex(categories, fill_value=0.0).to_numpy()
    c = current.value_counts(normalize=True).reindex(categories, fill_value=0.0).to_numpy()
    return _psi_from_shares(r, c, epsilon)


def psi_by_month(data: pd.DataFrame, reference: pd.DataFrame, columns: Sequence[str]) -> pd.DataFrame:
    """PSI of each column in each month of ``data`` (column ``month``) against ``reference``."""
    labels = month_labels(data["month"])
    table = {month: {column: psi(reference[column], group[column]) for column in columns}
             for month, group in data.groupby(labels, sort=True)}
    return pd.DataFrame(table).T.rename_axis("month")


def psi_status(value: float) -> str:
    """The rule-of-thumb reading of a PSI value (not a statistical test)."""
    if value > PSI_MAJOR:
        return "major shift"
    if value >= PSI_MODERATE:
        return "moderate shift"
    return "stable"


# --------------------------------------------------------------------------------------------------------
# Input validation guardrail
# --------------------------------------------------------------------------------------------------------


@dataclass
class InputSchema:
    """What a batch of model inputs must look like: a small data contract.

    ``bounds`` maps a numeric column to its allowed (low, high) range (``None`` for an open side);
    ``categories`` maps a categorical column to the values the model was trained on; ``missing_rates``
    holds the reference share of missing values per column, and a batch whose share exceeds it by more
    than ``missing_tolerance`` raises an alert.
    """

    columns: tuple[str, ...]
    bounds: dict[str, tuple[float | None, float | None]] = field(default_factory=dict)
    categories: dict[str, frozenset[str]] = field(default_factory=dict)
    missing_rates: dict[str, float] = field(default_factory=dict)
    missing_tolerance: float = 0.05

    @classmethod
    def from_reference(
        cls,
        reference: pd.DataFrame,
        numeric: Sequence[str],
        categorical: Sequence[str],
        bounds: Mapping[str, tuple[float | None, float | None]] | None = None,
        missing_tolerance: float = 0.05,
    ) -> "InputSchema":
        """Learn categories and missing rates from the reference data. Numeric ranges come from
        ``bounds`` (business rules such as product limits) where given, else from the reference's
        minimum and maximum."""
        bounds = dict(bounds or {})
        unknown = set(bounds) - set(numeric)
        if unknown:
            raise ValueError(f"bounds given for columns that are not numeric inputs: {sorted(unknown)}")
        ranges = {c: bounds.get(c, (float(reference[c].min()), float(reference[c].max()))) for c in numeric}
        seen = {c: frozenset(reference[c].dropna().astype(str).unique()) for c in categorical}
        columns = tuple(numeric) + tuple(categorical)
        missing = {c: float(reference[c].isna().mean()) for c in columns}
        return cls(columns, ranges, seen, missing, missing_tolerance)


@dataclass
class ValidationReport:
    """The guardrail's verdict on one batch: which rows break which rule, and batch-level alerts."""

    row_problems: pd.DataFrame
    alerts: list[str]

    @property
    def flagged(self) -> pd.Series:
        """True for each row that breaks at least one rule and should not be decided by the model alone."""
        return self.row_problems.any(axis=1)

    @property
    def passed(self) -> bool:
        return not self.alerts and not self.flagged.any()

    def summary(self) -> pd.Series:
        """Rows flagged per rule (rules that flag nothing are left out)."""
        counts = self.row_problems.sum()
        return counts[counts > 0].astype(int).rename("rows flagged")


def validate_inputs(batch: pd.DataFrame, schema: InputSchema) -> ValidationReport:
    """Check a batch of applications against ``schema`` before the model scores it."""
    problems: dict[str, pd.Series] = {}
    alerts: list[str] = []
    for column in schema.columns:
        if column not in batch.columns:
            alerts.append(f"column {column!r} is missing: the model cannot score this batch")
            problems[f"{column}: column missing"] = pd.Series(True, index=batch.index)
    for column, (low, high) in schema.bounds.items():
        if column not in batch.columns:
            continue
        if not pd.api.types.is_numeric_dtype(batch[column]):
            alerts.append(f"column {column!r} is not numeric (dtype {batch[column].dtype})")
            problems[f"{column}: not numeric"] = pd.Series(True, index=batch.index)
            continue
        values = batch[column]
        outside = pd.Series(False, index=batch.index)
        if low is not None:
            outside |= values < low
        if high is not None:
            outside |= values > high
        problems[f"{column}: outside allowed range"] = outside
    for column, known in schema.categories.items():
        if column not in batch.columns:
            continue
        values = batch[column].astype("string")
        problems[f"{column}: unknown category"] = values.notna() & ~values.isin(sorted(known))
    for column, reference_rate in schema.missing_rates.items():
        if column not in batch.columns or batch.empty:
            continue
        rate = float(batch[column].isna().mean())
        if rate > reference_rate + schema.missing_tolerance:
            alerts.append(f"{column!r} is missing in {rate:.1%} of rows (reference {reference_rate:.1%})")
    return ValidationReport(pd.DataFrame(problems, index=batch.index), alerts)


# --------------------------------------------------------------------------------------------------------
# Performance and fairness
# --------------------------------------------------------------------------------------------------------


def monthly_performance(scored: pd.DataFrame, label: str = "default", score: str = "p_default",
                        approved: str = "approved") -> pd.DataFrame:
    """Per month: applications, default rate, the score's AUC, approval rate, default rate among approved."""
    for column in ("month", label, score, approved):
        if column not in scored.columns:
            raise KeyError(f"scored applications need a {column!r} column (use score_applications)")
    rows = {}
    for month, group in scored.groupby(month_labels(scored["month"]), sort=True):
        is_approved = group[approved].astype(bool)
        both_outcomes = group[label].nunique() == 2
        rows[month] = {
            "applications": len(group),
            "default rate": group[label].mean(),
            "AUC": roc_auc_score(group[label], group[score]) if both_outcomes else np.nan,
            "approval rate": is_approved.mean(),
            "default rate among approved": group.loc[is_approved, label].mean(),
        }
    table = pd.DataFrame(rows).T.rename_axis("month")
    return table.astype({"applications": int})


def selection_rates(decisions, groups) -> pd.Series:
    """Share of favourable decisions (e.g. approvals) in each group."""
    decisions = pd.Series(np.asarray(decisions, dtype=bool))
    groups = pd.Series(np.asarray(groups, dtype=object))
    if len(decisions) != len(groups):
        raise ValueError("decisions and groups must have the same length")
    if decisions.empty:
        raise ValueError("no decisions given")
    return decisions.groupby(groups.to_numpy()).mean().rename("selection rate")


def four_fifths_screen(decisions, groups, threshold: float = FOUR_FIFTHS) -> pd.DataFrame:
    """Each group's selection rate, its ratio to the HIGHEST group's rate, and whether it passes."""
    rates = selection_rates(decisions, groups)
    if rates.max() == 0:
        raise ValueError("no group received a favourable decision; the ratio is undefined")
    ratio = rates / rates.max()
    return pd.DataFrame({"selection rate": rates, "ratio to highest": ratio, "passes": ratio >= threshold})


# --------------------------------------------------------------------------------------------------------
# One monthly report for the whole stream
# --------------------------------------------------------------------------------------------------------


def monitoring_report(scored: pd.DataFrame, reference: pd.DataFrame, features: Sequence[str],
                      schema: InputSchema, score: str = "p_default", approved: str = "approved") -> pd.DataFrame:
    """Per month: the largest input PSI and its feature, the PSI of the model's score, the approval rate,
    and the rows and alerts of the input guardrail. Needs no outcomes, so it runs on the day of scoring."""
    inputs = psi_by_month(scored, reference, features)
    output = psi_by_month(scored, reference, [score])[score]
    rows = {}
    for month, group in scored.groupby(month_labels(scored["month"]), sort=True):
        report = validate_inputs(group, schema)
        rows[month] = {
            "largest input PSI": inputs.loc[month].max(),
            "feature": inputs.loc[month].idxmax(),
            "output PSI": output[month],
            "approval rate": group[approved].mean(),
            "rows flagged": int(report.flagged.sum()),
            "batch alerts": len(report.alerts),
        }
    return pd.DataFrame(rows).T.rename_axis("month").astype(
        {"largest input PSI": float, "output PSI": float, "approval rate": float,
         "rows flagged": int, "batch alerts": int}
    )
