"""Submission bank of the "operations" assignment (format: ``mlops_course/grading/banks.py``).

Five submissions, graded in one autograde run:

- ``correct_variants``: every answer written differently from the model solution (another library
  call, a loop instead of vectorised code, a Series instead of a dict) -- full marks everywhere;
- ``wrong_typical`` and ``wrong_other``: a realistic mistake in every question (the list is in the
  comment above each answer), so every test cell loses its points;
- ``near_misses``: answers that pass every visible test but not the hidden ones -- hard-coded
  examples, one wrong label, a boundary or a tie handled wrongly -- which is what the hidden tests are for.
- ``duck_typed``: objects that claim to equal any expected value instead of answers -- no points for those
  questions.

The questions do not feed each other (later test cells build their own inputs), so one submission can
carry a different variant in every question.
"""

NOTEBOOK = "operations"

_ZERO = {
    "q1_1_classify_tests": 0, "q1_2_score_tests": 0, "q1_3_rank_tests": 0,
    "q2_1_downtime_tests": 0, "q2_2_outage_loss_tests": 0,
    "q3_1_decay_tests": 0, "q3_2_monthly_cost_tests": 0, "q3_3_best_interval_tests": 0,
    "q4_1_threshold_curves_tests": 0, "q4_2_pick_thresholds_tests": 0,
    "q5_1_raci_tests": 0, "q5_2_fixed_raci_tests": 0,
    "q6_ml_test_score_tests": 0, "q7_1_google_tests": 0, "q7_2_microsoft_tests": 0, "q8_debt_tests": 0,
}  # fmt: skip

# --- correct, but different ---------------------------------------------------------------------------

CORRECT_VARIANTS = {
    # A Series built from the categories' point of view.
    "q1_1_classify": """
by_category = {
    "not_available": ["R01", "R02"],
    "quality_deteriorating": ["R03", "R04"],
    "maintenance": ["R05", "R06"],
    "completely_off": ["R07", "R08"],
    "bias": ["R09", "R10"],
    "cyber_safety": ["R11", "R12"],
}
risk_categories = pd.Series({rid: cat for cat, ids in by_category.items() for rid in ids}).sort_index()
""",
    # pd.cut with right-closed bins instead of np.select.
    "q1_2_score": '''
def score_risks(register):
    """Return a copy of ``register`` with the columns ``score`` and ``rating``."""
    return register.assign(
        score=lambda r: r["likelihood"] * r["impact"],
        rating=lambda r: pd.cut(r["score"], bins=[0, 4, 9, 16, 25],
                                labels=["low", "medium", "high", "very high"]).astype(str),
    )
''',
    # A sort key on negated numbers with Python's sorted().
    "q1_3_rank": '''
def rank_risks(scored):
    """Return ``scored`` sorted from the most to the least serious risk, with a column ``rank``."""
    rows = sorted(scored.to_dict("records"), key=lambda r: (-r["score"], -r["impact"], r["risk_id"]))
    ranked = pd.DataFrame(rows, columns=scored.columns)
    ranked.insert(0, "rank", range(1, len(ranked) + 1))
    return ranked
''',
    # Hours first, then minutes; a month as 8760 / 12 hours.
    "q2_1_downtime": '''
def allowed_downtime(availability):
    """Minutes of downtime per year and per month that an availability target allows."""
    if availability < 0 or availability > 1:
        raise ValueError("give the availability as a share, e.g. 0.999")
    hours_per_year = 8760
    down_hours = (1 - availability) * hours_per_year
    return {"minutes_per_month": down_hours / 12 * 60, "minutes_per_year": down_hours * 60}
''',
    # Expected value written as a sum over the two outcomes of an incident.
    "q2_2_outage_loss": '''
def expected_annual_loss(scenario, with_fallback):
    """Expected loss per year (EUR) from outages of the scoring service."""
    hours = scenario["incidents_per_year"] * scenario["hours_per_incident"]
    applications = hours * scenario["applications_per_hour"]
    lost_if_nothing = applications * scenario["approval_rate"] * scenario["profit_per_approved_loan"]
    response = scenario["incidents_per_year"] * scenario["cost_per_incident"]
    if not with_fallback:
        return lost_if_nothing + response
    works = scenario["fallback_success_rate"]
    lost_with_rules = applications * scenario["fallback_loss_per_application"]
    return works * lost_with_rules + (1 - works) * lost_if_nothing + response + scenario["fallback_cost_per_year"]
''',
    # The slope from covariance over variance; the incident month looked up by model age.
    "q3_1_decay": '''
def decay_per_month(auc_by_age):
    """AUC points lost per month of model age: -100 times the slope of a least-squares line."""
    x = auc_by_age.index.to_numpy(dtype=float)
    y = auc_by_age.to_numpy(dtype=float)
    slope = ((x - x.mean()) * (y - y.mean())).sum() / ((x - x.mean()) ** 2).sum()
    return float(-100 * slope)


events = load_loans_manifest()["events"]
bad_age = auc_table.loc[auc_table["month"] == events["data_quality_incident"]["month"], "model_age"].item()
measured_decay = decay_per_month(auc_table.set_index("model_age")["auc"].drop(bad_age))
''',
    # Algebra rearranged.
    "q3_2_monthly_cost": '''
def monthly_cost(interval, retrain_cost, cost_per_point_month, decay):
    """Average cost per month (EUR) of retraining every ``interval`` months."""
    if interval < 1:
        raise ValueError("retrain at most once a month")
    return (retrain_cost + cost_per_point_month * decay * interval * (interval - 1) / 2) / interval
''',
    # min() with a key: the first (shortest) interval wins ties.
    "q3_3_best_interval": '''
def best_interval(cost_of, max_interval=24):
    """The interval from 1 to ``max_interval`` months with the lowest ``cost_of(interval)``."""
    return min(range(1, max_interval + 1), key=cost_of)
''',
    # Vectorised over all thresholds at once with broadcasting.
    "q4_1_threshold_curves": '''
def threshold_curves(p_default, defaulted, thresholds, gain_repaid, loss_default):
    """Approval rate, accuracy and profit of the approval policy at every threshold."""
    p = np.asarray(p_default, dtype=float)[None, :]
    bad = np.asarray(defaulted, dtype=int)[None, :] == 1
    t = np.asarray(thresholds, dtype=float)[:, None]
    approved = p < t
    profit = gain_repaid * (approved & ~bad).sum(axis=1) - loss_default * (approved & bad).sum(axis=1)
    table = pd.DataFrame({"approval_rate": approved.mean(axis=1), "accuracy": (approved != bad).mean(axis=1),
                          "profit": profit}, index=list(thresholds))
    table.index.name = "threshold"
    return table
''',
    # numpy argmax (first maximum) mapped back to the index labels.
    "q4_2_pick_thresholds": '''
def pick_thresholds(curves):
    """The profit-maximising and the accuracy-maximising thresholds, and the profit between them."""
    order = np.argsort(curves.index.to_numpy(), kind="stable")
    labels = curves.index.to_numpy()[order]
    best_profit = labels[np.argmax(curves["profit"].to_numpy()[order])]
    best_accuracy = labels[np.argmax(curves["accuracy"].to_numpy()[order])]
    profit = curves["profit"]
    return {"accuracy_threshold": best_accuracy, "profit_threshold": best_profit,
            "extra_profit": float(profit[best_profit] - profit[best_accuracy])}
''',
    # A vectorised check per rule, collected afterwards.
    "q5_1_raci": '''
def raci_violations(matrix):
    """List the (activity, problem) pairs that break the RACI rules."""
    accountable = matrix.isin(["A", "A/R"]).sum(axis=1)
    responsible = matrix.isin(["R", "A/R"]).sum(axis=1)
    unknown = (~matrix.isin(list(operations.RACI_CODES))).any(axis=1)
    found = []
    for activity in matrix.index:
        if accountable[activity] == 0:
            found.append((activity, "no_accountable"))
        if accountable[activity] > 1:
            found.append((activity, "several_accountable"))
        if responsible[activity] == 0:
            found.append((activity, "no_responsible"))
        if unknown[activity]:
            found.append((activity, "unknown_code"))
    return found
''',
    # Another valid repair: other owners, another way of editing.
    "q5_2_fixed_raci": """
fixed_raci = team.copy()
fixed_raci.loc["Choose decision threshold", ["Business stakeholder", "Data scientist"]] = ["A/R", "C"]
fixed_raci.loc["Review fairness and compliance", "Risk & compliance"] = "A/R"
fixed_raci.loc["Monitor in production", "Data scientist"] = "A/R"
fixed_raci.loc["Respond to incidents", "DevOps/platform engineer"] = "A/R"
""",
    # A loop over rows instead of groupby.
    "q6_ml_test_score": '''
SECTIONS = ("data", "model", "infrastructure", "monitoring")


def ml_test_score(assessment):
    """Section scores and the final ML Test Score (Breck et al., 2017)."""
    points = {"automated": 1.0, "manual": 0.5}
    scores = dict.fromkeys(SECTIONS, 0.0)
    for section, status in zip(assessment["section"], assessment["status"]):
        scores[section] += points.get(status, 0.0)
    return {**scores, "final": min(scores[s] for s in SECTIONS)}
''',
    "q7_1_google": """
google_levels = pd.Series([0, 0, 0, 1, 1, 2], index=["Alder", "Birch", "Cedar", "Dogwood", "Elm", "Fir"])
""",
    "q7_2_microsoft": """
names = ["Alder", "Birch", "Cedar", "Dogwood", "Elm", "Fir"]
microsoft_levels = dict(zip(names, [0, 1, 2, 3, 4, 4]))
""",
    "q8_debt": """
debt_matches = pd.Series({
    "S9": "direct_feedback_loop", "S8": "entanglement", "S7": "fixed_threshold",
    "S6": "dead_experimental_codepaths", "S5": "pipeline_jungle", "S4": "hidden_feedback_loop",
    "S3": "correction_cascade", "S2": "unstable_data_dependency", "S1": "undeclared_consumers",
})
""",
}

