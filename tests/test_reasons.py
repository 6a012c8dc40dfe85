"""Principal reasons from the linear credit model (lesson 3, credit law)."""

from __future__ import annotations

import numpy as np
import pytest
from scipy.special import logit

from mlops_course.data import load_loans, score_applications, train_reference_model
from mlops_course.lessons.state.reasons import principal_reasons, risk_contributions


@pytest.fixture(scope="module")
def march():
    loans = load_loans()
    model = train_reference_model(loans)
    scored = score_applications(model, loans[loans["month"].dt.strftime("%Y-%m") == "2024-03"])
    return model, scored[scored["approved"]], scored[~scored["approved"]].head(25)


def test_contributions_add_up_to_the_log_odds(march):
    model, approved, declined = march
    contributions = risk_contributions(model, declined, approved)
    offset = logit(declined["p_default"]) - contributions.sum(axis=1)
    # the remainder is the same for every applicant: the reference group's mean log-odds
    np.testing.assert_allclose(offset, offset.iloc[0], atol=1e-9)
    np.testing.assert_allclose(offset.iloc[0], logit(approved["p_default"]).mean(), atol=1e-9)
    assert list(contributions.columns) == list(model[0].feature_names_in_)


def test_reasons_are_the_inputs_that_raised_risk_most(march):
    model, approved, declined = march
    contributions = risk_contributions(model, declined, approved)
    reasons = principal_reasons(model, declined, approved, top=2)
    for index, row in reasons.iterrows():
        expected = contributions.loc[index].sort_values(ascending=False).index[:2]
        assert list(row) == list(expected)
        assert (contributions.loc[index, list(row)] > 0).all()


def test_an_input_that_lowers_risk_is_never_a_reason(march):
    model, approved, _ = march
    safest = approved.nsmallest(1, "p_default")
    reasons = principal_reasons(model, safest, approved, top=11)
    contributions = risk_contributions(model, safest, approved).iloc[0]
    assert (reasons.iloc[0] == "").sum() == (contributions <= 0).sum()


def test_bad_input(march):
    model, approved, declined = march
    with pytest.raises(ValueError, match="positive whole number"):
        principal_reasons(model, declined, approved, top=0)
    with pytest.raises(ValueError, match="non-empty reference"):
        risk_contributions(model, declined, approved.iloc[:0])
    with pytest.raises(KeyError, match="income"):
        risk_contributions(model, declined.drop(columns="income"), approved)
