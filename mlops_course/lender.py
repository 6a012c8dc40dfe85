"""The course's one lender: what its decisions are worth, and how it runs its credit model.

Every chapter and assignment tells the story of the same fictional consumer lender. This module is that
story's single source: the **economics** of one approval decision, and the **practice history** of the
credit model (when it was built, what is monitored and how often, what is tested, who owns what). Both
are the course's assumptions for a synthetic case, not facts about a real company; the chapters print
them from here so that the story cannot change between lessons.

Typical use::

    from mlops_course.lender import ECONOMICS, PRACTICES, TIMELINE

    ECONOMICS.break_even_probability          # 1/6: approve when P(default) is below this
    ECONOMICS.value(approved, defaulted)      # euros per decision
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from mlops_course.data.credit_model import APPROVAL_THRESHOLD
from mlops_course.data.loans import OUTCOME_DELAY_MONTHS, TRAIN_MONTHS, VALIDATION_MONTHS

# ---------------------------------------------------------------------------------------------------------
# Economics of one decision
# ---------------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Economics:
    """What one approval decision is worth, in euros per application.

    ``gain_repaid`` is earned on an approved loan that is repaid, ``loss_default`` lost on an approved
    loan that defaults, and ``rejection_cost`` is a direct cost of rejecting an applicant (the forgone
    gain of rejecting a good applicant is already the difference between approving and rejecting, so it
    is not counted twice). All three are positive amounts or zero.
    """

    gain_repaid: float
    loss_default: float
    rejection_cost: float = 0.0

    def __post_init__(self):
        for name in ("gain_repaid", "loss_default", "rejection_cost"):
            value = getattr(self, name)
            if isinstance(value, bool) or not isinstance(value, (int, float)) or not np.isfinite(value):
                raise TypeError(f"{name} must be a finite number of euros, got {value!r}")
            if value < 0 or (value == 0 and name != "rejection_cost"):
                raise ValueError(f"{name} must be a positive amount of euros, got {value}")

    @property
    def break_even_probability(self) -> float:
        """P(default) at which approving is worth as much as rejecting, on average.

        Approving is worth ``(1 - p) * gain_repaid - p * loss_default``, rejecting ``-rejection_cost``;
        they are equal at ``p = (gain_repaid + rejection_cost) / (gain_repaid + loss_default)``.
        """
        return (self.gain_repaid + self.rejection_cost) / (self.gain_repaid + self.loss_default)

    def value(self, approved, defaulted) -> np.ndarray:
        """Euros earned by each decision: ``approved`` (booleans) given the outcomes ``defaulted`` (0/1)."""
        approved = np.asarray(approved, dtype=bool)
        defaulted = np.asarray(defaulted)
        if approved.shape != defaulted.shape:
            raise ValueError(f"approved and defaulted must have the same length, got {approved.shape} and "
                             f"{defaulted.shape}")
        if not np.isin(defaulted, (0, 1)).all():
            raise ValueError("defaulted must hold 0 (repaid) and 1 (defaulted) only; drop unknown outcomes first")
        outcome = np.where(defaulted == 1, -self.loss_default, self.gain_repaid)
        return np.where(approved, outcome, -self.rejection_cost).astype(float)

    def profit_per_approved_loan(self, default_rate: float) -> float:
        """Average euros earned by an approved loan when a share ``default_rate`` of approved loans default."""
        if not 0 <= default_rate <= 1:
            raise ValueError(f"default_rate must be a share between 0 and 1, got {default_rate}")
        return (1 - default_rate) * self.gain_repaid - default_rate * self.loss_default


#: Euros earned over its life by an approved loan that is repaid.
GAIN_REPAID = 1_000
#: Euros lost on an approved loan that defaults.
LOSS_DEFAULT = 5_000
#: Direct cost of a rejection (none: a rejected applicant simply goes elsewhere).
REJECTION_COST = 0

#: The lender's economics, used by every chapter and assignment.
ECONOMICS = Economics(GAIN_REPAID, LOSS_DEFAULT, REJECTION_COST)

#: 1/6, about 0.167: approving pays on average when P(default) is below this.
BREAK_EVEN_PROBABILITY = ECONOMICS.break_even_probability

#: Why these figures: the course's assumption, stated so that a reader can judge and change it.
ECONOMICS_BASIS = (
    "Course assumption for a typical unsecured consumer loan of about EUR 10,000 (the median amount in the "
    "loan data) over about three years. A repaid loan earns about EUR 1,000 over its life: interest income "
    "after funding, servicing and acquisition costs, roughly a tenth of the amount. A defaulted loan loses "
    "about EUR 5,000: defaults tend to come part-way through the term, with most of the amount still "
    "outstanding, and collections recover only part of it. These are round, plausible figures chosen for "
    "teaching, not market data; the finance team of a real lender owns them, and every threshold chosen "
    "with them must be revisited when they change."
)

# ---------------------------------------------------------------------------------------------------------
# Practice history of the credit model
# ---------------------------------------------------------------------------------------------------------

#: The roles of the lender's credit-model team (the titles of lesson 2).
ROLES = ("Business stakeholder", "Data scientist", "Data engineer", "ML/MLOps engineer",
         "DevOps/platform engineer", "Risk & compliance")

#: When the model's outcomes become known: the course treats ``default`` as known this many months after
#: the application month, and only for approved applications once the model decides (see the data card).
OUTCOME_DELAY = OUTCOME_DELAY_MONTHS

GO_LIVE_MONTH = "2024-04"
#: The month after the last month of loan data: when the assignments' reviews take place.
REVIEW_MONTH = "2025-04"

#: What happened to the credit model, month by month (``YYYY-MM``, what happened).
TIMELINE = (
    (f"{TRAIN_MONTHS[0]} to {TRAIN_MONTHS[-1]}",
     "The data scientist trains the credit model (a logistic regression with the library's default "
     "settings) on the applications of these two months, in a notebook later turned into a training script."),
    (VALIDATION_MONTHS[0],
     "Validation on the applications of this month: AUC, AUC per channel and region, a comparison with the "
     "old scorecard and a four-fifths screen by sex, written up in a validation report. The credit risk "
     f"committee sets the approval threshold at {APPROVAL_THRESHOLD} by hand. Model risk signs off."),
    (GO_LIVE_MONTH,
     "The model goes live and decides every application from this month on. It has never been retrained "
     "since: the model scoring applications today is the one validated in 2024-03."),
    ("2024-07",
     "Data-quality incident: a broker's system sends loan amounts in cents and a form change leaves credit "
     "histories empty. The data engineer sees it in the monthly input summary at the start of 2024-08; both "
     "causes are fixed at the source for the 2024-08 batch. Nobody re-scored the July applications."),
    ("2024-08",
     "An economic shock changes who defaults. No monitor in place can see it: the inputs look the same, and "
     f"outcomes arrive about {OUTCOME_DELAY_MONTHS} months later, with nobody assigned to compare them with the "
     "validation figures."),
    ("2025-01",
     "A partner's API starts sending applications through a channel the model has never seen; the model "
     "scores them without a warning."),
    (REVIEW_MONTH,
     "The executive team asks for a review of the model's risks, fairness and operations: the "
     "assignments of the course."),
)


@dataclass(frozen=True)
class Practice:
    """One thing the lender does (or does not do) to keep its credit model under control."""

    area: str  # "monitoring", "retraining", "testing", "release" or "documentation"
    what: str
    how_often: str  # "continuous", "monthly", "quarterly", "once (2024-03)", "never", ...
    how: str  # "automated", "manual" or "not done"
    owner: str  # one of ROLES, or "nobody"


#: The lender's practices as they stand at the review, the same in every chapter and assignment.
PRACTICES = (
    Practice("monitoring", "Availability, latency and error rate of the scoring service, with alerts to the "
             "on-call engineer", "continuous", "automated", "DevOps/platform engineer"),
    Practice("monitoring", "Summary statistics of the model's inputs (means, ranges, missing shares), looked "
             "at by hand in the first days of the following month", "monthly", "manual", "Data engineer"),
    Practice("monitoring", "Number of applications and approvals, in the sales report", "monthly", "manual",
             "Business stakeholder"),
    Practice("monitoring", "The model's age and the portfolio's default rate, in the risk report", "quarterly",
             "manual", "Risk & compliance"),
    Practice("monitoring", "The model's ranking quality (AUC) on loans whose outcome is known, compared with "
             "validation", "never", "not done", "nobody"),
    Practice("monitoring", "Approval rates by sex, age band and channel (fairness after validation)", "never",
             "not done", "nobody"),
    Practice("retraining", "Retraining the served model on newer data", "never (trained once on "
             f"{TRAIN_MONTHS[0]} and {TRAIN_MONTHS[-1]})", "not done", "nobody"),
    Practice("retraining", "Re-running the original training on the pinned 2024 data and code, to check that "
             "it reproduces the served model's coefficients (the served model is not replaced)", "nightly",
             "automated", "ML/MLOps engineer"),
    Practice("testing", "Unit tests of the feature and pipeline code", "every commit", "automated",
             "ML/MLOps engineer"),
    Practice("testing", "Validation of the model: AUC overall and per channel and region, comparison with the "
             "old scorecard, four-fifths screen by sex", "once (2024-03)", "manual", "Data scientist"),
    Practice("testing", "Hyperparameter tuning (the logistic regression runs with the library's defaults)",
             "never", "not done", "nobody"),
    Practice("release", f"Approval threshold {APPROVAL_THRESHOLD}, set by hand at validation and never revisited",
             "once (2024-03)", "manual", "Business stakeholder"),
    Practice("release", "Sign-off of the model after reading the validation report", "once (2024-03)", "manual",
             "Risk & compliance"),
    Practice("documentation", "Validation report and data dictionary; the previous model file is kept on a "
             "file share, restoring it takes an engineer about an hour", "once (2024-03)", "manual",
             "Data scientist"),
)


def practices() -> pd.DataFrame:
    """The practice history as a table: ``area``, ``what``, ``how_often``, ``how``, ``owner``."""
    return pd.DataFrame([vars(p) for p in PRACTICES])


def timeline() -> pd.DataFrame:
    """The model's history as a table: ``when``, ``what happened``."""
    return pd.DataFrame(TIMELINE, columns=["when", "what happened"])