# --- wrong in a plausible way -------------------------------------------------------------------------

WRONG_TYPICAL = {
    # The silent median fill read as slow deterioration; the proxy read as a wrong prediction.
    "q1_1_classify": """
risk_categories = {
    "R01": "not_available", "R02": "not_available", "R03": "quality_deteriorating",
    "R04": "quality_deteriorating", "R05": "maintenance", "R06": "maintenance", "R07": "completely_off",
    "R08": "quality_deteriorating", "R09": "bias", "R10": "completely_off", "R11": "cyber_safety",
    "R12": "cyber_safety",
}
""",
    # Likelihood plus impact instead of times.
    "q1_2_score": '''
def score_risks(register):
    """Return a copy of ``register`` with the columns ``score`` and ``rating``."""
    scored = register.copy()
    scored["score"] = scored["likelihood"] + scored["impact"]
    scored["rating"] = np.select([scored["score"] <= 4, scored["score"] <= 9, scored["score"] <= 16],
                                 ["low", "medium", "high"], default="very high")
    return scored
''',
    # Sorted the wrong way round: the least serious risk first.
    "q1_3_rank": '''
def rank_risks(scored):
    """Return ``scored`` sorted from the most to the least serious risk, with a column ``rank``."""
    ranked = scored.sort_values(["score", "impact", "risk_id"]).reset_index(drop=True)
    ranked["rank"] = range(1, len(ranked) + 1)
    return ranked
''',
    # A 30-day month, as in the SRE book's table, although the notebook counts a twelfth of a year.
    "q2_1_downtime": '''
def allowed_downtime(availability):
    """Minutes of downtime per year and per month that an availability target allows."""
    if not 0 <= availability <= 1:
        raise ValueError("availability must be a share")
    return {"minutes_per_year": (1 - availability) * 525_600, "minutes_per_month": (1 - availability) * 43_200}
''',
    # The fallback is assumed to work in every incident.
    "q2_2_outage_loss": '''
def expected_annual_loss(scenario, with_fallback):
    """Expected loss per year (EUR) from outages of the scoring service."""
    s = scenario
    if with_fallback:
        per_hour = s["applications_per_hour"] * s["fallback_loss_per_application"]
        fixed = s["fallback_cost_per_year"]
    else:
        per_hour = s["applications_per_hour"] * s["approval_rate"] * s["profit_per_approved_loan"]
        fixed = 0.0
    return s["incidents_per_year"] * (s["hours_per_incident"] * per_hour + s["cost_per_incident"]) + fixed
''',
    # The slope in AUC units (0.01), not in AUC points (1).
    "q3_1_decay": '''
def decay_per_month(auc_by_age):
    """AUC points lost per month of model age: -100 times the slope of a least-squares line."""
    return -np.polyfit(auc_by_age.index.to_numpy(dtype=float), auc_by_age.to_numpy(dtype=float), 1)[0]


measured_decay = decay_per_month(auc_table[auc_table["month"] != "2024-07"].set_index("model_age")["auc"])
''',
    # The continuous approximation interval / 2 instead of (interval - 1) / 2.
    "q3_2_monthly_cost": '''
def monthly_cost(interval, retrain_cost, cost_per_point_month, decay):
    """Average cost per month (EUR) of retraining every ``interval`` months."""
    if interval < 1:
        raise ValueError("interval must be at least 1")
    return retrain_cost / interval + cost_per_point_month * decay * interval / 2
''',
    # Returns the lowest cost instead of the interval.
    "q3_3_best_interval": '''
def best_interval(cost_of, max_interval=24):
    """The interval from 1 to ``max_interval`` months with the lowest ``cost_of(interval)``."""
    return min(cost_of(months) for months in range(1, max_interval + 1))
''',
    # Accuracy against the wrong label: "approved" compared with "defaulted".
    "q4_1_threshold_curves": '''
def threshold_curves(p_default, defaulted, thresholds, gain_repaid, loss_default):
    """Approval rate, accuracy and profit of the approval policy at every threshold."""
    p = np.asarray(p_default, dtype=float)
    y = np.asarray(defaulted, dtype=int)
    rows = {}
    for t in thresholds:
        approved = p < t
        rows[t] = {"approval_rate": approved.mean(), "accuracy": (approved.astype(int) == y).mean(),
                   "profit": gain_repaid * np.sum(approved & (y == 0)) - loss_default * np.sum(approved & (y == 1))}
    table = pd.DataFrame.from_dict(rows, orient="index")
    table.index.name = "threshold"
    return table
''',
    # argmax returns a row position, not the threshold.
    "q4_2_pick_thresholds": '''
def pick_thresholds(curves):
    """The profit-maximising and the accuracy-maximising thresholds, and the profit between them."""
    best_profit = curves["profit"].argmax()
    best_accuracy = curves["accuracy"].argmax()
    extra = curves["profit"].iloc[best_profit] - curves["profit"].iloc[best_accuracy]
    return {"profit_threshold": best_profit, "accuracy_threshold": best_accuracy, "extra_profit": extra}
''',
    # Counts only the exact letters: an "A/R" is neither accountable nor responsible.
    "q5_1_raci": '''
def raci_violations(matrix):
    """List the (activity, problem) pairs that break the RACI rules."""
    problems = []
    for activity, row in matrix.iterrows():
        accountable = (row == "A").sum()
        if accountable == 0:
            problems.append((activity, "no_accountable"))
        elif accountable > 1:
            problems.append((activity, "several_accountable"))
        if not (row == "R").any():
            problems.append((activity, "no_responsible"))
        if not row.isin(operations.RACI_CODES).all():
            problems.append((activity, "unknown_code"))
    return problems
''',
    # Repairs three rows and overlooks the typo in the fairness review.
    "q5_2_fixed_raci": """
fixed_raci = team.copy()
fixed_raci.loc["Choose decision threshold", "Data scientist"] = "R"
fixed_raci.loc["Monitor in production", "ML/MLOps engineer"] = "A/R"
fixed_raci.loc["Respond to incidents", "ML/MLOps engineer"] = "R"
""",
    # A test done by hand counted as a full point.
    "q6_ml_test_score": '''
SECTIONS = ("data", "model", "infrastructure", "monitoring")


def ml_test_score(assessment):
    """Section scores and the final ML Test Score (Breck et al., 2017)."""
    done = assessment["status"] != "not done"
    scores = {section: float(done[assessment["section"] == section].sum()) for section in SECTIONS}
    scores["final"] = min(scores.values())
    return scores
''',
    # An automated training job taken for Google's level 1.
    "q7_1_google": """
google_levels = {"Alder": 0, "Birch": 0, "Cedar": 1, "Dogwood": 1, "Elm": 1, "Fir": 2}
""",
    # Automatic releases taken for full automation.
    "q7_2_microsoft": """
microsoft_levels = {"Alder": 0, "Birch": 1, "Cedar": 2, "Dogwood": 4, "Elm": 4, "Fir": 4}
""",
    # Direct and hidden feedback loops swapped.
    "q8_debt": """
debt_matches = {
    "S1": "undeclared_consumers", "S2": "unstable_data_dependency", "S3": "correction_cascade",
    "S4": "direct_feedback_loop", "S5": "pipeline_jungle", "S6": "dead_experimental_codepaths",
    "S7": "fixed_threshold", "S8": "entanglement", "S9": "hidden_feedback_loop",
}
""",
}

