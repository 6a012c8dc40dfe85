"""RACI checks, operating-model comparison, monitors and the validation gate."""

from __future__ import annotations

import matplotlib

matplotlib.use("Agg")

import numpy as np
import pandas as pd
import pytest

from mlops_course.lessons.teams import roles as teams
from mlops_course.data import load_loans


@pytest.fixture
def raci():
    return teams.reference_raci()


def _months(frame, *months):
    return frame[frame["month"].dt.strftime("%Y-%m").isin(months)]


# -- roles and RACI ---------------------------------------------------------------------------------------


def test_roles_cover_the_lesson_checklist():
    expected = {"Business stakeholder", "Data scientist", "Data engineer", "ML/MLOps engineer", "Software engineer",
                "DevOps/platform engineer", "Domain expert", "Risk & compliance"}  # fmt: skip
    assert set(teams.ROLE_TITLES) == expected
    assert teams.roles_table().index.tolist() == list(teams.ROLE_TITLES)


def test_reference_matrix_covers_the_lifecycle_and_passes(raci):
    assert raci.index.tolist() == list(teams.LIFECYCLE)
    assert raci.columns.tolist() == list(teams.ROLE_TITLES)
    assert teams.raci_findings(raci) == []
    assert teams.check_raci(raci).empty


def test_every_check_fires_on_its_own_fault(raci):
    broken = raci.drop(index="Review fairness and compliance")
    broken.loc["Train and evaluate model", "ML/MLOps engineer"] = "A"  # second owner
    broken.loc["Monitor in production", :] = "I"  # nobody owns or does it
    broken.loc["Deploy model", "Software engineer"] = "X"  # unknown code
    broken["Domain expert"] = ""  # a role with no part
    found = {(f.check, f.activity) for f in teams.raci_findings(broken)}
    assert found == {
        ("known codes", "Deploy model"),
        ("lifecycle covered", "Review fairness and compliance"),
        ("exactly one A", "Train and evaluate model"),
        ("exactly one A", "Monitor in production"),
        ("at least one R", "Monitor in production"),
        ("every role has a part", "(all)"),
    }
    table = teams.check_raci(broken)
    assert table.columns.tolist() == ["check", "activity", "detail"] and len(table) == 6
    two_owners = table[(table["check"] == "exactly one A") & (table["activity"] == "Train and evaluate model")]
    assert "Data scientist" in two_owners["detail"].iloc[0] and "ML/MLOps engineer" in two_owners["detail"].iloc[0]


def test_a_slash_r_counts_as_accountable_and_responsible():
    matrix = pd.DataFrame({"Owner": ["A/R"], "Helper": ["C"]}, index=["Do it"])
    assert teams.raci_findings(matrix, required_activities=["Do it"]) == []
    matrix.loc["Do it", "Helper"] = "A"
    assert [f.check for f in teams.raci_findings(matrix, required_activities=[])] == ["exactly one A"]


def test_responsible_without_accountable_and_missing_cells():
    matrix = pd.DataFrame({"Doer": ["R"], "Other": [np.nan]}, index=["Do it"])
    checks = sorted(f.check for f in teams.raci_findings(matrix, required_activities=[]))
    assert checks == ["every role has a part", "exactly one A"]  # NaN is read as "no part"


def test_check_raci_rejects_non_frames():
    with pytest.raises(TypeError, match="DataFrame"):
        teams.raci_findings({"Do it": {"Owner": "A"}})


def test_plot_raci_marks_unknown_codes(raci):
    raci.loc["Deploy model", "Software engineer"] = "X"
    ax = teams.plot_raci(raci)
    assert "X?" in [t.get_text() for t in ax.texts]
    assert len(ax.texts) == raci.size
    matplotlib.pyplot.close("all")


# -- operating models -------------------------------------------------------------------------------------


def test_cross_team_activities_by_hand():
    matrix = pd.DataFrame({"a": ["A/R", "A"], "b": ["C", "R"]}, index=["one team", "two teams"])
    counted = teams.cross_team_activities(matrix, {"a": "x", "b": "y"})
    assert counted.tolist() == [1, 2]
    assert teams.cross_team_activities(matrix, {"a": "x", "b": "x"}).tolist() == [1, 1]
    with pytest.raises(KeyError, match="'b'"):
        teams.cross_team_activities(matrix, {"a": "x"})


def test_operating_models_trade_hand_offs_for_duplicated_stacks(raci):
    table = teams.compare_operating_models(raci, product_lines=4)
    assert table.to_dict("index") == {
        "centralised": {"activities crossing teams": 5, "ML stacks to run": 1},
        "embedded": {"activities crossing teams": 1, "ML stacks to run": 4},
        "hub-and-spoke": {"activities crossing teams": 3, "ML stacks to run": 1},
    }
    with pytest.raises(ValueError, match="at least 1"):
        teams.compare_operating_models(raci, product_lines=0)


def test_every_operating_model_places_every_role():
    for model in teams.OPERATING_MODELS:
        assert set(model.team_of_role) == set(teams.ROLE_TITLES), model.name
    assert set(teams.team_types_table().index) == {"stream-aligned", "platform", "enabling", "complicated-subsystem"}
    assert teams.operating_models_table().index.tolist() == ["centralised", "embedded", "hub-and-spoke"]


