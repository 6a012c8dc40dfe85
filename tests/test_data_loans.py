"""The synthetic loans: schema, byte-for-byte reproducibility, and every manifest event visible in the data.

The drift figures are recomputed here with a small PSI written independently of the package (pandas
``cut`` on reference deciles, as METHODS.md defines it), so a bug in the generator's own PSI cannot hide.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from fairlearn.metrics import demographic_parity_ratio
from sklearn.metrics import roc_auc_score

from mlops_course.data import (
    APPROVAL_THRESHOLD,
    CATEGORICAL_FEATURES,
    FEATURES,
    NUMERIC_FEATURES,
    approve,
    load_loans,
    load_loans_manifest,
    month_labels,
    score_applications,
    train_reference_model,
)
from mlops_course.data import loans as spec
from mlops_course.data.build import write_loans
from mlops_course.paths import datasets_dir

EPSILON = 1e-4


def psi(reference: pd.Series, current: pd.Series) -> float:
    """Decile PSI: reference deciles, open outer edges, right-closed bins, empty share -> 1e-4."""
    reference, current = reference.dropna().astype(float), current.dropna().astype(float)
    edges = [-np.inf, *np.unique(np.quantile(reference, np.arange(1, 10) / 10)), np.inf]
    r = pd.cut(reference, edges).value_counts(normalize=True, sort=False).to_numpy()
    c = pd.cut(current, edges).value_counts(normalize=True, sort=False).to_numpy()
    return _psi_sum(r, c)


def category_psi(reference: pd.Series, current: pd.Series) -> float:
    """PSI with one bin per category; categories unseen in the reference get their own bin."""
    shares = pd.DataFrame(
        {
            "r": reference.astype(str).value_counts(normalize=True),
            "c": current.astype(str).value_counts(normalize=True),
        }
    ).fillna(0.0)
    return _psi_sum(shares["r"].to_numpy(), shares["c"].to_numpy())


def _psi_sum(r: np.ndarray, c: np.ndarray) -> float:
    r, c = np.where(r == 0, EPSILON, r), np.where(c == 0, EPSILON, c)
    return float(np.sum((c - r) * np.log(c / r)))


def input_psi(reference: pd.DataFrame, current: pd.DataFrame) -> dict[str, float]:
    values = {f: psi(reference[f], current[f]) for f in NUMERIC_FEATURES}
    return values | {f: category_psi(reference[f], current[f]) for f in CATEGORICAL_FEATURES}


@pytest.fixture(scope="module")
def loans() -> pd.DataFrame:
    frame = load_loans()
    frame["month_key"] = frame["month"].dt.strftime("%Y-%m")
    return frame


@pytest.fixture(scope="module")
def manifest() -> dict:
    return load_loans_manifest()


@pytest.fixture(scope="module")
def scored(loans) -> pd.DataFrame:
    return score_applications(train_reference_model(loans), loans)


def months(frame: pd.DataFrame, *keys: str) -> pd.DataFrame:
    return frame[frame["month_key"].isin(keys)]


def reference(frame: pd.DataFrame) -> pd.DataFrame:
    return months(frame, *spec.VALIDATION_MONTHS)


# --- schema -------------------------------------------------------------------------------------------


def test_columns_and_dtypes(loans):
    expected = {
        "application_id": "string", "month": "datetime64[ns]", "age": "int64", "age_band": "category",
        "sex": "category", "region": "category", "employment_type": "category", "income": "int64",
        "loan_purpose": "category", "loan_amount": "int64", "term_months": "int64", "debt_to_income": "float64",
        "credit_history_years": "float64", "existing_loans": "int64", "channel": "category", "default": "int64",
        "true_default": "int64",
    }  # fmt: skip
    frame = loans.drop(columns="month_key")
    assert list(frame.columns) == list(expected)
    assert {c: str(t) for c, t in frame.dtypes.items()} == expected


def test_monthly_batches(loans):
    sizes = loans.groupby("month_key").size()
    assert list(sizes.index) == list(spec.MONTHS) and 12 <= len(sizes) <= 18
    assert sizes.between(1_500, 3_000).all(), sizes.to_dict()
    assert set(spec.TRAIN_MONTHS + spec.VALIDATION_MONTHS) == set(spec.REFERENCE_MONTHS)
    assert loans["application_id"].is_unique
    assert (loans["application_id"].str.slice(4, 10) == loans["month_key"].str.replace("-", "")).all()


def test_values_are_plausible(loans):
    assert loans["age"].between(18, 75).all()
    bands = pd.cut(loans["age"], [17, 24, 34, 44, 54, 64, 200], labels=spec.AGE_BANDS)
    assert (bands.astype(str) == loans["age_band"].astype(str)).all(), "age_band must match age"
    assert set(loans["default"]) == {0, 1} and set(loans["true_default"]) == {0, 1}
    assert set(loans["sex"]) == {"female", "male"}
    assert loans["debt_to_income"].between(0, 1).all()
    only_column_with_gaps = loans.drop(columns="credit_history_years").isna().sum().sum()
    assert only_column_with_gaps == 0


def test_generator_reproduces_the_committed_files(tmp_path):
    write_loans(tmp_path)
    for name in ["loans.csv", "manifest.json"]:
        committed = (datasets_dir() / "loans" / name).read_bytes()
        assert (tmp_path / name).read_bytes() == committed, f"regenerated {name} differs from the committed one"


def test_manifest_describes_the_timeline(manifest, loans):
    assert manifest["months"] == list(spec.MONTHS)
    assert manifest["rows"] == len(loans)
    assert manifest["periods"]["control"] == list(spec.CONTROL_MONTHS)
    events = manifest["events"]
    assert set(events) == {
        "control", "data_quality_incident", "concept_drift", "income_drift", "new_category", "planted_bias",
        "outcomes",
    }  # fmt: skip
    # Events that must be diagnosed on their own do not overlap.
    assert events["data_quality_incident"]["month"] < events["concept_drift"]["start_month"]
    assert events["concept_drift"]["auc_months_after"][-1] < events["income_drift"]["start_month"]
    assert events["income_drift"]["start_month"] < events["new_category"]["start_month"]
    assert max(spec.CONTROL_MONTHS) < events["data_quality_incident"]["month"]


# --- drift events -------------------------------------------------------------------------------------


def test_independent_psi_agrees_with_the_manifest_table(loans, manifest):
    for month in spec.MONTHS:
        for feature, value in input_psi(reference(loans), months(loans, month)).items():
            recorded = manifest["psi_by_month"][month][feature]
            assert value == pytest.approx(recorded, abs=1e-3), f"PSI of {feature} in {month}"


def test_control_months_show_no_drift(loans):
    for month in spec.CONTROL_MONTHS:
        values = input_psi(reference(loans), months(loans, month))
        assert max(values.values()) < 0.1, f"{month}: {values}"


def test_income_drift_is_gradual_and_reaches_major_shift(loans, manifest):
    event = manifest["events"]["income_drift"]
    values = {m: psi(reference(loans)["income"], months(loans, m)["income"]) for m in event["months"]}
    assert list(values.values()) == sorted(values.values()), f"PSI must grow every month: {values}"
    for month in event["months_psi_above_0_25"]:
        assert values[month] > 0.25, f"income PSI in {month} is {values[month]:.3f}"
    assert values[event["start_month"]] < 0.1, "the drift starts gradually, below the alarm threshold"
    base = reference(loans)["income"].median()
    for month, factor in event["income_factor"].items():
        assert months(loans, month)["income"].median() / base == pytest.approx(factor, rel=0.05)


def test_new_category_appears_in_its_month_only(loans, manifest):
    event = manifest["events"]["new_category"]
    is_new = loans[event["feature"]] == event["category"]
    first = loans.loc[is_new, "month_key"].min()
    assert first == event["start_month"]
    share = is_new.groupby(loans["month_key"]).mean()
    for month in spec.MONTHS:
        if month >= event["start_month"]:
            assert share[month] == pytest.approx(event["design_share"], abs=0.03)
    assert is_new.sum() == event["rows"]


def test_incident_month_has_amounts_in_cents(loans, manifest, scored):
    event = manifest["events"]["data_quality_incident"]["amounts_in_cents"]
    incident = months(loans, manifest["events"]["data_quality_incident"]["month"])
    affected = incident[incident["channel"] == event["channel"]]
    assert set(affected["application_id"]) == set(event["application_ids"])
    assert len(affected) == event["rows"] > 100
    assert (affected["loan_amount"] >= 1_000 * event["factor"]).all()
    assert (affected["loan_amount"] % (100 * event["factor"]) == 0).all(), "whole euros x 100"
    assert loans.drop(affected.index)["loan_amount"].max() <= 60_000, "no other row is out of range"
    predictions = scored.loc[affected.index]
    assert not predictions["approved"].any(), "the model's predictions for these rows are completely off"


def test_incident_month_has_a_missing_value_spike(loans, manifest):
    event = manifest["events"]["data_quality_incident"]["missing_spike"]
    missing_rate = loans[event["feature"]].isna().groupby(loans["month_key"]).mean()
    incident_month = manifest["events"]["data_quality_incident"]["month"]
    assert missing_rate[incident_month] == pytest.approx(event["design_missing_rate"], abs=0.03)
    assert (missing_rate.drop(incident_month) < 0.03).all(), missing_rate.to_dict()
    missing_ids = months(loans, incident_month).loc[lambda f: f[event["feature"]].isna(), "application_id"]
    assert set(missing_ids) == set(event["application_ids"])


def test_concept_drift_lowers_auc_without_input_drift(loans, manifest, scored):
    event = manifest["events"]["concept_drift"]
    before = months(scored, *event["auc_months_before"])
    after = months(scored, *event["auc_months_after"])
    auc_before = roc_auc_score(before["default"], before["p_default"])
    auc_after = roc_auc_score(after["default"], after["p_default"])
    assert auc_before - auc_after == pytest.approx(event["auc_drop"], abs=event["auc_tolerance"])
    assert auc_before - auc_after > 0.08, "the drop must be large enough to see"
    for month in event["auc_months_after"]:
        values = input_psi(reference(loans), months(loans, month))
        assert max(values.values()) < 0.1, f"inputs must stay stable in {month}: {values}"


def test_concept_drift_is_learnable_again_after_retraining(loans, manifest, scored):
    """The features still predict default after the shock, differently: retraining recovers some AUC."""
    after_months = manifest["events"]["concept_drift"]["auc_months_after"]
    retrained = train_reference_model(loans, months=tuple(after_months[:2]))
    holdout = months(scored, after_months[2])
    auc_retrained = roc_auc_score(holdout["default"], score_applications(retrained, holdout)["p_default"])
    auc_reference = roc_auc_score(holdout["default"], holdout["p_default"])
    assert auc_retrained > auc_reference + 0.03


# --- planted bias -------------------------------------------------------------------------------------


def test_label_gap_matches_the_manifest(loans, manifest):
    event = manifest["events"]["planted_bias"]
    ref = months(loans, *spec.REFERENCE_MONTHS)
    rates = ref.groupby("sex", observed=True)["default"].mean()
    assert rates["female"] - rates["male"] == pytest.approx(event["label_gap_reference"], abs=0.01)
    for sex, rate in event["default_rate_by_sex_reference"].items():
        assert rates[sex] == pytest.approx(rate, abs=0.01)
    assert event["label_gap_reference"] > 0.05, "women must be disadvantaged in the labels"


def test_true_outcomes_are_unbiased_and_the_records_are_not(loans, manifest):
    """Only women's repaid loans are misrecorded, at the documented rate; true outcomes ignore sex."""
    event = manifest["events"]["planted_bias"]["recording_bias"]
    wrong = loans[loans["default"] != loans["true_default"]]
    assert len(wrong) == event["rows"] > 300
    assert (wrong["sex"] == event["group"]).all() and (wrong["true_default"] == 0).all()
    repaid = loans[(loans["sex"] == event["group"]) & (loans["true_default"] == 0)]
    assert repaid["default"].mean() == pytest.approx(event["measured_rate"], abs=1e-4)
    assert event["measured_rate"] == pytest.approx(event["design_rate"], abs=0.01)
    # With the same finances, women and men truly default alike: a model of the true outcome that may use
    # sex gives it (almost) no weight, while on the recorded outcome it does.
    from sklearn.linear_model import LogisticRegression

    ref = months(loans, *spec.REFERENCE_MONTHS).dropna()
    x = pd.get_dummies(ref[list(FEATURES) + ["sex"]], drop_first=True, dtype=float)
    x = x.loc[:, x.std() > 0]  # drop categories without rows in these months (partner_api)
    x = (x - x.mean()) / x.std()
    coef = {y: LogisticRegression(max_iter=2_000).fit(x, ref[y]).coef_[0][list(x.columns).index("sex_male")]
            for y in ("true_default", "default")}
    assert abs(coef["true_default"]) < 0.1, coef
    assert coef["default"] < -0.2, coef