WRONG_OTHER = {
    # An attack read as a wrong prediction; a stale model read as maintenance.
    "q1_1_classify": """
risk_categories = {
    "R01": "not_available", "R02": "not_available", "R03": "quality_deteriorating", "R04": "maintenance",
    "R05": "maintenance", "R06": "maintenance", "R07": "completely_off", "R08": "completely_off",
    "R09": "bias", "R10": "bias", "R11": "completely_off", "R12": "cyber_safety",
}
""",
    # pd.cut with left-closed bins: every boundary moves up by one.
    "q1_2_score": '''
def score_risks(register):
    """Return a copy of ``register`` with the columns ``score`` and ``rating``."""
    scored = register.copy()
    scored["score"] = scored["likelihood"] * scored["impact"]
    scored["rating"] = pd.cut(scored["score"], bins=[1, 4, 9, 16, 26], right=False,
                              labels=["low", "medium", "high", "very high"]).astype(str)
    return scored
''',
    # Ties broken by likelihood instead of impact.
    "q1_3_rank": '''
def rank_risks(scored):
    """Return ``scored`` sorted from the most to the least serious risk, with a column ``rank``."""
    ranked = scored.sort_values(["score", "likelihood", "risk_id"], ascending=[False, False, True])
    ranked = ranked.reset_index(drop=True)
    ranked["rank"] = ranked.index + 1
    return ranked
''',
    # Written for percentages: 99.9 works, a share does not.
    "q2_1_downtime": '''
def allowed_downtime(availability):
    """Minutes of downtime per year and per month that an availability target allows."""
    unavailable = (100 - availability) / 100
    return {"minutes_per_year": unavailable * 525_600, "minutes_per_month": unavailable * 43_800}
''',
    # Forgets what the fallback costs every year.
    "q2_2_outage_loss": '''
def expected_annual_loss(scenario, with_fallback):
    """Expected loss per year (EUR) from outages of the scoring service."""
    s = scenario
    lost = s["applications_per_hour"] * s["approval_rate"] * s["profit_per_approved_loan"]
    if with_fallback:
        rules = s["applications_per_hour"] * s["fallback_loss_per_application"]
        lost = s["fallback_success_rate"] * rules + (1 - s["fallback_success_rate"]) * lost
    return s["incidents_per_year"] * (s["hours_per_incident"] * lost + s["cost_per_incident"])
''',
    # Positions 0, 1, 2, ... as x instead of the ages in the index: wrong once a month is dropped.
    "q3_1_decay": '''
def decay_per_month(auc_by_age):
    """AUC points lost per month of model age: -100 times the slope of a least-squares line."""
    return -100 * np.polyfit(np.arange(len(auc_by_age)), auc_by_age.to_numpy(dtype=float), 1)[0]


kept = auc_table[auc_table["month"] != load_loans_manifest()["events"]["data_quality_incident"]["month"]]
measured_decay = decay_per_month(kept.set_index("model_age")["auc"])
''',
    # The retraining cost is not spread over the interval.
    "q3_2_monthly_cost": '''
def monthly_cost(interval, retrain_cost, cost_per_point_month, decay):
    """Average cost per month (EUR) of retraining every ``interval`` months."""
    if interval < 1:
        raise ValueError("interval must be at least 1")
    return retrain_cost + cost_per_point_month * decay * (interval - 1) / 2
''',
    # An off-by-one: the position in a 0-based list instead of the number of months.
    "q3_3_best_interval": '''
def best_interval(cost_of, max_interval=24):
    """The interval from 1 to ``max_interval`` months with the lowest ``cost_of(interval)``."""
    costs = [cost_of(months) for months in range(1, max_interval + 1)]
    return int(np.argmin(costs))
''',
    # Credits the loss avoided on every rejected default as profit.
    "q4_1_threshold_curves": '''
def threshold_curves(p_default, defaulted, thresholds, gain_repaid, loss_default):
    """Approval rate, accuracy and profit of the approval policy at every threshold."""
    p = np.asarray(p_default, dtype=float)
    y = np.asarray(defaulted).astype(bool)
    rows = []
    for t in thresholds:
        approved = p < t
        profit = (gain_repaid * np.sum(approved & ~y) - loss_default * np.sum(approved & y)
                  + loss_default * np.sum(~approved & y))
        rows.append({"approval_rate": approved.mean(), "accuracy": (approved == ~y).mean(), "profit": profit})
    return pd.DataFrame(rows, index=pd.Index(thresholds, name="threshold"))
''',
    # On ties the highest threshold wins (the last maximum).
    "q4_2_pick_thresholds": '''
def pick_thresholds(curves):
    """The profit-maximising and the accuracy-maximising thresholds, and the profit between them."""
    reverse = curves.iloc[::-1]
    profit_threshold = reverse["profit"].idxmax()
    accuracy_threshold = reverse["accuracy"].idxmax()
    return {"profit_threshold": profit_threshold, "accuracy_threshold": accuracy_threshold,
            "extra_profit": curves.loc[profit_threshold, "profit"] - curves.loc[accuracy_threshold, "profit"]}
''',
    # Never checks the codes, so a typo goes unreported.
    "q5_1_raci": '''
def raci_violations(matrix):
    """List the (activity, problem) pairs that break the RACI rules."""
    problems = []
    for activity, row in matrix.iterrows():
        accountable = row.isin(["A", "A/R"]).sum()
        if accountable == 0:
            problems.append((activity, "no_accountable"))
        elif accountable > 1:
            problems.append((activity, "several_accountable"))
        if not row.isin(["R", "A/R"]).any():
            problems.append((activity, "no_responsible"))
    return problems
''',
    # Repairs everything but also fills every empty entry with "I", changing rows that were fine.
    "q5_2_fixed_raci": """
fixed_raci = team.replace("", "I")
fixed_raci.loc["Choose decision threshold", "Data scientist"] = "R"
fixed_raci.loc["Review fairness and compliance", "Risk & compliance"] = "A"
fixed_raci.loc["Monitor in production", "ML/MLOps engineer"] = "A/R"
fixed_raci.loc["Respond to incidents", "ML/MLOps engineer"] = "R"
""",
    # The final score as the sum of the sections instead of the minimum.
    "q6_ml_test_score": '''
SECTIONS = ("data", "model", "infrastructure", "monitoring")


def ml_test_score(assessment):
    """Section scores and the final ML Test Score (Breck et al., 2017)."""
    points = assessment["status"].map({"automated": 1.0, "manual": 0.5, "not done": 0.0})
    sums = points.groupby(assessment["section"]).sum()
    scores = {section: float(sums.get(section, 0.0)) for section in SECTIONS}
    scores["final"] = sum(scores.values())
    return scores
''',
    # Metric-triggered retraining taken for Google's level 2.
    "q7_1_google": """
google_levels = {"Alder": 0, "Birch": 0, "Cedar": 0, "Dogwood": 1, "Elm": 2, "Fir": 2}
""",
    # Tracked training taken for automatic deployment; application CI ignored.
    "q7_2_microsoft": """
microsoft_levels = {"Alder": 0, "Birch": 0, "Cedar": 3, "Dogwood": 3, "Elm": 4, "Fir": 4}
""",
    # The SQL jungle called glue code.
    "q8_debt": """
debt_matches = {
    "S1": "undeclared_consumers", "S2": "unstable_data_dependency", "S3": "correction_cascade",
    "S4": "hidden_feedback_loop", "S5": "glue_code", "S6": "dead_experimental_codepaths",
    "S7": "fixed_threshold", "S8": "entanglement", "S9": "direct_feedback_loop",
}
""",
}

