"""The course's reference credit-risk model and the lender's approval policy.

The model is deliberately ordinary -- one-hot encoding, scaling and a logistic regression -- because the
course is about operating a model, not about building a clever one. It is trained on the training months
of the loan data (``TRAIN_MONTHS``) and validated on ``VALIDATION_MONTHS``; the validation month is also
the reference sample for drift monitoring.

What it does with data it has not seen:

- unseen categories (for example the ``partner_api`` channel from 2025-01) are encoded as all zeros
  (``handle_unknown="ignore"``), so such an applicant is scored like one from the baseline of every other
  channel -- no error, and no warning either, which is why the course monitors categories;
- missing numeric values are replaced by the training median (``SimpleImputer``), so an empty credit
  history is scored as an average one;
- out-of-range values are not clipped: a loan amount recorded in cents is taken at face value, and the
  prediction is completely off.

The sensitive attribute ``sex`` and the derived ``age_band`` are not model inputs. That does not make the
model fair: ``employment_type`` is a proxy for sex in this data (see the manifest's ``planted_bias``).
"""

from __future__ import annotations

import numpy as np
import pandas as pd
from sklearn.compose import ColumnTransformer
from sklearn.impute import SimpleImputer
from sklearn.linear_model import LogisticRegression
from sklearn.pipeline import Pipeline, make_pipeline
from sklearn.preprocessing import OneHotEncoder, StandardScaler

from mlops_course.data.loaders import load_loans
from mlops_course.data.loans import TRAIN_MONTHS
from mlops_course.data.months import month_labels

NUMERIC_FEATURES = (
    "age", "income", "loan_amount", "term_months", "debt_to_income", "credit_history_years", "existing_loans",
)  # fmt: skip
CATEGORICAL_FEATURES = ("region", "employment_type", "loan_purpose", "channel")
FEATURES = NUMERIC_FEATURES + CATEGORICAL_FEATURES
TARGET = "default"

#: The lender approves an application when the model's predicted probability of default is below this.
APPROVAL_THRESHOLD = 0.15


def _pipeline() -> Pipeline:
    """Build the untrained pipeline; every step is deterministic, so no random seed is needed."""
    numeric = make_pipeline(SimpleImputer(strategy="median"), StandardScaler())
    categorical = OneHotEncoder(handle_unknown="ignore")
    preprocess = ColumnTransformer(
        [("numeric", numeric, list(NUMERIC_FEATURES)), ("categorical", categorical, list(CATEGORICAL_FEATURES))]
    )
    return make_pipeline(preprocess, LogisticRegression(max_iter=1_000))


def train_reference_model(
    loans: pd.DataFrame | None = None, months: tuple[str, ...] = TRAIN_MONTHS, target: str = TARGET
) -> Pipeline:
    """Fit the reference credit model on ``months`` of ``loans`` (default: the committed loan data).

    Returns a fitted scikit-learn pipeline whose ``predict_proba(X)[:, 1]`` is P(default). Training takes
    well under a second and gives the same model on every run. ``target`` is the recorded outcome
    ``default`` (what the lender has); ``"true_default"`` trains the model the lender could have had
    without the recording bias.
    """
    if target not in ("default", "true_default"):
        raise ValueError(f"target must be 'default' (recorded) or 'true_default', got {target!r}")
    if loans is None:
        loans = load_loans()
    train = loans[month_labels(loans["month"]).isin(months)]
    if train.empty:
        raise ValueError(f"no applications in the training months {months}; pass the full loan data")
    return _pipeline().fit(train[list(FEATURES)], train[target])


def predict_default(model: Pipeline, applications: pd.DataFrame) -> pd.Series:
    """Return the model's probability of default for each application, indexed like ``applications``."""
    missing = [column for column in FEATURES if column not in applications.columns]
    if missing:
        raise KeyError(f"applications lack the model's input columns {missing}")
    proba = model.predict_proba(applications[list(FEATURES)])[:, 1]
    return pd.Series(proba, index=applications.index, name="p_default")


def approve(p_default: pd.Series | np.ndarray, threshold: float = APPROVAL_THRESHOLD) -> pd.Series | np.ndarray:
    """Apply the approval policy: approve (True) when P(default) is below ``threshold``."""
    return p_default < threshold


def score_applications(
    model: Pipeline, applications: pd.DataFrame, threshold: float = APPROVAL_THRESHOLD
) -> pd.DataFrame:
    """Return a copy of ``applications`` with the model's ``p_default`` and the policy's ``approved``."""
    scored = applications.copy()
    scored["p_default"] = predict_default(model, applications)
    scored["approved"] = approve(scored["p_default"], threshold)
    return scored
