"""The risk helpers of chapter 1: taxonomy, likelihood x impact matrix, availability arithmetic, loan
economics and the (cyber) safety demonstrations. Expected values are computed by hand in each test."""

from __future__ import annotations

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
import pandas as pd  # noqa: E402
import pytest  # noqa: E402

from mlops_course.lessons.challenges import risks  # noqa: E402
from mlops_course.data import TRAIN_MONTHS, score_applications  # noqa: E402


# -- Taxonomy and matrix -------------------------------------------------------------------------------------


def test_taxonomy_follows_the_slides():
    by_category = {c: [r.name for r in risks.RISKS if r.category == c] for c in risks.CATEGORIES}
    assert by_category == {
        "Business and financial": ["Application/model might not be available",
                                   "Prediction quality might deteriorate", "Maintenance risk"],
        "Governance": ["Prediction might be completely off", "Possible bias"],
        "(Cyber) safety": ["(Cyber) safety risks"],
    }
    assert set(risks.EXAMPLE_ASSESSMENT) == set(risks.RISK_KEYS)


@pytest.mark.parametrize("likelihood, impact, score, level", [
    (1, 1, 1, "low"), (2, 2, 4, "low"), (1, 5, 5, "medium"), (3, 3, 9, "medium"),
    (2, 5, 10, "high"), (4, 4, 16, "high"), (4, 5, 20, "very high"), (5, 5, 25, "very high"),
])
def test_score_and_level(likelihood, impact, score, level):
    assert risks.risk_score(likelihood, impact) == score
    assert risks.risk_level(score) == level


@pytest.mark.parametrize("bad", [0, 6, 2.5, True, "3"])
def test_scores_outside_the_scale_are_refused(bad):
    with pytest.raises(ValueError, match="1 to 5"):
        risks.risk_score(bad, 3)


def test_register_is_sorted_and_keeps_slide_order_for_ties():
    assessment = dict.fromkeys(risks.RISK_KEYS, (2, 2)) | {"bias": (5, 5)}
    register = risks.risk_register(assessment)
    assert register["risk"].tolist() == ["Bias", "Not available", "Quality deteriorating", "Maintenance",
                                         "Completely off", "(Cyber) safety"]
    assert register.loc[0, "score"] == 25 and register.loc[0, "level"] == "very high"


def test_register_needs_every_risk():
    with pytest.raises(ValueError, match="missing"):
        risks.risk_register({"bias": (3, 3)})


def test_plots_return_axes():
    assert risks.plot_risk_matrix().get_xlim() == (0.5, 5.5)
    assert risks.plot_mlops_venn().get_title().startswith("MLOps")
    plt.close("all")


def test_explorer_updates_scores_and_keeps_a_fixed_text_form():
    explorer = risks.RiskMatrixExplorer()
    text = explorer.widget._repr_mimebundle_()["text/plain"]
    assert text.startswith("Interactive risk matrix")
    first_picture = explorer._image.value
    explorer.set_scores("cyber_safety", 5, 5)
    assert explorer.assessment["cyber_safety"] == (5, 5)
    assert explorer._ranking.value.startswith("1. (Cyber) safety: 5 x 5 = 25 (very high)")
    assert explorer._image.value != first_picture
    # Picking another risk shows its stored scores and changes no assessment.
    before = dict(explorer.assessment)
    explorer._risk.value = "bias"
    assert (explorer._likelihood.value, explorer._impact.value) == before["bias"]
    assert explorer.assessment == before
    # Moving a slider rescored the picked risk.
    explorer._impact.value = 1
    assert explorer.assessment["bias"] == (before["bias"][0], 1)
    assert risks.EXAMPLE_ASSESSMENT["bias"] == (3, 5), "the module's example must not change"


def test_explorer_refuses_unknown_risks():
    with pytest.raises(ValueError, match="unknown risk"):
        risks.RiskMatrixExplorer().set_scores("meteor", 1, 1)


# -- Availability ----------------------------------------------------------------------------------------------


@pytest.mark.parametrize("availability, hours", [(0.99, 87.6), (0.999, 8.76), (0.9999, 0.876), (1.0, 0.0)])
def test_downtime_per_year(availability, hours):
    assert risks.downtime_hours(availability) == pytest.approx(hours)


def test_downtime_per_month_of_three_nines_is_about_44_minutes():
    assert risks.downtime_hours(0.999, risks.HOURS_PER_YEAR / 12) * 60 == pytest.approx(43.8)


def test_chain_and_fallback():
    assert risks.serial_availability(0.999, 0.999, 0.9995) == pytest.approx(0.999 * 0.999 * 0.9995)
    assert risks.availability_with_fallback(0.99, 0.9) == pytest.approx(0.999)


