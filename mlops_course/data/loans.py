"""Synthetic loan applications: the course's running business case.

A lender scores monthly batches of loan applications with a credit-risk model. The data are synthetic so
that the course knows the truth: every drift, incident and bias below was injected on purpose, at a known
month and strength, and ``datasets/loans/manifest.json`` records it. Tests and graders compare learners'
findings against that manifest.

The timeline is ordered so that each event can be diagnosed on its own: events that persist (the concept
drift, the income drift, the new channel) come after the months that must stay clean.

- 2024-01, 2024-02: training months of the reference model.
- 2024-03: validation month; also the reference sample for drift monitoring.
- 2024-04 to 2024-06: control months, the same process as the reference period, nothing injected.
- 2024-07: data-quality incident. A broker sends loan amounts in cents (x100), and a form change leaves
  credit history empty for many applicants; both are fixed the month after.
- from 2024-08: concept drift. An economic shock changes who defaults (P(default | features)), while the
  applicants look the same as before.
- from 2024-11: gradual covariate drift. Applicants' incomes rise a little more every month.
- from 2025-01: a new channel, ``partner_api``, starts sending applications.
- all months: planted label bias. Each application has a true outcome (``true_default``, which depends on
  the applicant's finances only, never on sex) and the outcome the lender recorded (``default``). Until the
  lender's collections system is fixed, a payment holiday taken during parental leave is recorded as a
  default even when the loan is repaid in full; in this data that happens to a share of the women's
  repaid loans (``RECORDING_BIAS_RATE``) and to no man's. ``employment_type == "part_time"`` is a proxy for
  being a woman, so a model trained on the recorded labels learns the bias without seeing ``sex``.
- all months: outcome delay and selective labels. The course treats an outcome as known
  ``OUTCOME_DELAY_MONTHS`` months after the application month, and, once the model decides (from
  ``GO_LIVE_MONTH``), only for approved applications: a rejected applicant never gets a loan, so never an
  outcome. The data keep both outcomes for every application because they are synthetic;
  ``mlops_course.data.outcomes`` says which of them a real lender would know, and when.

This module only generates the frame; ``mlops_course.data.build`` writes it and its manifest. Regenerate
the committed files (byte-for-byte identical on every run) with::

    python -m mlops_course.data loans --out datasets/loans
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

SEED = 20240101

MONTHS = tuple(str(p) for p in pd.period_range("2024-01", "2025-03", freq="M"))
TRAIN_MONTHS = ("2024-01", "2024-02")
VALIDATION_MONTHS = ("2024-03",)
REFERENCE_MONTHS = TRAIN_MONTHS + VALIDATION_MONTHS
CONTROL_MONTHS = ("2024-04", "2024-05", "2024-06")

INCIDENT_MONTH = "2024-07"
INCIDENT_CHANNEL = "broker"
INCIDENT_AMOUNT_FACTOR = 100
MISSING_FEATURE = "credit_history_years"
BASELINE_MISSING_RATE = 0.01
INCIDENT_MISSING_RATE = 0.30

CONCEPT_DRIFT_START = "2024-08"

INCOME_DRIFT_START = "2024-11"
INCOME_GROWTH_PER_MONTH = 0.12

NEW_CHANNEL = "partner_api"
NEW_CHANNEL_START = "2025-01"
NEW_CHANNEL_SHARE = 0.15

FEMALE_SHARE = 0.45
# The recording bias: a share of this group's repaid loans is recorded as defaulted.
RECORDING_BIAS_GROUP = "female"
RECORDING_BIAS_RATE = 0.07

# When outcomes become known, and for whom (see the module docstring).
GO_LIVE_MONTH = "2024-04"
OUTCOME_DELAY_MONTHS = 6

REGIONS = ("capital", "north", "south", "east", "west")
CHANNELS = ("branch", "online", "broker", NEW_CHANNEL)
EMPLOYMENT_TYPES = ("full_time", "part_time", "self_employed", "retired")
LOAN_PURPOSES = ("car", "home_improvement", "debt_consolidation", "education", "other")
AGE_BANDS = ("18-24", "25-34", "35-44", "45-54", "55-64", "65+")
SEXES = ("female", "male")

COLUMNS = (
    "application_id", "month", "age", "age_band", "sex", "region", "employment_type", "income",
    "loan_purpose", "loan_amount", "term_months", "debt_to_income", "credit_history_years",
    "existing_loans", "channel", "default", "true_default",
)  # fmt: skip

# Share of each employment type by sex (70% of applicants aged 63 or more are then made retired). Part-time
# work is far more common among the women in this applicant pool, which is what makes it a proxy for sex.
_EMPLOYMENT_SHARES = {
    "female": (0.42, 0.45, 0.13, 0.0),
    "male": (0.80, 0.07, 0.13, 0.0),
}
_MEDIAN_INCOME = {"full_time": 42_000, "part_time": 23_000, "self_employed": 40_000, "retired": 26_000}
_MEDIAN_AMOUNT = {
    "car": 12_000, "home_improvement": 15_000, "debt_consolidation": 10_000, "education": 8_000, "other": 5_000,
}  # fmt: skip
_PURPOSE_SHARES = (0.30, 0.22, 0.30, 0.06, 0.12)
_REGION_SHARES = (0.30, 0.20, 0.20, 0.15, 0.15)
_CHANNEL_SHARES = (0.35, 0.45, 0.20)

# Default risk on the logit scale. "before" holds until the economic shock, "after" from then on: income
# and debt-to-income matter less, while self-employment and the south region (a plant closure) matter a
# lot more. Input distributions are untouched by the switch.
RISK_SCALE = (
    "log-odds of default; income, amount, dti and history enter standardised as "
    "(ln income - ln 36000) / 0.5, (ln loan_amount - ln 10000) / 0.6, (debt_to_income - 0.30) / 0.14, "
    "(credit_history_years - 10) / 7; young means age < 25; categories not listed add 0; sex does not "
    "enter: this is the risk of the true outcome, the recording bias comes on top"
)
RISK = {
    "before": {
        "intercept": -2.75, "income": -0.60, "amount": 0.35, "dti": 0.75, "history": -0.35,
        "existing_loans": 0.12, "young": 0.30,
        "employment_type": {"part_time": 0.55, "self_employed": 0.25, "retired": 0.10},
        "channel": {"broker": 0.30, "online": 0.10, NEW_CHANNEL: 0.10},
        "loan_purpose": {"debt_consolidation": 0.30, "education": 0.20, "other": 0.10},
        "region": {},
    },
    "after": {
        "intercept": -2.85, "income": -0.25, "amount": 0.35, "dti": 0.30, "history": -0.35,
        "existing_loans": 0.12, "young": 0.30,
        "employment_type": {"part_time": 0.55, "self_employed": 1.00, "retired": 0.10},
        "channel": {"broker": 0.30, "online": 0.10, NEW_CHANNEL: 0.10},
        "loan_purpose": {"debt_consolidation": 0.30, "education": 0.20, "other": 0.10},
        "region": {"south": 0.90},
    },
}  # fmt: skip


@dataclass(frozen=True)
class Timeline:
    """The months in which the events of the loan stream begin (the committed data use ``TIMELINE``).

    Another timeline gives another scenario of the same story (``mlops_course.data.loan_scenario``): the
    incident, the economic shock, the income drift and the new channel happen in other months.
    """

    incident_month: str = INCIDENT_MONTH
    concept_drift_start: str = CONCEPT_DRIFT_START
    income_drift_start: str = INCOME_DRIFT_START
    new_channel_start: str = NEW_CHANNEL_START


#: The timeline of the committed loan data.
TIMELINE = Timeline()

#: Range of the number of applications per month (both ends included) in the committed data.
ROWS_PER_MONTH = (1_800, 2_400)


def income_factor(month: str, start: str = INCOME_DRIFT_START) -> float:
    """Return the factor applied to incomes in ``month`` by the gradual income drift (1.0 before ``start``)."""
    steps = MONTHS.index(month) - MONTHS.index(start) + 1
    return 1.0 + INCOME_GROWTH_PER_MONTH * max(steps, 0)


def _age_band(age: np.ndarray) -> np.ndarray:
    """Return the age band of each age; the bands are the ones fairness reports usually use."""
    edges = np.array([25, 35, 45, 55, 65])
    return np.array(AGE_BANDS)[np.searchsorted(edges, age, side="right")]


def _employment(rng: np.random.Generator, sex: np.ndarray, age: np.ndarray) -> np.ndarray:
    """Draw employment types; most applicants aged 63 or more are retired."""
    employment = np.where(
        sex == "female",
        rng.choice(EMPLOYMENT_TYPES, size=sex.size, p=_EMPLOYMENT_SHARES["female"]),
        rng.choice(EMPLOYMENT_TYPES, size=sex.size, p=_EMPLOYMENT_SHARES["male"]),
    )
    retired = (age >= 63) & (rng.random(age.size) < 0.7)
    return np.where(retired, "retired", employment)


def _applicants(rng: np.random.Generator, n: int, month: str, timeline: Timeline) -> pd.DataFrame:
    """Draw ``n`` applicants of ``month`` as they really are (before any recording error)."""
    sex = rng.choice(SEXES, size=n, p=(FEMALE_SHARE, 1 - FEMALE_SHARE))
    age = np.clip(np.round(rng.normal(41, 12, n)), 18, 75).astype(int)
    employment = _employment(rng, sex, age)
    median_income = np.array([_MEDIAN_INCOME[e] for e in employment])
    income = median_income * np.exp(rng.normal(0, 0.45, n) + 0.008 * (np.minimum(age, 60) - 40))
    purpose = rng.choice(LOAN_PURPOSES, size=n, p=_PURPOSE_SHARES)
    median_amount = np.array([_MEDIAN_AMOUNT[p] for p in purpose])
    amount = np.clip(median_amount * np.exp(rng.normal(0, 0.5, n)), 1_000, 60_000)
    channel_shares = np.array(_CHANNEL_SHARES + (0.0,))
    if month >= timeline.new_channel_start:
        channel_shares = np.append(channel_shares[:3] * (1 - NEW_CHANNEL_SHARE), NEW_CHANNEL_SHARE)
    return pd.DataFrame(
        {
            "age": age,
            "age_band": _age_band(age),
            "sex": sex,
            "region": rng.choice(REGIONS, size=n, p=_REGION_SHARES),
            "employment_type": employment,
            "income": np.round(income * income_factor(month, timeline.income_drift_start), -2).astype(int),
            "loan_purpose": purpose,
            "loan_amount": np.round(amount, -2).astype(int),
            "term_months": rng.choice([12, 24, 36, 48, 60], size=n, p=(0.10, 0.25, 0.30, 0.20, 0.15)),
            "debt_to_income": np.round(np.clip(rng.beta(3, 7, n), 0.01, 0.85), 3),
            "credit_history_years": np.round((age - 18) * rng.uniform(0.2, 1.0, n), 1),
            "existing_loans": np.minimum(rng.poisson(1.2, n), 8),
            "channel": rng.choice(CHANNELS, size=n, p=channel_shares),
        }
    )


def _default_logit(applicants: pd.DataFrame, regime: str) -> np.ndarray:
    """Return the log-odds of the true outcome (default), which does not depend on sex."""
    risk = RISK[regime]
    a = applicants
    logit = (
        risk["intercept"]
        + risk["income"] * (np.log(a["income"]) - np.log(36_000)) / 0.5
        + risk["amount"] * (np.log(a["loan_amount"]) - np.log(10_000)) / 0.6
        + risk["dti"] * (a["debt_to_income"] - 0.30) / 0.14
        + risk["history"] * (a["credit_history_years"] - 10) / 7
        + risk["existing_loans"] * a["existing_loans"]
        + risk["young"] * (a["age"] < 25)
    )
    for column in ("employment_type", "channel", "loan_purpose", "region"):
        logit = logit + a[column].map(risk[column]).fillna(0.0).astype(float)
    return logit.to_numpy()


def _month_batch(month: str, seed: int, timeline: Timeline, rows: tuple[int, int]) -> pd.DataFrame:
    """Generate one month of applications with their true and recorded outcomes and any recording error."""
    rng = np.random.default_rng([seed, MONTHS.index(month)])
    n = int(rng.integers(rows[0], rows[1] + 1))
    batch = _applicants(rng, n, month, timeline)
    regime = "after" if month >= timeline.concept_drift_start else "before"
    batch["true_default"] = (rng.random(n) < 1 / (1 + np.exp(-_default_logit(batch, regime)))).astype(int)
    missing_rate = INCIDENT_MISSING_RATE if month == timeline.incident_month else BASELINE_MISSING_RATE
    batch[MISSING_FEATURE] = batch[MISSING_FEATURE].mask(rng.random(n) < missing_rate)
    # Drawn last, so that the earlier draws (and the incident's rows) do not depend on it.
    misrecorded = (batch["sex"] == RECORDING_BIAS_GROUP) & (batch["true_default"] == 0) & (
        rng.random(n) < RECORDING_BIAS_RATE
    )
    batch["default"] = np.where(misrecorded, 1, batch["true_default"])
    if month == timeline.incident_month:
        in_cents = batch["channel"] == INCIDENT_CHANNEL
        batch.loc[in_cents, "loan_amount"] *= INCIDENT_AMOUNT_FACTOR
    batch.insert(0, "month", month)
    batch.insert(0, "application_id", [f"APP-{month.replace('-', '')}-{i:05d}" for i in range(1, n + 1)])
    return batch


def generate_loans(
    seed: int = SEED, timeline: Timeline = TIMELINE, rows_per_month: tuple[int, int] = ROWS_PER_MONTH
) -> pd.DataFrame:
    """Return all monthly batches as recorded by the lender (incident included), one row per application.

    Each month has its own random stream (``default_rng([seed, month_index])``), so changing one month's
    process never changes another month's rows. ``timeline`` and ``rows_per_month`` (inclusive range of
    applications per month) are those of the committed data unless another scenario is asked for.
    """
    frame = pd.concat([_month_batch(month, seed, timeline, rows_per_month) for month in MONTHS], ignore_index=True)
    return frame[list(COLUMNS)]
