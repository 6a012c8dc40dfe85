"""Unit tests for ``mlops_course.lessons.state.maturity``: maturity, ML Test Score, build vs buy, governance."""

from __future__ import annotations

import math

import matplotlib

matplotlib.use("Agg")  # headless: the plot functions must work without a display

import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
import pandas as pd  # noqa: E402
import pytest  # noqa: E402
from sklearn.metrics import roc_auc_score  # noqa: E402

from mlops_course.lessons.state import maturity as m  # noqa: E402

ALL_NO = dict.fromkeys(m.PRACTICE_KEYS, False)
ALL_YES = dict.fromkeys(m.PRACTICE_KEYS, True)


@pytest.fixture(autouse=True)
def _close_figures():
    yield
    plt.close("all")


def answers_with(*keys: str) -> dict[str, bool]:
    return {key: key in keys for key in m.PRACTICE_KEYS}


def up_to(framework: str, level: int) -> dict[str, bool]:
    """Exactly the practices a framework requires up to ``level``, nothing else."""
    keys = [k for lvl in range(1, level + 1) for k in m.practices_of_level(framework, lvl)]
    return answers_with(*keys)


# -- the questionnaire itself ------------------------------------------------------------------------------


def test_practices_are_well_formed():
    assert len(set(m.PRACTICE_KEYS)) == len(m.PRACTICE_KEYS), "practice keys must be unique"
    for p in m.PRACTICES:
        assert p.dimension in m.DIMENSIONS, p
        assert p.google_level is not None or p.microsoft_level is not None, f"{p.key} is a criterion nowhere"
        assert p.google_level in (None, 1, 2), p
        assert p.microsoft_level in (None, 1, 2, 3, 4), p
    assert set(m.EXAMPLE_ANSWERS) == set(m.PRACTICE_KEYS)


@pytest.mark.parametrize("framework", ["google", "microsoft"])
def test_every_level_above_zero_has_criteria(framework):
    spec = m.FRAMEWORKS[framework]
    for level in range(1, spec.max_level + 1):
        assert m.practices_of_level(framework, level), f"{framework} level {level} has no practice"
    assert m.practices_of_level(framework, spec.max_level + 1) == ()


def test_framework_level_names_follow_the_sources():
    assert m.FRAMEWORKS["google"].level_names == (
        "Manual process", "ML pipeline automation", "CI/CD pipeline automation")
    assert m.FRAMEWORKS["microsoft"].level_names[0] == "No MLOps"
    assert m.FRAMEWORKS["microsoft"].level_names[1] == "DevOps but no MLOps"
    assert m.FRAMEWORKS["microsoft"].max_level == 4


def test_practices_table_keeps_missing_levels_as_na():
    table = m.practices_table()
    assert list(table.index) == list(m.PRACTICE_KEYS)
    assert table.loc["feature_store", "Microsoft level"] == 2  # Microsoft level 2: "Adopt Managed Feature Store"
    assert pd.isna(table.loc["metric_triggered_retraining", "Google level"])
    assert pd.isna(table.loc["code_versioned", "Google level"])
    assert table.loc["production_monitoring", "Microsoft level"] == 4


# -- input validation --------------------------------------------------------------------------------------


def test_missing_answer_is_an_error_not_a_no():
    incomplete = dict(m.EXAMPLE_ANSWERS)
    del incomplete["model_registry"]
    with pytest.raises(KeyError, match="model_registry"):
        m.assess(incomplete)


def test_unknown_practice_is_rejected():
    with pytest.raises(KeyError, match="unknown practice"):
        m.assess({**m.EXAMPLE_ANSWERS, "blockchain": True})


@pytest.mark.parametrize("value", ["yes", 1, None, 0.0])
def test_answers_must_be_booleans(value):
    with pytest.raises(TypeError, match="True or False"):
        m.assess({**m.EXAMPLE_ANSWERS, "app_ci": value})


def test_numpy_booleans_are_accepted():
    assert m.validate_answers({k: np.bool_(v) for k, v in m.EXAMPLE_ANSWERS.items()}) == m.EXAMPLE_ANSWERS


def test_answers_must_be_a_mapping():
    with pytest.raises(TypeError):
        m.assess(list(m.EXAMPLE_ANSWERS))