def test_part_of_the_recorded_gap_is_an_artefact(loans, manifest):
    event = manifest["events"]["planted_bias"]
    ref = months(loans, *spec.REFERENCE_MONTHS)
    true_rates = ref.groupby("sex", observed=True)["true_default"].mean()
    assert true_rates["female"] - true_rates["male"] == pytest.approx(event["true_label_gap_reference"], abs=1e-4)
    assert 0 < event["true_label_gap_reference"] < event["label_gap_reference"]
    fair = event["model_trained_on_true_outcomes"]
    assert event["four_fifths_ratio"] < fair["four_fifths_ratio"], "the biased records widen the approval gap"


def test_outcomes_are_known_late_and_only_for_approved_loans(scored, manifest):
    from mlops_course.data.outcomes import known_from, outcome_known

    event = manifest["events"]["outcomes"]
    known = outcome_known(scored, as_of=event["as_of"])
    month = scored["month"].dt.strftime("%Y-%m")
    assert known.sum() == event["rows_with_known_outcome"]
    assert known[month.isin(spec.REFERENCE_MONTHS)].all(), "the reference months are fully labelled"
    assert not known[month > event["last_application_month_with_outcomes"]].any()
    after = (month >= event["go_live_month"]) & known
    assert scored.loc[after, "approved"].all(), "after go-live only approved loans get an outcome"
    assert known_from(manifest["events"]["concept_drift"]["start_month"]) == event["concept_drift_first_visible_in_outcomes"]
    for m, share in event["known_share_by_month"].items():
        assert known[month == m].mean() == pytest.approx(share, abs=1e-4)
    with pytest.raises(KeyError, match="approved"):
        outcome_known(scored.drop(columns="approved"))
    with pytest.raises(ValueError, match="month"):
        known_from("August")


