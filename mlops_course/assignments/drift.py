"""Set-up for the assignment "drift": the loan stream as the analyst on call receives it.

The assignment asks learners to monitor the lender's credit model: to compute drift statistics, run
data-quality checks and judge the model's output. This module only prepares what an analyst would be
handed -- the scored applications, the agreed data contract, and samples for a statistics experiment.
It computes no drift statistic on purpose: the PSI and the tests are the learners' work.

Typical use in the assignment::

    from mlops_course.assignments.drift import MONITORED_MONTHS, REFERENCE_MONTH, scored_loans

    loans = scored_loans()
    reference = loans[loans["month_key"] == REFERENCE_MONTH]
"""

from __future__ import annotations

import copy
import functools

import numpy as np
import pandas as pd

from mlops_course.data import (
    MONTHS,
    VALIDATION_MONTHS,
    load_loans,
    loan_scenario,
    month_labels,
    score_applications,
    train_reference_model,
)

#: The reference sample for drift monitoring: the month the model was validated on (not its training months).
REFERENCE_MONTH = VALIDATION_MONTHS[0]
#: Production months, in time order: every month after the reference month.
MONITORED_MONTHS = MONTHS[MONTHS.index(REFERENCE_MONTH) + 1:]

#: The lender's data contract: inclusive valid range of each numeric input whose range is documented in
#: the data card (``datasets/loans/CARD.md``). Credit history cannot be longer than the oldest applicant's
#: adult life (75 - 18 years). Income has no documented range, so it is not checked.
VALID_RANGES = {
    "age": (18, 75),
    "loan_amount": (1_000, 60_000),
    "term_months": (12, 60),
    "debt_to_income": (0.01, 0.85),
    "credit_history_years": (0, 57),
    "existing_loans": (0, 8),
}

#: Seed of the sample-size experiment; chosen once and fixed so every run shows the same numbers.
SAMPLE_SIZE_SEED = 1


def month_key(dates: pd.Series) -> pd.Series:
    """Return the ``YYYY-MM`` label of each date, the way the manifest and the assignment name months."""
    return month_labels(dates)


@functools.lru_cache(maxsize=1)
def _scored_loans() -> pd.DataFrame:
    loans = load_loans()
    scored = score_applications(train_reference_model(loans), loans)
    scored.insert(2, "month_key", month_key(scored["month"]))
    return scored


def scored_loans() -> pd.DataFrame:
    """Return every loan application with the reference model's ``p_default`` and the policy's ``approved``.

    The frame is ``load_loans()`` plus three columns: ``month_key`` (``"2024-07"``), ``p_default`` and
    ``approved``. It is computed once per process and returned as a fresh copy, so changing it in one
    cell never changes what the next call returns.
    """
    return _scored_loans().copy()


@functools.lru_cache(maxsize=2)
def _scored_scenario(seed: int) -> tuple[pd.DataFrame, dict]:
    scenario = loan_scenario(seed)
    scored = score_applications(train_reference_model(scenario.loans), scenario.loans)
    scored.insert(2, "month_key", month_key(scored["month"]))
    return scored, scenario.manifest


def scenario_batches(seed: int) -> tuple[pd.DataFrame, dict[str, pd.DataFrame], dict]:
    """Return ``(reference, batches, manifest)`` of another scenario of the loan stream, scored like ``scored_loans``.

    The scenario (``mlops_course.data.loan_scenario(seed)``) tells the same story in other months, with its own
    reference model trained on its own training months. ``reference`` is its validation month, ``batches`` maps
    each monitored month to its applications, and ``manifest`` says where its events are. Graders use it to run
    a learner's functions on data the learner never saw. Fresh copies on every call.
    """
    scored, manifest = _scored_scenario(seed)
    scored = scored.copy()
    reference = scored[scored["month_key"] == REFERENCE_MONTH]
    batches = {month: scored[scored["month_key"] == month] for month in MONITORED_MONTHS}
    return reference, batches, copy.deepcopy(manifest)


def shifted_samples(n: int, shift: float = 0.05, seed: int = SAMPLE_SIZE_SEED) -> tuple[np.ndarray, np.ndarray]:
    """Return a reference sample from N(0, 1) and a current sample from N(shift, 1), ``n`` values each.

    The shift is measured in reference standard deviations; 0.05 is a change no business would notice.
    Each ``n`` has its own random stream (``default_rng([seed, n])``), so the samples are reproducible.
    """
    if n < 1:
        raise ValueError(f"n must be a positive number of rows, got {n}")
    rng = np.random.default_rng([seed, n])
    return rng.normal(0.0, 1.0, n), rng.normal(shift, 1.0, n)
