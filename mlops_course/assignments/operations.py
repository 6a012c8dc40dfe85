"""Scenario material for the "operations" assignment: the lender's risks, team, test audit and cases.

The assignment grades the business side of running the credit model: a risk register, the cost of
outages and of a decaying model, a decision threshold chosen by money, a responsibility (RACI) matrix,
the ML Test Score, maturity levels and technical debt. What the learner is given to work on lives here,
so that the notebook shows it with one short call and the tests can check it; what the learner must
work out (categories, levels, debt types, calculations) does not.

Sources of the frameworks used below:

- risk taxonomy: the course slides "MLOps for Business", chapter 3, "MLOps challenges: risks";
- ML Test Score: Breck, Cai, Nielsen, Salib and Sculley, "The ML Test Score: A Rubric for ML Production
  Readiness and Technical Debt Reduction", IEEE International Conference on Big Data 2017 (the 28 test
  names are the paper's);
- maturity levels: Google Cloud Architecture Center, "MLOps: Continuous delivery and automation pipelines
  in machine learning" (2020) and Microsoft Azure Architecture Center, "Machine Learning operations
  maturity model" (2022);
- technical debt: Sculley et al., "Hidden Technical Debt in Machine Learning Systems", NeurIPS 2015.
"""

from __future__ import annotations

import pandas as pd

from mlops_course.data.months import month_labels
from mlops_course.lender import ROLES as LENDER_ROLES
from mlops_course.lender import TEST_AUDIT
from mlops_course.lessons.state.maturity import ML_TEST_SCORE_TESTS

# --- Q1: risk register -------------------------------------------------------------------------------

#: The slides' risk taxonomy: category -> (risk group, what the slide says).
RISK_TAXONOMY = {
    "not_available": ("business and financial", "the application or model might not be available"),
    "quality_deteriorating": ("business and financial", "prediction quality might deteriorate"),
    "maintenance": ("business and financial", "maintenance risk"),
    "completely_off": ("governance", "a prediction might be completely off"),
    "bias": ("governance", "possible bias"),
    "cyber_safety": ("(cyber) safety", "attacks on or misuse of the model and its data"),
}

# (risk id, description, likelihood 1-5, impact 1-5), as the lender's risk workshop recorded them.
_RISKS = (
    ("R01", "The scoring API runs on a single server. When it is down, branch staff and the website "
            "get no decision and applicants walk away to a competitor.", 3, 4),
    ("R02", "The nightly batch job that refreshes the applicants' credit-bureau data sometimes fails; "
            "the scoring service then refuses to score until someone restarts the job.", 3, 3),
    ("R03", "An economic shock changed who defaults: the loans approved since 2024-08 default at about "
            "11% against about 7% before (their first outcomes arrived in 2025-02), although the "
            "applicants look the same.", 4, 5),
    ("R04", "The model has not been retrained since it was built; applicants' incomes keep rising, "
            "and the approval and default rates drift further from the validated figures every "
            "month.", 4, 3),
    ("R05", "Only one data scientist understands the training code and the feature definitions, "
            "and she leaves the company in three months.", 4, 4),
    ("R06", "The training code depends on a library version that is no longer supported; upgrading "
            "it breaks the training code, and nobody has time to fix it.", 3, 2),
    ("R07", "A broker's system sent loan amounts in cents in 2024-07: an applicant asking for EUR "
            "10,500 is scored as asking for 1,050,000, and every such application is rejected.", 2, 5),
    ("R08", "After a form change a third of the applications arrive without a credit history; the "
            "model silently fills in the median and scores applicants it knows nothing about as "
            "average customers.", 3, 4),
    ("R09", "Recorded defaults are higher for women than their finances explain, and the model "
            "approves 52% of women and 70% of men in 2024-03 although sex is not one of its "
            "inputs.", 5, 4),
    ("R10", "Part-time employment, far more common among the women who apply, is one of the "
            "model's strongest inputs.", 4, 4),
    ("R11", "Applicants and dishonest brokers can learn which inputs raise the score and submit "
            "slightly altered applications (income rounded up, an existing loan left out) until "
            "one is approved.", 3, 3),
    ("R12", "The scoring API returns the exact probability of default to partners; anyone with "
            "access could query it many thousands of times and rebuild a copy of the model.", 1, 3),
)


def risk_register() -> pd.DataFrame:
    """The lender's risk register: ``risk_id``, ``description``, ``likelihood`` and ``impact`` (1 to 5)."""
    return pd.DataFrame(_RISKS, columns=["risk_id", "description", "likelihood", "impact"])


