"""The knowledge checks of the three chapters, kept in one bank.

Each check is a short scenario about the course's lender with one correct option and three plausible
wrong ones. Every option carries its own explanation (``why``), shown once a learner picks it, so a wrong
choice is answered with the reason it is wrong rather than with the bare solution.

A chapter cell shows a check by its id only::

    knowledge_check("ch1-metric-alignment")

so neither the cell's code nor its committed output gives the answer away (see ``mlops_course.widgets``).
The course website renders the same checks statically with :func:`get_check`.

Rules that ``tests/test_knowledge_checks.py`` enforces across the bank: exactly one correct option per
check, correct answers spread over the positions, and the correct option the longest of its check in at
most a third of the checks (otherwise "pick the longest" would be a winning strategy).
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Option:
    """One answer: its text, whether it is the correct one, and why (shown once the learner picks it)."""

    text: str
    correct: bool
    why: str


@dataclass(frozen=True)
class KnowledgeCheck:
    """A scenario question (Markdown) with its options, exactly one of them correct."""

    id: str
    chapter: int
    question: str
    options: tuple[Option, ...]

    def __post_init__(self):
        if not self.question.strip():
            raise ValueError(f"check {self.id!r}: the question is empty")
        if len(self.options) < 2:
            raise ValueError(f"check {self.id!r}: a check needs at least two options, got {len(self.options)}")
        if sum(option.correct for option in self.options) != 1:
            raise ValueError(f"check {self.id!r}: exactly one option must be correct")
        if len({option.text for option in self.options}) != len(self.options):
            raise ValueError(f"check {self.id!r}: two options have the same text")
        if any(not option.text.strip() or not option.why.strip() for option in self.options):
            raise ValueError(f"check {self.id!r}: every option needs a text and an explanation (why)")

    @property
    def correct_index(self) -> int:
        """Position (0-based) of the correct option."""
        return next(i for i, option in enumerate(self.options) if option.correct)


def _check(id: str, chapter: int, question: str, *options: tuple[str, bool, str]) -> KnowledgeCheck:
    return KnowledgeCheck(id, chapter, question.strip(), tuple(Option(t, c, w) for t, c, w in options))


RIGHT, WRONG = True, False

_BANK = [
    # ---------------------------------------------------------------- chapter 1
    _check(
        "ch1-operationalize", 1,
        """
The lender's data scientist shows a notebook in which the new credit model predicts last year's
defaults well. The head of lending asks: *"Can we start deciding on applications with it on Monday?"*
Which answer fits what this section says about operationalizing ML?
""",
        ("Yes, as long as the notebook is copied to a server and someone re-runs it by hand for every "
         "batch of applications.", WRONG,
         "Re-running a notebook by hand is exactly the manual, unrepeatable process that makes ML hard to "
         "operationalize: it depends on one person, nothing checks the inputs, and nobody can tell later "
         "which run produced which decision."),
        ("Not yet: nothing yet feeds it checked data, serves its scores to the loan system, watches it "
         "or retrains it.", RIGHT,
         "In Sculley et al.'s picture the model is the small box; data collection and verification, "
         "serving, monitoring and configuration are the large ones. None of them is in the notebook."),
        ("Not yet: first the team must find a more accurate algorithm, because models built in notebooks "
         "rarely survive contact with production data.", WRONG,
         "A better algorithm would still live in the same notebook. What is missing is the system around "
         "the model, not a stronger model."),
        ("Yes: the model's quality on past data is what matters, and running it is a routine task for "
         "the IT department.", WRONG,
         "Running a model is not routine IT work: it needs data checks, monitoring and retraining that "
         "draw on ML, data engineering and software engineering together, the overlap MLOps lives in."),
    ),
    _check(
        "ch1-reproducibility", 1,
        """
The lender trained its model twice on the same data without fixing the random seed. Both runs rank
applicants equally well overall, but they decide some applications differently. A declined applicant
complains and asks why she was declined. What is the **business** problem?
""",
        ("Because both runs rank applicants equally well overall, the difference is noise the lender can "
         "safely ignore.", WRONG,
         "Equal overall quality hides individual differences: for the applicants near the threshold the "
         "run decided the outcome. For a complaint, the individual decision is what counts."),
        ("The run with the lower profit must have been deployed, so the lender lost money on every "
         "decision it took.", WRONG,
         "Neither run is systematically worse; they disagree on a few borderline applicants in both "
         "directions."),
        ("The lender may be unable to recreate the model that declined her, so it cannot show what "
         "drove her decision.", RIGHT,
         "Without a fixed seed, recorded library versions and a checksum of the training data, the exact "
         "model behind a decision cannot be rebuilt -- a problem for complaints, audits and regulators."),
        ("The model is too complex to explain, so the lender should replace it with a simple rule of "
         "thumb before answering.", WRONG,
         "The problem is not complexity but not knowing which of two equally good models made the "
         "decision. A rule of thumb that nobody versions has the same problem."),
    ),
    _check(
        "ch1-metric-alignment", 1,
        """