#: The ML Test Score audit of the model (Breck et al. 2017): section -> one (status, evidence) per test,
#: in the paper's order (``mlops_course.lessons.state.maturity.ML_TEST_SCORE_TESTS``).
TEST_AUDIT = {
    "data": (
        ("manual", "A data dictionary lists every input's range; it was checked by hand before the release"),
        ("manual", "Feature importance was reviewed once, when the model was built"),
        ("not done", "Nobody has compared what each data source costs with what it adds"),
        ("manual", "Compliance checked by hand that sex and age band are not model inputs"),
        ("automated", "The data platform enforces access rights and masks personal data on every load"),
        ("not done", "Adding a feature takes a project of several weeks"),
        ("automated", "Unit tests of the feature code run on every commit"),
    ),
    "model": (
        ("manual", "A second data scientist reviewed the model before go-live; the review is filed in a ticket"),
        ("not done", "Nobody has checked whether a better AUC means more profit"),
        ("not done", "The logistic regression runs with the library's default settings; nothing was tuned"),
        ("not done", "Nobody has measured how fast the model loses quality as it ages"),
        ("manual", "The model was compared with the old scorecard at validation"),
        ("manual", "AUC per channel and region was reviewed at validation"),
        ("manual", "A four-fifths screen by sex was run once, at validation"),
    ),
    "infrastructure": (
        ("automated", "A nightly job re-runs the original training on pinned data and code and compares the "
                      "coefficients with the served model"),
        ("automated", "Unit tests of the model pipeline run on every commit"),
        ("manual", "Before the release an engineer ran the steps from data to served model by hand"),
        ("manual", "Model risk signed off the release after reading the validation report"),
        ("manual", "A data scientist can trace one application through the model in a notebook"),
        ("not done", "A new model would replace the old one for all traffic at once"),
        ("manual", "The previous model file is kept; restoring it takes an engineer about an hour"),
    ),
    "monitoring": (
        ("not done", "Nobody is told when the libraries or the bureau data format change"),
        ("manual", "A data engineer looks at summaries of the inputs once a month"),
        ("not done", "Features are computed by different code for training and for serving"),
        ("manual", "The model's age is reported in the quarterly risk report"),
        ("not done", "Nothing checks scores for missing or infinite values"),
        ("automated", "IT dashboards alert when scoring latency or error rates rise"),
        ("not done", "Nobody compares the model's AUC with its validation figure after go-live"),
    ),
}

