"""Data and models for the "bias" assignment: the lending audit on the loans, and a real-data check on UCI Adult.

Nothing here computes a fairness metric: measuring bias is the learner's task. This module only hands out
the inputs, so that every learner audits exactly the same decisions:

- ``loan_splits()``: the loan applications split by month into train (2024-01, 2024-02), validation
  (2024-03) and test (2024-04 to 2024-06, the control months: nothing but the planted bias was injected);
  validation and test are scored by the reference model (``p_default``, ``approved``);
- ``credit_pipeline(features)``: an untrained copy of the reference model's pipeline, on any subset of its
  inputs, for retraining (reweighing, dropping a proxy);
- ``adult_decisions()``: the test split of UCI Adult with the decisions of a fixed logistic regression;
- ``toy_decisions()``: the 20-row hand-checkable example of the course's methods reference.
"""

from __future__ import annotations

import functools

import pandas as pd
from sklearn.compose import ColumnTransformer
from sklearn.impute import SimpleImputer
from sklearn.linear_model import LogisticRegression
from sklearn.pipeline import Pipeline, make_pipeline
from sklearn.preprocessing import OneHotEncoder, StandardScaler

from mlops_course.data import (
    CATEGORICAL_FEATURES,
    CONTROL_MONTHS,
    FEATURES,
    NUMERIC_FEATURES,
    TRAIN_MONTHS,
    VALIDATION_MONTHS,
    load_adult,
    load_loans,
    score_applications,
    train_reference_model,
)
from mlops_course.data.months import month_labels

ADULT_NUMERIC = ("age", "education_num", "hours_per_week", "capital_gain", "capital_loss")
# sex and race are left out on purpose: the Adult model is "unaware" like the loans model, and
# relationship (Husband / Wife) still carries sex into it.
ADULT_CATEGORICAL = ("workclass", "marital_status", "occupation", "relationship", "native_country")
ADULT_DECISION_THRESHOLD = 0.5

# The 20-row example of METHODS.md: groups A (6 rows), B (6) and C (8).
_TOY_GROUPS = "AAAAAABBBBBBCCCCCCCC"
_TOY_TRUE = "101100" "110010" "10001000"
_TOY_PRED = "101110" "100010" "00011000"


def credit_pipeline(features: tuple[str, ...] | list[str] = FEATURES) -> Pipeline:
    """An untrained pipeline built like the reference credit model, on ``features`` (a subset of ``FEATURES``).

    Median imputation and scaling for numeric inputs, one-hot encoding (unknown categories ignored) for
    categorical ones, then a logistic regression. With the default ``features`` it trains to exactly the
    reference model. Fit it with ``sample_weight`` through the pipeline's step name:
    ``pipe.fit(X, y, logisticregression__sample_weight=weights)``.
    """
    unknown = sorted(set(features) - set(FEATURES))
    if unknown:
        raise ValueError(f"{unknown} are not inputs of the credit model; choose from {list(FEATURES)}")
    numeric = [f for f in NUMERIC_FEATURES if f in features]
    categorical = [f for f in CATEGORICAL_FEATURES if f in features]
    steps = []
    if numeric:
        steps.append(("numeric", make_pipeline(SimpleImputer(strategy="median"), StandardScaler()), numeric))
    if categorical:
        steps.append(("categorical", OneHotEncoder(handle_unknown="ignore"), categorical))
    return make_pipeline(ColumnTransformer(steps), LogisticRegression(max_iter=1_000))


def _months(frame: pd.DataFrame, months: tuple[str, ...]) -> pd.DataFrame:
    return frame[month_labels(frame["month"]).isin(months)].reset_index(drop=True)


@functools.lru_cache(maxsize=1)
def _splits() -> tuple[pd.DataFrame, pd.DataFrame, pd.DataFrame]:
    loans = load_loans()
    model = train_reference_model(loans)
    train = _months(loans, TRAIN_MONTHS)
    validation = score_applications(model, _months(loans, VALIDATION_MONTHS))
    test = score_applications(model, _months(loans, CONTROL_MONTHS))
    return train, validation, test


def loan_splits() -> tuple[pd.DataFrame, pd.DataFrame, pd.DataFrame]:
    """Return fresh copies of ``(train, validation, test)`` of the loan data (months in the module docstring).

    ``validation`` and ``test`` carry the reference model's ``p_default`` and the policy's ``approved``
    (True when ``p_default < APPROVAL_THRESHOLD``). Each frame has a fresh 0..n-1 index.
    """
    return tuple(frame.copy() for frame in _splits())


def _adult_inputs(frame: pd.DataFrame) -> pd.DataFrame:
    inputs = frame[list(ADULT_NUMERIC + ADULT_CATEGORICAL)].copy()
    for column in ADULT_CATEGORICAL:  # missing categories become a category of their own
        inputs[column] = inputs[column].astype(object).fillna("missing")
    return inputs


@functools.lru_cache(maxsize=1)
def _adult_scored() -> pd.DataFrame:
    adult = load_adult()
    train = adult[adult["split"] == "train"]
    test = adult[adult["split"] == "test"].reset_index(drop=True)
    preprocess = ColumnTransformer([
        ("numeric", StandardScaler(), list(ADULT_NUMERIC)),
        ("categorical", OneHotEncoder(handle_unknown="ignore"), list(ADULT_CATEGORICAL)),
    ])
    model = make_pipeline(preprocess, LogisticRegression(max_iter=1_000, random_state=0))
    model.fit(_adult_inputs(train), train["income_over_50k"])
    proba = model.predict_proba(_adult_inputs(test))[:, 1]
    scored = test[["age", "sex", "race", "relationship", "income_over_50k"]].copy()
    scored["p_over_50k"] = proba
    scored["predicted"] = (proba >= ADULT_DECISION_THRESHOLD).astype(int)
    return scored


def adult_decisions() -> pd.DataFrame:
    """The 16,281 rows of Adult's test split with a fixed model's decisions (a fresh copy on every call).

    A logistic regression trained on the train split (inputs ``ADULT_NUMERIC`` and ``ADULT_CATEGORICAL``;
    not ``sex``, not ``race``) predicts ``p_over_50k``; ``predicted`` is 1 when it is at least 0.5. Columns:
    ``age``, ``sex``, ``race``, ``relationship``, ``income_over_50k`` (the true label), ``p_over_50k``,
    ``predicted``.
    """
    return _adult_scored().copy()


def toy_decisions() -> pd.DataFrame:
    """The 20-row example of the methods reference: ``group``, ``y_true`` and ``y_pred`` (1 = favourable).

    Worked by hand: selection rates 0.667 / 0.333 / 0.25, TPR 1.0 / 0.667 / 0.5, FPR 0.333 / 0.0 / 0.167;
    demographic parity difference 0.4167, ratio 0.375; equalized odds difference 0.5.
    """
    return pd.DataFrame({
        "group": list(_TOY_GROUPS),
        "y_true": [int(c) for c in _TOY_TRUE],
        "y_pred": [int(c) for c in _TOY_PRED],
    })
