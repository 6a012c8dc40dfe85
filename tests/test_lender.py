"""The one lender: economics defined once and a practice history that agrees with the rest of the course."""

from __future__ import annotations

import math

import numpy as np
import pytest

from mlops_course import lender
from mlops_course.assignments import operations
from mlops_course.data import APPROVAL_THRESHOLD, TRAIN_MONTHS
from mlops_course.lessons.state.maturity import ML_TEST_SCORE_TESTS, PRACTICE_KEYS


def test_economics_and_break_even():
    assert (lender.GAIN_REPAID, lender.LOSS_DEFAULT, lender.REJECTION_COST) == (1_000, 5_000, 0)
    assert lender.ECONOMICS.gain_repaid == lender.GAIN_REPAID
    assert math.isclose(lender.BREAK_EVEN_PROBABILITY, 1 / 6)
    # At the break-even probability approving and rejecting are worth the same on average.
    p = lender.BREAK_EVEN_PROBABILITY
    assert math.isclose((1 - p) * lender.GAIN_REPAID - p * lender.LOSS_DEFAULT, -lender.REJECTION_COST, abs_tol=1e-9)
    assert APPROVAL_THRESHOLD < lender.BREAK_EVEN_PROBABILITY, "the policy is stricter than break-even"
    assert "assumption" in lender.ECONOMICS_BASIS and "not market data" in lender.ECONOMICS_BASIS


def test_value_of_decisions():
    value = lender.ECONOMICS.value([True, True, False, False], [0, 1, 0, 1])
    np.testing.assert_allclose(value, [1_000, -5_000, 0, 0])
    with_cost = lender.Economics(100, 400, rejection_cost=10)
    np.testing.assert_allclose(with_cost.value([False], [0]), [-10])
    assert math.isclose(with_cost.break_even_probability, 110 / 500)
    assert math.isclose(lender.ECONOMICS.profit_per_approved_loan(0.1), 900 - 500)


@pytest.mark.parametrize(
    "args, error, match",
    [((0, 5_000), ValueError, "gain_repaid"), ((1_000, -1), ValueError, "loss_default"),
     (("1000", 5_000), TypeError, "gain_repaid"), ((True, 5_000), TypeError, "gain_repaid"),
     ((1_000, float("nan")), TypeError, "loss_default")],
)
def test_bad_economics_are_refused(args, error, match):
    with pytest.raises(error, match=match):
        lender.Economics(*args)


def test_bad_decisions_are_refused():
    with pytest.raises(ValueError, match="same length"):
        lender.ECONOMICS.value([True], [0, 1])
    with pytest.raises(ValueError, match="0 \\(repaid\\) and 1"):
        lender.ECONOMICS.value([True, False], [0, 2])
    with pytest.raises(ValueError, match="share"):
        lender.ECONOMICS.profit_per_approved_loan(12)


def test_practice_history_tells_one_story():
    table = lender.practices()
    assert set(table["how"]) <= {"automated", "manual", "not done"}
    assert set(table["owner"]) <= set(lender.ROLES) | {"nobody"}
    assert ((table["how"] == "not done") == (table["owner"] == "nobody")).all(), "what is not done has no owner"
    retrain = table[(table["area"] == "retraining") & table["what"].str.startswith("Retraining the served")]
    assert retrain["how"].tolist() == ["not done"], "the model is trained once and never retrained"
    quality = table[(table["area"] == "monitoring") & table["what"].str.contains("AUC")]
    assert quality["how"].tolist() == ["not done"], "nobody monitors the model's quality after go-live"
    assert lender.OUTCOME_DELAY == 6 and lender.GO_LIVE_MONTH == "2024-04"
    assert TRAIN_MONTHS[0] in lender.TIMELINE[0][0] and "never been retrained" in lender.TIMELINE[2][1]


def test_test_audit_and_maturity_answers_agree_with_the_history():
    assert list(lender.TEST_AUDIT) == list(ML_TEST_SCORE_TESTS)
    for section, tests in lender.TEST_AUDIT.items():
        assert len(tests) == len(ML_TEST_SCORE_TESTS[section])
        assert {status for status, _ in tests} <= {"automated", "manual", "not done"}
    tuned = lender.TEST_AUDIT["model"][ML_TEST_SCORE_TESTS["model"].index("All hyperparameters have been tuned")]
    assert tuned[0] == "not done", "a logistic regression with default settings is not tuned"
    assert set(lender.MATURITY_ANSWERS) == set(PRACTICE_KEYS)
    assert lender.MATURITY_ANSWERS["continuous_training"][0] is False
    assert lender.MATURITY_ANSWERS["production_monitoring"][0] is False
    audit = operations.lender_test_audit()
    assert audit["status"].tolist() == [s for section in lender.TEST_STATUSES.values() for s in section]


def test_chapter_3_scores_the_same_lender():
    from mlops_course.lessons.state import maturity

    assert maturity.EXAMPLE_ANSWERS == {key: answer for key, (answer, _) in lender.MATURITY_ANSWERS.items()}
    assert maturity.EXAMPLE_TEST_STATUSES == lender.TEST_STATUSES
    score = maturity.ml_test_score(lender.TEST_STATUSES)
    assert score.final == 2.0 and score.weakest == ("model", "monitoring")