# --- pass the visible tests, fail the hidden ones -----------------------------------------------------

NEAR_MISSES = {
    # One label wrong: a failing data job read as maintenance.
    "q1_1_classify": """
risk_categories = {
    "R01": "not_available", "R02": "maintenance", "R03": "quality_deteriorating",
    "R04": "quality_deteriorating", "R05": "maintenance", "R06": "not_available", "R07": "completely_off",
    "R08": "completely_off", "R09": "bias", "R10": "bias", "R11": "cyber_safety", "R12": "cyber_safety",
}
""",
    # "very high" from 16 instead of 17: right on the visible check, wrong for a score of 16.
    "q1_2_score": '''
def score_risks(register):
    """Return a copy of ``register`` with the columns ``score`` and ``rating``."""
    scored = register.copy()
    scored["score"] = scored["likelihood"] * scored["impact"]
    scored["rating"] = np.select([scored["score"] <= 4, scored["score"] <= 9, scored["score"] < 16],
                                 ["low", "medium", "high"], default="very high")
    return scored
''',
    # Full ties left in input order (a stable sort without the id).
    "q1_3_rank": '''
def rank_risks(scored):
    """Return ``scored`` sorted from the most to the least serious risk, with a column ``rank``."""
    ranked = scored.sort_values(["score", "impact"], ascending=False, kind="stable").reset_index(drop=True)
    ranked["rank"] = np.arange(1, len(ranked) + 1)
    return ranked
''',
    # Refuses 100 % availability, a valid target.
    "q2_1_downtime": '''
def allowed_downtime(availability):
    """Minutes of downtime per year and per month that an availability target allows."""
    if not 0 <= availability < 1:
        raise ValueError("availability must be a share below 1")
    return {"minutes_per_year": (1 - availability) * 525_600, "minutes_per_month": (1 - availability) * 43_800}
''',
    # Assumes the fallback also saves the incident-response cost.
    "q2_2_outage_loss": '''
def expected_annual_loss(scenario, with_fallback):
    """Expected loss per year (EUR) from outages of the scoring service."""
    s = scenario
    lost = s["applications_per_hour"] * s["approval_rate"] * s["profit_per_approved_loan"]
    if not with_fallback:
        return s["incidents_per_year"] * (s["hours_per_incident"] * lost + s["cost_per_incident"])
    rules = s["applications_per_hour"] * s["fallback_loss_per_application"]
    per_hour = s["fallback_success_rate"] * rules + (1 - s["fallback_success_rate"]) * lost
    return s["incidents_per_year"] * s["hours_per_incident"] * per_hour + s["fallback_cost_per_year"]
''',
    # First-to-last change instead of a least-squares line (the same on a perfectly straight line).
    "q3_1_decay": '''
def decay_per_month(auc_by_age):
    """AUC points lost per month of model age: -100 times the slope of a least-squares line."""
    ages = auc_by_age.index
    return -100 * (auc_by_age.iloc[-1] - auc_by_age.iloc[0]) / (ages[-1] - ages[0])


incident = load_loans_manifest()["events"]["data_quality_incident"]["month"]
measured_decay = decay_per_month(auc_table[auc_table["month"] != incident].set_index("model_age")["auc"])
''',
    # No check of the interval: 0 raises ZeroDivisionError, not ValueError.
    "q3_2_monthly_cost": '''
def monthly_cost(interval, retrain_cost, cost_per_point_month, decay):
    """Average cost per month (EUR) of retraining every ``interval`` months."""
    return retrain_cost / interval + cost_per_point_month * decay * (interval - 1) / 2
''',
    # "<=" keeps the last of equal costs: the longest interval wins ties.
    "q3_3_best_interval": '''
def best_interval(cost_of, max_interval=24):
    """The interval from 1 to ``max_interval`` months with the lowest ``cost_of(interval)``."""
    best, best_cost = None, float("inf")
    for months in range(1, max_interval + 1):
        if cost_of(months) <= best_cost:
            best, best_cost = months, cost_of(months)
    return best
''',
    # Approves at p_default == threshold as well.
    "q4_1_threshold_curves": '''
def threshold_curves(p_default, defaulted, thresholds, gain_repaid, loss_default):
    """Approval rate, accuracy and profit of the approval policy at every threshold."""
    p = np.asarray(p_default, dtype=float)
    y = np.asarray(defaulted).astype(bool)
    rows = []
    for t in thresholds:
        approved = p <= t
        rows.append({"approval_rate": approved.mean(), "accuracy": (approved == ~y).mean(),
                     "profit": gain_repaid * np.sum(approved & ~y) - loss_default * np.sum(approved & y)})
    return pd.DataFrame(rows, index=pd.Index(thresholds, name="threshold"))
''',
    # Hard-coded answer of the visible example.
    "q4_2_pick_thresholds": '''
def pick_thresholds(curves):
    """The profit-maximising and the accuracy-maximising thresholds, and the profit between them."""
    return {"profit_threshold": 0.2, "accuracy_threshold": 0.3, "extra_profit": 20.0}
''',
    # Reports an unknown code once per bad entry: twice for a row with two typos.
    "q5_1_raci": '''
def raci_violations(matrix):
    """List the (activity, problem) pairs that break the RACI rules."""
    problems = []
    for activity, row in matrix.iterrows():
        accountable = row.isin(["A", "A/R"]).sum()
        if accountable == 0:
            problems.append((activity, "no_accountable"))
        elif accountable > 1:
            problems.append((activity, "several_accountable"))
        if not row.isin(["R", "A/R"]).any():
            problems.append((activity, "no_responsible"))
        for entry in row:
            if entry not in operations.RACI_CODES:
                problems.append((activity, "unknown_code"))
    return problems
''',
    # Repairs monitoring by making two roles accountable.
    "q5_2_fixed_raci": """
fixed_raci = team.copy()
fixed_raci.loc["Choose decision threshold", "Data scientist"] = "R"
fixed_raci.loc["Review fairness and compliance", "Risk & compliance"] = "A"
fixed_raci.loc["Monitor in production", ["Data scientist", "ML/MLOps engineer"]] = ["A/R", "A/R"]
fixed_raci.loc["Respond to incidents", "ML/MLOps engineer"] = "R"
""",
    # Drops the tests not done before grouping: a section with nothing done vanishes from the minimum.
    "q6_ml_test_score": '''
SECTIONS = ("data", "model", "infrastructure", "monitoring")


def ml_test_score(assessment):
    """Section scores and the final ML Test Score (Breck et al., 2017)."""
    done = assessment[assessment["status"] != "not done"]
    points = done["status"].map({"automated": 1.0, "manual": 0.5})
    scores = points.groupby(done["section"]).sum().to_dict()
    final = min(scores.values())
    return {**{s: scores.get(s, 0.0) for s in SECTIONS}, "final": final}
''',
    # A guess that satisfies the visible checks.
    "q7_1_google": """
google_levels = {"Alder": 0, "Birch": 0, "Cedar": 0, "Dogwood": 0, "Elm": 0, "Fir": 0}
""",
    # One level off for one organisation.
    "q7_2_microsoft": """
microsoft_levels = {"Alder": 0, "Birch": 1, "Cedar": 2, "Dogwood": 3, "Elm": 3, "Fir": 4}
""",
    # One situation wrong: the threshold read as configuration debt.
    "q8_debt": """
debt_matches = {
    "S1": "undeclared_consumers", "S2": "unstable_data_dependency", "S3": "correction_cascade",
    "S4": "hidden_feedback_loop", "S5": "pipeline_jungle", "S6": "dead_experimental_codepaths",
    "S7": "configuration_debt", "S8": "entanglement", "S9": "direct_feedback_loop",
}
""",
}