def test_unknown_framework():
    with pytest.raises(ValueError, match="framework"):
        m.maturity_level(m.EXAMPLE_ANSWERS, "amazon")


# -- the staircase rule ------------------------------------------------------------------------------------


def test_nothing_in_place_is_level_zero_everywhere():
    results = m.assess(ALL_NO)
    assert results["google"].level == 0 and results["microsoft"].level == 0
    assert results["google"].level_name == "Manual process"
    assert results["microsoft"].missing_for_next == m.practices_of_level("microsoft", 1)
    assert results["google"].in_place_above == ()


def test_everything_in_place_is_the_top_level():
    results = m.assess(ALL_YES)
    assert (results["google"].level, results["microsoft"].level) == (2, 4)
    assert results["google"].missing_for_next == () and results["microsoft"].missing_for_next == ()
    assert m.describe_assessment(ALL_YES).count("Top level reached.") == 2


@pytest.mark.parametrize(("framework", "level"), [("google", 1), ("google", 2), ("microsoft", 1),
                                                  ("microsoft", 2), ("microsoft", 3), ("microsoft", 4)])
def test_exactly_the_practices_up_to_a_level_give_that_level(framework, level):
    result = m.maturity_level(up_to(framework, level), framework)
    assert result.level == level
    # and one practice less drops the team back below that level
    dropped = up_to(framework, level)
    dropped[m.practices_of_level(framework, level)[0]] = False
    assert m.maturity_level(dropped, framework).level == level - 1


def test_a_higher_level_practice_does_not_count_without_the_foundations():
    answers = answers_with("metric_triggered_retraining", "production_monitoring")
    result = m.maturity_level(answers, "microsoft")
    assert result.level == 0, "level-4 practices alone must not raise the level (staircase rule)"
    assert set(result.in_place_above) == {"metric_triggered_retraining", "production_monitoring"}


def test_the_lender_is_microsoft_1_and_google_0():
    results = m.assess(m.EXAMPLE_ANSWERS)
    google, microsoft = results["google"], results["microsoft"]
    assert (google.level, microsoft.level) == (0, 1)
    # trained once and never retrained: continuous training is missing in both frameworks
    assert "continuous_training" in google.missing_for_next and "continuous_training" in microsoft.missing_for_next
    assert set(microsoft.missing_for_next) == {"experiment_tracking", "model_registry", "continuous_training",
                                               "feature_store"}
    assert "training_pipeline" in google.in_place_above
    text = m.describe_assessment(m.EXAMPLE_ANSWERS)
    assert "level 0, 'Manual process'" in text and "level 1, 'DevOps but no MLOps'" in text


def test_the_example_answers_match_the_lenders_practice_history():
    from mlops_course.lender import PRACTICES
    retraining = [p for p in PRACTICES if p.what.startswith("Retraining the served model")]
    assert retraining and retraining[0].how == "not done"
    assert not m.EXAMPLE_ANSWERS["continuous_training"] and not m.EXAMPLE_ANSWERS["metric_triggered_retraining"]
    quality = [p for p in PRACTICES if "ranking quality" in p.what]
    assert quality and quality[0].how == "not done" and not m.EXAMPLE_ANSWERS["production_monitoring"]
    tuning = [p for p in PRACTICES if p.what.startswith("Hyperparameter tuning")]
    assert tuning and tuning[0].how == "not done"
    assert m.EXAMPLE_TEST_STATUSES["model"][2] == "not done", "model test 3 (hyperparameters tuned) was never done"


def test_profile_shares_by_dimension():
    shares = m.profile(m.EXAMPLE_ANSWERS)
    assert list(shares.index) == list(m.DIMENSIONS)
    expected = {"People": 0.5, "Data and features": 0.5, "Training and tracking": 0.4, "Release": 0.25,
                "Monitoring": 0.0}
    for dimension, share in expected.items():
        assert math.isclose(shares[dimension], share), (dimension, shares[dimension])
    assert (m.profile(ALL_YES) == 1).all() and (m.profile(ALL_NO) == 0).all()


