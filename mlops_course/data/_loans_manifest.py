"""Build the ground-truth manifest of the loan data: what was injected, where, and how strong it is.

The manifest states each event's design (months, feature, magnitude) next to the figures measured on the
committed data with the course's conventions, so graders and tests compare against numbers the data
really shows. Measured figures are rounded to 4 decimals.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
from sklearn.metrics import roc_auc_score

import mlops_course.data.loans as spec
from mlops_course.data.credit_model import (
    APPROVAL_THRESHOLD,
    CATEGORICAL_FEATURES,
    FEATURES,
    NUMERIC_FEATURES,
    score_applications,
    train_reference_model,
)
from mlops_course.data.months import month_labels
from mlops_course.data.outcomes import LAST_MONTH, known_from, last_month_with_outcomes, outcome_known

PSI_EPSILON = 1e-4
AUC_TOLERANCE = 0.02
# Months with the concept drift and no other event: the AUC drop is measured on them.
CONCEPT_ONLY_MONTHS = tuple(m for m in spec.MONTHS if spec.CONCEPT_DRIFT_START <= m < spec.INCOME_DRIFT_START)


def _r(value: float) -> float:
    return round(float(value), 4)


def decile_psi(reference: pd.Series, current: pd.Series) -> float:
    """PSI over reference deciles with open outer edges; bins are right-closed; missing values dropped."""
    reference, current = reference.dropna().to_numpy(float), current.dropna().to_numpy(float)
    edges = np.quantile(reference, np.linspace(0, 1, 11)[1:-1])
    r = np.bincount(np.searchsorted(edges, reference, side="left"), minlength=10) / reference.size
    c = np.bincount(np.searchsorted(edges, current, side="left"), minlength=10) / current.size
    return _psi(r, c)


def category_psi(reference: pd.Series, current: pd.Series) -> float:
    """PSI with one bin per category; a category unseen in the reference gets its own bin."""
    categories = sorted(set(reference.dropna()) | set(current.dropna()))
    r = reference.value_counts(normalize=True).reindex(categories, fill_value=0).to_numpy()
    c = current.value_counts(normalize=True).reindex(categories, fill_value=0).to_numpy()
    return _psi(r, c)


def _psi(r: np.ndarray, c: np.ndarray) -> float:
    r, c = np.where(r == 0, PSI_EPSILON, r), np.where(c == 0, PSI_EPSILON, c)
    return float(np.sum((c - r) * np.log(c / r)))


def _months(frame: pd.DataFrame, months) -> pd.DataFrame:
    return frame[frame["month_key"].isin(list(months))]


def _psi_table(scored: pd.DataFrame) -> dict:
    """PSI of every model input and of the model score, per month, against the validation month."""
    reference = _months(scored, spec.VALIDATION_MONTHS)
    table = {}
    for month in spec.MONTHS:
        current = _months(scored, [month])
        row = {f: decile_psi(reference[f], current[f]) for f in (*NUMERIC_FEATURES, "p_default")}
        row |= {f: category_psi(reference[f].astype(str), current[f].astype(str)) for f in CATEGORICAL_FEATURES}
        table[month] = {f: _r(v) for f, v in row.items()}
    return table


def _rate_by_sex(frame: pd.DataFrame, column: str, rounded: bool = True) -> dict:
    rates = frame.groupby(frame["sex"].astype(str))[column].mean()
    return {sex: _r(rates[sex]) if rounded else float(rates[sex]) for sex in spec.SEXES}


def _ratio(frame: pd.DataFrame, column: str) -> float:
    """Women's rate divided by men's, from the unrounded rates."""
    rates = _rate_by_sex(frame, column, rounded=False)
    return _r(rates["female"] / rates["male"])


def _auc(frame: pd.DataFrame, label: str = "default") -> float:
    return _r(roc_auc_score(frame[label], frame["p_default"]))


def _monthly(scored: pd.DataFrame) -> dict:
    summary = {}
    for month in spec.MONTHS:
        batch = _months(scored, [month])
        approved = batch[batch["approved"]]
        approval = _rate_by_sex(batch, "approved")
        summary[month] = {
            "rows": len(batch),
            "default_rate": _r(batch["default"].mean()),
            "true_default_rate": _r(batch["true_default"].mean()),
            "auc": _auc(batch),
            "auc_true": _auc(batch, "true_default"),
            "outcomes_known_from": known_from(month),
            "auc_approved": _auc(approved),
            "default_rate_approved": _r(approved["default"].mean()),
            "approval_rate": _r(batch["approved"].mean()),
            "approval_rate_by_sex": approval,
            "approval_ratio_female_to_male": _ratio(batch, "approved"),
        }
    return summary


def _outcomes(scored: pd.DataFrame) -> dict:
    known = scored[scored["outcome_known"]]
    return {
        "type": "outcome_delay_and_selective_labels",
        "what": f"An outcome is known {spec.OUTCOME_DELAY_MONTHS} months after the application month (the "
        "course's simplification), and from go-live only for approved applications: rejected applicants "
        "never get a loan, so never an outcome. The training and validation months are fully labelled "
        "(the course assumes the lender approved every applicant who passed its basic policy rules while "
        "the model was being built). The data keep every outcome because they are synthetic; "
        "mlops_course.data.outcomes.outcome_known says which ones the lender knows.",
        "delay_months": spec.OUTCOME_DELAY_MONTHS,
        "go_live_month": spec.GO_LIVE_MONTH,
        "labelled_without_selection": list(spec.REFERENCE_MONTHS),
        "as_of": LAST_MONTH,
        "last_application_month_with_outcomes": last_month_with_outcomes(LAST_MONTH),
        "rows_with_known_outcome": len(known),
        "known_share_by_month": {m: _r(_months(scored, [m])["outcome_known"].mean()) for m in spec.MONTHS},
        "concept_drift_first_visible_in_outcomes": known_from(spec.CONCEPT_DRIFT_START),
    }


def _incident(scored: pd.DataFrame, psi: dict) -> dict:
    month = _months(scored, [spec.INCIDENT_MONTH])
    in_cents = month[month["channel"] == spec.INCIDENT_CHANNEL]
    missing = month[month[spec.MISSING_FEATURE].isna()]
    others = scored[scored["month_key"] != spec.INCIDENT_MONTH]
    return {
        "type": "data_quality",
        "month": spec.INCIDENT_MONTH,
        "what": "A broker's system sent loan amounts in cents instead of euros, and a changed application "
        "form left credit history empty for many applicants. Both were fixed the month after.",
        "amounts_in_cents": {
            "feature": "loan_amount",
            "channel": spec.INCIDENT_CHANNEL,
            "factor": spec.INCIDENT_AMOUNT_FACTOR,
            "rows": len(in_cents),
            "median_amount_affected": _r(in_cents["loan_amount"].median()),
            "median_amount_other_months": _r(others["loan_amount"].median()),
            "approval_rate_affected": _r(in_cents["approved"].mean()),
            "psi_loan_amount": psi[spec.INCIDENT_MONTH]["loan_amount"],
            "application_ids": in_cents["application_id"].tolist(),
        },
        "missing_spike": {
            "feature": spec.MISSING_FEATURE,
            "design_missing_rate": spec.INCIDENT_MISSING_RATE,
            "design_missing_rate_other_months": spec.BASELINE_MISSING_RATE,
            "missing_rate": _r(month[spec.MISSING_FEATURE].isna().mean()),
            "missing_rate_other_months": _r(others[spec.MISSING_FEATURE].isna().mean()),
            "rows": len(missing),
            "application_ids": missing["application_id"].tolist(),
        },
    }


def _concept_drift(scored: pd.DataFrame, psi: dict) -> dict:
    before = _months(scored, spec.CONTROL_MONTHS)
    after = _months(scored, CONCEPT_ONLY_MONTHS)
    return {
        "type": "concept_drift",
        "start_month": spec.CONCEPT_DRIFT_START,
        "months": [m for m in spec.MONTHS if m >= spec.CONCEPT_DRIFT_START],
        "what": "An economic shock changes who defaults: income and debt-to-income predict default less, "
        "self-employed applicants and the south region (a plant closure) default much more. The "
        "applicants themselves look the same as before.",
        "risk_scale": spec.RISK_SCALE,
        "risk_before": spec.RISK["before"],
        "risk_after": spec.RISK["after"],
        "auc_months_before": list(spec.CONTROL_MONTHS),
        "auc_months_after": list(CONCEPT_ONLY_MONTHS),
        "auc_before": _auc(before),
        "auc_after": _auc(after),
        "auc_drop": _r(_auc(before) - _auc(after)),
        "auc_tolerance": AUC_TOLERANCE,
        "auc_approved_before": _auc(before[before["approved"]]),
        "auc_approved_after": _auc(after[after["approved"]]),
        "auc_approved_drop": _r(_auc(before[before["approved"]]) - _auc(after[after["approved"]])),
        "outcomes_first_known": known_from(spec.CONCEPT_DRIFT_START),
        "default_rate_before": _r(before["default"].mean()),
        "default_rate_after": _r(after["default"].mean()),
        "max_input_psi_after": max(psi[m][f] for m in CONCEPT_ONLY_MONTHS for f in FEATURES),
    }


def _income_drift(psi: dict) -> dict:
    months = [m for m in spec.MONTHS if m >= spec.INCOME_DRIFT_START]
    return {
        "type": "covariate_drift",
        "feature": "income",
        "start_month": spec.INCOME_DRIFT_START,
        "months": months,
        "what": "Applicants' incomes rise a little more every month (wage growth and marketing aimed at "
        "higher earners); nothing else about the applicants changes, and P(default | features) stays "
        "the same.",
        "growth_per_month": spec.INCOME_GROWTH_PER_MONTH,
        "income_factor": {m: _r(spec.income_factor(m)) for m in months},
        "psi": {m: psi[m]["income"] for m in months},
        "months_psi_above_0_25": [m for m in months if psi[m]["income"] > 0.25],
    }


def _new_category(scored: pd.DataFrame) -> dict:
    is_new = scored["channel"] == spec.NEW_CHANNEL
    share = is_new.groupby(scored["month_key"]).mean()
    return {
        "type": "new_category",
        "feature": "channel",
        "category": spec.NEW_CHANNEL,
        "start_month": spec.NEW_CHANNEL_START,
        "what": "A partner's API starts sending applications; the model has never seen this channel.",
        "design_share": spec.NEW_CHANNEL_SHARE,
        "share": {m: _r(share[m]) for m in spec.MONTHS if m >= spec.NEW_CHANNEL_START},
        "rows": int(is_new.sum()),
    }


def _recording(scored: pd.DataFrame) -> dict:
    group = scored[scored["sex"] == spec.RECORDING_BIAS_GROUP]
    repaid = group[group["true_default"] == 0]
    wrong = scored[scored["default"] != scored["true_default"]]
    return {
        "group": spec.RECORDING_BIAS_GROUP,
        "design_rate": spec.RECORDING_BIAS_RATE,
        "what": "A share of the group's truly repaid loans is recorded as defaulted (a payment holiday "
        "during parental leave recorded as a default); no other outcome is recorded wrongly.",
        "measured_rate": _r(repaid["default"].mean()),
        "rows": len(wrong),
        "rows_outside_group": int((wrong["sex"] != spec.RECORDING_BIAS_GROUP).sum()),
        "true_defaults_recorded_as_repaid": int(((scored["true_default"] == 1) & (scored["default"] == 0)).sum()),
    }


def _true_label_model(loans: pd.DataFrame, validation: pd.DataFrame) -> dict:
    """Approval by sex in the validation month for the model trained on the true outcomes instead."""
    model = train_reference_model(loans, target="true_default")
    approved = score_applications(model, validation)
    rates = _rate_by_sex(approved, "approved")
    return {
        "approval_rate_by_sex": rates,
        "four_fifths_ratio": _ratio(approved, "approved"),
        "auc_true": _auc(approved, "true_default"),
    }


def _bias(scored: pd.DataFrame, monthly: dict, loans: pd.DataFrame) -> dict:
    reference = _months(scored, spec.REFERENCE_MONTHS)
    validation_month = spec.VALIDATION_MONTHS[0]
    default_rates = _rate_by_sex(reference, "default")
    true_rates = _rate_by_sex(reference, "true_default")
    part_time = reference["employment_type"] == "part_time"
    validation = _months(scored, spec.VALIDATION_MONTHS).drop(columns=["p_default", "approved"])
    return {
        "type": "bias",
        "months": "all",
        "sensitive_feature": "sex",
        "disadvantaged_group": "female",
        "what": "The recorded outcomes carry a recording bias against women: a share of their repaid loans "
        "is recorded as defaulted. The true outcome depends on the applicant's finances only, so part of "
        "the recorded default gap between women and men is an artefact of the records. Part-time work, far "
        "more common among the women, is a proxy for sex: dropping the sex column does not remove the gap.",
        "recording_bias": _recording(scored),
        "proxy": {
            "feature": "employment_type",
            "category": "part_time",
            "share_by_sex_reference": _rate_by_sex(reference.assign(part_time=part_time), "part_time"),
        },
        "default_rate_by_sex_reference": default_rates,
        "label_gap_reference": _r(default_rates["female"] - default_rates["male"]),
        "true_default_rate_by_sex_reference": true_rates,
        "true_label_gap_reference": _r(true_rates["female"] - true_rates["male"]),
        "approval_threshold": APPROVAL_THRESHOLD,
        "approval_month": validation_month,
        "approval_rate_by_sex": monthly[validation_month]["approval_rate_by_sex"],
        "four_fifths_ratio": monthly[validation_month]["approval_ratio_female_to_male"],
        "four_fifths_screen_passed": monthly[validation_month]["approval_ratio_female_to_male"] >= 0.8,
        "model_trained_on_true_outcomes": _true_label_model(loans, validation),
    }


def build_manifest(loans: pd.DataFrame, seed: int) -> dict:
    """Return the manifest for ``loans`` (the frame as read back from the written CSV)."""
    model = train_reference_model(loans)
    scored = score_applications(model, loans)
    scored["month_key"] = month_labels(scored["month"])
    scored["outcome_known"] = outcome_known(scored)
    psi = _psi_table(scored)
    monthly = _monthly(scored)
    return {
        "dataset": "loans",
        "rebuild": "python -m mlops_course.data loans --out datasets/loans",
        "seed": seed,
        "rows": len(loans),
        "months": list(spec.MONTHS),
        "periods": {
            "train": list(spec.TRAIN_MONTHS),
            "validation": list(spec.VALIDATION_MONTHS),
            "control": list(spec.CONTROL_MONTHS),
        },
        "conventions": {
            "drift_reference": f"the validation month {spec.VALIDATION_MONTHS[0]}",
            "psi": "sum of (c - r) * ln(c / r); numeric: 10 bins at the reference deciles, open outer edges, "
            "right-closed bins, missing values dropped; categorical: one bin per category, unseen "
            f"categories get their own bin; empty shares replaced by {PSI_EPSILON}",
            "auc": "ROC AUC of the reference model's p_default against the recorded default, over all "
            "applications (hindsight only the course has); auc_true against true_default; auc_approved over "
            "the approved applications only (what the lender can measure, once outcomes_known_from has passed)",
            "approval_policy": f"approve when p_default < {APPROVAL_THRESHOLD}",
        },
        "events": {
            "control": {
                "type": "none",
                "months": list(spec.CONTROL_MONTHS),
                "what": "Same process as the reference period; any drift alarm here is a false alarm.",
                "max_input_psi": max(psi[m][f] for m in spec.CONTROL_MONTHS for f in FEATURES),
            },
            "data_quality_incident": _incident(scored, psi),
            "concept_drift": _concept_drift(scored, psi),
            "income_drift": _income_drift(psi),
            "new_category": _new_category(scored),
            "planted_bias": _bias(scored, monthly, loans),
            "outcomes": _outcomes(scored),
        },
        "reference_model": {
            "features": list(FEATURES),
            "not_used": ["sex", "age_band"],
            "approval_threshold": APPROVAL_THRESHOLD,
            "auc_validation": monthly[spec.VALIDATION_MONTHS[0]]["auc"],
        },
        "by_month": monthly,
        "psi_by_month": psi,
    }
