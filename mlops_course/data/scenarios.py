"""Other scenarios of the loan stream: the same story with other random draws and another timeline.

The committed loan data (``load_loans()``) are one scenario, and its manifest is public. A grader that
wants to know whether a learner's *method* finds an event, not whether the learner copied the month from
the manifest, runs the learner's function on a scenario the learner never saw::

    from mlops_course.data import loan_scenario

    scenario = loan_scenario(7)
    scenario.loans                       # typed like load_loans(): same columns, dtypes and categories
    scenario.manifest["events"]["data_quality_incident"]["month"]   # e.g. "2024-09"

A scenario keeps the structure of the committed data -- training months 2024-01 and 2024-02, validation
month 2024-03, at least one control month, then a data-quality incident, concept drift, income drift and a
new channel, in that order -- but every event starts in a month other than in the committed data, so a
month read off the committed manifest is wrong in every other scenario. It is built in memory (no file,
no checksum) in a fraction of a second, and the same seed always gives the same scenario.
"""

from __future__ import annotations

import itertools
from typing import NamedTuple

import numpy as np
import pandas as pd

import mlops_course.data.loans as spec
from mlops_course.data.loaders import _LOANS_CATEGORIES, _LOANS_NUMBERS
from mlops_course.data.months import month_labels

#: Applications per month in a scenario (inclusive range): smaller than the committed data, so that a
#: scenario builds fast, and large enough that every event stands out from chance as in the committed data.
SCENARIO_ROWS_PER_MONTH = (1_200, 1_500)

_MONTH_INDEX = {month: number for number, month in enumerate(spec.MONTHS)}


def _timelines() -> list[spec.Timeline]:
    """Every timeline that keeps the committed story's order, with no event in its committed month."""
    shipped = spec.TIMELINE
    months = spec.MONTHS
    first_monitored = _MONTH_INDEX[spec.CONTROL_MONTHS[0]]
    options = []
    for incident, gap, income_gap, channel_gap in itertools.product(range(first_monitored + 1, len(months)),
                                                                    (1, 2), (2, 3), (1, 2)):
        concept = incident + gap
        income = concept + income_gap  # at least two months of concept drift alone
        channel = income + channel_gap
        if channel >= len(months):
            continue
        timeline = spec.Timeline(months[incident], months[concept], months[income], months[channel])
        if any(getattr(timeline, name) == getattr(shipped, name) for name in vars(shipped)):
            continue
        options.append(timeline)
    return options


def scenario_timeline(seed: int) -> spec.Timeline:
    """Return the timeline of scenario ``seed``: one of the admissible timelines, chosen by the seed."""
    options = _timelines()
    return options[int(np.random.default_rng([seed, 1]).integers(len(options)))]


def _typed(frame: pd.DataFrame) -> pd.DataFrame:
    """The generated frame with the dtypes ``load_loans()`` gives the committed file."""
    frame = frame.astype(_LOANS_NUMBERS)
    frame["application_id"] = frame["application_id"].astype("string")
    frame["month"] = pd.to_datetime(frame["month"], format="%Y-%m")
    for column, dtype in _LOANS_CATEGORIES.items():
        frame[column] = frame[column].astype(dtype)
    return frame


class LoanScenario(NamedTuple):
    """One scenario of the loan stream: the applications and what was planted in them."""

    loans: pd.DataFrame
    manifest: dict


def _manifest(loans: pd.DataFrame, seed: int, timeline: spec.Timeline) -> dict:
    months = month_labels(loans["month"])
    incident = loans[months == timeline.incident_month]
    in_cents = incident[incident["channel"] == spec.INCIDENT_CHANNEL]
    missing = incident[incident[spec.MISSING_FEATURE].isna()]
    after = [m for m in spec.MONTHS if m >= timeline.concept_drift_start]
    return {
        "dataset": "loans scenario",
        "seed": seed,
        "rows": len(loans),
        "months": list(spec.MONTHS),
        "periods": {"train": list(spec.TRAIN_MONTHS), "validation": list(spec.VALIDATION_MONTHS),
                    "control": [m for m in spec.MONTHS if spec.VALIDATION_MONTHS[-1] < m < timeline.incident_month]},
        "events": {
            "data_quality_incident": {
                "type": "data_quality",
                "month": timeline.incident_month,
                "amounts_in_cents": {"feature": "loan_amount", "channel": spec.INCIDENT_CHANNEL,
                                     "factor": spec.INCIDENT_AMOUNT_FACTOR, "rows": len(in_cents),
                                     "application_ids": in_cents["application_id"].tolist()},
                "missing_spike": {"feature": spec.MISSING_FEATURE, "rows": len(missing),
                                  "application_ids": missing["application_id"].tolist()},
            },
            "concept_drift": {"type": "concept_drift", "start_month": timeline.concept_drift_start, "months": after},
            "income_drift": {"type": "covariate_drift", "feature": "income", "start_month": timeline.income_drift_start,
                             "months": [m for m in spec.MONTHS if m >= timeline.income_drift_start]},
            "new_category": {"type": "new_category", "feature": "channel", "category": spec.NEW_CHANNEL,
                             "start_month": timeline.new_channel_start,
                             "rows": int((loans["channel"] == spec.NEW_CHANNEL).sum())},
        },
    }


def loan_scenario(seed: int, rows_per_month: tuple[int, int] = SCENARIO_ROWS_PER_MONTH) -> LoanScenario:
    """Return scenario ``seed`` of the loan stream: ``(loans, manifest)``, built in memory.

    ``loans`` has the columns, dtypes and categories of ``load_loans()``; ``manifest`` has the keys of the
    committed manifest's ``events`` that say where each event is (``data_quality_incident`` with its month
    and application ids, ``concept_drift``, ``income_drift`` and ``new_category`` with their start months),
    plus ``seed``, ``rows``, ``months`` and ``periods``. Every event starts in another month than in the
    committed data. ``seed`` must differ from the committed data's seed.
    """
    if type(seed) is not int or seed < 0:
        raise ValueError(f"seed must be a non-negative int, got {seed!r}")
    if seed == spec.SEED:
        raise ValueError(f"seed {seed} is the committed data's seed: use load_loans() for that data")
    low, high = rows_per_month
    if not 1 <= low <= high:
        raise ValueError(f"rows_per_month must be (low, high) with 1 <= low <= high, got {rows_per_month!r}")
    timeline = scenario_timeline(seed)
    loans = _typed(spec.generate_loans(seed, timeline, (low, high)))
    return LoanScenario(loans, _manifest(loans, seed, timeline))