SUBMISSIONS = {
    "correct_variants": CORRECT_VARIANTS,
    "wrong_typical": WRONG_TYPICAL,
    "wrong_other": WRONG_OTHER,
    "near_misses": NEAR_MISSES,
}

EXPECTED = {
    "correct_variants": {},
    "wrong_typical": _ZERO,
    "wrong_other": _ZERO,
    "near_misses": _ZERO,
}

# --- duck-typed answers ---------------------------------------------------------------------------------------
# Objects that claim to equal any expected value (subclasses of str, int and DataFrame with a lying __eq__)
# instead of an answer. Compared with == they would pass, visible and hidden tests alike; the type-strict checks
# of the test cells (mlops_course.grading.checks) reject them, so each of these questions loses its points.

DUCK_TYPED = {
    "q1_1_classify": '''
class AnyCode(str):
    def __eq__(self, other):
        return True

    def __ne__(self, other):
        return False

    __hash__ = str.__hash__


codes = sorted(operations.RISK_TAXONOMY)
risk_categories = {risk: AnyCode(codes[i % len(codes)]) for i, risk in enumerate(register["risk_id"])}
''',
    "q1_3_rank": '''
class AnyList(list):
    def __eq__(self, other):
        return True

    def __ne__(self, other):
        return False


class AnyColumn:
    def head(self, n=5):
        return self

    def tolist(self):
        return AnyList()


class AnyFrame(pd.DataFrame):
    def __getitem__(self, key):
        return AnyColumn()


def rank_risks(scored):
    """Return ``scored`` sorted from the most to the least serious risk, with a column ``rank``."""
    return AnyFrame(scored.reset_index(drop=True))
''',
    "q3_3_best_interval": '''
class AnyInterval(int):
    def __eq__(self, other):
        return True

    def __ne__(self, other):
        return False

    __hash__ = int.__hash__


def best_interval(cost_of, max_interval=24):
    """The interval from 1 to ``max_interval`` months with the lowest ``cost_of(interval)``."""
    return AnyInterval(3)
''',
    "q7_1_google": '''
class AnyLevel(int):
    def __eq__(self, other):
        return True

    def __ne__(self, other):
        return False

    __hash__ = int.__hash__


google_levels = {name: AnyLevel(0) for name in ["Alder", "Birch", "Cedar", "Dogwood", "Elm", "Fir"]}
''',
}

SUBMISSIONS["duck_typed"] = DUCK_TYPED
EXPECTED["duck_typed"] = {"q1_1_classify_tests": 0, "q1_3_rank_tests": 0, "q3_3_best_interval_tests": 0,
                          "q7_1_google_tests": 0}

# --- more correct answers: other methods, other types, and harmless warnings ------------------------------------
# Every answer here is right; several make pandas or numpy warn (a slice written to, a deprecated groupby.apply, a
# division 0 / 0 in an extra column) or warn themselves. A warning is no error: these keep full marks.

