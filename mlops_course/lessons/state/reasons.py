"""Principal reasons for a credit decision, derived from the lender's linear credit model.

Laws on credit decisions ask the lender to tell a declined applicant *why* (lesson 3, section 4). For a
logistic regression the reasons can be read off the model: each input adds ``coefficient x (value -
reference value)`` to the applicant's log-odds of default, compared with a reference group of
applicants. The inputs that add the most risk are the principal reasons. One-hot columns are summed back
to the input they came from, so a reason names ``employment_type``, not ``employment_type_part_time``.

This is one common way to derive reasons from a points-style model, shown so that the lender's duty can
be checked on real numbers; it is not legal advice on which method satisfies a given law.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
from sklearn.pipeline import Pipeline


def _input_of(column: str, inputs: list[str]) -> str:
    """Map a transformed column name (``numeric__age``, ``categorical__region_south``) to its input."""
    name = column.split("__", 1)[-1]
    matches = [i for i in inputs if name == i or name.startswith(f"{i}_")]
    return max(matches, key=len)  # the longest match, so 'loan_purpose' never shadows 'loan_purpose_x'


def _dense(matrix) -> np.ndarray:
    """The encoder may return a sparse matrix; the arithmetic below wants a plain array."""
    return np.asarray(matrix.toarray() if hasattr(matrix, "toarray") else matrix, dtype=float)


def risk_contributions(model: Pipeline, applications: pd.DataFrame, reference: pd.DataFrame) -> pd.DataFrame:
    """Each input's contribution to each application's log-odds of default, relative to ``reference``.

    Positive values push towards default (and a decline). Rows sum, with the reference's mean log-odds,
    to the application's log-odds, so nothing is hidden.
    """
    if applications.empty or reference.empty:
        raise ValueError("risk_contributions needs at least one application and a non-empty reference group")
    preprocess, logistic = model[0], model[-1]
    inputs = list(preprocess.feature_names_in_)
    missing = [c for c in inputs if c not in applications.columns or c not in reference.columns]
    if missing:
        raise KeyError(f"applications and reference must both hold the model's inputs; missing: {missing}")
    transformed = _dense(preprocess.transform(applications[inputs]))
    baseline = _dense(preprocess.transform(reference[inputs])).mean(axis=0)
    per_column = (transformed - baseline) * logistic.coef_[0]
    columns = [_input_of(c, inputs) for c in preprocess.get_feature_names_out()]
    frame = pd.DataFrame(per_column, index=applications.index, columns=columns)
    return frame.T.groupby(level=0, sort=False).sum().T[inputs]


def principal_reasons(model: Pipeline, applications: pd.DataFrame, reference: pd.DataFrame,
                      top: int = 4) -> pd.DataFrame:
    """The ``top`` inputs that raised each application's risk most, as a table of reason 1..top.

    An input that lowered the risk is never given as a reason; such a slot stays empty.
    """
    if not isinstance(top, int) or top < 1:
        raise ValueError(f"top must be a positive whole number of reasons, got {top!r}")
    contributions = risk_contributions(model, applications, reference)
    rows = {}
    for index, row in contributions.iterrows():
        raising = row[row > 0].sort_values(ascending=False).index[:top]
        rows[index] = list(raising) + [""] * (top - len(raising))
    return pd.DataFrame.from_dict(rows, orient="index", columns=[f"reason {i + 1}" for i in range(top)])