The risk analyst proposes to set the approval threshold where the model's **accuracy** (the share of
correct approve/decline decisions) is highest. The finance team objects. Why?
""",
        ("Accuracy counts an approved default and a declined good customer as one error each, but the "
         "first costs far more.", RIGHT,
         "A default loses a large part of the loan, a declined good customer only the gain that loan "
         "would have brought. A threshold chosen by accuracy ignores that difference; one chosen by "
         "expected profit weighs each error by its money."),
        ("Accuracy cannot be computed for a model that outputs probabilities, only for models that output "
         "yes or no directly.", WRONG,
         "Once a threshold turns probabilities into decisions, accuracy is easy to compute. The objection "
         "is about what accuracy weighs, not whether it exists."),
        ("The accuracy-optimal threshold always approves every applicant, because most applicants repay "
         "their loans.", WRONG,
         "Approving everyone is accurate only if the model cannot tell anyone apart. Here the accuracy "
         "optimum declines many applicants -- just not the ones that cost the most."),
        ("Moving the threshold changes how well the model ranks applicants, so the model would have to "
         "be retrained at the new threshold.", WRONG,
         "The threshold only decides where to cut the ranking; the ranking itself, and the model, stay "
         "the same. No retraining is needed to change it."),
    ),
    _check(
        "ch1-culture", 1,
        """
An analyst finds that last month's loan report used loan amounts that a partner had sent in the wrong
unit. Which response builds the culture the slides ask for -- constant learning, accepting that failures
happen, documentation and knowledge sharing?
""",
        ("Correct the figures quietly and re-issue the report, so that the team's reliable record is not "
         "damaged.", WRONG,
         "Hiding the failure keeps everyone else exposed: other teams using the same feed never learn of "
         "it, and the check that would stop it is never written."),
        ("Find out who wrote the loader and move that person to work where the mistake cannot happen "
         "again.", WRONG,
         "Blame teaches people to hide mistakes. The condition that let a normal mistake through -- no "
         "unit check on the feed -- is still there for the next person."),
        ("Add the lesson to the analyst's personal checklist so that the analyst does not make the "
         "same mistake again.", WRONG,
         "Learning that stays in one person's notes is lost when that person moves on; documentation "
         "and knowledge sharing mean that the team learns."),
        ("Write a short shared review of what let it through, add a check on the feed, and tell the "
         "teams using it.", RIGHT,
         "It accepts that the failure happened, documents it where others find it, turns it into a "
         "check, and shares the lesson: all four habits in one response."),
    ),
    _check(
        "ch1-technology", 1,
        """
After an economic shock the lender's model starts losing money. A vendor offers a platform that
trains a more flexible model automatically. Which first step avoids the **over-emphasis on technology**?
""",
        ("Buy the platform: a more flexible model adapts to a changed market by itself, which a simple "
         "logistic regression cannot do.", WRONG,
         "Any model trained on the months before the shock learns the old relation; flexibility does not "
         "tell it what changed. The demonstration in this section measures whether the flexible model "
         "helps on this data."),
        ("Find out what changed -- the inputs, the outcomes or the data feed -- and who must act, before "
         "choosing any tool.", RIGHT,
         "A diagnosis decides what is needed: a fixed feed, a new threshold, retraining once outcomes "
         "are known, or nothing. Choosing tools first is the mistake the slides warn about."),
        ("Retrain the current model at once on last month's applications, so that it reflects the new "
         "market.", WRONG,
         "Last month's loans have no outcomes yet: whether they default is known only months later. "
         "Retraining now would learn from the old months again."),
        ("Switch to the algorithm that wins most public benchmarks for tabular data.", WRONG,
         "A benchmark winner is chosen without looking at this lender's problem. It is the same mistake "
         "as buying the platform, with a smaller budget."),
    ),
    _check(
        "ch1-outcome-delay", 1,
        """
