"""Profit versus accuracy thresholds: hand-checked toys, bad input, and the loan data's known optima."""

from __future__ import annotations

import math

import matplotlib

matplotlib.use("Agg")

import numpy as np
import pandas as pd
import pytest
from sklearn.metrics import accuracy_score

from mlops_course.lessons.teams.business_metrics import (
    THRESHOLDS,
    ProfitAssumptions,
    best_threshold,
    evaluate_model,
    plot_profit_vs_threshold,
    realised_profit,
    threshold_table,
)
from mlops_course.data import load_loans, load_loans_manifest, predict_default, train_reference_model

ASSUMED = ProfitAssumptions(profit_repaid=1_000, loss_default=5_000)


@pytest.fixture(scope="module")
def validation():
    loans = load_loans()
    model = train_reference_model(loans)
    month = loans[loans["month"].dt.strftime("%Y-%m") == "2024-03"]
    return model, month, predict_default(model, month)


def test_assumptions_reject_nonsense():
    with pytest.raises(ValueError, match="positive"):
        ProfitAssumptions(profit_repaid=1_000, loss_default=-5_000)
    with pytest.raises(ValueError, match="positive"):
        ProfitAssumptions(profit_repaid=0, loss_default=5_000)
    with pytest.raises(TypeError, match="finite number"):
        ProfitAssumptions(profit_repaid="1000", loss_default=5_000)
    with pytest.raises(TypeError, match="finite number"):
        ProfitAssumptions(profit_repaid=float("nan"), loss_default=5_000)


def test_break_even_probability_is_where_approving_is_worth_zero():
    p = ASSUMED.break_even_probability
    assert math.isclose(p, 1 / 6)
    assert math.isclose((1 - p) * ASSUMED.profit_repaid - p * ASSUMED.loss_default, 0, abs_tol=1e-9)


def test_realised_profit_by_hand():
    y = [0, 0, 1, 1, 0]
    approved = [True, False, True, False, True]
    # two repaid approvals earn 2 x 1,000; one defaulted approval loses 5,000
    assert realised_profit(y, approved, ASSUMED) == -3_000
    assert realised_profit(y, [False] * 5, ASSUMED) == 0
    with pytest.raises(ValueError, match="equal length"):
        realised_profit(y, approved[:3], ASSUMED)


def test_threshold_table_by_hand():
    y = np.array([0, 0, 1, 1])
    p = np.array([0.1, 0.3, 0.2, 0.9])
    table = threshold_table(y, p, ASSUMED, thresholds=[0.15, 0.25, 0.5, 1.0]).set_index("threshold")
    # t=0.15 approves row 0; t=0.25 rows 0 and 2; t=0.5 rows 0-2; t=1.0 all
    assert table["approval_rate"].tolist() == [0.25, 0.5, 0.75, 1.0]
    assert table["profit"].tolist() == [1_000, -4_000, -3_000, -8_000]
    assert table["accuracy"].tolist() == [0.75, 0.5, 0.75, 0.5]


def test_best_threshold_breaks_ties_towards_the_lowest_threshold():
    table = pd.DataFrame({"threshold": [0.1, 0.2, 0.3], "accuracy": [0.7, 0.8, 0.8], "profit": [5, 5, 1]})
    assert best_threshold(table, "accuracy")["threshold"] == 0.2
    assert best_threshold(table, "profit")["threshold"] == 0.1
    with pytest.raises(ValueError, match="'profit' or 'accuracy'"):
        best_threshold(table, "auc")


@pytest.mark.parametrize(
    "y, p, message",
    [
        ([0, 1], [0.1], "equal length"),
        ([], [], "empty"),
        ([0, 2], [0.1, 0.2], "0 \\(repaid\\) and 1"),
        ([0, 1], [0.1, 1.2], "between 0 and 1"),
        ([0, 1], [0.1, np.nan], "between 0 and 1"),
    ],
)
def test_threshold_table_rejects_bad_input(y, p, message):
    with pytest.raises(ValueError, match=message):
        threshold_table(y, p, ASSUMED)


def test_loan_validation_month_profit_and_accuracy_optima(validation):
    _, month, p = validation
    table = threshold_table(month["default"], p, ASSUMED)
    assert len(table) == len(THRESHOLDS) == 99
    by_profit, by_accuracy = best_threshold(table, "profit"), best_threshold(table, "accuracy")
    assert by_profit["threshold"] == 0.15
    assert by_accuracy["threshold"] == 0.39
    assert by_profit["profit"] == 606_000 and by_accuracy["profit"] == 409_000
    # independent oracle for the accuracy column
    for threshold in (0.15, 0.39):
        expected = accuracy_score(month["default"], (p >= threshold).astype(int))
        row = table.loc[table["threshold"] == threshold].iloc[0]
        assert math.isclose(row["accuracy"], expected)


def test_evaluate_model_matches_the_manifest(validation):
    model, month, _ = validation
    metrics = evaluate_model(model, month, ASSUMED)
    manifest = load_loans_manifest()
    assert math.isclose(metrics["auc"], manifest["reference_model"]["auc_validation"], abs_tol=5e-5)
    assert math.isclose(metrics["approval_rate"], manifest["by_month"]["2024-03"]["approval_rate"], abs_tol=5e-5)
    assert metrics["profit"] == 606_000


def test_plot_marks_both_optima(validation):
    _, month, p = validation
    ax = plot_profit_vs_threshold(threshold_table(month["default"], p, ASSUMED), ASSUMED)
    texts = [t.get_text() for t in ax.texts]
    assert any("t = 0.15" in t for t in texts) and any("t = 0.39" in t for t in texts), texts
    matplotlib.pyplot.close("all")
