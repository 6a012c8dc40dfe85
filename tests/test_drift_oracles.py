"""The drift assignment's model solution, checked against oracles it does not share code with.

- an independent PSI written here (plain loops over reference deciles, right-closed bins, epsilon 1e-4);
- ``scipy.stats`` (``ks_2samp``, ``chi2_contingency``) for the tests;
- the ground-truth manifest of the loan data (``psi_by_month``, ``by_month`` and the injected events).

The solution's code cells are run once in a namespace (the test cells are left out: nbgrader validate
runs them elsewhere), and every graded object is compared with its oracle.
"""

from __future__ import annotations

import contextlib
import io
import math

import numpy as np
import pandas as pd
import pytest
from scipy import stats

from mlops_course.data import CATEGORICAL_FEATURES, FEATURES, NUMERIC_FEATURES, load_flights, load_loans_manifest
from mlops_course.assignments.drift import MONITORED_MONTHS, REFERENCE_MONTH, scored_loans, shifted_samples
from mlops_course.grading.cells import read_notebook
from mlops_course.paths import course_root

SOLUTION = course_root() / "solutions" / "drift" / "drift.ipynb"
EPSILON = 1e-4
MANIFEST_ROUNDING = 2e-4  # the manifest keeps 4 decimals


# ---- independent oracles -----------------------------------------------------------------------------------

def oracle_psi_numeric(reference, current, n_bins=10, epsilon=EPSILON):
    """Decile PSI written as plainly as possible: count, per value, the cut points strictly below it."""
    ref = [float(x) for x in reference if not math.isnan(float(x))]
    cur = [float(x) for x in current if not math.isnan(float(x))]
    cuts = np.quantile(np.array(ref), [i / n_bins for i in range(1, n_bins)])
    ref_counts, cur_counts = [0] * n_bins, [0] * n_bins
    for values, counts in ((ref, ref_counts), (cur, cur_counts)):
        for bin_number in np.sum(np.array(values)[:, None] > cuts[None, :], axis=1):
            counts[bin_number] += 1
    total = 0.0
    for r_count, c_count in zip(ref_counts, cur_counts):
        r = r_count / len(ref) or epsilon
        c = c_count / len(cur) or epsilon
        total += (c - r) * math.log(c / r)
    return total


def oracle_psi_categorical(reference, current, epsilon=EPSILON):
    ref = [x for x in reference if not pd.isna(x)]
    cur = [x for x in current if not pd.isna(x)]
    total = 0.0
    for category in set(ref) | set(cur):
        r = ref.count(category) / len(ref) or epsilon
        c = cur.count(category) / len(cur) or epsilon
        total += (c - r) * math.log(c / r)
    return total


def oracle_test(reference: pd.Series, current: pd.Series):
    reference, current = reference.dropna(), current.dropna()
    if pd.api.types.is_numeric_dtype(reference):
        return stats.ks_2samp(reference, current)
    labels = sorted(set(reference.astype(str)) | set(current.astype(str)))
    table = [[int((sample.astype(str) == label).sum()) for label in labels] for sample in (reference, current)]
    return stats.chi2_contingency(table)


def test_the_oracle_psi_reproduces_hand_computed_values():
    assert math.isclose(oracle_psi_numeric(np.arange(1, 101), np.r_[np.arange(1, 101), np.arange(1, 51)]),
                        math.log(2) / 6)
    assert math.isclose(oracle_psi_categorical(["a"] * 50 + ["b"] * 50, ["a"] * 75 + ["b"] * 25),
                        0.25 * math.log(1.5) + 0.25 * math.log(2))


# ---- the model solution --------------------------------------------------------------------------------------