From 2024-08 the applicants look the same as before, but more of them will default. In 2024-09 the
lender's input monitoring shows no drift in any column. What can the lender conclude about the model in
September?
""",
        ("The model is fine: when the inputs do not change, the risk behind them does not change "
         "either.", WRONG,
         "That is the assumption concept drift breaks: the probability of default given the same inputs "
         "has changed, so the inputs look normal while the model's estimates are wrong."),
        ("It should measure the model's error on September's declined applicants, who are available "
         "right away.", WRONG,
         "Declined applicants never receive a loan, so they never repay or default: there is no outcome "
         "to compare with (selective labels)."),
        ("The model has drifted, because drift scores close to zero are a typical sign that a model "
         "has gone stale.", WRONG,
         "A score near zero means the inputs are as in the reference month; it says nothing either way "
         "about the outcomes."),
        ("Not much yet: input checks cannot see this change, and the loans' outcomes arrive only months "
         "later.", RIGHT,
         "Concept drift shows only in outcomes, and outcomes of approved loans arrive with a delay (and "
         "never for declined ones). Until then the lender must watch proxies such as early arrears and "
         "say so honestly."),
    ),
    _check(
        "ch1-maintenance", 1,
        """
An upstream system renames the employment category `self_employed` to `self-employed`. The lender's
scoring pipeline was built to ignore categories it has not seen in training. What happens to these
applicants?
""",
        ("Scoring stops with an error, so the data team notices the change on the first day.", WRONG,
         "That would be the safer behaviour, but the pipeline was built to ignore unseen categories: "
         "nothing stops and nothing is reported."),
        ("They are scored as if they had none of the known categories, which silently changes their "
         "default probability.", RIGHT,
         "The new category matches no column of the encoding, so the applicant gets the score of "
         "'no category' -- a value the model never saw in training. Nothing fails; only a data contract "
         "or a category check reveals it."),
        ("They are scored like the most common employment category, which is a reasonable fallback for "
         "a new value.", WRONG,
         "The encoding has no notion of 'most common'; an unseen value simply matches no category. "
         "Which score that gives depends on the model's coefficients, as the demonstration shows."),
        ("They are scored exactly as before, because the model matches category names that differ only "
         "in punctuation.", WRONG,
         "The model compares exact strings. `self-employed` and `self_employed` are as different to it "
         "as `self_employed` and `pensioner`."),
    ),
    _check(
        "ch1-guardrail", 1,
        """
A broker starts sending loan amounts in cents: a 15,000-euro loan arrives as `1500000`. What should the
lender's input guardrail do with these applications?
""",
        ("Score them anyway: an absurd amount gives a high default probability, so the model declines "
         "them and no money is lost.", WRONG,
         "Declining a creditworthy applicant because of a data error loses a good customer and is a "
         "decision based on false data; other broken inputs can push the score the other way."),
        ("Divide every amount above 100,000 by 100 and score the corrected application.", WRONG,
         "A silent automatic repair is wrong for any genuine large loan and hides the broken feed from "
         "the people who must fix it."),
        ("Hold them for review and alert the model's owner, so that no decision rests on impossible "
         "inputs.", RIGHT,
         "A guardrail stops impossible inputs from becoming decisions and tells a person, who can fix "
         "the feed with the broker and decide on the held applications."),
        ("Drop them from the data, so that they neither reach the model nor distort the monitoring "
         "figures.", WRONG,
         "Dropping loses real customers without anyone noticing and hides the incident: the monitoring "
         "would look clean while a whole channel is broken."),
    ),
    _check(
        "ch1-four-fifths", 1,
        """
In one quarter the lender approves 54 % of the women and 72 % of the men who apply. Sex is not an input
of the model. What does the four-fifths screen say?
""",
        ("The ratio 0.54 / 0.72 = 0.75 is below 0.8: a flag to investigate, not proof of unlawful "
         "discrimination.", RIGHT,
         "The screen divides each group's rate by the highest group's rate. Below 0.8 it flags possible "
         "adverse impact; the investigation then looks at proxies, the labels and whether the gap is "
         "justified. (The rule comes from US employment guidelines; in lending it is a borrowed screen.)"),
        ("Nothing: because sex is not an input, the model cannot treat women and men differently, "
         "whatever the rates say.", WRONG,
         "Other inputs can stand in for sex (proxies), and the labels the model learned from can carry "
         "a bias. Leaving the column out does not remove either."),
        ("The model passes, because the gap of 18 percentage points is far smaller than the screen's "
         "limit of 80.", WRONG,
         "The screen compares a ratio of rates with 0.8, not a difference of percentage points with 80."),
        ("The model is proven to discriminate against women and must be switched off today.", WRONG,
         "The screen is a flag for investigation, not a finding; switching off without investigating "
         "also stops lending to everyone."),
    ),
    _check(
        "ch1-impossibility", 1,
        """