def test_level_progress_counts_each_levels_practices():
    progress = m.level_progress(m.EXAMPLE_ANSWERS).set_index(["framework", "level"])
    assert tuple(progress.loc[("google", 1), ["in place", "of"]]) == (2, 6)
    assert tuple(progress.loc[("microsoft", 1), ["in place", "of"]]) == (3, 3)
    assert tuple(progress.loc[("microsoft", 2), ["in place", "of"]]) == (2, 6)
    assert tuple(progress.loc[("microsoft", 3), ["in place", "of"]]) == (0, 3)
    assert progress["of"].sum() == sum(
        (p.google_level is not None) + (p.microsoft_level is not None) for p in m.PRACTICES)


def test_plot_assessment_returns_two_panels():
    fig = m.plot_assessment(m.EXAMPLE_ANSWERS)
    assert len(fig.axes) == 2
    assert "Google level 0, Microsoft level 1" in fig.axes[1].get_title()


def test_self_assessment_widget_computes_the_same_report(capsys):
    quiz = m.SelfAssessment()
    assert quiz.answers() == ALL_NO
    for key, value in m.EXAMPLE_ANSWERS.items():
        quiz.checkboxes[key].value = value
    report = quiz.compute()
    assert report == m.describe_assessment(m.EXAMPLE_ANSWERS)
    assert "Manual process" in quiz.result.value and quiz.result.value.startswith("<pre>")
    quiz.compute()
    assert len(quiz.plot_area.outputs) == 1, "a second click must replace the plot, not add one"
    bundle = quiz.widget._repr_mimebundle_()
    assert bundle["text/plain"].startswith("[Interactive questionnaire: 15 checkboxes")


def test_self_assessment_starts_from_given_answers():
    assert m.SelfAssessment(m.EXAMPLE_ANSWERS).answers() == m.EXAMPLE_ANSWERS


def test_self_assessment_prints_instructions(capsys, monkeypatch):
    shown = []
    monkeypatch.setattr("IPython.display.display", lambda obj: shown.append(obj))
    assert m.self_assessment() is None
    assert "Compute my level" in capsys.readouterr().out
    assert len(shown) == 1


# -- ML Test Score ------------------------------------------------------------------------------------------


def test_rubric_has_28_tests_in_four_sections_of_seven():
    assert tuple(m.ML_TEST_SCORE_TESTS) == m.ML_TEST_SCORE_SECTIONS
    assert all(len(tests) == 7 for tests in m.ML_TEST_SCORE_TESTS.values())
    assert sum(len(tests) for tests in m.ML_TEST_SCORE_TESTS.values()) == 28
    assert m.ML_TEST_SCORE_TESTS["monitoring"][2] == "Training and serving are not skewed"
    assert m.TEST_POINTS == {"not done": 0.0, "manual": 0.5, "automated": 1.0}


def _by_hand(statuses):
    """Independent arithmetic: half a point per manual test, one per automated test, minimum of sections."""
    sections = {s: 0.5 * list(v).count("manual") + list(v).count("automated") for s, v in statuses.items()}
    return sections, min(sections.values())


def test_example_score_matches_the_hand_calculation():
    result = m.ml_test_score(m.EXAMPLE_TEST_STATUSES)
    sections, final = _by_hand(m.EXAMPLE_TEST_STATUSES)
    assert result.section_scores.to_dict() == sections == {
        "data": 3.5, "model": 2.0, "infrastructure": 4.0, "monitoring": 2.0}
    assert result.final == final == 2.0
    assert result.weakest == ("model", "monitoring")
    assert result.meaning.startswith("There's been first pass at basic productionization")


def test_final_score_is_the_minimum_not_the_mean():
    statuses = {"data": ["automated"] * 7, "model": ["automated"] * 7, "infrastructure": ["automated"] * 7,
                "monitoring": ["manual"] * 2 + ["not done"] * 5}
    result = m.ml_test_score(statuses)
    assert result.final == 1.0, f"a mean or sum would give more than 1.0, got {result.final}"
    assert result.meaning.startswith("Not totally untested")


def test_ties_name_every_weakest_section():
    statuses = {s: ["manual"] * 4 + ["not done"] * 3 for s in m.ML_TEST_SCORE_SECTIONS}
    statuses["model"] = ["automated"] * 7
    assert m.ml_test_score(statuses).weakest == ("data", "infrastructure", "monitoring")


