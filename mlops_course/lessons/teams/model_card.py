"""Documentation generated from code: fingerprints as a model registry records them, and a model card.

The model card follows the sections of Mitchell et al., "Model Cards for Model Reporting" (FAT* 2019):
model details, intended use, factors, metrics, evaluation data, training data, quantitative analyses,
ethical considerations, caveats and recommendations. Every number in it is computed from the model and
the data when the card is generated, so the card cannot silently fall out of date with the model.

Typical use::

    from mlops_course.lessons.teams.model_card import model_card, registry_record

    registry_record(model)      # what a registry stores: fingerprints of model and data, months, threshold
    model_card(model, loans)    # Markdown text; display it with IPython.display.Markdown
"""

from __future__ import annotations

import hashlib
import json
from pathlib import Path

import numpy as np
import pandas as pd
from sklearn.base import BaseEstimator
from sklearn.metrics import roc_auc_score

from mlops_course.data import (
    APPROVAL_THRESHOLD,
    FEATURES,
    TRAIN_MONTHS,
    VALIDATION_MONTHS,
    predict_default,
)
from mlops_course.data.months import month_labels
from mlops_course.paths import datasets_dir

MODEL_NAME = "credit-risk-reference"
FOUR_FIFTHS = 0.8

# ---------------------------------------------------------------------------------------------------------
# Fingerprints
# ---------------------------------------------------------------------------------------------------------