Suppose the lender recalibrates its scores so that they are **calibrated** for women and for men: of the
applicants scored 10 %, about 10 % default in each group. Default rates still differ between the groups.
A reviewer asks for **equal false positive and false negative rates** across the groups as well. What do Kleinberg, Mullainathan and
Raghavan (2016) and Chouldechova (2017) show?
""",
        ("Equal error rates follow from calibration, so the lender meets the reviewer's request "
         "already.", WRONG,
         "The opposite holds: with different base rates, a calibrated score generally gives different "
         "error rates to the two groups."),
        ("The conflict comes from sampling noise, so with enough applicants in each group both can be "
         "reached at once.", WRONG,
         "The results are about the population itself, not about small samples; more data does not "
         "remove the conflict."),
        ("Leaving sex out of the model makes calibration and equal error rates hold together.", WRONG,
         "The theorems do not depend on which inputs the model uses; they follow from the groups' "
         "different base rates."),
        ("Unless the base rates are equal or the prediction is perfect, both cannot hold; the lender "
         "must choose.", RIGHT,
         "Kleinberg et al. prove that calibration within groups and balance of the positive and the "
         "negative class cannot all hold except in those two cases; Chouldechova shows the same for "
         "predictive parity and equal false positive and false negative rates. Which criterion to give "
         "up is a business and legal choice, not a technical one."),
    ),
    _check(
        "ch1-poisoning", 1,
        """
Someone with access to the training data relabels half of the recorded defaults as repaid. After
retraining, the model still **ranks** applicants almost as well as before, yet the lender's profit falls.
Why?
""",
        ("The model now declines many more good applicants, and the lost gains add up to the fall in "
         "profit.", WRONG,
         "The effect runs the other way: fewer defaults in training make every applicant look safer, "
         "so more are approved, not fewer."),
        ("Its estimated default probabilities are too low, so the unchanged threshold approves many "
         "riskier loans.", RIGHT,
         "Random relabelling shrinks all predicted probabilities but keeps their order. A ranking "
         "measure cannot see that; the profit at a fixed threshold can."),
        ("The ranking measure is computed on the same poisoned labels, so it cannot show the damage "
         "that the attack caused.", WRONG,
         "In the demonstration the model is evaluated on later months with their recorded outcomes, "
         "which the attacker did not touch; the ranking really is almost unchanged."),
        ("Poisoning makes the model ignore the applicants' incomes, which were its most useful input.", WRONG,
         "Relabelling at random does not single out one input; the model's ranking survives, which it "
         "would not if it had lost its most useful input."),
    ),
    _check(
        "ch1-tests-vs-monitoring", 1,
        """
Every month the unit test of the lender's scoring function passed. Which of these problems could that
unit test have caught?
""",
        ("A broker sending loan amounts in cents instead of euros.", WRONG,
         "The code handled the numbers correctly; the numbers were wrong. That takes a check on the live "
         "data (a guardrail or data validation), not a test of the code."),
        ("Applicants' incomes rising month after month.", WRONG,
         "Nothing in the code is wrong when incomes rise. Input drift monitoring compares each month with "
         "the reference month and catches it."),
        ("A code change that swaps two input columns before scoring.", RIGHT,
         "A unit test runs the function on fixed inputs with known expected outputs, so a change in the "
         "code's behaviour makes it fail. Problems in the live data or in the world pass it untouched."),
        ("More defaults among applicants who look the same as before.", WRONG,
         "That is concept drift. Only the outcomes reveal it, once they arrive; no test of the code can."),
    ),
    _check(
        "ch1-incidents", 1,
        """
Knight Capital lost about 440 million US dollars in 2012 after a faulty deployment of trading software
that used no machine learning. Which lender practice addresses the kind of risk it illustrates?
""",
        ("A review of the model's approval rates by sex before every release.", WRONG,
         "That addresses bias, the risk of Amazon's experimental recruiting model, not a faulty "
         "deployment."),
        ("A monthly comparison of the applicants' inputs with the reference month.", WRONG,
         "Input drift monitoring addresses changes in the world, as in Zillow Offers or the COVID-19 "
         "shift; Knight Capital's market did not drift."),
        ("A filter that holds applications whose inputs look manipulated.", WRONG,
         "Manipulated inputs are the risk of Microsoft's Tay. Knight Capital's problem was its own "
         "release."),
        ("An automated release that puts the same tested version on every server.", RIGHT,
         "The SEC's order describes a manual deployment that missed one server, where old code was "
         "reactivated. ML systems are software too and inherit this operational risk."),
    ),
    # ---------------------------------------------------------------- chapter 2
    _check(
        "ch2-raci", 2,
        """
