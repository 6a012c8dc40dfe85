"""The scenario material of the "operations" assignment (``mlops_course.assignments.operations``): complete, well
formed, and consistent with what the chapters teach, so that learners meet one set of facts."""

from __future__ import annotations

import pandas as pd
import pytest

from mlops_course import lender
from mlops_course.assignments import operations
from mlops_course.data import TRAIN_MONTHS, load_loans, load_loans_manifest, score_applications, train_reference_model


def test_risk_register_is_complete_and_on_the_1_to_5_scales():
    register = operations.risk_register()
    assert list(register.columns) == ["risk_id", "description", "likelihood", "impact"]
    assert register["risk_id"].tolist() == [f"R{i:02d}" for i in range(1, 13)]
    assert register[["likelihood", "impact"]].isin(range(1, 6)).all().all()
    assert register["description"].str.len().gt(60).all()


def test_taxonomy_covers_the_three_groups_of_the_slides():
    groups = {group for group, _ in operations.RISK_TAXONOMY.values()}
    assert groups == {"business and financial", "governance", "(cyber) safety"}
    assert list(operations.risk_taxonomy()["category"]) == list(operations.RISK_TAXONOMY)


def test_team_raci_uses_known_roles_and_codes_except_the_planted_typo():
    team = operations.team_raci()
    assert list(team.columns) == list(operations.ROLES)
    assert team.index.is_unique and team.index.name == "activity"
    odd = {(a, r) for a in team.index for r in team.columns if team.loc[a, r] not in operations.RACI_CODES}
    assert odd == {("Review fairness and compliance", "Risk & compliance")}


def test_ml_test_audit_has_the_28_tests_of_the_paper():
    audit = operations.lender_test_audit()
    assert len(audit) == 28
    assert audit.groupby("section").size().to_dict() == {"data": 7, "model": 7, "infrastructure": 7, "monitoring": 7}
    assert set(audit["status"]) <= {"automated", "manual", "not done"}
    assert audit["test"].is_unique and audit["evidence"].str.len().gt(20).all()


def test_maturity_tables_have_every_level_and_organisation():
    levels = operations.maturity_levels()
    assert levels.groupby("framework")["level"].apply(list).to_dict() == {
        "Google Cloud": [0, 1, 2], "Microsoft Azure": [0, 1, 2, 3, 4]}
    assert list(operations.organisations().index) == ["Alder", "Birch", "Cedar", "Dogwood", "Elm", "Fir"]


def test_debt_situations_and_types():
    assert list(operations.debt_situations().index) == [f"S{i}" for i in range(1, 10)]
    assert len(operations.debt_types()) == 12 and operations.debt_types().index.is_unique


def test_monthly_auc_covers_every_month_after_training():
    loans = load_loans()
    scored = score_applications(train_reference_model(loans), loans)
    table = operations.monthly_auc(scored, TRAIN_MONTHS)
    manifest = load_loans_manifest()
    assert table["month"].tolist() == manifest["months"][len(TRAIN_MONTHS):]
    assert table["model_age"].tolist() == list(range(1, 14))
    assert table["auc"].between(0.5, 1.0).all()


def test_monthly_auc_is_empty_without_months_after_training():
    frame = pd.DataFrame({"month": pd.to_datetime(["2024-01-01"]), "default": [0], "p_default": [0.1]})
    assert operations.monthly_auc(frame, ("2024-01",)).empty


# --- consistency with the chapters' modules (one set of facts across the course) ----------------------

def test_taxonomy_codes_are_those_of_chapter_1():
    risks = pytest.importorskip("mlops_course.lessons.challenges.risks")
    assert tuple(operations.RISK_TAXONOMY) == tuple(risks.RISK_KEYS)


def test_rating_bands_are_those_of_chapter_1():
    risks = pytest.importorskip("mlops_course.lessons.challenges.risks")
    assert [(name, low, high) for name, low, high in risks.LEVELS] == [
        ("low", 1, 4), ("medium", 5, 9), ("high", 10, 16), ("very high", 17, 25)]


def test_roles_activities_and_codes_are_those_of_chapter_2():
    teams = pytest.importorskip("mlops_course.lessons.teams.roles")
    assert set(operations.ROLES) <= set(teams.ROLE_TITLES)
    assert list(operations.team_raci().index) == list(teams.LIFECYCLE)
    assert set(operations.RACI_CODES) == set(teams.RACI_CODES)
    findings = {(f.check, f.activity) for f in teams.raci_findings(operations.team_raci())}
    assert findings == {("known codes", "Review fairness and compliance"),
                        ("exactly one A", "Review fairness and compliance"),
                        ("exactly one A", "Choose decision threshold"),
                        ("at least one R", "Choose decision threshold"),
                        ("exactly one A", "Monitor in production"),
                        ("at least one R", "Respond to incidents")}


def test_ml_test_score_material_is_that_of_chapter_3():
    maturity = pytest.importorskip("mlops_course.lessons.state.maturity")
    assert {k: tuple(v) for k, v in operations.ML_TEST_SCORE_TESTS.items()} == {
        k: tuple(v) for k, v in maturity.ML_TEST_SCORE_TESTS.items()}
    audit = operations.lender_test_audit()
    statuses = {s: tuple(audit.loc[audit["section"] == s, "status"]) for s in maturity.ML_TEST_SCORE_SECTIONS}
    assert statuses == dict(lender.TEST_STATUSES), "the audit is the lender's practice history"
    assert maturity.ml_test_score(statuses).final == 2.0


def test_level_names_are_those_of_chapter_3():
    maturity = pytest.importorskip("mlops_course.lessons.state.maturity")
    for framework, levels in (("google", operations.GOOGLE_LEVELS), ("microsoft", operations.MICROSOFT_LEVELS)):
        names = [name.lower() for name, _ in levels.values()]
        assert names == [name.lower() for name in maturity.FRAMEWORKS[framework].level_names]


def test_plots_draw_one_figure_each():
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    table = pd.DataFrame({"month": ["2024-03", "2024-04"], "model_age": [1, 2], "auc": [0.7, 0.69]})
    curves = pd.DataFrame({"profit": [10.0, -5.0], "accuracy": [0.8, 0.7]}, index=pd.Index([0.1, 0.2], name="threshold"))
    for draw in (lambda: operations.plot_auc_by_age(table), lambda: operations.plot_profit_and_accuracy(curves, "2024-03")):
        plt.close("all")
        assert draw() is None
        assert len(plt.get_fignums()) == 1
    plt.close("all")
