"""The monitoring helpers of chapter 1: PSI, the input guardrail, monthly performance and the bias screen.

Oracles: the ground-truth manifest of the loan stream (computed by the generator with its own PSI and
AUC code), hand-computed toy cases, and fairlearn for the selection-rate ratio.
"""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest
from fairlearn.metrics import demographic_parity_ratio

from mlops_course.lessons.challenges import monitoring
from mlops_course.data import (
    CATEGORICAL_FEATURES,
    FEATURES,
    NUMERIC_FEATURES,
    REFERENCE_MONTHS,
    load_loans_manifest,
)

EPS = monitoring.PSI_EPSILON
BOUNDS = {"age": (18, 75), "income": (0, None), "loan_amount": (1_000, 60_000), "term_months": (12, 60),
          "debt_to_income": (0, 1), "credit_history_years": (0, 60), "existing_loans": (0, None)}


@pytest.fixture(scope="module")
def manifest():
    return load_loans_manifest()


@pytest.fixture(scope="module")
def months(scored):
    return monitoring.month_labels(scored["month"])


@pytest.fixture(scope="module")
def schema(scored, months):
    reference = scored[months.isin(REFERENCE_MONTHS)]
    return monitoring.InputSchema.from_reference(reference, NUMERIC_FEATURES, CATEGORICAL_FEATURES, BOUNDS)


# -- PSI ---------------------------------------------------------------------------------------------------


def test_psi_of_identical_samples_is_zero():
    sample = pd.Series(np.random.default_rng(0).normal(size=500))
    assert monitoring.psi(sample, sample) == pytest.approx(0.0, abs=1e-12)


def test_psi_hand_computed_numeric_case():
    # Reference 1..10: one value in each decile bin (shares 0.1). Current: five 1s and five 2s fill the
    # first two bins (0.5 each) and leave eight bins empty (epsilon).
    reference = pd.Series(np.arange(1, 11))
    current = pd.Series([1] * 5 + [2] * 5)
    expected = 2 * (0.5 - 0.1) * math.log(0.5 / 0.1) + 8 * (EPS - 0.1) * math.log(EPS / 0.1)
    assert monitoring.psi(reference, current) == pytest.approx(expected, rel=1e-12)


def test_psi_bins_are_right_closed():
    # 1.9 is the first reference decile of 1..10; a value equal to it belongs to the first bin, so a
    # current sample of 1.9s has the same PSI as a sample of 1s.
    reference = pd.Series(np.arange(1, 11))
    assert monitoring.psi(reference, pd.Series([1.9] * 10)) == pytest.approx(
        monitoring.psi(reference, pd.Series([1.0] * 10)))


def test_psi_categorical_unseen_category_gets_its_own_bin():
    reference = pd.Series(["a"] * 5 + ["b"] * 5)
    current = pd.Series(["a"] * 5 + ["c"] * 5)
    expected = 2 * (0.5 - EPS) * math.log(0.5 / EPS)
    assert monitoring.psi(reference, current) == pytest.approx(expected, rel=1e-12)


def test_psi_depends_on_which_sample_is_the_reference():
    rng = np.random.default_rng(1)
    a, b = pd.Series(rng.normal(0, 1, 2_000)), pd.Series(rng.normal(0.3, 1.2, 2_000))
    assert not math.isclose(monitoring.psi(a, b), monitoring.psi(b, a), rel_tol=1e-3)


def test_psi_refuses_empty_samples():
    with pytest.raises(ValueError, match="non-missing"):
        monitoring.psi(pd.Series([np.nan, np.nan]), pd.Series([1.0, 2.0]))


def test_psi_by_month_reproduces_the_manifest(scored, months, manifest):
    reference = scored[months == "2024-03"]
    table = monitoring.psi_by_month(scored, reference, [*FEATURES, "p_default"])
    expected = pd.DataFrame(manifest["psi_by_month"]).T.loc[table.index, table.columns]
    # The manifest rounds to 4 decimals.
    np.testing.assert_allclose(table.to_numpy(float), expected.to_numpy(float), atol=6e-5)


@pytest.mark.parametrize("value, status", [(0.0, "stable"), (0.099, "stable"), (0.10, "moderate shift"),
                                           (0.25, "moderate shift"), (0.2501, "major shift")])
def test_psi_status_bands(value, status):
    assert monitoring.psi_status(value) == status


# -- Guardrail ---------------------------------------------------------------------------------------------


def test_guardrail_flags_exactly_the_incident_rows(scored, months, schema, manifest):
    july = scored[months == "2024-07"]
    report = monitoring.validate_inputs(july, schema)
    incident = manifest["events"]["data_quality_incident"]["amounts_in_cents"]
    flagged_ids = set(july.loc[report.flagged, "application_id"])
    assert flagged_ids == set(incident["application_ids"])
    assert report.summary().to_dict() == {"loan_amount: outside allowed range": incident["rows"]}
    assert len(report.alerts) == 1 and "credit_history_years" in report.alerts[0]
    assert not report.passed


@pytest.mark.parametrize("month", ["2024-04", "2024-05", "2024-06"])
def test_guardrail_raises_no_false_alarm_in_control_months(scored, months, schema, month):
    report = monitoring.validate_inputs(scored[months == month], schema)
    assert report.passed, (report.summary(), report.alerts)