@pytest.fixture(scope="module")
def solution() -> dict:
    """Every object the model solution defines: its set-up and answer cells, run in order."""
    namespace: dict = {}
    for cell in read_notebook(SOLUTION).cells:
        meta = cell.metadata.get("nbgrader", {})
        if cell.cell_type == "code" and not meta.get("grade"):
            with contextlib.redirect_stdout(io.StringIO()):
                exec(compile(cell.source, meta.get("grade_id", "cell"), "exec"), namespace)
    return namespace


@pytest.fixture(scope="module")
def manifest() -> dict:
    return load_loans_manifest()


def _random_pairs():
    rng = np.random.default_rng(11)
    yield rng.normal(0, 1, 1000), rng.normal(0.3, 1.2, 800)
    yield rng.lognormal(10, 0.5, 700), rng.lognormal(10.1, 0.5, 900)
    yield rng.integers(0, 6, 500).astype(float), rng.integers(0, 8, 400).astype(float)  # heavy ties
    yield np.r_[rng.normal(0, 1, 300), [np.nan] * 20], np.r_[rng.normal(5, 1, 200), [np.nan] * 3]  # empty bins


@pytest.mark.parametrize("pair", list(_random_pairs()), ids=["normal", "lognormal", "ties", "empty-bins-nan"])
def test_psi_numeric_equals_the_independent_decile_psi(solution, pair):
    reference, current = pair
    assert math.isclose(solution["psi_numeric"](reference, current), oracle_psi_numeric(reference, current),
                        rel_tol=1e-9)
    assert math.isclose(solution["psi_numeric"](reference, current, n_bins=5, epsilon=1e-3),
                        oracle_psi_numeric(reference, current, n_bins=5, epsilon=1e-3), rel_tol=1e-9)


def test_psi_categorical_equals_the_independent_psi(solution):
    rng = np.random.default_rng(5)
    reference = rng.choice(["a", "b", "c", "d"], 600, p=[0.4, 0.3, 0.2, 0.1])
    current = rng.choice(["a", "b", "c", "e"], 500, p=[0.3, 0.3, 0.3, 0.1])  # d disappears, e is new
    assert math.isclose(solution["psi_categorical"](reference, current), oracle_psi_categorical(reference, current),
                        rel_tol=1e-9)


def test_drift_test_equals_scipy(solution):
    rng = np.random.default_rng(8)
    numbers = pd.Series(rng.normal(0, 1, 400)), pd.Series(rng.normal(0.1, 1, 300))
    labels = pd.Series(rng.choice(list("xyz"), 400)), pd.Series(rng.choice(list("xyzw"), 300))
    for reference, current in (numbers, labels):
        name, statistic, p_value = solution["drift_test"](reference, current)
        oracle = oracle_test(reference, current)
        assert name == ("ks" if reference.dtype.kind == "f" else "chi2")
        assert math.isclose(statistic, oracle.statistic, rel_tol=1e-9)
        assert math.isclose(p_value, oracle.pvalue, rel_tol=1e-9)


def test_drift_table_agrees_with_scipy_and_the_manifest(solution, manifest):
    table = solution["drift_table"].set_index(["month", "feature"])
    loans = scored_loans()
    reference = loans[loans["month_key"] == REFERENCE_MONTH]
    assert len(table) == len(MONITORED_MONTHS) * len(FEATURES)
    for month in MONITORED_MONTHS:
        current = loans[loans["month_key"] == month]
        for feature in FEATURES:
            row = table.loc[(month, feature)]
            oracle = oracle_test(reference[feature], current[feature])
            assert math.isclose(row["p_value"], oracle.pvalue, rel_tol=1e-9, abs_tol=1e-300), (month, feature)
            assert row["drift"] == (oracle.pvalue < 0.05)
            assert math.isclose(row["psi"], manifest["psi_by_month"][month][feature], abs_tol=MANIFEST_ROUNDING), \
                (month, feature)