def risk_taxonomy() -> pd.DataFrame:
    """The slides' taxonomy as a table: ``category``, ``group``, ``slide wording``."""
    rows = [(category, group, wording) for category, (group, wording) in RISK_TAXONOMY.items()]
    return pd.DataFrame(rows, columns=["category", "group", "slide wording"])


# --- Q3: performance of the reference model by month -------------------------------------------------

def monthly_auc(scored: pd.DataFrame, train_months: tuple[str, ...]) -> pd.DataFrame:
    """ROC AUC of the model's ``p_default`` in every month after ``train_months``, with hindsight.

    ``scored`` is the loan data with a ``p_default`` column (``score_applications``). Returns one row per
    month with ``month`` (``YYYY-MM``), ``model_age`` (months since training: 1 for the first month after
    the last training month) and ``auc``. The AUC is computed over every application against the recorded
    outcome, which only synthetic data allow: a lender knows outcomes months later, and only for approved
    loans (``mlops_course.data.outcome_known``).
    """
    from sklearn.metrics import roc_auc_score

    months = month_labels(scored["month"])
    after = sorted(m for m in months.unique() if m > max(train_months))
    rows = []
    for age, month in enumerate(after, start=1):
        batch = scored[months == month]
        rows.append((month, age, roc_auc_score(batch["default"], batch["p_default"])))
    return pd.DataFrame(rows, columns=["month", "model_age", "auc"])


def plot_auc_by_age(auc_table: pd.DataFrame) -> None:
    """Line plot of ``auc_table`` (``monthly_auc``): the AUC against the model's age, months as labels."""
    import matplotlib.pyplot as plt

    fig, ax = plt.subplots(figsize=(8, 3))
    ax.plot(auc_table["model_age"], auc_table["auc"], marker="o")
    ax.set_xticks(auc_table["model_age"], auc_table["month"], rotation=45)
    ax.set_ylabel("AUC of the reference model")
    ax.set_title("The model gets worse as it ages")
    fig.tight_layout()


# --- Q4: profit and accuracy by threshold -------------------------------------------------------------

def plot_profit_and_accuracy(curves: pd.DataFrame, month: str) -> None:
    """Profit (left axis, kEUR) and accuracy (right axis) of ``curves`` (``threshold_curves``) by threshold."""
    import matplotlib.pyplot as plt

    fig, ax = plt.subplots(figsize=(8, 3))
    ax.plot(curves.index, curves["profit"] / 1_000, label="profit (kEUR)")
    ax.set_xlabel("approval threshold on p_default")
    ax.set_ylabel(f"profit in {month} (kEUR)")
    twin = ax.twinx()
    twin.plot(curves.index, curves["accuracy"], color="tab:orange", label="accuracy")
    twin.set_ylabel("accuracy")
    fig.legend(loc="lower center", ncol=2)
    fig.tight_layout()


# --- Q5: the team's responsibility matrix -------------------------------------------------------------

#: The roles of the lender's credit-model team (``mlops_course.lender.ROLES``, the titles of lesson 2).
ROLES = LENDER_ROLES

#: The codes a RACI entry may hold (``A/R``: the accountable role does the work itself; ``""``: no part).
RACI_CODES = ("A/R", "A", "R", "C", "I", "")

# One row per activity of the lifecycle of ``mlops_course.lessons.teams.roles.LIFECYCLE``, codes in the order of ROLES.
_RACI = {
    "Set business goal and success metric": ("A/R", "C", "", "I", "", "C"),
    "Source and prepare data":              ("", "C", "A/R", "", "", "I"),
    "Validate incoming data":               ("", "C", "A", "R", "", ""),
    "Train and evaluate model":             ("", "A/R", "C", "C", "", ""),
    "Choose decision threshold":            ("A", "A", "", "", "", "C"),
    "Review fairness and compliance":       ("C", "R", "", "", "", "X"),
    "Deploy model":                         ("I", "C", "", "A/R", "R", "I"),
    "Monitor in production":                ("I", "R", "C", "R", "C", ""),
    "Respond to incidents":                 ("I", "C", "C", "C", "A", "I"),
    "Decide on retraining":                 ("A", "R", "", "C", "", "C"),
    "Document model (model card)":          ("I", "A/R", "", "C", "", "C"),
}  # fmt: skip


def team_raci() -> pd.DataFrame:
    """The credit-model team's RACI matrix as it stands: one row per activity, one column per role."""
    frame = pd.DataFrame.from_dict(_RACI, orient="index", columns=list(ROLES))
    frame.index.name = "activity"
    return frame


# --- Q6: ML Test Score --------------------------------------------------------------------------------

