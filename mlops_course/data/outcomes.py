"""Which outcomes a real lender would know, and when: outcome delay and selective labels.

The loan data hold an outcome for every application, because they are synthetic. A real lender is not so
lucky, and the course treats the outcomes the way it would see them:

- **delay**: the outcome of an application is known ``OUTCOME_DELAY_MONTHS`` (6) months after its
  application month -- the course's simplification of a process in which defaults surface over months and
  years. At the end of 2025-03, the last month of data, outcomes are known for applications up to 2024-09.
- **selective labels**: from ``GO_LIVE_MONTH`` (2024-04) the model decides, and only approved applicants
  get a loan, hence an outcome. The training and validation months are fully labelled: the course assumes
  that, while the model was being built, the lender approved every applicant who passed its basic policy
  rules (a simplification that keeps the reference sample unselected).

Typical use: measure a model's AUC only where the lender could::

    scored = score_applications(model, loans)
    known = scored[outcome_known(scored)]
"""

from __future__ import annotations

import re

import pandas as pd

from mlops_course.data.loans import GO_LIVE_MONTH, MONTHS, OUTCOME_DELAY_MONTHS
from mlops_course.data.months import month_labels

#: The last month of data: the default ``as_of`` of ``outcome_known``.
LAST_MONTH = MONTHS[-1]


def _month_keys(frame: pd.DataFrame) -> pd.Series:
    month = frame["month"]
    if pd.api.types.is_datetime64_any_dtype(month):
        return month_labels(month)
    return month.astype(str)


def known_from(month: str) -> str:
    """Return the month (``YYYY-MM``) at whose end the outcomes of applications made in ``month`` are known."""
    if not isinstance(month, str) or not re.fullmatch(r"\d{4}-(0[1-9]|1[0-2])", month):
        raise ValueError(f"month must be a month written YYYY-MM, such as '2024-08', got {month!r}")
    return str(pd.Period(month, freq="M") + OUTCOME_DELAY_MONTHS)


def last_month_with_outcomes(as_of: str = LAST_MONTH) -> str:
    """Return the latest application month whose outcomes are known at the end of ``as_of``."""
    known_from(as_of)  # validates the month
    return str(pd.Period(as_of, freq="M") - OUTCOME_DELAY_MONTHS)


def outcome_known(scored: pd.DataFrame, as_of: str = LAST_MONTH) -> pd.Series:
    """Return True for each application whose outcome the lender knows at the end of month ``as_of``.

    ``scored`` needs ``month`` and, for months from ``GO_LIVE_MONTH`` on, the model's decision ``approved``
    (as added by ``score_applications``). An outcome is known when the application is old enough (its
    month plus the delay is at most ``as_of``) and the applicant got a loan (every applicant before
    go-live, only approved ones after).
    """
    if "month" not in scored.columns:
        raise KeyError("scored needs a 'month' column (the loan data's application month)")
    months = _month_keys(scored)
    old_enough = months <= last_month_with_outcomes(as_of)
    before_go_live = months < GO_LIVE_MONTH
    if "approved" not in scored.columns:
        if (~before_go_live).any():
            raise KeyError("scored needs the model's 'approved' column for months from "
                           f"{GO_LIVE_MONTH}; add it with score_applications(model, loans)")
        return (old_enough & before_go_live).rename("outcome_known")
    approved = scored["approved"].astype(bool)
    return (old_enough & (before_go_live | approved)).rename("outcome_known")