CORRECT_MORE = {
    # numpy strings from np.repeat, in a dict.
    "q1_1_classify": """
codes = ["not_available", "quality_deteriorating", "maintenance", "completely_off", "bias", "cyber_safety"]
risk_categories = dict(zip(register["risk_id"], np.repeat(codes, 2)))
""",
    # Writes to a slice of the register: pandas warns (SettingWithCopyWarning), the register itself is unchanged.
    "q1_2_score": '''
def score_risks(register):
    """Return a copy of ``register`` with the columns ``score`` and ``rating``."""
    scored = register[:]
    scored["score"] = scored["likelihood"] * scored["impact"]
    ratings = []
    for score in scored["score"]:
        if score >= 17:
            ratings.append("very high")
        elif score >= 10:
            ratings.append("high")
        elif score >= 5:
            ratings.append("medium")
        else:
            ratings.append("low")
    scored["rating"] = ratings
    return scored
''',
    # numpy's lexsort on the three keys, the last key first.
    "q1_3_rank": '''
def rank_risks(scored):
    """Return ``scored`` sorted from the most to the least serious risk, with a column ``rank``."""
    order = np.lexsort((scored["risk_id"].to_numpy(dtype=str), -scored["impact"].to_numpy(), -scored["score"].to_numpy()))
    ranked = scored.iloc[order].reset_index(drop=True)
    return ranked.assign(rank=ranked.index + 1)
''',
    # A timedelta for the year; a warning of its own for unusually low targets.
    "q2_1_downtime": '''
import warnings


def allowed_downtime(availability):
    """Minutes of downtime per year and per month that an availability target allows."""
    if availability > 1 or availability < 0:
        raise ValueError(f"{availability} is not a share between 0 and 1")
    if availability < 0.9:
        warnings.warn("an availability below 90 % is an unusual target for a scoring service")
    minutes = (1 - availability) * pd.Timedelta(days=365).total_seconds() / 60
    return {"minutes_per_year": minutes, "minutes_per_month": minutes / 12}
''',
    # Hour by hour as a weighted average over what happens in an incident.
    "q2_2_outage_loss": '''
def expected_annual_loss(scenario, with_fallback):
    """Expected loss per year (EUR) from outages of the scoring service."""
    get = scenario.get
    no_model = get("applications_per_hour") * get("approval_rate") * get("profit_per_approved_loan")
    by_rules = get("applications_per_hour") * get("fallback_loss_per_application")
    share = get("fallback_success_rate") if with_fallback else 0.0
    hourly = share * by_rules + (1 - share) * no_model
    yearly = get("incidents_per_year") * (hourly * get("hours_per_incident") + get("cost_per_incident"))
    return yearly + (get("fallback_cost_per_year") if with_fallback else 0)
''',
    # scipy's linregress; the month left out with query().
    "q3_1_decay": '''
from scipy import stats


def decay_per_month(auc_by_age):
    """AUC points lost per month of model age: -100 times the slope of a least-squares line."""
    fit = stats.linregress(auc_by_age.index.to_numpy(dtype=float), auc_by_age.to_numpy(dtype=float))
    return -100.0 * fit.slope


month = load_loans_manifest()["events"]["data_quality_incident"]["month"]
kept = auc_table.query("month != @month")
measured_decay = decay_per_month(pd.Series(kept["auc"].to_numpy(), index=kept["model_age"].to_numpy()))
''',
    # The months of one cycle averaged explicitly.
    "q3_2_monthly_cost": '''
def monthly_cost(interval, retrain_cost, cost_per_point_month, decay):
    """Average cost per month (EUR) of retraining every ``interval`` months."""
    if not interval >= 1:
        raise ValueError("interval must be 1 month or more")
    lost = sum(cost_per_point_month * decay * age for age in range(int(interval))) / interval
    return retrain_cost / interval + lost
''',
    # The first minimum of a numpy array of costs.
    "q3_3_best_interval": '''
def best_interval(cost_of, max_interval=24):
    """The interval from 1 to ``max_interval`` months with the lowest ``cost_of(interval)``."""
    intervals = np.arange(1, max_interval + 1)
    costs = np.array([cost_of(int(months)) for months in intervals])
    return int(intervals[np.argmin(costs)])
''',
    # Adds a column of its own, the default rate among the approved, which is 0 / 0 (numpy warns) where nobody is
    # approved; extra columns are allowed.
    "q4_1_threshold_curves": '''
def threshold_curves(p_default, defaulted, thresholds, gain_repaid, loss_default):
    """Approval rate, accuracy and profit of the approval policy at every threshold."""
    p = pd.Series(p_default).to_numpy(dtype=float)
    y = pd.Series(defaulted).to_numpy(dtype=int)
    table = pd.DataFrame(index=pd.Index(list(thresholds), name="threshold"))
    rates, accuracies, profits, default_rates = [], [], [], []
    for t in thresholds:
        approved = (p < t).astype(int)
        good, bad = np.sum(approved * (1 - y)), np.sum(approved * y)
        rates.append(approved.sum() / len(p))
        accuracies.append((good + np.sum((1 - approved) * y)) / len(p))
        profits.append(gain_repaid * good - loss_default * bad)
        default_rates.append(bad / (good + bad))
    table["profit"] = profits
    table["accuracy"] = accuracies
    table["approval_rate"] = rates
    table["default_rate_of_approved"] = default_rates
    return table
''',
    # Sorted first, then the first maximum by position.
    "q4_2_pick_thresholds": '''
def pick_thresholds(curves):
    """The profit-maximising and the accuracy-maximising thresholds, and the profit between them."""
    table = curves.sort_index().reset_index()
    label = table.columns[0]
    best_profit = table.loc[table["profit"].argmax()]
    best_accuracy = table.loc[table["accuracy"].argmax()]
    return {"profit_threshold": float(best_profit[label]), "accuracy_threshold": float(best_accuracy[label]),
            "extra_profit": float(best_profit["profit"] - best_accuracy["profit"])}
''',
    # Sets of codes per activity.
    "q5_1_raci": '''
def raci_violations(matrix):
    """List the (activity, problem) pairs that break the RACI rules."""
    known = set(operations.RACI_CODES)
    found = []
    for activity in matrix.index:
        codes = list(matrix.loc[activity])
        n_accountable = sum(1 for code in codes if code in {"A", "A/R"})
        rules = {"no_accountable": n_accountable == 0, "several_accountable": n_accountable >= 2,
                 "no_responsible": not {"R", "A/R"} & set(codes), "unknown_code": not set(codes) <= known}
        found += [(activity, problem) for problem, broken in rules.items() if broken]
    return found
''',
    # Another valid repair, built row by row from a dict.
    "q5_2_fixed_raci": """
rows = team.to_dict(orient="index")
rows["Choose decision threshold"]["Data scientist"] = "R"
rows["Review fairness and compliance"]["Risk & compliance"] = "A/R"
rows["Monitor in production"]["ML/MLOps engineer"] = "A"
rows["Respond to incidents"]["Data engineer"] = "R"
fixed_raci = pd.DataFrame.from_dict(rows, orient="index")[list(team.columns)]
fixed_raci.index.name = team.index.name
""",
    # groupby().apply() over the whole frame: pandas warns that this use is deprecated.
    "q6_ml_test_score": '''
SECTIONS = ("data", "model", "infrastructure", "monitoring")


def ml_test_score(assessment):
    """Section scores and the final ML Test Score (Breck et al., 2017)."""
    worth = {"automated": 1.0, "manual": 0.5, "not done": 0.0}
    if len(assessment):
        sums = assessment.groupby("section").apply(lambda rows: rows["status"].map(worth).sum())
    else:
        sums = pd.Series(dtype=float)
    scores = {section: float(sums[section]) if section in sums.index else 0.0 for section in SECTIONS}
    scores["final"] = min(scores.values())
    return scores
''',
    "q7_1_google": """
google_levels = dict(Alder=0, Birch=0, Cedar=0, Dogwood=1, Elm=1, Fir=2)
""",
    "q7_2_microsoft": """
microsoft_levels = pd.Series({"Fir": 4, "Elm": 4, "Dogwood": 3, "Cedar": 2, "Birch": 1, "Alder": 0}, dtype="int64")
""",
    "q8_debt": """
pairs = [("S1", "undeclared_consumers"), ("S2", "unstable_data_dependency"), ("S3", "correction_cascade"),
         ("S4", "hidden_feedback_loop"), ("S5", "pipeline_jungle"), ("S6", "dead_experimental_codepaths"),
         ("S7", "fixed_threshold"), ("S8", "entanglement"), ("S9", "direct_feedback_loop")]
debt_matches = dict(pairs)
""",
}

# --- wrong methods that the examples of the question do not show ----------------------------------------------
# Each answer gives the right result on the lender's own figures, or passes a first look, but breaks a rule of
# the question: it changes the caller's data, ignores an argument, gets an edge or a tie wrong, or depends on the
# order or the index of what it is given.