In the lender's responsibility matrix both the data scientist and the ML/MLOps engineer are marked **A**
(accountable) for *"retrain and evaluate the model"*. Why does the matrix check flag this?
""",
        ("With two accountable roles each can assume the other signed off, so nobody answers for the "
         "result.", RIGHT,
         "RACI asks for exactly one A per activity: the single role that answers for the result. Several "
         "roles may be R (doing the work)."),
        ("Only one role may do the work of an activity, and A is the letter for doing the work.", WRONG,
         "R (responsible) marks who does the work, and several roles may be R. A marks who answers for "
         "the result."),
        ("The data scientist must be accountable for every activity that touches the model, including "
         "deployment and monitoring.", WRONG,
         "Accountability follows the activity: in the course's reference matrix the ML/MLOps engineer is "
         "accountable for deployment and the business stakeholder for the decision threshold."),
        ("Two A's are allowed only if both roles are also marked R, and here neither role is marked "
         "R as well.", WRONG,
         "No combination makes two A's acceptable; one activity, one accountable role."),
    ),
    _check(
        "ch2-break-even", 2,
        """
After the economic shock the lender's finance team raises its estimate of the **loss** on a defaulted
loan; the gain on a repaid loan stays the same. What happens to the profit-maximising approval threshold
on the predicted probability of default?
""",
        ("It stays where it is, because the threshold is a property of the model and not of the "
         "money.", WRONG,
         "The model gives probabilities; the threshold is a business choice that turns them into "
         "decisions, and it depends on what each decision earns or costs."),
        ("It rises, so that more loans are approved and the extra gains make up for the larger "
         "losses.", WRONG,
         "A larger loss makes each risky approval more expensive, so the lender should approve fewer "
         "borderline applicants, not more."),
        ("It falls: approving pays only below the break-even probability, which shrinks as the loss "
         "grows.", RIGHT,
         "Approving pays when (1 - p) x gain > p x loss, that is when p < gain / (gain + loss) if a "
         "rejection costs nothing. A larger loss lowers that break-even probability."),
        ("It can only be found after the model has been retrained on data that include the new "
         "loss.", WRONG,
         "The threshold is chosen on the model's existing scores; changing the economics needs a new "
         "threshold, not a new model."),
    ),
    _check(
        "ch2-versioning", 2,
        """
An applicant declined in March complains in September, and the lender has retrained the model since.
What must the lender be able to retrieve to answer her?
""",
        ("The current model, scored again on her application, because it is the lender's best model.", WRONG,
         "The current model did not decide on her application; its answer may differ from the one she "
         "got."),
        ("The model version that decided, with its data and code, and the inputs and score logged for "
         "her.", RIGHT,
         "Versioning data, code and models, and logging each decision with its model version, is what "
         "lets a lender reproduce and explain a past decision."),
        ("The accuracy of the model in March, which shows that the decision was made by a good "
         "model.", WRONG,
         "An average quality figure says nothing about why this applicant was declined."),
        ("The name of the credit officer on duty that day, who is responsible for every decision "
         "taken.", WRONG,
         "Knowing who was on duty does not tell anyone which model and inputs produced the decision."),
    ),
    _check(
        "ch2-operating-model", 2,
        """
The lender has grown to twelve models in five business units. Its central ML team has become a queue:
units wait months for a model and do not feel they own the models they are handed. Which change fits
best?
""",
        ("Keep the central team and hire more data scientists into it, so that the queue of waiting "
         "units gets shorter.", WRONG,
         "More people in the same queue shorten the wait but leave the hand-off and the missing "
         "ownership in place."),
        ("Let each business unit hire its own ML team and choose its own tools, pipelines and monitoring "
         "stack.", WRONG,
         "Fully embedded teams own their models, but five separate stacks multiply the work and the "
         "standards problems of lesson 1."),
        ("Buy an MLOps tool suite for the central team, so that its models reach the units faster.", WRONG,
         "The problem is hand-offs and ownership, not tools: the over-emphasis on technology of lesson 1."),
        ("Move data scientists into the units and turn the central team into a self-service platform "
         "team.", RIGHT,
         "This hub-and-spoke model puts ownership next to the business while a platform team (in Team "
         "Topologies' terms) offers pipelines, registry and monitoring to all units."),
    ),
    _check(
        "ch2-validation-gate", 2,
        """