@pytest.mark.parametrize("bad", [-0.1, 1.5, 99.9])
def test_availability_must_be_a_share(bad):
    with pytest.raises(ValueError, match="between 0 and 1"):
        risks.downtime_hours(bad)


def test_expected_downtime_cost():
    # 99.9% -> 8.76 h/year; 10 requests/h -> 87.6 lost requests; 100 each -> 8,760; a fallback keeping 60%.
    assert risks.expected_downtime_cost(0.999, 10, 100) == pytest.approx(8_760)
    assert risks.expected_downtime_cost(0.999, 10, 100, fallback_keeps=0.6) == pytest.approx(3_504)
    with pytest.raises(ValueError, match="fallback_keeps"):
        risks.expected_downtime_cost(0.999, 10, 100, fallback_keeps=1.2)


def test_expected_cost():
    assert risks.expected_cost(0.05, 2_000) == pytest.approx(100)
    with pytest.raises(ValueError):
        risks.expected_cost(1.5, 10)


def test_availability_table():
    table = risks.availability_table((0.99, 0.999), requests_per_hour=10, value_per_request=100,
                                     fallback_keeps=0.5)
    assert table.index.tolist() == ["99.00%", "99.90%"]
    assert table.loc["99.90%", "downtime h/year"] == pytest.approx(8.76)
    assert table.loc["99.00%", "cost without fallback"] == pytest.approx(87_600)
    assert table.loc["99.00%", "cost with fallback"] == pytest.approx(43_800)
    assert list(risks.availability_table((0.9,)).columns) == ["downtime h/year", "downtime min/month"]


# -- Loan economics ----------------------------------------------------------------------------------------------


def test_loan_profit_uses_the_lenders_economics():
    from mlops_course.lender import ECONOMICS
    profit = risks.loan_profit([True, True, False], [0, 1, 1])
    np.testing.assert_allclose(profit, [ECONOMICS.gain_repaid, -ECONOMICS.loss_default, -ECONOMICS.rejection_cost])


def test_loan_profit_with_other_economics():
    from mlops_course.lender import Economics
    profit = risks.loan_profit([True, True, False], [0, 1, 1], Economics(200, 800, 10))
    np.testing.assert_allclose(profit, [200.0, -800.0, -10.0])


def test_loan_profit_refuses_bad_labels_and_lengths():
    with pytest.raises(ValueError, match="0 \\(repaid\\) and 1"):
        risks.loan_profit([True], [2])
    with pytest.raises(ValueError, match="same length"):
        risks.loan_profit([True, False], [0])


def test_policy_summary_by_hand():
    from mlops_course.lender import Economics
    defaulted = [0, 0, 1, 1]
    table = risks.policy_summary({"all": [True] * 4, "careful": [True, True, False, False]}, defaulted,
                                 Economics(100, 500))
    assert table.loc["all", "accuracy"] == pytest.approx(0.5)
    assert table.loc["careful", "accuracy"] == pytest.approx(1.0)
    assert table.loc["all", "profit per application"] == pytest.approx((100 + 100 - 500 - 500) / 4)
    assert table.loc["careful", "profit per application"] == pytest.approx(200 / 4)
    assert table.loc["careful", "default rate among approved"] == pytest.approx(0.0)


# -- (Cyber) safety --------------------------------------------------------------------------------------------


def test_decision_flip_share(loans, model):
    march = loans[loans["month"].dt.strftime("%Y-%m") == "2024-03"]
    rejected = march[~score_applications(model, march)["approved"]]
    shares = risks.decision_flip_share(model, rejected, "income", [1.0, 1.2, 1.5, 2.0])
    assert shares[1.0] == 0.0, "unchanged rejected applications must stay rejected"
    assert shares.is_monotonic_increasing and shares[2.0] > 0.2
    with pytest.raises(ValueError, match="numeric"):
        risks.decision_flip_share(model, rejected, "region", [1.1])


def test_poison_labels(loans):
    poisoned = risks.poison_labels(loans, 0.25, seed=3)
    in_train = loans["month"].dt.strftime("%Y-%m").isin(TRAIN_MONTHS)
    changed = poisoned["default"] != loans["default"]
    defaults = int((in_train & (loans["default"] == 1)).sum())
    assert changed.sum() == round(0.25 * defaults)
    assert not (changed & ~in_train).any(), "only training months may be poisoned"
    assert (loans.loc[changed, "default"] == 1).all() and (poisoned.loc[changed, "default"] == 0).all()
    pd.testing.assert_frame_equal(poisoned, risks.poison_labels(loans, 0.25, seed=3))
    assert risks.poison_labels(loans, 0.0)["default"].equals(loans["default"])
    with pytest.raises(ValueError, match="between 0 and 1"):
        risks.poison_labels(loans, 1.5)