WRONG_METHODS = {
    # Writes the new columns into the caller's register (no copy).
    "q1_2_score": '''
def score_risks(register):
    """Return a copy of ``register`` with the columns ``score`` and ``rating``."""
    register["score"] = register["likelihood"] * register["impact"]
    register["rating"] = pd.cut(register["score"], [0, 4, 9, 16, 25], labels=["low", "medium", "high", "very high"])
    return register.copy()
''',
    # Sorts the caller's frame in place.
    "q1_3_rank": '''
def rank_risks(scored):
    """Return ``scored`` sorted from the most to the least serious risk, with a column ``rank``."""
    scored.sort_values(["score", "impact", "risk_id"], ascending=[False, False, True], inplace=True)
    ranked = scored.reset_index(drop=True)
    ranked["rank"] = range(1, len(ranked) + 1)
    return ranked
''',
    # Refuses 0 %, a valid (if useless) share.
    "q2_1_downtime": '''
def allowed_downtime(availability):
    """Minutes of downtime per year and per month that an availability target allows."""
    if not 0 < availability <= 1:
        raise ValueError("availability must be a share")
    return {"minutes_per_year": (1 - availability) * 525_600, "minutes_per_month": (1 - availability) * 43_800}
''',
    # Stores its intermediate figure in the caller's scenario dict.
    "q2_2_outage_loss": '''
def expected_annual_loss(scenario, with_fallback):
    """Expected loss per year (EUR) from outages of the scoring service."""
    s = scenario
    s["lost_per_hour"] = s["applications_per_hour"] * s["approval_rate"] * s["profit_per_approved_loan"]
    per_hour = s["lost_per_hour"]
    if with_fallback:
        rules = s["applications_per_hour"] * s["fallback_loss_per_application"]
        per_hour = s["fallback_success_rate"] * rules + (1 - s["fallback_success_rate"]) * per_hour
    yearly = s["incidents_per_year"] * (s["hours_per_incident"] * per_hour + s["cost_per_incident"])
    return yearly + (s["fallback_cost_per_year"] if with_fallback else 0.0)
''',
    # A right function, but measured_decay written down as a number: it does not follow other data.
    "q3_1_decay": '''
def decay_per_month(auc_by_age):
    """AUC points lost per month of model age: -100 times the slope of a least-squares line."""
    return -100 * np.polyfit(auc_by_age.index.to_numpy(dtype=float), auc_by_age.to_numpy(dtype=float), 1)[0]


# computed once, then written down in full (as if copied from a printout or a classmate)
measured_decay = 0.9225832928138534
''',
    # Checks for intervals of 0 or less only: half a month passes.
    "q3_2_monthly_cost": '''
def monthly_cost(interval, retrain_cost, cost_per_point_month, decay):
    """Average cost per month (EUR) of retraining every ``interval`` months."""
    if interval <= 0:
        raise ValueError("interval must be positive")
    return retrain_cost / interval + cost_per_point_month * decay * (interval - 1) / 2
''',
    # range() stops before max_interval.
    "q3_3_best_interval": '''
def best_interval(cost_of, max_interval=24):
    """The interval from 1 to ``max_interval`` months with the lowest ``cost_of(interval)``."""
    return min(range(1, max_interval), key=cost_of)
''',
    # pandas pairs the two Series by index label, not by position.
    "q4_1_threshold_curves": '''
def threshold_curves(p_default, defaulted, thresholds, gain_repaid, loss_default):
    """Approval rate, accuracy and profit of the approval policy at every threshold."""
    p, y = pd.Series(p_default), pd.Series(defaulted)
    rows = []
    for t in thresholds:
        approved = p < t
        repaid = y == 0
        rows.append({"approval_rate": approved.mean(), "accuracy": (approved == repaid).mean(),
                     "profit": gain_repaid * (approved & repaid).sum() - loss_default * (approved & ~repaid).sum()})
    return pd.DataFrame(rows, index=pd.Index(thresholds, name="threshold"))
''',
    # The first maximum in the order of the rows, which is the lowest threshold only on a sorted index.
    "q4_2_pick_thresholds": '''
def pick_thresholds(curves):
    """The profit-maximising and the accuracy-maximising thresholds, and the profit between them."""
    profit_threshold = curves["profit"].idxmax()
    accuracy_threshold = curves["accuracy"].idxmax()
    extra = curves.loc[profit_threshold, "profit"] - curves.loc[accuracy_threshold, "profit"]
    return {"profit_threshold": profit_threshold, "accuracy_threshold": accuracy_threshold, "extra_profit": extra}
''',
    # The data scientist, who builds the model, made accountable for its fairness review.
    "q5_2_fixed_raci": """
fixed_raci = team.copy()
fixed_raci.loc["Choose decision threshold", "Data scientist"] = "R"
fixed_raci.loc["Review fairness and compliance", ["Data scientist", "Risk & compliance"]] = ["A/R", "C"]
fixed_raci.loc["Monitor in production", "ML/MLOps engineer"] = "A/R"
fixed_raci.loc["Respond to incidents", "ML/MLOps engineer"] = "R"
""",
    # Writes a points column into the caller's assessment.
    "q6_ml_test_score": '''
SECTIONS = ("data", "model", "infrastructure", "monitoring")


def ml_test_score(assessment):
    """Section scores and the final ML Test Score (Breck et al., 2017)."""
    assessment["points"] = assessment["status"].map({"automated": 1.0, "manual": 0.5, "not done": 0.0})
    sums = assessment.groupby("section")["points"].sum()
    scores = {section: float(sums.get(section, 0.0)) for section in SECTIONS}
    scores["final"] = min(scores.values())
    return scores
''',
}

WRONG_MORE = {
    # Returns only the columns it made, not a copy of the register.
    "q1_2_score": '''
def score_risks(register):
    """Return a copy of ``register`` with the columns ``score`` and ``rating``."""
    score = register["likelihood"] * register["impact"]
    rating = np.select([score <= 4, score <= 9, score <= 16], ["low", "medium", "high"], default="very high")
    return pd.DataFrame({"risk_id": register["risk_id"], "score": score, "rating": rating})
''',
    # pandas' rank gives tied risks the same rank.
    "q1_3_rank": '''
def rank_risks(scored):
    """Return ``scored`` sorted from the most to the least serious risk, with a column ``rank``."""
    ranked = scored.sort_values(["score", "impact", "risk_id"], ascending=[False, False, True]).reset_index(drop=True)
    ranked["rank"] = ranked["score"].rank(ascending=False, method="min").astype(int)
    return ranked
''',
    # Quietly turns a percentage into a share instead of refusing it.
    "q2_1_downtime": '''
def allowed_downtime(availability):
    """Minutes of downtime per year and per month that an availability target allows."""
    if availability > 1:
        availability = availability / 100
    if availability < 0:
        raise ValueError("availability must not be negative")
    return {"minutes_per_year": (1 - availability) * 525_600, "minutes_per_month": (1 - availability) * 43_800}
''',
    # Takes the yearly cost of the fallback from the notebook's outage dict, not from the scenario it is given.
    "q2_2_outage_loss": '''
def expected_annual_loss(scenario, with_fallback):
    """Expected loss per year (EUR) from outages of the scoring service."""
    s = scenario
    lost = s["applications_per_hour"] * s["approval_rate"] * s["profit_per_approved_loan"]
    if with_fallback:
        rules = s["applications_per_hour"] * s["fallback_loss_per_application"]
        lost = s["fallback_success_rate"] * rules + (1 - s["fallback_success_rate"]) * lost
    yearly = s["incidents_per_year"] * (s["hours_per_incident"] * lost + s["cost_per_incident"])
    return yearly + (outage["fallback_cost_per_year"] if with_fallback else 0.0)
''',
    # The mean change from one row to the next: no line fitted, the ages ignored.
    "q3_1_decay": '''
def decay_per_month(auc_by_age):
    """AUC points lost per month of model age: -100 times the slope of a least-squares line."""
    return -100 * auc_by_age.sort_index().diff().mean()


kept = auc_table[auc_table["month"] != load_loans_manifest()["events"]["data_quality_incident"]["month"]]
measured_decay = decay_per_month(kept.set_index("model_age")["auc"])
''',
    # The average loss without the halving: the loss of the last month of the cycle.
    "q3_2_monthly_cost": '''
def monthly_cost(interval, retrain_cost, cost_per_point_month, decay):
    """Average cost per month (EUR) of retraining every ``interval`` months."""
    if interval < 1:
        raise ValueError("interval must be at least 1")
    return retrain_cost / interval + cost_per_point_month * decay * (interval - 1)
''',
    # max_interval is never used: always 24.
    "q3_3_best_interval": '''
def best_interval(cost_of, max_interval=24):
    """The interval from 1 to ``max_interval`` months with the lowest ``cost_of(interval)``."""
    return min(range(1, 25), key=cost_of)
''',
    # Sorts the thresholds, so the rows no longer follow the order given.
    "q4_1_threshold_curves": '''
def threshold_curves(p_default, defaulted, thresholds, gain_repaid, loss_default):
    """Approval rate, accuracy and profit of the approval policy at every threshold."""
    p = np.asarray(p_default, dtype=float)
    y = np.asarray(defaulted).astype(bool)
    grid = sorted(thresholds)
    rows = []
    for t in grid:
        approved = p < t
        rows.append({"approval_rate": approved.mean(), "accuracy": (approved == ~y).mean(),
                     "profit": gain_repaid * np.sum(approved & ~y) - loss_default * np.sum(approved & y)})
    return pd.DataFrame(rows, index=pd.Index(grid, name="threshold"))
''',
    # The difference the wrong way round.
    "q4_2_pick_thresholds": '''
def pick_thresholds(curves):
    """The profit-maximising and the accuracy-maximising thresholds, and the profit between them."""
    ordered = curves.sort_index()
    profit_threshold, accuracy_threshold = ordered["profit"].idxmax(), ordered["accuracy"].idxmax()
    extra = ordered.loc[accuracy_threshold, "profit"] - ordered.loc[profit_threshold, "profit"]
    return {"profit_threshold": profit_threshold, "accuracy_threshold": accuracy_threshold, "extra_profit": extra}
''',
    # Tidies the codes first, so "a" and "A " count as "A" and are never reported as unknown.
    "q5_1_raci": '''
def raci_violations(matrix):
    """List the (activity, problem) pairs that break the RACI rules."""
    tidy = matrix.apply(lambda column: column.str.strip().str.upper())
    problems = []
    for activity, row in tidy.iterrows():
        accountable = row.isin(["A", "A/R"]).sum()
        if accountable == 0:
            problems.append((activity, "no_accountable"))
        elif accountable > 1:
            problems.append((activity, "several_accountable"))
        if not row.isin(["R", "A/R"]).any():
            problems.append((activity, "no_responsible"))
        if not row.isin(operations.RACI_CODES).all():
            problems.append((activity, "unknown_code"))
    return problems
''',
    # The ML/MLOps engineer, who builds the model, made accountable for its fairness review.
    "q5_2_fixed_raci": """
fixed_raci = team.copy()
fixed_raci.loc["Choose decision threshold", "Data scientist"] = "R"
fixed_raci.loc["Review fairness and compliance", ["ML/MLOps engineer", "Risk & compliance"]] = ["A", "C"]
fixed_raci.loc["Monitor in production", "ML/MLOps engineer"] = "A/R"
fixed_raci.loc["Respond to incidents", "ML/MLOps engineer"] = "R"
""",
    # The mean of the sections as the final score.
    "q6_ml_test_score": '''
SECTIONS = ("data", "model", "infrastructure", "monitoring")


def ml_test_score(assessment):
    """Section scores and the final ML Test Score (Breck et al., 2017)."""
    points = assessment["status"].map({"automated": 1.0, "manual": 0.5, "not done": 0.0})
    sums = points.groupby(assessment["section"]).sum()
    scores = {section: float(sums.get(section, 0.0)) for section in SECTIONS}
    scores["final"] = sum(scores.values()) / len(SECTIONS)
    return scores
''',
}