def test_part_time_is_a_proxy_for_sex(loans, manifest):
    proxy = manifest["events"]["planted_bias"]["proxy"]
    ref = months(loans, *spec.REFERENCE_MONTHS)
    share = (ref[proxy["feature"]] == proxy["category"]).groupby(ref["sex"], observed=True).mean()
    assert share["female"] > 3 * share["male"]
    for sex, value in proxy["share_by_sex_reference"].items():
        assert share[sex] == pytest.approx(value, abs=0.01)


def test_reference_model_fails_the_four_fifths_screen(scored, manifest):
    event = manifest["events"]["planted_bias"]
    assert "sex" not in FEATURES and "age_band" not in FEATURES
    assert event["approval_threshold"] == APPROVAL_THRESHOLD
    validation = months(scored, event["approval_month"])
    rates = validation.groupby("sex", observed=True)["approved"].mean()
    ratio = rates["female"] / rates["male"]
    assert ratio < 0.8, f"approval ratio women/men is {ratio:.3f}; the planted bias must fail the screen"
    assert ratio == pytest.approx(event["four_fifths_ratio"], abs=0.01)
    oracle = demographic_parity_ratio(
        validation["default"], validation["approved"], sensitive_features=validation["sex"].astype(str)
    )
    assert ratio == pytest.approx(oracle)