The gate blocks candidate model B, trained with the 2024-07 data, because two data checks failed on its
training data (too many missing values, amounts out of range). Suppose its AUC and profit on the holdout
months had matched the current model's. Should the gate still block it?
""",
        ("Yes: a model that learned from broken data can look fine on a holdout and fail on the next "
         "unusual batch.", RIGHT,
         "The 2024-07 data contain the broker's amounts in cents and missing credit histories. Good holdout "
         "figures do not prove clean training data, so a gate checks the data as well as the metrics."),
        ("No: a gate exists to compare models on a holdout, and on the holdout B would be as good as the "
         "current model.", WRONG,
         "Metrics on three clean months cannot show what B learned from a broken month; that is why the "
         "course's gate blocks on any failed data check."),
        ("No: the data checks only matter at scoring time, when live applications arrive, not for "
         "training data.", WRONG,
         "Broken training data are baked into the model's coefficients; checking them before a release is "
         "the only moment to catch it."),
        ("Yes, because its fingerprint differs from the current model's, which shows an unapproved "
         "change.", WRONG,
         "Every newly trained model has a new fingerprint; it identifies the version and is no sign of "
         "tampering or a reason to block."),
    ),
    _check(
        "ch2-blameless", 2,
        """
Which sentence belongs in the lender's **blameless** review of the July incident, when a broker's loan
amounts arrived in cents?
""",
        ("The broker's developer carelessly switched the amounts to cents without telling anyone at the "
         "lender.", WRONG,
         "It names a person's fault instead of the system's gap; the next careless change would pass "
         "just the same."),
        ("Nothing between ingestion and scoring checked the unit or range of the loan amount.", RIGHT,
         "A blameless review names the condition that let a normal mistake through and turns it into "
         "an action with an owner."),
        ("Since nobody is to blame for the incident, no follow-up actions or owners need to be "
         "recorded.", WRONG,
         "Blameless does not mean without accountability: every finding becomes an action with an owner "
         "and a date."),
        ("The data engineer on duty should have spotted the amounts before the applications were "
         "scored.", WRONG,
         "Expecting a person to spot every bad value by eye is the condition the review must remove; "
         "blaming the engineer teaches people to hide mistakes."),
    ),
    _check(
        "ch2-model-card", 2,
        """
The lender generates the figures of its model card from code at every training run instead of typing
them in. What does that achieve?
""",
        ("It meets a requirement of Mitchell et al. (2019), who ask for model cards to be generated "
         "automatically.", WRONG,
         "Model cards are a documentation framework; the paper does not prescribe how a card is "
         "produced."),
        ("It lets the generated card replace the human review of the model before release.", WRONG,
         "Intended use, limitations and ethical considerations still need people to write and review "
         "them; code can only fill in the figures."),
        ("It makes the card complete, because every section of a model card can be computed from the "
         "model and its data.", WRONG,
         "Sections such as intended use or ethical considerations are judgements, not computations."),
        ("Every figure comes from the model version and data it describes, so it cannot silently go "
         "stale.", RIGHT,
         "Tying the card to the model's fingerprint keeps it true after each retraining; a typed-in card "
         "drifts from the model it describes."),
    ),
    # ---------------------------------------------------------------- chapter 3
    _check(
        "ch3-google-level", 3,
        """
A competitor of the lender retrains its model automatically every month, but nobody checks a new model
automatically and IT copies it into production by hand. Which level of Google's MLOps maturity model
does the staircase rule give?
""",
        ("Level 0: level 1 also needs automated validation and automated delivery of each new model.", RIGHT,
         "The staircase rule gives a level only when every practice of it is in place. Two are missing, "
         "so the team stays at level 0 although it automates training."),
        ("Level 1, because continuous training is the defining feature of that level.", WRONG,
         "Continuous training is one part of level 1; the level also asks for automated data and model "
         "validation and automated delivery of the validated model."),
        ("Level 2, because its training is automated and every new model is stored in a registry before "
         "release.", WRONG,
         "Level 2 adds CI/CD of the pipeline itself on top of level 1; this team does not reach level 1."),
        ("No level until the model's accuracy is known, since maturity levels are defined by model "
         "quality.", WRONG,
         "Maturity levels describe the process around models, not how accurate one model is."),
    ),
    _check(
        "ch3-lenses", 3,
        """