# The 28 tests of Breck et al. (2017), seven per section, in the paper's order: the same list the
# lesson-3 chapter teaches, so learners see one set of titles.

# What the audit found is the lender's practice history (``mlops_course.lender.TEST_AUDIT``), the same
# statuses chapter 3 scores.


def lender_test_audit() -> pd.DataFrame:
    """The audit of the lender's credit model against the 28 tests: ``section``, ``test``, ``status``
    (``"automated"``, ``"manual"`` or ``"not done"``) and ``evidence``."""
    rows = [(section, test, status, evidence)
            for section, tests in ML_TEST_SCORE_TESTS.items()
            for test, (status, evidence) in zip(tests, TEST_AUDIT[section], strict=True)]
    return pd.DataFrame(rows, columns=["section", "test", "status", "evidence"])


# --- Q7: maturity -------------------------------------------------------------------------------------

#: Google Cloud's levels (2020): level -> (name, what defines it in the guide).
GOOGLE_LEVELS = {
    0: ("Manual process", "every step is manual, script-driven and interactive; data scientists hand a "
        "trained model to engineers, who deploy it as a prediction service; a new model version only a "
        "couple of times a year; no CI, no CD, no active performance monitoring"),
    1: ("ML pipeline automation", "the training pipeline itself is deployed and runs in production on "
        "new data (continuous training), with automated data and model validation, pipeline triggers "
        "and metadata; new pipeline implementations are still tested and deployed by hand"),
    2: ("CI/CD pipeline automation", "in addition, changes to the pipeline's code are built, tested and "
        "deployed automatically by a CI/CD system (source control, test and build services, deployment "
        "services, model registry, feature store, metadata store, pipeline orchestrator)"),
}

#: Microsoft Azure's levels (2022): level -> (name, what defines it in the guide).
MICROSOFT_LEVELS = {
    0: ("No MLOps", "manual builds and deployments, manual testing of model and application, manual "
        "training, no centralised tracking of model performance; teams disparate, releases painful"),
    1: ("DevOps but no MLOps", "automated builds and tests for application code, version control; models "
        "still trained by hand, experiments not tracked, results hard to reproduce, limited feedback "
        "from production"),
    2: ("Automated Training", "training environment managed and traceable, experiment results tracked, "
        "training code and models versioned, easy to reproduce a model; releases manual but low friction"),
    3: ("Automated Model Deployment", "releases low friction and automatic through CI/CD, A/B testing of "
        "model performance, full traceability from deployment back to the data"),
    4: ("Full MLOps Automated Operations", "the whole system automated and easily monitored; retraining "
        "triggered automatically by production metrics; approaching a zero-downtime system"),
}

_ORGANISATIONS = {
    "Alder": "A data scientist retrains the credit model about once a year in a notebook on her laptop "
             "and e-mails the model file to IT, who copy it onto the scoring server by hand. The "
             "application is built, tested and deployed by hand as well. Nobody records the model's "
             "predictions or tracks how it performs.",
    "Birch": "The loan-application software is under version control; every commit is built and "
             "unit-tested automatically and releases are automated. A data pipeline gathers the training "
             "data automatically. Data scientists still train models by hand in notebooks without "
             "tracking their experiments and hand a model file to the software engineers; nobody can "
             "reproduce last year's model, and there is little feedback on how it does in production.",
    "Cedar": "Data scientists and data engineers turned the notebooks into a training script that runs in "
             "a managed workspace; every run's data version, parameters and metrics are tracked, code "
             "and models are versioned, and any model can be reproduced. The data scientists start a "
             "run when they decide to retrain, about twice a year; software engineers then release the "
             "new model by hand, which takes an afternoon.",
    "Dogwood": "The training pipeline is deployed in production and retrains the model on the first day "
               "of every month on fresh data, with automated data validation and model validation. A "
               "model that passes is released automatically by a CD pipeline after an A/B test against "
               "the current one, and every decision can be traced back to the model version and its "
               "training data. Retraining follows the calendar, whatever the monitors show. Changes to "
               "the pipeline's code are tested on a laptop and deployed by an engineer by hand.",
    "Elm": "The training pipeline is deployed in production with automated data and model validation. "
           "It starts by itself when the drift monitors or the default rate measured in production cross "
           "their limits, and a validated model is released automatically after an A/B test; detailed "
           "metrics from the served model go to a central dashboard. Changes to the pipeline's code are "
           "still tested on a laptop and deployed by an engineer by hand.",
    "Fir": "Every change to the training pipeline's code is built, unit- and integration-tested and "
           "deployed to pre-production and production by a CI/CD system. The deployed pipeline retrains "
           "automatically when production metrics show drift or a drop in performance, validates the "
           "data and the model, and releases a better model automatically after an A/B test; a model "
           "registry, a feature store and a metadata store record every step.",
}