@pytest.mark.parametrize(("score", "start"), [
    (0.0, "More of a research project"), (0.5, "Not totally untested"), (1.0, "Not totally untested"),
    (1.5, "There's been first pass"), (2.0, "There's been first pass"), (3.0, "Reasonably tested"),
    (3.5, "Strong levels"), (5.0, "Strong levels"), (5.5, "Exceptional"), (7.0, "Exceptional"),
])
def test_table_v_bands_include_their_upper_bound(score, start):
    assert m.interpret_ml_test_score(score).startswith(start)


@pytest.mark.parametrize("score", [-0.5, 7.5])
def test_scores_outside_0_to_7_are_rejected(score):
    with pytest.raises(ValueError):
        m.interpret_ml_test_score(score)


def test_extreme_systems():
    assert m.ml_test_score({s: ["automated"] * 7 for s in m.ML_TEST_SCORE_SECTIONS}).final == 7.0
    nothing = m.ml_test_score({s: ["not done"] * 7 for s in m.ML_TEST_SCORE_SECTIONS})
    assert nothing.final == 0.0 and nothing.meaning.startswith("More of a research project")


@pytest.mark.parametrize(("statuses", "error"), [
    ({"data": ["manual"] * 7}, KeyError),
    ({**m.EXAMPLE_TEST_STATUSES, "data": ["manual"] * 6}, ValueError),
    ({**m.EXAMPLE_TEST_STATUSES, "model": ["done"] + ["manual"] * 6}, ValueError),
    ([["manual"] * 7] * 4, TypeError),
])
def test_bad_statuses_give_clear_errors(statuses, error):
    with pytest.raises(error):
        m.ml_test_score(statuses)


def test_score_table_lists_status_and_points():
    table = m.ml_test_score_table(m.EXAMPLE_TEST_STATUSES)
    assert len(table) == 28
    assert table.groupby("section")["points"].sum().to_dict() == {
        "data": 3.5, "model": 2.0, "infrastructure": 4.0, "monitoring": 2.0}
    assert list(m.ml_test_score_table().columns) == ["section", "test no.", "test"]


def test_only_the_weakest_section_raises_the_score():
    # the lender's model and monitoring sections tie at 2.0: no single improvement moves the minimum
    gains = m.score_if_improved(m.EXAMPLE_TEST_STATUSES)
    assert gains.to_dict() == {"data": 2.0, "model": 2.0, "infrastructure": 2.0, "monitoring": 2.0}
    untied = {**m.EXAMPLE_TEST_STATUSES, "model": ("manual",) * 6 + ("automated",)}
    assert m.score_if_improved(untied).to_dict() == {"data": 2.0, "model": 2.0, "infrastructure": 2.0,
                                                     "monitoring": 3.0}
    full = {s: ["automated"] * 7 for s in m.ML_TEST_SCORE_SECTIONS}
    assert (m.score_if_improved(full) == 7.0).all()


def test_score_if_improved_upgrades_a_manual_test_when_all_are_at_least_manual():
    statuses = {s: ["manual"] * 7 for s in m.ML_TEST_SCORE_SECTIONS}
    statuses["model"] = ["automated"] * 7
    # data 3.5 -> 4.0 if improved, but the minimum stays 3.5 while infrastructure and monitoring are 3.5
    assert m.score_if_improved(statuses).to_dict() == {
        "data": 3.5, "model": 3.5, "infrastructure": 3.5, "monitoring": 3.5}


def test_plot_ml_test_score_draws_the_minimum():
    fig = m.plot_ml_test_score(m.EXAMPLE_TEST_STATUSES)
    (ax,) = fig.axes
    assert any("minimum = 2.0" in text.get_text() for text in ax.get_legend().get_texts())


# -- build vs buy -------------------------------------------------------------------------------------------

SCORES, WEIGHTS = m.EXAMPLE_BUILD_BUY_SCORES, m.EXAMPLE_BUILD_BUY_WEIGHTS