def test_numeric_psi_on_the_loans_equals_the_independent_psi(solution):
    loans = scored_loans()
    reference = loans[loans["month_key"] == REFERENCE_MONTH]
    for month in ("2024-07", "2025-03"):
        current = loans[loans["month_key"] == month]
        for feature in NUMERIC_FEATURES:
            assert math.isclose(solution["psi_numeric"](reference[feature], current[feature]),
                                oracle_psi_numeric(reference[feature], current[feature]), rel_tol=1e-9), feature
        for feature in CATEGORICAL_FEATURES:
            assert math.isclose(solution["psi_categorical"](reference[feature], current[feature]),
                                oracle_psi_categorical(reference[feature].astype(str), current[feature].astype(str)),
                                rel_tol=1e-9), feature


def test_first_drift_months_are_the_manifests_drift_events(solution, manifest):
    events = manifest["events"]
    assert solution["first_drift_month"] == {
        events["income_drift"]["feature"]: events["income_drift"]["start_month"],
        events["new_category"]["feature"]: events["new_category"]["start_month"],
    }


def test_the_incident_is_the_manifests_incident(solution, manifest):
    incident = manifest["events"]["data_quality_incident"]
    assert solution["incident_month"] == incident["month"]
    assert solution["incident_ids"] == set(incident["amounts_in_cents"]["application_ids"])
    quality = solution["quality_by_month"]
    assert quality.loc[incident["month"], "out_of_range_rows"] == incident["amounts_in_cents"]["rows"]
    assert math.isclose(quality.loc[incident["month"], "max_missing_share"], incident["missing_spike"]["missing_rate"],
                        abs_tol=MANIFEST_ROUNDING)
    # the new channel is seen by the unseen-category check, in its months only
    new_channel = manifest["events"]["new_category"]
    unseen = quality["unseen_category_rows"]
    assert (unseen[unseen > 0].index.tolist() == list(new_channel["share"]))


def test_model_output_monitoring_matches_the_manifest(solution, manifest):
    for month in MONITORED_MONTHS:
        assert math.isclose(solution["score_psi"][month], manifest["psi_by_month"][month]["p_default"],
                            abs_tol=MANIFEST_ROUNDING), month
        assert math.isclose(solution["auc_by_month"][month], manifest["by_month"][month]["auc"],
                            abs_tol=MANIFEST_ROUNDING), month
    assert math.isclose(solution["reference_auc"], manifest["reference_model"]["auc_validation"],
                        abs_tol=MANIFEST_ROUNDING)
    concept = manifest["events"]["concept_drift"]
    assert solution["concept_drift_month"] == concept["start_month"]


def test_sample_size_experiment_equals_scipy_and_the_independent_psi(solution):
    table = solution["significance_table"]
    for n in (500, 5000, 50000):
        reference, current = shifted_samples(n)
        assert math.isclose(table.loc[n, "p_value"], stats.ks_2samp(reference, current).pvalue, rel_tol=1e-9)
        assert math.isclose(table.loc[n, "psi"], oracle_psi_numeric(reference, current), rel_tol=1e-9)
    # the lesson the numbers must show: significance grows with n, the size of the change does not
    assert not table.loc[500, "significant"] and table.loc[50000, "significant"]
    assert not table["material"].any()


def test_multiple_testing_reproduces_the_textbook_numbers(solution):
    twenty = solution["multiple_testing"](20)
    assert math.isclose(twenty["expected_false_alarms"], 1.0)
    assert math.isclose(twenty["p_at_least_one"], 0.6415, abs_tol=1e-4)  # METHODS.md: "about 0.64"
    assert math.isclose(twenty["bonferroni_alpha"], 0.0025)


def test_flights_psi_equals_the_independent_psi(solution):
    flights = load_flights()
    january = flights[flights["month"] == 1]
    table = solution["flights_psi"]
    for month, group in flights.groupby("month"):
        for column in ("temp", "dep_delay"):
            assert math.isclose(table.loc[month, column],
                                oracle_psi_numeric(january[column].to_numpy(), group[column].to_numpy()),
                                rel_tol=1e-9, abs_tol=1e-12), (month, column)