def organisations() -> pd.DataFrame:
    """Six lenders described by how they build, release and watch their credit models."""
    frame = pd.DataFrame(list(_ORGANISATIONS.items()), columns=["organisation", "description"])
    return frame.set_index("organisation")


def maturity_levels() -> pd.DataFrame:
    """Both maturity models side by side: ``framework``, ``level``, ``name``, ``defined by``."""
    rows = [("Google Cloud", level, name, text) for level, (name, text) in GOOGLE_LEVELS.items()]
    rows += [("Microsoft Azure", level, name, text) for level, (name, text) in MICROSOFT_LEVELS.items()]
    return pd.DataFrame(rows, columns=["framework", "level", "name", "defined by"])


# --- Q8: technical debt ------------------------------------------------------------------------------

#: Debt types of Sculley et al. (2015): code -> (name in the paper, section of the paper).
DEBT_TYPES = {
    "entanglement": ("Entanglement (CACE: changing anything changes everything)",
                     "2. Complex models erode boundaries"),
    "correction_cascade": ("Correction cascades", "2. Complex models erode boundaries"),
    "undeclared_consumers": ("Undeclared consumers", "2. Complex models erode boundaries"),
    "unstable_data_dependency": ("Unstable data dependencies", "3. Data dependencies cost more than code"),
    "underutilized_data_dependency": ("Underutilized data dependencies",
                                      "3. Data dependencies cost more than code"),
    "direct_feedback_loop": ("Direct feedback loops", "4. Feedback loops"),
    "hidden_feedback_loop": ("Hidden feedback loops", "4. Feedback loops"),
    "glue_code": ("Glue code", "5. ML-system anti-patterns"),
    "pipeline_jungle": ("Pipeline jungles", "5. ML-system anti-patterns"),
    "dead_experimental_codepaths": ("Dead experimental codepaths", "5. ML-system anti-patterns"),
    "configuration_debt": ("Configuration debt", "6. Configuration debt"),
    "fixed_threshold": ("Fixed thresholds in dynamic systems", "7. Dealing with changes in the external world"),
}

_SITUATIONS = {
    "S1": "The marketing team reads the credit model's scores from a shared table to choose whom to send "
          "credit-card offers. Nobody told the credit team, whose last model update changed the score "
          "scale and quietly broke the campaign.",
    "S2": "One input is a 'customer segment' produced by another team's clustering job. That team "
          "retrains and renumbers its segments every quarter without telling anyone.",
    "S3": "Instead of fixing the model for broker applications, the team trained a second model that "
          "adjusts the first one's scores for the broker channel. Now any improvement to the first model "
          "makes the broker scores worse.",
    "S4": "The collections team's model decides which customers get reminder calls. The calls lower "
          "defaults among exactly the customers the credit model scored as risky, those outcomes flow "
          "into the credit model's next training data, and the credit model learns that these "
          "applicants are safer than they are.",
    "S5": "Feature preparation has grown into forty SQL scripts and intermediate tables, each added for "
          "one fix or one experiment; nobody can run it from end to end or say which steps are still "
          "needed.",
    "S6": "The training code still carries branches for a dozen experiments from two years ago, switched "
          "on and off by flags. A deployment that set an old flag by mistake scored applicants with a "
          "retired feature set for a week.",
    "S7": "The approval threshold of 0.15 was set by hand when the model was validated and has never "
          "been revisited, although the default rate and the score distribution have moved since.",
    "S8": "Adding one corrected income feature changed the weights of all the other inputs and the "
          "approval rate in every region; no input can be improved without re-validating the whole model.",
    "S9": "Any successor of the model can only learn from the loans this model approved: applicants it "
          "rejects never get an outcome, so the model decides which data its successor will learn from.",
}


def debt_situations() -> pd.DataFrame:
    """Situations at the lender, one per row (``situation`` id as index), to match to debt types."""
    frame = pd.DataFrame(list(_SITUATIONS.items()), columns=["situation", "description"])
    return frame.set_index("situation")


def debt_types() -> pd.DataFrame:
    """Sculley et al.'s debt types as a table: ``code`` (index), ``name``, ``section``."""
    rows = [(code, name, section) for code, (name, section) in DEBT_TYPES.items()]
    return pd.DataFrame(rows, columns=["code", "name", "section"]).set_index("code")