The lender's self-assessment answers are mapped to three lenses -- Google's levels, Microsoft's levels
and ML Test Score sections -- and all three put the lender low. How much does their agreement add?
""",
        ("A lot: three independent frameworks reaching the same verdict is strong evidence that the "
         "verdict is right.", WRONG,
         "They are not independent here: all three are computed from the same answers."),
        ("Little: the three are mappings of the same answers, so they agree by construction.", RIGHT,
         "Agreement of three views of one input says nothing about whether the input is right. Evidence "
         "from outside the answers, such as looking at the pipeline itself, could."),
        ("Nothing at all, because maturity models are marketing material without any meaning for a "
         "lender.", WRONG,
         "The frameworks are useful for naming the next practice to adopt; the point is only that "
         "their agreement here is no extra evidence."),
        ("It proves that the self-assessment answers are honest, because dishonest answers would make "
         "the lenses disagree.", WRONG,
         "Any set of answers, honest or not, produces agreeing lenses, because the mapping is fixed."),
    ),
    _check(
        "ch3-ml-test-score", 3,
        """
A competitor's credit system scores **data 5.0, model 4.5, infrastructure 6.0, monitoring 1.0** on the
ML Test Score. Which single piece of work raises its final score?
""",
        ("Automating one more data test, since data problems caused the lender's July incident.", WRONG,
         "The final score is the minimum over the four sections; the data section is not the minimum, "
         "so the final score stays at 1.0."),
        ("Automating any one of the tests not yet automated, because every test adds to the mean.", WRONG,
         "The score is not the mean. Only a test in the weakest section moves the minimum."),
        ("Automating one of the monitoring tests, the weakest section, which decides the final "
         "score.", RIGHT,
         "Breck et al. take the minimum over the sections, so that strength in one cannot hide a hole "
         "in another. Only monitoring, at 1.0, can raise it."),
        ("None: at 16.5 out of 28 points the system is already above the rubric's production-ready "
         "band.", WRONG,
         "The sections are not summed; the final score is 1.0, in the band Breck et al. describe as "
         "possibly having serious holes in reliability."),
    ),
    _check(
        "ch3-feature-store", 3,
        """
The lender computes the debt-to-income ratio in SQL for training and again in the loan application's own
code for live scoring, and the two round differently. Which function of the tool landscape is designed to
prevent this **training-serving skew**?
""",
        ("A feature store", RIGHT,
         "A feature store defines each feature once and serves the same values to training and to live "
         "predictions; Google's guide names avoiding training-serving skew as one of its purposes."),
        ("Experiment tracking", WRONG,
         "Experiment tracking records runs, parameters and metrics; it does not compute features for "
         "live predictions."),
        ("A model registry", WRONG,
         "A registry versions and stages models; the skew is in the features the model receives."),
        ("Workflow orchestration", WRONG,
         "An orchestrator runs pipeline steps in order; it would run both inconsistent computations "
         "faithfully."),
    ),
    _check(
        "ch3-build-vs-buy", 3,
        """
In the lender's build-versus-buy matrix the verdict moves from *build* to *hybrid* to *buy* as the weight
of *time to value* rises from 0.20 to 0.30. What should the team conclude?
""",
        ("The matrix is too unstable to use, so the decision should be left to the most experienced "
         "engineer's judgement.", WRONG,
         "The instability is information: it shows which question the decision hinges on. Dropping the "
         "matrix hides that question again."),
        ("Take the option with the highest total at the first weights, because changing weights "
         "afterwards invites bias.", WRONG,
         "Fixing weights first is sound, but ignoring a flip within a plausible range overstates how "
         "sure the choice is."),
        ("The choice hinges on how much speed matters: agree that weight with the business and report the "
         "sensitivity.", RIGHT,
         "When a small change of one weight flips the verdict, that weight is the real decision. Agreeing "
         "it and showing the sensitivity tells decision makers how robust the choice is."),
        ("Buying wins in the end, since every option becomes 'buy' when time to value weighs enough.", WRONG,
         "Any option wins when its strongest criterion weighs enough; that says nothing about the right "
         "weight."),
    ),
    _check(
        "ch3-ai-act", 3,
        """
The lender's model decides on consumer loans in the EU. How does the EU AI Act (Regulation (EU)
2024/1689) classify such a system?
""",
        ("As limited risk, with transparency duties only, because the applicant is told that a model is "
         "used in the decision.", WRONG,
         "Telling applicants does not change the category; Annex III lists credit scoring as high-risk."),
        ("As minimal risk, because a credit officer signs every loan and so a human stays in "
         "control.", WRONG,
         "Human oversight (Article 14) is an obligation of high-risk systems, not a way out of the "
         "category."),
        ("As a prohibited practice, because it scores natural persons on their personal "
         "characteristics.", WRONG,
         "The prohibited practices of Article 5 include social scoring by its specific definition; "
         "ordinary credit scoring is listed as high-risk instead."),
        ("As high-risk: Annex III, point 5(b) lists evaluating the creditworthiness of natural "
         "persons.", RIGHT,
         "Annex III, point 5(b) covers creditworthiness evaluation and credit scoring of natural persons, "
         "except systems used to detect financial fraud."),
    ),
    _check(
        "ch3-schufa", 3,
        """