def test_the_model_answers_state_only_what_the_data_show(solution, manifest):
    """Figures quoted in the mark schemes and model answers, recomputed."""
    flights = solution["flights_psi"]
    assert flights["dep_delay"].max() < 0.10  # "below 0.10 in every month"
    assert flights.loc[[6, 7, 8], "temp"].min() > 8  # "about 8.4 in June to August"
    assert 0.25 < flights.loc[2, "temp"] < 0.5 and 1.0 < flights.loc[11, "temp"] < 1.4 and flights.loc[12, "temp"] < 0.5
    monthly_delay = load_flights().groupby("month")["dep_delay"].mean()
    assert round(monthly_delay.min()) == 6 and round(monthly_delay.max()) == 23
    table = solution["drift_table"]
    concept_months = manifest["events"]["concept_drift"]["auc_months_after"]
    assert table[table["month"].isin(concept_months)]["psi"].max() < 0.02  # "stayed below 0.02"
    control = table[table["month"].isin(manifest["periods"]["control"])]
    assert control["drift"].sum() == 2  # 2 false alarms in 33 control tests, 1.65 expected
    incident = manifest["events"]["data_quality_incident"]["amounts_in_cents"]
    assert incident["rows"] == 457 and incident["approval_rate_affected"] == 0.0


# ---- the answers, run again on a scenario of the loan stream the solution never saw -------------------------

def _rerun(solution, name, data):
    from mlops_course.grading.rerun import rerun_answer

    history = [cell.source for cell in read_notebook(SOLUTION).cells
               if cell.cell_type == "code" and not cell.metadata.get("nbgrader", {}).get("grade")]
    return rerun_answer(name, data, namespace=solution, history=history)


def test_the_answers_recover_another_scenarios_events(solution):
    from mlops_course.assignments.drift import scenario_batches

    reference, batches, scenario = scenario_batches(5)  # the seed the hidden tests use
    events = scenario["events"]
    data = {"reference": reference, "batches": batches, "loans": pd.concat([reference, *batches.values()])}
    table = _rerun(solution, "drift_table", data)
    for row in table.sample(20, random_state=1).itertuples():
        oracle = oracle_test(reference[row.feature], batches[row.month][row.feature])
        assert math.isclose(row.p_value, oracle.pvalue, rel_tol=1e-9, abs_tol=1e-300), (row.month, row.feature)
    assert _rerun(solution, "first_drift_month", {**data, "drift_table": table}) == {
        "income": events["income_drift"]["start_month"], "channel": events["new_category"]["start_month"]}
    assert _rerun(solution, "incident_month", data) == events["data_quality_incident"]["month"]
    assert _rerun(solution, "incident_ids", data) == set(
        events["data_quality_incident"]["amounts_in_cents"]["application_ids"])
    figures = {"reference_auc": _rerun(solution, "reference_auc", data),
               "auc_by_month": _rerun(solution, "auc_by_month", data), "drift_table": table}
    assert _rerun(solution, "concept_drift_month", figures) == events["concept_drift"]["start_month"]


def test_concept_drift_month_and_significance_follow_their_rules(solution):
    months = list(MONITORED_MONTHS)
    auc = pd.Series(0.7, index=months)
    table = pd.DataFrame({"month": months * 2, "feature": ["x"] * 12 + ["y"] * 12,
                          "psi": [0.10] * 5 + [0.01] * 7 + [0.0] * 12})
    # an input PSI of exactly 0.10 is not below 0.10: the sixth month is the first with stable inputs
    assert _rerun(solution, "concept_drift_month", {"auc_by_month": auc, "reference_auc": 0.8,
                                                    "drift_table": table}) == months[5]
    table = solution["significance_table"]
    assert table["significant"].tolist() == [bool(p < 0.05) for p in table["p_value"]]