# --- partly right: one slip costs only its share of the points ------------------------------------------------
# And a correct answer that logs a message: logging writes to stderr, which is an error output, so the cell fails.

PARTLY_RIGHT = {
    # One of twelve risks wrong (the model-copying attack read as a wrong prediction): 11/12 of 3 points.
    "q1_1_classify": """
risk_categories = {
    "R01": "not_available", "R02": "not_available", "R03": "quality_deteriorating",
    "R04": "quality_deteriorating", "R05": "maintenance", "R06": "maintenance", "R07": "completely_off",
    "R08": "completely_off", "R09": "bias", "R10": "bias", "R11": "cyber_safety", "R12": "completely_off",
}
""",
    # Right, but logs a message; the logging module writes it to stderr.
    "q3_3_best_interval": '''
import logging


def best_interval(cost_of, max_interval=24):
    """The interval from 1 to ``max_interval`` months with the lowest ``cost_of(interval)``."""
    best = min(range(1, max_interval + 1), key=cost_of)
    logging.warning("best interval: %s months", best)
    return best
''',
    # One of six organisations wrong: 5/6 of 2 points.
    "q7_1_google": """
google_levels = {"Alder": 0, "Birch": 0, "Cedar": 0, "Dogwood": 1, "Elm": 2, "Fir": 2}
""",
    # Two of six wrong: 4/6 of 2 points.
    "q7_2_microsoft": """
microsoft_levels = {"Alder": 0, "Birch": 0, "Cedar": 2, "Dogwood": 3, "Elm": 3, "Fir": 4}
""",
    # One code used twice: S4 right, S9 wrong, 8/9 of 2 points.
    "q8_debt": """
debt_matches = {
    "S1": "undeclared_consumers", "S2": "unstable_data_dependency", "S3": "correction_cascade",
    "S4": "hidden_feedback_loop", "S5": "pipeline_jungle", "S6": "dead_experimental_codepaths",
    "S7": "fixed_threshold", "S8": "entanglement", "S9": "hidden_feedback_loop",
}
""",
}

# A raci_violations that adds a helper column to the matrix it checks. The notebook calls it on ``team`` before
# Q5.2, so the model repair, which starts from ``team``, then has a role too many and loses its point as well.
CHANGES_TEAM = {
    # Adds a helper column to the caller's matrix.
    "q5_1_raci": '''
def raci_violations(matrix):
    """List the (activity, problem) pairs that break the RACI rules."""
    roles = list(matrix.columns)
    matrix["n_accountable"] = matrix[roles].isin(["A", "A/R"]).sum(axis=1)
    problems = []
    for activity, row in matrix.iterrows():
        if row["n_accountable"] == 0:
            problems.append((activity, "no_accountable"))
        elif row["n_accountable"] > 1:
            problems.append((activity, "several_accountable"))
        if not row[roles].isin(["R", "A/R"]).any():
            problems.append((activity, "no_responsible"))
        if not row[roles].isin(operations.RACI_CODES).all():
            problems.append((activity, "unknown_code"))
    return problems
''',
}

# Answers that change the set-up's values instead of answering about them: the tests take what they need from the
# course's module, so a shortened register or a team matrix repaired in place does not pass.
REBINDS = {
    # Keeps only the risks it is sure of, then classifies "every risk of the register".
    "q1_1_classify": """
register = register[register["risk_id"] <= "R06"]
risk_categories = {
    "R01": "not_available", "R02": "not_available", "R03": "quality_deteriorating",
    "R04": "quality_deteriorating", "R05": "maintenance", "R06": "maintenance",
}
""",
    # Repairs the team matrix itself and calls it the copy.
    "q5_2_fixed_raci": """
team.loc["Choose decision threshold", "Data scientist"] = "R"
team.loc["Review fairness and compliance", "Risk & compliance"] = "A"
team.loc["Monitor in production", "ML/MLOps engineer"] = "A/R"
team.loc["Respond to incidents", "ML/MLOps engineer"] = "R"
fixed_raci = team
""",
}

_METHODS_ZERO = {cell: 0 for cell in _ZERO if not cell.startswith(("q1_1", "q7_", "q8_"))}

SUBMISSIONS.update({"correct_more": CORRECT_MORE, "wrong_methods": WRONG_METHODS, "wrong_more": WRONG_MORE,
                    "partly_right": PARTLY_RIGHT, "changes_team": CHANGES_TEAM,
                    "rebinds": REBINDS})
EXPECTED.update({
    "correct_more": {},
    "changes_team": {"q5_1_raci_tests": 0, "q5_2_fixed_raci_tests": 0},
    "rebinds": {"q1_1_classify_tests": 0, "q5_2_fixed_raci_tests": 0},
    "wrong_methods": {cell: 0 for cell in _METHODS_ZERO if not cell.startswith("q5_1")},
    "wrong_more": _METHODS_ZERO,
    "partly_right": {"q1_1_classify_tests": 2.75, "q3_3_best_interval_tests": 0, "q7_1_google_tests": 1.67,
                     "q7_2_microsoft_tests": 1.33, "q8_debt_tests": 1.78},
})

# The earlier wrong submissions misplace items of the classification questions; those cost a share each.
EXPECTED["wrong_typical"] = {**_ZERO, "q1_1_classify_tests": 2.5, "q7_1_google_tests": 1.67,
                             "q7_2_microsoft_tests": 1.67, "q8_debt_tests": 1.56}
EXPECTED["wrong_other"] = {**_ZERO, "q1_1_classify_tests": 2.5, "q7_1_google_tests": 1.67,
                           "q7_2_microsoft_tests": 1.33, "q8_debt_tests": 1.78}
EXPECTED["near_misses"] = {**_ZERO, "q1_1_classify_tests": 2.5, "q7_1_google_tests": 1.0,
                           "q7_2_microsoft_tests": 1.67, "q8_debt_tests": 1.78}