def test_decision_matrix_totals_are_weighted_sums():
    matrix = m.decision_matrix(SCORES, WEIGHTS)
    by_hand = {option: sum(SCORES.loc[option, c] * WEIGHTS[c] for c in WEIGHTS.index) for option in SCORES.index}
    for option, total in by_hand.items():
        assert math.isclose(matrix.loc[option, "total"], total), option
    assert math.isclose(matrix.loc["build (open-source parts)", "total"], 3.55)
    assert math.isclose(matrix.loc["buy (managed platform)", "total"], 3.35)
    assert math.isclose(matrix.loc["hybrid (platform + own checks)", "total"], 3.45)


def test_decision_matrix_ignores_column_order():
    shuffled = SCORES[list(reversed(SCORES.columns))]
    pd.testing.assert_series_equal(m.decision_matrix(shuffled, WEIGHTS)["total"],
                                   m.decision_matrix(SCORES, WEIGHTS)["total"])


@pytest.mark.parametrize(("weights", "error"), [
    (WEIGHTS * 2, ValueError),
    (WEIGHTS.drop("time to value") / WEIGHTS.drop("time to value").sum(), KeyError),
    (pd.Series({**WEIGHTS.to_dict(), "time to value": -0.2, "fit to our requirements": 0.65}), ValueError),
    (pd.Series({**WEIGHTS.to_dict(), "time to value": np.nan}), ValueError),
])
def test_bad_weights_give_clear_errors(weights, error):
    with pytest.raises(error):
        m.decision_matrix(SCORES, weights)


def test_reweight_keeps_the_sum_and_the_proportions():
    new = m.reweight(WEIGHTS, "time to value", 0.4)
    assert math.isclose(new.sum(), 1.0)
    assert math.isclose(new["time to value"], 0.4)
    assert list(new.index) == list(WEIGHTS.index)
    others_before = WEIGHTS.drop("time to value")
    others_after = new.drop("time to value")
    np.testing.assert_allclose(others_after / others_after.sum(), others_before / others_before.sum())
    with pytest.raises(KeyError):
        m.reweight(WEIGHTS, "colour of the logo", 0.1)
    with pytest.raises(ValueError):
        m.reweight(WEIGHTS, "time to value", 1.5)


def test_sensitivity_reproduces_the_matrix_at_the_agreed_weight_and_shows_the_flip():
    sensitivity = m.weight_sensitivity(SCORES, WEIGHTS, "time to value")
    pd.testing.assert_series_equal(sensitivity.loc[0.2], m.decision_matrix(SCORES, WEIGHTS)["total"],
                                   check_names=False)
    winners = sensitivity.idxmax(axis="columns")
    assert winners[0.2] == "build (open-source parts)"
    assert winners[0.25] == "hybrid (platform + own checks)"
    assert winners[0.3] == "buy (managed platform)"
    custom = m.weight_sensitivity(SCORES, WEIGHTS, "time to value", grid=[0.0, 1.0])
    assert math.isclose(custom.loc[1.0, "buy (managed platform)"], 5.0), "all weight on one criterion = its score"


def test_plot_decision_matrix_has_two_panels():
    assert len(m.plot_decision_matrix(SCORES, WEIGHTS, "time to value").axes) == 2


# -- governance ---------------------------------------------------------------------------------------------


def test_governance_map_covers_the_ai_act_requirements_and_the_nist_functions():
    table = m.governance_table()
    ai_act = table[table["source"] == "EU AI Act"]
    assert set(ai_act["reference"]) >= {"Art. 9", "Art. 10", "Art. 11", "Art. 12", "Art. 14", "Art. 15"}
    assert set(ai_act["requirement"]) >= {"Risk management system", "Data and data governance",
                                          "Technical documentation", "Record-keeping", "Human oversight",
                                          "Accuracy, robustness and cybersecurity"}
    nist = table[table["source"] == "NIST AI RMF"]
    assert list(nist["reference"]) == ["GOVERN", "MAP", "MEASURE", "MANAGE"]
    for requirement in m.GOVERNANCE_MAP:
        assert requirement.practices, requirement
        assert set(requirement.practices) <= set(m.PRACTICE_KEYS), requirement


