"""The course datasets: checksummed loaders, the synthetic loan stream and its reference credit model.

Typical use in a notebook::

    from mlops_course.data import load_loans, train_reference_model, score_applications

    loans = load_loans()
    model = train_reference_model(loans)
    scored = score_applications(model, loans)
    known = scored[outcome_known(scored)]   # only the outcomes a real lender would know by 2025-03

Each dataset has a data card in ``datasets/<name>/CARD.md``; ``datasets/README.md`` lists them.
"""

from mlops_course.data._files import ChecksumMismatchError, DatasetError, DatasetMissingError
from mlops_course.data.checksums import verify_checksums
from mlops_course.data.credit_model import (
    APPROVAL_THRESHOLD,
    CATEGORICAL_FEATURES,
    FEATURES,
    NUMERIC_FEATURES,
    approve,
    predict_default,
    score_applications,
    train_reference_model,
)
from mlops_course.data.loaders import load_adult, load_flights, load_loans, load_loans_manifest
from mlops_course.data.loans import (
    CONTROL_MONTHS,
    MONTHS,
    REFERENCE_MONTHS,
    TRAIN_MONTHS,
    VALIDATION_MONTHS,
    generate_loans,
)
from mlops_course.data.months import month_labels
from mlops_course.data.outcomes import known_from, outcome_known
from mlops_course.data.scenarios import LoanScenario, loan_scenario

__all__ = [
    "APPROVAL_THRESHOLD",
    "CATEGORICAL_FEATURES",
    "CONTROL_MONTHS",
    "ChecksumMismatchError",
    "DatasetError",
    "DatasetMissingError",
    "LoanScenario",
    "FEATURES",
    "MONTHS",
    "NUMERIC_FEATURES",
    "REFERENCE_MONTHS",
    "TRAIN_MONTHS",
    "VALIDATION_MONTHS",
    "approve",
    "generate_loans",
    "known_from",
    "load_adult",
    "load_flights",
    "load_loans",
    "load_loans_manifest",
    "loan_scenario",
    "month_labels",
    "outcome_known",
    "predict_default",
    "score_applications",
    "train_reference_model",
    "verify_checksums",
]