#: The test statuses alone, section -> seven statuses (the input of an ML Test Score calculation).
TEST_STATUSES = {section: tuple(status for status, _ in tests) for section, tests in TEST_AUDIT.items()}

#: The lender's answers to lesson 3's maturity questionnaire: practice key -> (in place?, evidence).
MATURITY_ANSWERS = {
    "code_versioned": (True, "Training code and application code are in version control"),
    "app_ci": (True, "The loan application software is built and unit-tested on every commit"),
    "data_pipeline": (True, "The data platform extracts the applications and outcomes automatically"),
    "collaboration_training": (True, "Data scientist and data engineer turned the training notebook into a script"),
    "training_pipeline": (True, "The training script runs from data to model without manual steps"),
    "experiment_tracking": (False, "Runs are not tracked; the validation report is the only record"),
    "model_registry": (False, "The model file sits on a file share, named by date"),
    "continuous_training": (False, "The model was trained once and has never been retrained"),
    "feature_store": (False, "Training and serving compute the features with different code"),
    "collaboration_release": (False, "IT copied the model into the scoring service by hand"),
    "validation_gates": (False, "Validation was a manual report, run once"),
    "automated_model_release": (False, "The one release was manual"),
    "pipeline_cicd": (False, "Changes to the training script are tested and deployed by hand"),
    "production_monitoring": (False, "Only IT metrics are watched automatically; inputs once a month by hand, "
                                     "model quality not at all"),
    "metric_triggered_retraining": (False, "Nothing triggers retraining"),
}