# --- reference model ----------------------------------------------------------------------------------


def test_reference_model_is_deterministic_and_validated(loans, scored, manifest):
    again = score_applications(train_reference_model(loans), loans.head(500))
    np.testing.assert_array_equal(again["p_default"].to_numpy(), scored["p_default"].head(500).to_numpy())
    validation = reference(scored)
    auc = roc_auc_score(validation["default"], validation["p_default"])
    assert auc == pytest.approx(manifest["reference_model"]["auc_validation"], abs=1e-3)
    assert auc > 0.7, "ranking against the recorded outcomes, which carry the recording bias"
    assert roc_auc_score(validation["true_default"], validation["p_default"]) > 0.75


def test_model_handles_unseen_categories_and_missing_values(loans):
    model = train_reference_model(loans)
    odd = reference(loans).head(3).copy()
    odd["channel"] = "partner_api"
    odd["credit_history_years"] = np.nan
    proba = score_applications(model, odd)["p_default"]
    assert proba.between(0, 1).all() and proba.notna().all()


def test_approval_policy_is_a_strict_threshold():
    p = np.array([APPROVAL_THRESHOLD - 1e-9, APPROVAL_THRESHOLD, APPROVAL_THRESHOLD + 0.1])
    assert approve(p).tolist() == [True, False, False]