A credit agency computes a score that the lender relies on heavily: applicants below a cut-off are
almost always declined. The agency argues that GDPR Article 22 does not concern it, because the lender
takes the decision. What did the Court of Justice of the EU hold in *SCHUFA* (C-634/21, 7 December 2023)?
""",
        ("Article 22 applies only when no human being is involved at any step between the data and the "
         "final decision.", WRONG,
         "The Court asked whether the lender draws strongly on the score, that is whether the score in "
         "practice determines the outcome, not whether a person formally takes the last step."),
        ("Producing the score is itself an automated decision when the lender draws strongly on it to "
         "decide.", RIGHT,
         "The Court held that the automated establishment of a probability value is a decision under "
         "Article 22(1) where a third party to which it is transmitted draws strongly on it to establish, "
         "implement or terminate a contract with that person."),
        ("Credit scoring falls outside the GDPR now that the EU AI Act regulates it as a high-risk "
         "system.", WRONG,
         "The two laws apply side by side; the AI Act does not displace the GDPR."),
        ("Only the lender's final decision is covered, so the agency has no duties towards the "
         "applicant.", WRONG,
         "That is the argument the Court rejected: otherwise nobody would owe the applicant the "
         "protections of Article 22 for the step that really decides."),
    ),
    _check(
        "ch3-adverse-action", 3,
        """
The lender also lends in the United States. A declined applicant receives a notice: *"Your application
did not reach the qualifying score of our credit scoring system."* Is that a sufficient statement of
reasons under Regulation B (12 CFR 1002.9)?
""",
        ("Yes: the creditor must tell the applicant that credit was refused, and the score is the "
         "reason.", WRONG,
         "Regulation B asks for the specific principal reasons (or notice of the right to get them), "
         "not the mere fact of a low score."),
        ("Yes, if the model is too complex to explain, because the law cannot require reasons that "
         "nobody can compute.", WRONG,
         "The CFPB's Circular 2022-03 states that creditors using complex algorithms must still give "
         "specific and accurate reasons."),
        ("No: the notice must include the model itself, with its inputs and weights, so the applicant "
         "can check it.", WRONG,
         "Regulation B asks for the principal reasons for the decision, not for the model itself."),
        ("No: the specific principal reasons are required; 'missed a qualifying score' is named as "
         "insufficient.", RIGHT,
         "12 CFR 1002.9(b)(2) requires the statement of reasons to be specific and says that failing to "
         "achieve the qualifying score on the creditor's scoring system is insufficient."),
    ),
    _check(
        "ch3-practitioners", 3,
        """
The lender's team releases a retrained model only after three weeks of manual checks; the business
complains that competitors react faster. In the terms of Shankar et al.'s interview study (2022), which
tension is this?
""",
        ("Volume against variety: the lender has more data to check than varied data to learn from.", WRONG,
         "Volume, variety and velocity are the 'three Vs' of big data, a different idea from the "
         "interview study's findings."),
        ("Accuracy against latency: more accurate models take longer to compute each prediction.", WRONG,
         "The delay here is in the release process, not in computing predictions."),
        ("Velocity against validation: iterating fast and catching bad models early pull apart.", RIGHT,
         "The study names velocity, validation and versioning as what governs production ML. Automating "
         "the checks is how teams get both."),
        ("Versioning against reproducibility: keeping every version makes results harder to "
         "reproduce.", WRONG,
         "Versioning is what makes reproduction possible; the two do not pull apart."),
    ),
]

CHECKS: dict[str, KnowledgeCheck] = {}
for _check_item in _BANK:
    if _check_item.id in CHECKS:
        raise ValueError(f"two knowledge checks share the id {_check_item.id!r}")
    CHECKS[_check_item.id] = _check_item
del _check_item


def get_check(check_id: str) -> KnowledgeCheck:
    """The knowledge check with this id; a KeyError that lists the known ids otherwise."""
    try:
        return CHECKS[check_id]
    except KeyError:
        raise KeyError(f"no knowledge check with id {check_id!r}; known ids: {', '.join(CHECKS)}") from None
