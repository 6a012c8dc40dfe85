"""The inputs of the "bias" assignment (``mlops_course.assignments.bias``): splits, pipeline, Adult decisions."""

import numpy as np
import pytest

from mlops_course.assignments.bias import adult_decisions, credit_pipeline, loan_splits, toy_decisions
from mlops_course.data import (
    APPROVAL_THRESHOLD,
    CONTROL_MONTHS,
    FEATURES,
    TRAIN_MONTHS,
    VALIDATION_MONTHS,
    load_loans_manifest,
)


def _months(frame):
    return tuple(sorted(frame["month"].dt.strftime("%Y-%m").unique()))


def test_loan_splits_follow_the_timeline():
    train, validation, test = loan_splits()
    assert _months(train) == TRAIN_MONTHS
    assert _months(validation) == VALIDATION_MONTHS
    assert _months(test) == CONTROL_MONTHS
    assert not set(train["application_id"]) & set(test["application_id"])
    for frame in (validation, test):
        assert list(frame.index) == list(range(len(frame)))
        assert (frame["approved"] == (frame["p_default"] < APPROVAL_THRESHOLD)).all()
    assert "p_default" not in train.columns


def test_loan_splits_are_fresh_copies():
    _, validation, _ = loan_splits()
    validation["approved"] = False
    assert loan_splits()[1]["approved"].any()


def test_validation_approvals_match_the_manifest():
    truth = load_loans_manifest()["events"]["planted_bias"]
    rates = loan_splits()[1].groupby("sex", observed=True)["approved"].mean()
    assert {sex: round(rate, 4) for sex, rate in rates.items()} == truth["approval_rate_by_sex"]


def test_credit_pipeline_retrains_to_the_reference_model():
    train, validation, _ = loan_splits()
    model = credit_pipeline().fit(train[list(FEATURES)], train["default"])
    np.testing.assert_allclose(model.predict_proba(validation[list(FEATURES)])[:, 1], validation["p_default"])


def test_credit_pipeline_takes_a_subset_and_refuses_other_columns():
    train, validation, _ = loan_splits()
    subset = [f for f in FEATURES if f != "employment_type"]
    model = credit_pipeline(subset).fit(train[subset], train["default"])
    assert model.predict_proba(validation[subset]).shape == (len(validation), 2)
    with pytest.raises(ValueError, match="sex"):
        credit_pipeline([*FEATURES, "sex"])


def test_adult_decisions_are_fixed_and_leave_out_sex_and_race():
    first, second = adult_decisions(), adult_decisions()
    assert len(first) == 16_281
    assert list(first.columns) == ["age", "sex", "race", "relationship", "income_over_50k", "p_over_50k",
                                   "predicted"]
    assert (first["predicted"] == second["predicted"]).all()
    assert ((first["p_over_50k"] >= 0.5) == (first["predicted"] == 1)).all()
    accuracy = (first["predicted"] == first["income_over_50k"]).mean()
    assert 0.8 < accuracy < 0.9  # an ordinary logistic regression on Adult
    first["predicted"] = 0
    assert adult_decisions()["predicted"].any()


def test_toy_is_the_methods_example():
    toy = toy_decisions()
    assert "".join(toy["group"]) == "AAAAAABBBBBBCCCCCCCC"
    assert "".join(map(str, toy["y_true"])) == "10110011001010001000"
    assert "".join(map(str, toy["y_pred"])) == "10111010001000011000"