def test_scoring_requires_the_model_inputs(loans):
    model = train_reference_model(loans)
    with pytest.raises(KeyError, match="income"):
        score_applications(model, loans.drop(columns="income").head())


# ---- other scenarios of the loan stream -----------------------------------------------------------------------

def test_a_scenario_is_typed_like_the_committed_data_and_reproducible():
    from mlops_course.data import load_loans, loan_scenario

    loans = load_loans()
    first, again = loan_scenario(3), loan_scenario(3)
    pd.testing.assert_frame_equal(first.loans, again.loans)
    assert first.manifest == again.manifest
    assert list(first.loans.columns) == list(loans.columns)
    assert (first.loans.dtypes == loans.dtypes).all()
    assert 15 * 1_200 <= len(first.loans) <= 15 * 1_500
    assert not first.loans.equals(loan_scenario(4).loans)


def test_every_scenario_moves_every_event_and_keeps_the_story_in_order():
    from mlops_course.data.scenarios import _timelines, scenario_timeline

    shipped = spec.TIMELINE
    timelines = _timelines()
    assert len(timelines) > 10
    for timeline in timelines:
        assert timeline.incident_month != shipped.incident_month
        assert timeline.concept_drift_start != shipped.concept_drift_start
        assert timeline.income_drift_start != shipped.income_drift_start
        assert timeline.new_channel_start != shipped.new_channel_start
        assert spec.CONTROL_MONTHS[0] < timeline.incident_month < timeline.concept_drift_start
        assert timeline.concept_drift_start < timeline.income_drift_start < timeline.new_channel_start <= spec.MONTHS[-1]
    assert len({scenario_timeline(seed) for seed in range(40)}) > 5


def test_a_scenarios_manifest_agrees_with_its_data():
    from mlops_course.data import loan_scenario

    scenario = loan_scenario(11)
    loans, events = scenario.loans, scenario.manifest["events"]
    months = loans["month"].dt.strftime("%Y-%m")
    incident = events["data_quality_incident"]
    cents = loans[(months == incident["month"]) & (loans["channel"] == spec.INCIDENT_CHANNEL)]
    assert set(cents["application_id"]) == set(incident["amounts_in_cents"]["application_ids"])
    assert (cents["loan_amount"] > 60_000).all()
    assert (loans.loc[months != incident["month"], "loan_amount"] <= 60_000).all()
    assert set(months[loans["channel"] == spec.NEW_CHANNEL]) == {m for m in spec.MONTHS
                                                                 if m >= events["new_category"]["start_month"]}
    income = loans.groupby(months)["income"].median()
    start = events["income_drift"]["start_month"]
    assert income[start] > 1.05 * income[spec.VALIDATION_MONTHS[0]]
    assert scenario.manifest["periods"]["control"][-1] < incident["month"]


def test_a_scenario_refuses_the_committed_seed_and_bad_sizes():
    from mlops_course.data import loan_scenario

    with pytest.raises(ValueError, match="committed data"):
        loan_scenario(spec.SEED)
    with pytest.raises(ValueError, match="non-negative int"):
        loan_scenario(-1)
    with pytest.raises(ValueError, match="rows_per_month"):
        loan_scenario(1, rows_per_month=(10, 5))


def test_month_labels_are_strftimes_labels_on_any_index_with_missing_dates(loans):
    assert month_labels(loans["month"]).equals(loans["month"].dt.strftime("%Y-%m"))
    dates = pd.Series(pd.to_datetime(["2024-03-31", None, "2024-03-01", "2025-01-15", None]), index=[9, 4, 7, 0, 2],
                      name="month")
    before = dates.copy()
    labels = month_labels(dates)
    assert labels.equals(dates.dt.strftime("%Y-%m")) and labels.name == "month"
    assert labels[7] == "2024-03" and labels[0] == "2025-01" and labels[[4, 2]].isna().all()
    assert dates.equals(before)
