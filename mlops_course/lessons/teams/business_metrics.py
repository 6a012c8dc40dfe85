"""Aligning a model's statistical metrics with business value: choose the decision threshold by money.

A credit model outputs a probability of default; the business decision is a threshold on it. The
threshold that maximises accuracy is rarely the one that maximises profit, because the two errors cost
different amounts: approving an applicant who defaults loses much more than declining one who would
have repaid. This module puts a price on each decision and compares thresholds by profit and accuracy.

Typical use::

    from mlops_course.lessons.teams.business_metrics import ProfitAssumptions, threshold_table, best_threshold

    assumptions = ProfitAssumptions(profit_repaid=1_000, loss_default=5_000)
    table = threshold_table(y_true, p_default, assumptions)
    best_threshold(table, "profit"), best_threshold(table, "accuracy")

Profit here is the *realised* profit on labelled history: every approved loan that was repaid earns
``profit_repaid`` and every approved loan that defaulted loses ``loss_default``; declined applications
earn and lose nothing. (The loan data record an outcome for every application, declined or not; a real
lender only sees outcomes of the loans it granted.)
"""

from __future__ import annotations

from dataclasses import dataclass

import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
from sklearn.metrics import roc_auc_score

from mlops_course.data import APPROVAL_THRESHOLD, predict_default

#: The thresholds compared by default: 0.01, 0.02, ..., 0.99.
THRESHOLDS = np.round(np.arange(0.01, 1.0, 0.01), 2)


@dataclass(frozen=True)
class ProfitAssumptions:
    """What one approved loan is worth: ``profit_repaid`` if it is repaid, ``-loss_default`` if not.

    Both are positive amounts in euros. They are business assumptions, not facts in the data: the
    finance team owns them, and the chosen threshold should be revisited when they change.
    """

    profit_repaid: float
    loss_default: float

    def __post_init__(self):
        for name in ("profit_repaid", "loss_default"):
            value = getattr(self, name)
            if isinstance(value, bool) or not isinstance(value, (int, float)) or not np.isfinite(value):
                raise TypeError(f"{name} must be a finite number of euros, got {value!r}")
            if value <= 0:
                raise ValueError(f"{name} must be positive (a gain or a loss in euros), got {value}")

    @property
    def break_even_probability(self) -> float:
        """P(default) at which approving one loan is worth zero on average.

        Approving is worth ``(1 - p) * profit_repaid - p * loss_default``; that is zero at
        ``p = profit_repaid / (profit_repaid + loss_default)``. With calibrated probabilities, approving
        exactly the applicants below this value maximises expected profit.
        """
        return self.profit_repaid / (self.profit_repaid + self.loss_default)


def _labels_and_scores(y_true, p_default) -> tuple[np.ndarray, np.ndarray]:
    y = np.asarray(y_true)
    p = np.asarray(p_default, dtype=float)
    if y.shape != p.shape or y.ndim != 1:
        raise ValueError(f"y_true and p_default must be 1-D and of equal length, got {y.shape} and {p.shape}")
    if len(y) == 0:
        raise ValueError("y_true and p_default are empty: there is nothing to evaluate")
    if not np.isin(y, (0, 1)).all():
        raise ValueError("y_true must hold 0 (repaid) and 1 (defaulted) only")
    if np.isnan(p).any() or (p < 0).any() or (p > 1).any():
        raise ValueError("p_default must hold probabilities between 0 and 1, without missing values")
    return y.astype(int), p


def realised_profit(y_true, approved, assumptions: ProfitAssumptions) -> float:
    """Profit in euros of the approval decisions ``approved`` given the outcomes ``y_true`` (1 = default)."""
    y = np.asarray(y_true).astype(int)
    approved = np.asarray(approved, dtype=bool)
    if y.shape != approved.shape:
        raise ValueError(f"y_true and approved must have equal length, got {y.shape} and {approved.shape}")
    repaid = int((approved & (y == 0)).sum())
    defaulted = int((approved & (y == 1)).sum())
    return float(repaid * assumptions.profit_repaid - defaulted * assumptions.loss_default)


def threshold_table(y_true, p_default, assumptions: ProfitAssumptions, thresholds=THRESHOLDS) -> pd.DataFrame:
    """For each threshold (approve when ``p_default < threshold``): approval rate, accuracy and profit.

    Accuracy counts a decision as right when a declined applicant defaulted or an approved one repaid,
    which is the accuracy of predicting "default" for ``p_default >= threshold``.
    """
    y, p = _labels_and_scores(y_true, p_default)
    rows = []
    for threshold in np.asarray(thresholds, dtype=float):
        approved = p < threshold
        rows.append(
            {
                "threshold": round(float(threshold), 4),
                "approval_rate": approved.mean(),
                "accuracy": (approved == (y == 0)).mean(),
                "profit": realised_profit(y, approved, assumptions),
            }
        )
    return pd.DataFrame(rows)


def best_threshold(table: pd.DataFrame, by: str) -> pd.Series:
    """The row of ``threshold_table`` with the highest ``by`` ("profit" or "accuracy").

    Ties go to the lowest threshold, so the answer does not depend on floating-point noise in the order.
    """
    if by not in ("profit", "accuracy"):
        raise ValueError(f"by must be 'profit' or 'accuracy', got {by!r}")
    return table.loc[table[by].idxmax()]


def evaluate_model(
    model, holdout: pd.DataFrame, assumptions: ProfitAssumptions, threshold: float = APPROVAL_THRESHOLD
) -> dict[str, float]:
    """A model's statistical and business metrics on a labelled ``holdout``: AUC, approval rate, profit."""
    p = predict_default(model, holdout)
    approved = p.to_numpy() < threshold
    return {
        "auc": float(roc_auc_score(holdout["default"], p)),
        "approval_rate": float(approved.mean()),
        "profit": realised_profit(holdout["default"], approved, assumptions),
    }


def plot_profit_vs_threshold(table: pd.DataFrame, assumptions: ProfitAssumptions, ax=None):
    """Profit (left axis) and accuracy (right axis) against the threshold, with both optima marked."""
    if ax is None:
        _, ax = plt.subplots(figsize=(9, 4.5))
    by_profit, by_accuracy = best_threshold(table, "profit"), best_threshold(table, "accuracy")
    ax.plot(table["threshold"], table["profit"] / 1_000, color="tab:green", label="profit (thousand EUR)")
    ax.axhline(0, color="grey", linewidth=0.8)
    ax.set_xlabel("approval threshold: approve when P(default) < threshold")
    ax.set_ylabel("profit (thousand EUR)")
    accuracy_ax = ax.twinx()
    accuracy_ax.plot(table["threshold"], table["accuracy"], color="tab:blue", linestyle="--", label="accuracy")
    accuracy_ax.set_ylabel("accuracy")
    for row, colour, name in ((by_profit, "tab:green", "best profit"), (by_accuracy, "tab:blue", "best accuracy")):
        ax.axvline(row["threshold"], color=colour, linestyle=":", linewidth=1.5)
        # x in data units, y in axes units: the label sits low in the plot, where the curves are not
        ax.text(row["threshold"] + 0.01, 0.12, f"{name}\nt = {row['threshold']:.2f}", color=colour,
                transform=ax.get_xaxis_transform())  # fmt: skip
    lines = ax.get_lines()[:1] + accuracy_ax.get_lines()[:1]
    ax.legend(lines, [line.get_label() for line in lines], loc="center right")
    ax.set_title(
        f"Profit vs accuracy (assumed: repaid loan +{assumptions.profit_repaid:,.0f} EUR, "
        f"default -{assumptions.loss_default:,.0f} EUR)"
    )
    return ax