def test_guardrail_flags_a_renamed_category_and_a_unit_change(scored, months, schema):
    june = scored[months == "2024-06"].copy()
    june["employment_type"] = june["employment_type"].astype(str).replace("part_time", "part-time")
    june["loan_amount"] = june["loan_amount"] / 1_000
    summary = monitoring.validate_inputs(june, schema).summary()
    assert summary["employment_type: unknown category"] == (june["employment_type"] == "part-time").sum()
    assert summary["loan_amount: outside allowed range"] == len(june)


def test_guardrail_reports_missing_and_non_numeric_columns(scored, months, schema):
    batch = scored[months == "2024-04"].drop(columns="channel").astype({"income": str})
    report = monitoring.validate_inputs(batch, schema)
    assert report.flagged.all()
    assert any("'channel' is missing" in alert for alert in report.alerts)
    assert any("'income' is not numeric" in alert for alert in report.alerts)


def test_new_channel_is_flagged_as_unknown(scored, months, schema, manifest):
    new_rows = scored[months >= "2025-01"]
    report = monitoring.validate_inputs(new_rows, schema)
    assert report.summary()["channel: unknown category"] == manifest["events"]["new_category"]["rows"]


def test_schema_refuses_bounds_for_unknown_columns(scored):
    with pytest.raises(ValueError, match="not numeric inputs"):
        monitoring.InputSchema.from_reference(scored, ["age"], ["region"], {"salary": (0, 1)})


def test_schema_without_bounds_uses_the_reference_range(scored, months):
    reference = scored[months == "2024-03"]
    schema = monitoring.InputSchema.from_reference(reference, ["age"], [])
    assert schema.bounds["age"] == (reference["age"].min(), reference["age"].max())


# -- Performance and fairness --------------------------------------------------------------------------------


def test_monthly_performance_matches_the_manifest(scored, manifest):
    table = monitoring.monthly_performance(scored)
    for month, expected in manifest["by_month"].items():
        assert table.loc[month, "applications"] == expected["rows"]
        assert table.loc[month, "AUC"] == pytest.approx(expected["auc"], abs=6e-5)
        assert table.loc[month, "approval rate"] == pytest.approx(expected["approval_rate"], abs=6e-5)
        assert table.loc[month, "default rate"] == pytest.approx(expected["default_rate"], abs=6e-5)


def test_monthly_performance_needs_scored_applications(scored):
    with pytest.raises(KeyError, match="p_default"):
        monitoring.monthly_performance(scored.drop(columns="p_default"))


def test_four_fifths_screen_on_the_toy_from_methods():
    groups = list("AAAAAA" + "BBBBBB" + "CCCCCCCC")
    y_pred = [int(v) for v in "101110" + "100010" + "00011000"]
    screen = monitoring.four_fifths_screen(y_pred, groups)
    np.testing.assert_allclose(screen["selection rate"], [4 / 6, 2 / 6, 2 / 8])
    np.testing.assert_allclose(screen["ratio to highest"], [1.0, 0.5, 0.375])
    assert screen["passes"].tolist() == [True, False, False]
    assert screen["ratio to highest"].min() == pytest.approx(
        demographic_parity_ratio([0] * 20, y_pred, sensitive_features=groups))


def test_four_fifths_screen_reproduces_the_planted_bias(scored, months, manifest):
    march = scored[months == "2024-03"]
    screen = monitoring.four_fifths_screen(march["approved"], march["sex"].astype(str))
    bias = manifest["events"]["planted_bias"]
    assert screen.loc["female", "ratio to highest"] == pytest.approx(bias["four_fifths_ratio"], abs=6e-5)
    assert screen.loc["female", "passes"] == bias["four_fifths_screen_passed"]


def test_selection_rates_refuse_mismatched_lengths():
    with pytest.raises(ValueError, match="same length"):
        monitoring.selection_rates([True, False], ["a"])


def test_four_fifths_screen_refuses_all_rejections():
    with pytest.raises(ValueError, match="undefined"):
        monitoring.four_fifths_screen([False, False], ["a", "b"])


# -- The monthly report --------------------------------------------------------------------------------------


def test_monitoring_report_points_at_each_event(scored, months, schema):
    reference = scored[months == "2024-03"]
    report = monitoring.monitoring_report(scored, reference, FEATURES, schema)
    assert report.loc["2024-07", "feature"] == "loan_amount"
    assert report.loc["2024-07", "batch alerts"] == 1
    assert (report.loc[["2024-04", "2024-05", "2024-06"], "largest input PSI"] < monitoring.PSI_MODERATE).all()
    # Concept drift leaves the inputs alone: no monitor without labels sees it.
    assert (report.loc[["2024-08", "2024-09", "2024-10"], "largest input PSI"] < monitoring.PSI_MODERATE).all()
    assert (report.loc[["2025-01", "2025-02", "2025-03"], "feature"] == "channel").all()


def test_event_markers_are_drawn_where_the_events_start():
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    months = ["2024-06", "2024-07", "2024-08", "2024-09"]
    _, ax = plt.subplots()
    ax.plot(range(len(months)), [1, 2, 3, 4])
    monitoring.mark_loan_events(ax, months)
    # Only the incident (2024-07) and the concept drift (2024-08) fall inside these months.
    assert [line.get_xdata()[0] for line in ax.lines[1:]] == [0.5, 1.5]
    assert [text.get_text() for text in ax.texts] == ["data incident", "concept drift"]
    plt.close("all")