def file_sha256(path: str | Path) -> str:
    """The SHA-256 of a file's bytes, as in ``datasets/SHA256SUMS`` (any changed byte changes it)."""
    digest = hashlib.sha256()
    with open(path, "rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def _learned_state(obj, decimals: int):
    """A JSON-ready description of what a fitted estimator learned, floats rounded to ``decimals``."""
    if isinstance(obj, BaseEstimator):
        state = {"class": type(obj).__name__}
        for name, value in sorted(vars(obj).items()):
            fitted = name.endswith("_") and not name.startswith("_") and name != "n_iter_"
            if fitted or name == "steps":  # ``steps``: a Pipeline's fitted parts
                state[name] = _learned_state(value, decimals)
        return state
    if isinstance(obj, np.ndarray):
        if obj.dtype.kind == "f":
            return (np.round(obj, decimals) + 0.0).tolist()  # + 0.0 turns -0.0 into 0.0
        return [_learned_state(item, decimals) for item in obj.tolist()]
    if isinstance(obj, (list, tuple)):
        return [_learned_state(item, decimals) for item in obj]
    if isinstance(obj, dict):
        return {str(key): _learned_state(value, decimals) for key, value in sorted(obj.items())}
    if isinstance(obj, (float, np.floating)):
        return round(float(obj), decimals) + 0.0
    if isinstance(obj, (bool, int, str, np.integer, np.bool_)) or obj is None:
        return obj.item() if isinstance(obj, np.generic) else obj
    return repr(obj)


def model_fingerprint(model, decimals: int = 6) -> str:
    """SHA-256 of the model's learned parameters, rounded to ``decimals`` digits.

    A registry usually hashes the saved model file. Pickled bytes, however, change with library versions
    and with the last bits of floating-point arithmetic on different processors, so the same training
    would get different hashes on different machines. Hashing the rounded parameters gives the same
    fingerprint for the same training anywhere, and a different one when anything learned changes.
    """
    if not isinstance(model, BaseEstimator):
        raise TypeError(f"model must be a fitted scikit-learn estimator, got {type(model).__name__}")
    text = json.dumps(_learned_state(model, decimals), sort_keys=True, default=str)
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def registry_record(
    model,
    data_path: str | Path | None = None,
    training_months: tuple[str, ...] = TRAIN_MONTHS,
    threshold: float = APPROVAL_THRESHOLD,
) -> dict:
    """The entry a model registry would keep for this model: what it is, what made it, how it decides.

    Fingerprints are shortened to 12 hexadecimal characters for display, as git shortens commits.
    """
    data_path = Path(data_path) if data_path is not None else datasets_dir() / "loans" / "loans.csv"
    return {
        "model": MODEL_NAME,
        "model_fingerprint": model_fingerprint(model)[:12],
        "training_data": data_path.name,
        "data_sha256": file_sha256(data_path)[:12],
        "training_months": ", ".join(training_months),
        "inputs": len(FEATURES),
        "approval_threshold": threshold,
    }


# ---------------------------------------------------------------------------------------------------------
# Model card
# ---------------------------------------------------------------------------------------------------------


def _in_months(loans: pd.DataFrame, months: tuple[str, ...]) -> pd.DataFrame:
    rows = loans[month_labels(loans["month"]).isin(months)]
    if rows.empty:
        raise ValueError(f"the loan data have no rows in the months {months}")
    return rows


def _rates_by_group(evaluation: pd.DataFrame, column: str) -> pd.DataFrame:
    grouped = evaluation.groupby(column, observed=True)
    return pd.DataFrame({
        "applications": grouped.size(),
        "default rate": grouped["default"].mean().round(3),
        "approval rate": grouped["approved"].mean().round(3),
    })  # fmt: skip


def model_card_facts(
    model,
    loans: pd.DataFrame,
    training_months: tuple[str, ...] = TRAIN_MONTHS,
    evaluation_months: tuple[str, ...] = VALIDATION_MONTHS,
    threshold: float = APPROVAL_THRESHOLD,
) -> dict:
    """Every number the model card reports, computed from the model and the loan data."""
    training = _in_months(loans, training_months)
    evaluation = _in_months(loans, evaluation_months).copy()
    evaluation["p_default"] = predict_default(model, evaluation)
    evaluation["approved"] = evaluation["p_default"] < threshold
    by_sex = _rates_by_group(evaluation, "sex")
    approval_by_sex = evaluation.groupby("sex", observed=True)["approved"].mean()
    return {
        "model_fingerprint": model_fingerprint(model)[:12],
        "threshold": threshold,
        "training_months": training_months,
        "training_rows": len(training),
        "training_default_rate": float(training["default"].mean()),
        "evaluation_months": evaluation_months,
        "evaluation_rows": len(evaluation),
        "auc": float(roc_auc_score(evaluation["default"], evaluation["p_default"])),
        "approval_rate": float(evaluation["approved"].mean()),
        "default_rate_approved": float(evaluation.loc[evaluation["approved"], "default"].mean()),
        "default_rate_declined": float(evaluation.loc[~evaluation["approved"], "default"].mean()),
        "by_sex": by_sex,
        "by_age_band": _rates_by_group(evaluation, "age_band"),
        "by_channel": _rates_by_group(evaluation, "channel"),
        "approval_ratio": float(approval_by_sex.min() / approval_by_sex.max()),
        "approval_ratio_groups": (str(approval_by_sex.idxmin()), str(approval_by_sex.idxmax())),
    }


def _table(frame: pd.DataFrame) -> str:
    """A small DataFrame as a Markdown table (pandas' own ``to_markdown`` needs an extra package)."""
    header = [frame.index.name or "", *map(str, frame.columns)]
    lines = ["| " + " | ".join(header) + " |", "|" + " --- |" * len(header)]
    for index, row in frame.astype(object).iterrows():  # object: keep integer counts integers
        cells = [f"{v:,}" if isinstance(v, (int, np.integer)) else str(v) for v in row]
        lines.append("| " + " | ".join([str(index), *cells]) + " |")
    return "\n".join(lines)


def render_model_card(facts: dict) -> str:
    """The model card as Markdown, from ``model_card_facts``."""
    f = facts
    screen = "below" if f["approval_ratio"] < FOUR_FIFTHS else "at or above"
    low, high = f["approval_ratio_groups"]
    return f"""# Model card: {MODEL_NAME}

## Model details
- Version (fingerprint of the learned parameters): `{f['model_fingerprint']}`
- Type: logistic regression on one-hot encoded categories and median-imputed, standardised numbers (scikit-learn pipeline).
- Inputs ({len(FEATURES)}): {', '.join(FEATURES)}. Not used as inputs: `sex`, `age_band`.
- Output: probability of default; the lender approves when it is below {f['threshold']}.
- Owners: the data scientist is accountable for the model and this card; the business stakeholder for the threshold (see the RACI matrix).

## Intended use
- Support decisions on consumer loan applications of the course's synthetic lender, branch, online and broker channels.
- Out of scope: real applicants, other credit products, channels the model was not trained on, decisions without the monitoring and review this card describes.

## Factors
- Evaluated by `sex` (the sensitive attribute), `age_band` and `channel`. Outcomes and approvals differ by group; see the quantitative analyses.

## Metrics
- ROC AUC of the probability of default (ranking quality, independent of the threshold).
- Approval rate and default rate among approved applications at the threshold (what the business feels).
- Approval-rate ratio between groups, lowest over highest: the four-fifths screen flags a ratio below {FOUR_FIFTHS} (29 CFR 1607.4(D)); a screening flag, not proof of discrimination.

## Evaluation data
- Months {', '.join(f['evaluation_months'])}: {f['evaluation_rows']:,} applications, not used in training.

## Training data
- Months {', '.join(f['training_months'])}: {f['training_rows']:,} applications, default rate {f['training_default_rate']:.3f}. Synthetic data, see `datasets/loans/CARD.md`.

## Quantitative analyses
- AUC {f['auc']:.3f}; approval rate {f['approval_rate']:.3f}; default rate {f['default_rate_approved']:.3f} among approved and {f['default_rate_declined']:.3f} among declined applications.

By sex:

{_table(f['by_sex'])}

By age band:

{_table(f['by_age_band'])}

By channel:

{_table(f['by_channel'])}

## Ethical considerations
- Approval-rate ratio {low} to {high}: {f['approval_ratio']:.3f}, {screen} the four-fifths screen of {FOUR_FIFTHS}, although `sex` is not an input: other inputs can act as proxies for it (in this data, part-time employment), and the recorded defaults themselves may carry historical bias.
- Decisions affect access to credit: offer declined applicants a human review (compare the right to human intervention in solely automated decisions, GDPR Article 22).

## Caveats and recommendations
- A category not seen in training is encoded as all zeros, so that column adds nothing to the score, without a warning: monitor unseen categories.
- Missing numbers are replaced by the training median, so an empty credit history is scored as an average one: monitor missing values.
- Numbers are not range-checked: a loan amount in cents is taken at face value. Validate units and ranges before scoring.
- The model assumes the link between inputs and default stays as in training; monitor performance once outcomes arrive, and review the threshold when the profit assumptions change.
"""


def model_card(model, loans: pd.DataFrame, **kwargs) -> str:
    """The model card of ``model`` as Markdown; keyword arguments go to ``model_card_facts``."""
    return render_model_card(model_card_facts(model, loans, **kwargs))