# -- monitors ---------------------------------------------------------------------------------------------


def test_monitors_by_hand(scored):
    reference = _months(scored, "2024-03").head(200).copy()
    batch = reference.head(10).copy()
    batch["credit_history_years"] = batch["credit_history_years"].astype(float)
    batch.iloc[:3, batch.columns.get_loc("credit_history_years")] = np.nan  # 3 of 10 missing
    batch.iloc[0, batch.columns.get_loc("loan_amount")] = 10 * int(reference["loan_amount"].max())  # 1 of 10
    batch["channel"] = batch["channel"].astype(str)
    batch.iloc[[1, 2], batch.columns.get_loc("channel")] = "partner_api"  # 2 of 10 unseen
    batch["approved"] = [True] * 10
    result = teams.run_monitors(batch, reference)
    assert result.loc["missing values", "value"] == 0.3
    assert result.loc["out of range", "value"] == 0.1
    assert result.loc["unseen categories", "value"] == 0.2
    assert result.loc["approval rate shift", "value"] == round(1 - reference["approved"].mean(), 4)
    assert (result["status"] == "ALERT").all()


def test_july_incident_fires_the_data_monitors(scored):
    reference = _months(scored, "2024-03")
    july = teams.run_monitors(_months(scored, "2024-07"), reference)
    assert july["status"].to_dict() == {"missing values": "ALERT", "out of range": "ALERT",
                                        "unseen categories": "ok", "approval rate shift": "ALERT"}  # fmt: skip
    assert july.loc["out of range", "value"] >= round(457 / 2359, 4)  # every broker row in cents
    control = teams.run_monitors(_months(scored, "2024-04", "2024-05", "2024-06"), reference)
    assert (control["status"] == "ok").all(), "the control months must not raise false alarms"


def test_data_monitors_need_no_model_but_the_approval_monitor_does():
    loans = load_loans()
    reference, batch = _months(loans, "2024-03"), _months(loans, "2024-04")
    assert teams.run_monitors(batch, reference, teams.DATA_MONITORS).index.tolist() == list(teams.DATA_MONITORS)
    with pytest.raises(KeyError, match="score it first"):
        teams.run_monitors(batch, reference)
    with pytest.raises(ValueError, match="rows"):
        teams.run_monitors(batch.head(0), reference)


def test_monitor_history_has_a_row_per_month(scored):
    history = teams.monitor_history(scored, _months(scored, "2024-03"))
    assert history.shape == (15, 4)
    alerts = history.gt(pd.Series({m.name: m.limit for m in teams.MONITORS}))
    assert alerts.loc["2024-07"].sum() == 3 and alerts.loc["2025-01", "unseen categories"]
    teams.plot_monitor_history(history)
    matplotlib.pyplot.close("all")


def test_every_monitor_has_an_owner_from_the_raci_and_a_runbook(raci):
    table = teams.monitors_table()
    assert table.index.tolist() == [m.name for m in teams.MONITORS]
    assert table["owner"].isin(raci.columns).all()
    assert all(len(m.runbook) >= 2 for m in teams.MONITORS)


def test_runbook_names_owner_and_steps():
    text = teams.runbook("out of range")
    assert text.startswith("Runbook 'out of range' (owner: Data engineer)") and "  1. " in text
    with pytest.raises(KeyError, match="no monitor"):
        teams.runbook("latency")


# -- validation gate --------------------------------------------------------------------------------------


def _checks(*statuses):
    return pd.DataFrame({"value": [0.0] * len(statuses), "limit": [0.05] * len(statuses), "status": statuses},
                        index=[f"check {i}" for i in range(len(statuses))])  # fmt: skip


CURRENT = {"auc": 0.80, "profit": 1_000_000}


def test_gate_promotes_an_equally_good_model():
    decision = teams.validation_gate({"auc": 0.798, "profit": 995_000}, CURRENT, _checks("ok", "ok"))
    assert decision.promote and str(decision).startswith("PROMOTE")


def test_gate_blocks_and_lists_every_reason():
    decision = teams.validation_gate({"auc": 0.79, "profit": 900_000}, CURRENT, _checks("ALERT", "ok"))
    assert not decision.promote
    assert len(decision.reasons) == 3
    assert str(decision).startswith("BLOCK")


@pytest.mark.parametrize(
    "candidate, checks",
    [
        ({"auc": 0.81, "profit": 1_100_000}, _checks("ok", "ALERT")),  # better metrics, bad data
        ({"auc": 0.794, "profit": 1_100_000}, _checks("ok")),  # AUC just outside the tolerance
        ({"auc": 0.81, "profit": 989_000}, _checks("ok")),  # profit just outside the tolerance
    ],
)
def test_gate_blocks_on_any_single_failure(candidate, checks):
    decision = teams.validation_gate(candidate, CURRENT, checks)
    assert not decision.promote and len(decision.reasons) == 1


def test_gate_rejects_incomplete_metrics_and_bad_tolerances():
    with pytest.raises(KeyError, match="profit"):
        teams.validation_gate({"auc": 0.8}, CURRENT, _checks("ok"))
    with pytest.raises(ValueError, match="tolerance"):
        teams.validation_gate(CURRENT, CURRENT, _checks("ok"), profit_tolerance=1.5)
