"""Fingerprints and the generated model card: stable, sensitive to real changes, true to the manifest."""

from __future__ import annotations

import copy
import math
import re

import pytest

from mlops_course.data import load_loans_manifest, train_reference_model
from mlops_course.lessons.teams.model_card import (
    file_sha256,
    model_card,
    model_card_facts,
    model_fingerprint,
    registry_record,
)
from mlops_course.paths import datasets_dir

MITCHELL_SECTIONS = [
    "Model details", "Intended use", "Factors", "Metrics", "Evaluation data", "Training data",
    "Quantitative analyses", "Ethical considerations", "Caveats and recommendations",
]  # fmt: skip


def test_file_sha256_matches_the_committed_checksums():
    sums = dict(reversed(line.split()) for line in (datasets_dir() / "SHA256SUMS").read_text().splitlines())
    assert file_sha256(datasets_dir() / "loans" / "loans.csv") == sums["loans/loans.csv"]


def test_fingerprint_is_stable_for_the_same_training(loans, model):
    assert model_fingerprint(model) == model_fingerprint(train_reference_model(loans))
    assert len(model_fingerprint(model)) == 64


def test_fingerprint_changes_when_training_changes(loans, model):
    assert model_fingerprint(model) != model_fingerprint(train_reference_model(loans, months=("2024-01",)))


def test_fingerprint_ignores_float_noise_but_not_real_changes(model):
    noisy, changed = copy.deepcopy(model), copy.deepcopy(model)
    noisy[-1].coef_ = noisy[-1].coef_ + 1e-10
    changed[-1].coef_ = changed[-1].coef_ + 1e-3
    assert model_fingerprint(noisy) == model_fingerprint(model)
    assert model_fingerprint(changed) != model_fingerprint(model)


def test_fingerprint_rejects_non_estimators():
    with pytest.raises(TypeError, match="scikit-learn"):
        model_fingerprint({"coef": [1, 2]})


def test_registry_record(model):
    record = registry_record(model)
    assert record["model_fingerprint"] == model_fingerprint(model)[:12]
    assert record["data_sha256"] == "ade2a884daa9"  # the loans.csv checksum on the data card
    assert record["training_months"] == "2024-01, 2024-02"
    assert record["inputs"] == 11 and record["approval_threshold"] == 0.15


def test_facts_agree_with_the_manifest(loans, model):
    facts = model_card_facts(model, loans)
    manifest = load_loans_manifest()
    bias = manifest["events"]["planted_bias"]
    assert math.isclose(facts["auc"], manifest["reference_model"]["auc_validation"], abs_tol=5e-5)
    assert math.isclose(facts["approval_rate"], manifest["by_month"]["2024-03"]["approval_rate"], abs_tol=5e-5)
    assert math.isclose(facts["approval_ratio"], bias["four_fifths_ratio"], abs_tol=5e-5)
    assert facts["approval_ratio_groups"] == ("female", "male")
    assert facts["evaluation_rows"] == manifest["by_month"]["2024-03"]["rows"]
    train_rows = sum(manifest["by_month"][m]["rows"] for m in ("2024-01", "2024-02"))
    assert facts["training_rows"] == train_rows
    assert facts["by_sex"]["applications"].sum() == facts["evaluation_rows"]
    assert math.isclose(facts["by_sex"].loc["female", "approval rate"], bias["approval_rate_by_sex"]["female"],
                        abs_tol=5e-4)  # fmt: skip


def test_card_has_every_section_in_order_and_no_gaps(loans, model):
    card = model_card(model, loans)
    positions = [card.index(f"## {section}\n") for section in MITCHELL_SECTIONS]
    assert positions == sorted(positions)
    assert model_fingerprint(model)[:12] in card
    assert "below the four-fifths screen" in card
    assert re.search(r"\bnan\b", card, flags=re.IGNORECASE) is None
    assert "| female | 973 |" in card  # counts stay integers in the tables


def test_card_refuses_months_without_data(loans, model):
    with pytest.raises(ValueError, match="no rows"):
        model_card(model, loans, evaluation_months=("2030-01",))