def test_governance_coverage_of_the_example_team():
    coverage = m.governance_coverage(m.EXAMPLE_ANSWERS).set_index("requirement")
    # versioning alone does not make technical documentation: tracking and validation results are missing
    assert coverage.loc["Art. 11 Technical documentation", "status"] == "partly"
    assert "validation_gates" in coverage.loc["Art. 11 Technical documentation", "missing"]
    assert coverage.loc["Art. 15 Accuracy, robustness and cybersecurity", "status"] == "none"
    # record-keeping needs logs of the system in use; training-run tracking does not count towards it
    assert "experiment_tracking" not in dict((r.reference, r.practices) for r in m.GOVERNANCE_MAP)["Art. 12"]
    assert coverage.loc["Art. 12 Record-keeping", "status"] == "none"
    assert (m.governance_coverage(ALL_YES)["status"] == "all in place").all()
    assert (m.governance_coverage(ALL_NO)["status"] == "none").all()


def test_plot_governance_coverage():
    (ax,) = m.plot_governance_coverage(m.EXAMPLE_ANSWERS).axes
    assert len(ax.get_yticklabels()) == len(m.GOVERNANCE_MAP)


def _toy_scored() -> pd.DataFrame:
    """Two months, hand-checkable: January is perfectly ranked, February ranked exactly backwards."""
    return pd.DataFrame({
        "month": pd.to_datetime(["2024-01-01"] * 4 + ["2024-02-01"] * 4),
        "default": [0, 0, 1, 1, 0, 0, 1, 1],
        "p_default": [0.1, 0.2, 0.8, 0.9, 0.9, 0.8, 0.2, 0.1],
        "approved": [True, True, False, False, True, False, True, False],
        "sex": ["female", "male", "female", "male", "female", "female", "male", "male"],
    })


def test_lifecycle_evidence_by_hand():
    monthly = m.lifecycle_evidence(_toy_scored())
    assert list(monthly.index) == ["2024-01", "2024-02"]
    assert monthly.loc["2024-01", "AUC"] == 1.0 and monthly.loc["2024-02", "AUC"] == 0.0
    assert monthly.loc["2024-01", "approval rate"] == 0.5
    # January: women 1 of 2 approved, men 1 of 2 -> ratio 1.0; February: women 1 of 2, men 1 of 2 -> 1.0
    assert monthly.loc["2024-01", "approval ratio women/men"] == 1.0
    toy = _toy_scored()
    toy.loc[4, "approved"] = False  # February: women 0 of 2 approved
    assert m.lifecycle_evidence(toy).loc["2024-02", "approval ratio women/men"] == 0.0


def test_lifecycle_evidence_agrees_with_sklearn_on_random_data():
    rng = np.random.default_rng(7)
    n = 400
    scored = pd.DataFrame({
        "month": pd.to_datetime(rng.choice(["2024-01-01", "2024-02-01"], n)),
        "default": rng.integers(0, 2, n), "p_default": rng.random(n),
        "approved": rng.random(n) < 0.6, "sex": rng.choice(["female", "male"], n),
    })
    monthly = m.lifecycle_evidence(scored)
    jan = scored[scored["month"] == "2024-01-01"]
    assert math.isclose(monthly.loc["2024-01", "AUC"], round(roc_auc_score(jan["default"], jan["p_default"]), 3))


def test_lifecycle_evidence_needs_its_columns():
    with pytest.raises(KeyError, match="sex"):
        m.lifecycle_evidence(_toy_scored().drop(columns="sex"))


def test_plot_lifecycle_evidence():
    monthly = m.lifecycle_evidence(_toy_scored())
    assert len(m.plot_lifecycle_evidence(monthly, reference_month="2024-01").axes) == 2


# -- three Vs -------------------------------------------------------------------------------------------------


def test_three_vs_use_known_practices_and_score_the_example():
    assert set(m.THREE_VS) == {"velocity", "validation", "versioning"}
    for keys in m.THREE_VS.values():
        assert set(keys) <= set(m.PRACTICE_KEYS)
    coverage = m.three_vs_coverage(m.EXAMPLE_ANSWERS)
    assert coverage.loc["validation", "share"] == 0.33
    assert coverage.loc["versioning", "share"] == 0.25
    assert coverage.loc["velocity", "missing"] == "experiment_tracking, automated_model_release, pipeline_cicd"
    assert (m.three_vs_coverage(ALL_NO)["in place"] == "-").all()
