"""Submission bank of the "bias" assignment (format: mlops_course/grading/banks.py).

- ``correct_variants`` answers every question correctly in another way than the model solution (loops
  instead of groupby, NumPy instead of pandas, scipy's Mann-Whitney U instead of roc_auc_score, sorted
  values instead of np.quantile, ...): full marks.
- ``correct_reuse`` reuses the learner's own functions from earlier questions for later ones: full marks.
- ``correct_warnings_and_formats`` answers correctly in ways that make pandas or NumPy warn
  (SettingWithCopyWarning, a FutureWarning about ``observed=``, "Mean of empty slice", a division by zero)
  and with the choices the prompts leave open (more columns, another column order, named index levels,
  string labels, sensible rounding): full marks.
- ``wrong_a``, ``wrong_b`` and ``wrong_c`` carry the common mistakes of METHODS.md (selection rate on the
  labels, inverted ratio, signed differences, wrong reference group, TPR over all rows, thresholds tuned
  on the test split, weights not passed to fit, four-fifths against the overall rate) and other realistic
  ones; each wrong answer loses its own question's points and nothing else.
- ``wrong_d``, ``wrong_e`` and ``wrong_f`` are wrong only where methods differ: a ratio exactly at the
  threshold, a tie between the gaps, ties in an AUC, a pair exactly at ``min_size``, an argument ignored
  (``threshold``, ``n_boot``), two groups assumed, binary labels assumed, lists or Series on another index
  mishandled, empty rates reported as 0, a category that never occurs given a row, a normal approximation
  instead of the bootstrap, missing values imputed, the caller's data sorted in place, weights out of row
  order, one cut-off for everybody, a percentile read as a share, and the race screen measured against the
  overall rate or on the labels (Q8 gives partial credit: one item of four wrong costs 0.75 points); one
  function also writes an error message to stderr, which still fails its test cell.
- ``duck_typed`` answers with objects that claim to equal any expected value: no points for those questions.
"""

NOTEBOOK = "bias"

# --- correct, but different --------------------------------------------------------------------------

CORRECT_GROUP_METRICS = '''
def group_metrics(y_true, y_pred, groups):
    """Per-group audit table: n, selection_rate, tpr, fpr, precision (one row per group, sorted)."""
    y = np.asarray(y_true).astype(int)
    yhat = np.asarray(y_pred).astype(int)
    g = np.asarray(groups)
    rows = []
    for name in sorted(set(g)):
        mine = g == name
        rows.append({
            "group": name,
            "n": int(mine.sum()),
            "selection_rate": yhat[mine].mean(),
            "tpr": yhat[mine & (y == 1)].mean(),
            "fpr": yhat[mine & (y == 0)].mean(),
            "precision": y[mine & (yhat == 1)].mean(),
        })
    return pd.DataFrame(rows).set_index("group")


loan_metrics = group_metrics(validation["good_payer"], validation["approved"], validation["sex"])
loan_metrics
'''

CORRECT_FAIRNESS_SUMMARY = '''
def fairness_summary(metrics):
    """Demographic parity difference and ratio, equal opportunity and equalized odds differences."""
    sr = metrics["selection_rate"].to_numpy(dtype=float)
    tpr = metrics["tpr"].to_numpy(dtype=float)
    fpr = metrics["fpr"].to_numpy(dtype=float)
    return {
        "dp_difference": float(np.ptp(sr)),
        "dp_ratio": float(sr.min() / sr.max()),
        "equal_opportunity_difference": float(np.ptp(tpr)),
        "equalized_odds_difference": float(max(np.ptp(tpr), np.ptp(fpr))),
    }
'''

CORRECT_METRIC_FRAME = '''
from sklearn.metrics import recall_score

loan_frame = MetricFrame(
    metrics={"fpr": false_positive_rate, "tpr": recall_score, "selection_rate": selection_rate},
    y_true=validation["good_payer"].to_numpy(),
    y_pred=validation["approved"].to_numpy().astype(int),
    sensitive_features=validation["sex"].astype(str),
)
loan_frame.by_group
'''

CORRECT_FOUR_FIFTHS = '''
def four_fifths_screen(y_pred, groups, threshold=0.8):
    """Selection rate, impact ratio against the highest group, and the flag, per group."""
    decisions = np.asarray(y_pred).astype(float)
    names = np.asarray(groups)
    rates = {name: decisions[names == name].mean() for name in sorted(set(names))}
    best = max(rates.values())
    table = pd.DataFrame({"selection_rate": pd.Series(rates)})
    table["impact_ratio"] = table["selection_rate"] / best
    table["flagged"] = [ratio < threshold for ratio in table["impact_ratio"]]
    return table


age_screen = four_fifths_screen(validation["approved"].to_numpy(), validation["age_band"].astype(str).to_numpy())
flagged_age_bands = [band for band, flag in age_screen["flagged"].items() if flag]
age_screen
'''

CORRECT_GAPS = '''
def label_vs_decision_gaps(y_true, y_pred, groups):
    """Gap in the labels' base rates, gap in the decisions' selection rates, and whether the model widens it."""
    names = pd.Series(np.asarray(groups))
    base = pd.Series(np.asarray(y_true).astype(float)).groupby(names).mean()
    selected = pd.Series(np.asarray(y_pred).astype(float)).groupby(names).mean()
    gaps = {"base_rate_gap": float(np.ptp(base)), "decision_gap": float(np.ptp(selected))}
    gaps["amplifies"] = gaps["decision_gap"] > gaps["base_rate_gap"]
    return gaps


loan_gaps = label_vs_decision_gaps(validation["good_payer"], validation["approved"], validation["sex"])
loan_gaps
'''

CORRECT_PROXY = '''
from scipy.stats import mannwhitneyu


def proxy_strength(values, is_member):
    """Folded ROC AUC (0.5 to 1) with which one feature alone separates group members from non-members."""
    frame = pd.DataFrame({"value": list(values), "member": list(np.asarray(is_member).astype(int))})
    frame = frame[frame["value"].notna()]
    if pd.api.types.is_numeric_dtype(frame["value"]):
        score = frame["value"].astype(float)
    else:
        shares = pd.crosstab(frame["value"], frame["member"], normalize="index")[1]
        score = frame["value"].map(shares).astype(float)
    members, others = score[frame["member"] == 1], score[frame["member"] == 0]
    auc = mannwhitneyu(members, others).statistic / (len(members) * len(others))
    return max(auc, 1 - auc)


reference = pd.concat([train, validation])
is_female = (reference["sex"] == "female").astype(int).to_numpy()
proxy_scores = pd.Series([proxy_strength(reference[f], is_female) for f in FEATURES], index=list(FEATURES))
proxy_scores = proxy_scores.sort_values(ascending=False)
proxy_feature = str(proxy_scores.idxmax())
proxy_scores
'''

CORRECT_BOOTSTRAP = '''
def bootstrap_ci(values, n_boot=1000, level=0.95, seed=0):
    """Percentile bootstrap confidence interval (low, high) of the mean of values."""
    data = np.asarray(values, dtype=float)
    rng = np.random.default_rng(seed)
    means = np.array([rng.choice(data, size=len(data), replace=True).mean() for _ in range(n_boot)])
    alpha = 100 * (1 - level) / 2
    return (float(np.percentile(means, alpha)), float(np.percentile(means, 100 - alpha)))
'''

CORRECT_INTERSECTIONS = '''
MIN_GROUP_SIZE = 1
while 1.96 * math.sqrt(0.25 / MIN_GROUP_SIZE) > 0.10:
    MIN_GROUP_SIZE += 1


def intersectional_table(y_pred, groups_a, groups_b, min_size):
    """Selection rate with a bootstrap interval per (a, b) pair, and whether the pair is large enough."""
    frame = pd.DataFrame({"a": np.asarray(groups_a), "b": np.asarray(groups_b),
                          "yhat": np.asarray(y_pred).astype(float)})
    table = frame.groupby(["a", "b"])["yhat"].agg(n="size", selection_rate="mean")
    intervals = [bootstrap_ci(part.to_numpy(), n_boot=1000, seed=0) for _, part in frame.groupby(["a", "b"])["yhat"]]
    table["ci_low"] = [low for low, _ in intervals]
    table["ci_high"] = [high for _, high in intervals]
    table["conclusive"] = table["n"] >= min_size
    return table


loan_intersections = intersectional_table(validation["approved"], validation["sex"].astype(str),
                                          validation["age_band"].astype(str), MIN_GROUP_SIZE)
loan_intersections
'''

CORRECT_WEIGHTS = '''
def kamiran_calders_weights(groups, labels):
    """Reweighing weight n_g * n_y / (n * n_gy) of every row."""
    g, y = pd.Series(np.asarray(groups)), pd.Series(np.asarray(labels))
    p_g = g.map(g.value_counts(normalize=True))
    p_y = y.map(y.value_counts(normalize=True))
    joint = pd.crosstab(g, y, normalize=True)
    p_gy = pd.Series([joint.loc[a, b] for a, b in zip(g, y)])
    return p_g * p_y / p_gy
'''

CORRECT_REWEIGHED_MODEL = '''
weights = kamiran_calders_weights(train["sex"].astype(str), train["good_payer"])
reweighed_model = credit_pipeline(FEATURES)
reweighed_model.fit(train[list(FEATURES)], train["default"], **{"logisticregression__sample_weight": weights})
'''

CORRECT_THRESHOLDS = '''
def group_thresholds(p_default, groups, target_rate):
    """A cut-off per group that approves (p_default < cut-off) a share target_rate of the group."""
    p = np.asarray(p_default, dtype=float)
    g = np.asarray(groups)
    cuts = {}
    for name in np.unique(g):
        ordered = np.sort(p[g == name])
        k = int(round(target_rate * len(ordered)))  # approve the k lowest risks
        k = min(max(k, 1), len(ordered) - 1)
        cuts[name] = (ordered[k - 1] + ordered[k]) / 2
    return cuts


target_rate = float(np.mean(validation["p_default"] < APPROVAL_THRESHOLD))
fair_thresholds = {str(k): v for k, v in group_thresholds(validation["p_default"], validation["sex"], target_rate).items()}
fair_thresholds
'''

CORRECT_POLICY_REPORT = '''
def policy_report(y_true, y_pred, groups):
    """Demographic parity ratio, accuracy and profit per application of a decision policy."""
    frame = pd.DataFrame({"good": np.asarray(y_true).astype(bool), "approve": np.asarray(y_pred).astype(bool),
                          "group": np.asarray(groups)})
    rates = frame.groupby("group")["approve"].mean()
    earned = PROFIT_REPAID * (frame["approve"] & frame["good"]).sum()
    lost = LOSS_DEFAULT * (frame["approve"] & ~frame["good"]).sum()
    return {
        "accuracy": (frame["approve"] == frame["good"]).mean(),
        "profit_per_application": (earned - lost) / len(frame),
        "dp_ratio": rates.min() / rates.max(),
    }


rows = {}
rows["current policy"] = policy_report(test["good_payer"], test["approved"], test["sex"])
p_reweighed = reweighed_model.predict_proba(test[list(FEATURES)])[:, 1]
rows["reweighing"] = policy_report(test["good_payer"], p_reweighed < APPROVAL_THRESHOLD, test["sex"])
cutoffs = np.array([fair_thresholds[str(sex)] for sex in test["sex"]])
rows["group thresholds"] = policy_report(test["good_payer"], test["p_default"].to_numpy() < cutoffs, test["sex"])
mitigation_report = pd.DataFrame.from_dict(rows, orient="index")
mitigation_report
'''

CORRECT_ADULT = '''
truth, decision, sex = adult["income_over_50k"], adult["predicted"], adult["sex"].astype(str)
adult_by_sex = pd.DataFrame({
    "selection_rate": decision.groupby(sex).mean(),
    "tpr": decision[truth == 1].groupby(sex[truth == 1]).mean(),
    "fpr": decision[truth == 0].groupby(sex[truth == 0]).mean(),
})
adult_dp_ratio = adult_by_sex["selection_rate"].min() / adult_by_sex["selection_rate"].max()
adult_eodds = max(np.ptp(adult_by_sex["tpr"]), np.ptp(adult_by_sex["fpr"]))
by_race = decision.groupby(adult["race"].astype(str)).mean()
adult_race_screen = pd.DataFrame({"impact_ratio": by_race / by_race.max(), "selection_rate": by_race})
adult_flagged_races = sorted(by_race[by_race < 0.8 * by_race.max()].index)
adult_by_sex
'''

# Later questions built on the learner's own earlier functions.
REUSE_GAPS = '''
def label_vs_decision_gaps(y_true, y_pred, groups):
    """Gap in the labels' base rates, gap in the decisions' selection rates, and whether the model widens it."""
    base = group_metrics(y_true, y_true, groups)["selection_rate"]
    decided = group_metrics(y_true, y_pred, groups)["selection_rate"]
    base_gap, decision_gap = base.max() - base.min(), decided.max() - decided.min()
    return {"base_rate_gap": base_gap, "decision_gap": decision_gap, "amplifies": decision_gap > base_gap}


loan_gaps = label_vs_decision_gaps(validation["good_payer"], validation["approved"], validation["sex"])
loan_gaps
'''

REUSE_ADULT = '''
adult_table = group_metrics(adult["income_over_50k"], adult["predicted"], adult["sex"])
adult_by_sex = adult_table[["selection_rate", "tpr", "fpr"]]
adult_summary = fairness_summary(adult_table)
adult_dp_ratio = adult_summary["dp_ratio"]
adult_eodds = adult_summary["equalized_odds_difference"]
adult_race_screen = four_fifths_screen(adult["predicted"], adult["race"])
adult_flagged_races = sorted(adult_race_screen.index[adult_race_screen["flagged"]])
adult_by_sex
'''

REUSE_POLICY_REPORT = '''
def policy_report(y_true, y_pred, groups):
    """Demographic parity ratio, accuracy and profit per application of a decision policy."""
    y_true, y_pred = np.asarray(y_true).astype(int), np.asarray(y_pred).astype(int)
    screen = four_fifths_screen(y_pred, groups)
    outcome = np.select([(y_pred == 1) & (y_true == 1), (y_pred == 1) & (y_true == 0)],
                        [PROFIT_REPAID, -LOSS_DEFAULT], 0)
    return {"dp_ratio": screen["impact_ratio"].min(), "accuracy": (y_true == y_pred).mean(),
            "profit_per_application": outcome.mean()}


decisions = {
    "current policy": test["approved"],
    "reweighing": reweighed_model.predict_proba(test[list(FEATURES)])[:, 1] < APPROVAL_THRESHOLD,
    "group thresholds": test["p_default"] < test["sex"].astype(str).map(fair_thresholds),
}
mitigation_report = pd.DataFrame(
    {name: policy_report(test["good_payer"], approved, test["sex"]) for name, approved in decisions.items()}).T
mitigation_report
'''

# --- wrong: the common mistakes ------------------------------------------------------------------------

GROUP_METRICS_TEMPLATE = '''
def group_metrics(y_true, y_pred, groups):
    """Per-group audit table: n, selection_rate, tpr, fpr, precision (one row per group, sorted)."""
    frame = pd.DataFrame({"y": np.asarray(y_true).astype(int), "yhat": np.asarray(y_pred).astype(int),
                          "group": np.asarray(groups)})
    by = frame.groupby("group")
    table = pd.DataFrame({
        "n": by.size(),
        "selection_rate": SELECTION,
        "tpr": TPR,
        "fpr": FPR,
        "precision": frame[frame["yhat"] == 1].groupby("group")["y"].mean(),
    })
    return table.sort_index()


loan_metrics = group_metrics(validation["good_payer"], validation["approved"], validation["sex"])
loan_metrics
'''


def _group_metrics(selection, tpr, fpr):
    return (GROUP_METRICS_TEMPLATE.replace("SELECTION", selection).replace("TPR", tpr).replace("FPR", fpr))


RIGHT_TPR = 'frame[frame["y"] == 1].groupby("group")["yhat"].mean()'
RIGHT_FPR = 'frame[frame["y"] == 0].groupby("group")["yhat"].mean()'
RIGHT_SELECTION = 'by["yhat"].mean()'

# Mistake: the selection rate computed on the labels Y instead of the decisions.
WRONG_SELECTION_ON_LABELS = _group_metrics('by["y"].mean()', RIGHT_TPR, RIGHT_FPR)
# Mistake: TPR and FPR divided by all rows of the group instead of its positives / negatives.
WRONG_TPR_ALL_ROWS = _group_metrics(
    RIGHT_SELECTION, '(frame["yhat"] * frame["y"]).groupby(frame["group"]).mean()',
    '(frame["yhat"] * (1 - frame["y"])).groupby(frame["group"]).mean()')
# Mistakes: P(group | approved) read as P(approved | group), and FPR taken as 1 - TPR (the miss rate).
WRONG_SHARE_OF_APPROVALS = _group_metrics(
    'frame[frame["yhat"] == 1].groupby("group").size() / frame["yhat"].sum()', RIGHT_TPR,
    '1 - frame[frame["y"] == 1].groupby("group")["yhat"].mean()')

SUMMARY_TEMPLATE = '''
def fairness_summary(metrics):
    """Demographic parity difference and ratio, equal opportunity and equalized odds differences."""
    sr, tpr, fpr = metrics["selection_rate"], metrics["tpr"], metrics["fpr"]
    return {
        "dp_difference": DP_DIFF,
        "dp_ratio": DP_RATIO,
        "equal_opportunity_difference": EO,
        "equalized_odds_difference": EODDS,
    }
'''


def _summary(dp_diff="sr.max() - sr.min()", dp_ratio="sr.min() / sr.max()", eo="tpr.max() - tpr.min()",
             eodds="max(tpr.max() - tpr.min(), fpr.max() - fpr.min())"):
    return (SUMMARY_TEMPLATE.replace("DP_DIFF", dp_diff).replace("DP_RATIO", dp_ratio)
            .replace("EODDS", eodds).replace("EO", eo))


# Mistake: the ratio inverted (max / min, above 1).
WRONG_RATIO_INVERTED = _summary(dp_ratio="sr.max() / sr.min()")
# Mistake: signed differences, first group minus last (the AIF360 convention with a guessed privileged group).
WRONG_SIGNED = _summary(dp_diff="sr.iloc[0] - sr.iloc[-1]", dp_ratio="sr.iloc[0] / sr.iloc[-1]",
                        eo="tpr.iloc[0] - tpr.iloc[-1]",
                        eodds="max(tpr.iloc[0] - tpr.iloc[-1], fpr.iloc[0] - fpr.iloc[-1])")
# Mistake: the average odds difference (mean of the two gaps) reported as equalized odds.
WRONG_AVERAGE_ODDS = _summary(eodds="((tpr.max() - tpr.min()) + (fpr.max() - fpr.min())) / 2")

METRIC_FRAME_TEMPLATE = '''
loan_frame = MetricFrame(
    metrics={"selection_rate": selection_rate, "tpr": true_positive_rate, "fpr": false_positive_rate},
    y_true=validation[Y_TRUE],
    y_pred=validation[Y_PRED].astype(int),
    sensitive_features=validation["sex"],
)
loan_frame.by_group
'''
# Mistake: default (the unfavourable outcome) used as the positive class.
WRONG_FRAME_DEFAULT_POSITIVE = METRIC_FRAME_TEMPLATE.replace("Y_TRUE", '"default"').replace("Y_PRED", '"approved"')
# Mistake: the labels passed as the decisions (selection rate on Y).
WRONG_FRAME_LABELS_AS_DECISIONS = (METRIC_FRAME_TEMPLATE.replace("Y_TRUE", '"good_payer"')
                                   .replace("Y_PRED", '"good_payer"'))

SCREEN_TEMPLATE = '''
def four_fifths_screen(y_pred, groups, threshold=0.8):
    """Selection rate, impact ratio against the highest group, and the flag, per group."""
    decisions, names = pd.Series(np.asarray(y_pred).astype(float)), np.asarray(groups)
    rates = decisions.groupby(names).mean().sort_index()
    reference = REFERENCE
    impact_ratio = rates / reference
    return pd.DataFrame({"selection_rate": rates, "impact_ratio": impact_ratio, "flagged": impact_ratio < threshold})


age_screen = four_fifths_screen(validation["approved"], validation["age_band"])
flagged_age_bands = sorted(str(band) for band in age_screen.index[age_screen["flagged"]])
age_screen
'''
# Mistake: four-fifths compared against the overall selection rate instead of the highest group's.
WRONG_SCREEN_OVERALL = SCREEN_TEMPLATE.replace("REFERENCE", "decisions.mean()")
# Mistake: the ratio taken against the lowest group (inverted direction).
WRONG_SCREEN_LOWEST = SCREEN_TEMPLATE.replace("REFERENCE", "rates.min()")
# Mistake: the largest group taken as the reference ("the majority is the privileged group").
WRONG_SCREEN_LARGEST = SCREEN_TEMPLATE.replace("REFERENCE", "rates[pd.Series(names).value_counts().idxmax()]")

GAPS_TEMPLATE = '''
def label_vs_decision_gaps(y_true, y_pred, groups):
    """Gap in the labels' base rates, gap in the decisions' selection rates, and whether the model widens it."""
    frame = pd.DataFrame({"y": np.asarray(y_true).astype(float), "yhat": np.asarray(y_pred).astype(float)})
    by_group = frame.groupby(np.asarray(groups)).mean()
    base_rate_gap = BASE
    decision_gap = DECISION
    return {"base_rate_gap": base_rate_gap, "decision_gap": decision_gap, "amplifies": decision_gap > base_rate_gap}


loan_gaps = label_vs_decision_gaps(validation["good_payer"], validation["approved"], validation["sex"])
loan_gaps
'''
# Mistake: the decision gap computed on the labels (selection rate on Y).
WRONG_GAPS_ON_LABELS = (GAPS_TEMPLATE.replace("BASE", 'by_group["y"].max() - by_group["y"].min()')
                        .replace("DECISION", 'by_group["y"].max() - by_group["y"].min()'))
# Mistake: signed gaps, first group minus last (female minus male on the loans).
WRONG_GAPS_SIGNED = (GAPS_TEMPLATE.replace("BASE", 'by_group["y"].iloc[0] - by_group["y"].iloc[-1]')
                     .replace("DECISION", 'by_group["yhat"].iloc[0] - by_group["yhat"].iloc[-1]'))

PROXY_TEMPLATE = '''
def proxy_strength(values, is_member):
    """Folded ROC AUC (0.5 to 1) with which one feature alone separates group members from non-members."""
    values = pd.Series(values).reset_index(drop=True)
    member = pd.Series(np.asarray(is_member).astype(int))
    keep = values.notna()
    values, member = values[keep], member[keep]
    if pd.api.types.is_numeric_dtype(values):
        score = values.astype(float)
    else:
        score = CATEGORY_SCORE
    auc = roc_auc_score(member, score)
    return RESULT


reference = pd.concat([train, validation], ignore_index=True)
is_female = (reference["sex"] == "female").astype(int)
proxy_scores = pd.Series({feature: proxy_strength(reference[feature], is_female) for feature in FEATURES})
proxy_scores = proxy_scores.sort_values(ascending=False)
proxy_feature = proxy_scores.index[0]
proxy_scores
'''
RIGHT_CATEGORY_SCORE = 'member.groupby(values.astype(str)).transform("mean")'
# Mistake: the AUC not folded, so a feature that separates "the other way round" looks weak.
WRONG_PROXY_UNFOLDED = PROXY_TEMPLATE.replace("CATEGORY_SCORE", RIGHT_CATEGORY_SCORE).replace("RESULT", "auc")
# Mistake: categories scored by their arbitrary integer codes instead of their share of members.
WRONG_PROXY_CODES = (PROXY_TEMPLATE.replace("CATEGORY_SCORE", "pd.Series(pd.factorize(values.astype(str), sort=True)[0])")
                     .replace("RESULT", "max(auc, 1 - auc)"))

BOOTSTRAP_TEMPLATE = '''
def bootstrap_ci(values, n_boot=1000, level=0.95, seed=0):
    """Percentile bootstrap confidence interval (low, high) of the mean of values."""
    values = np.asarray(values).astype(float)
    rng = RNG
    means = STATISTIC
    low, high = np.quantile(means, [(1 - level) / 2, (1 + level) / 2])
    return float(low), float(high)
'''
RIGHT_MEANS = "values[rng.integers(0, len(values), size=(n_boot, len(values)))].mean(axis=1)"
# Mistake: resampling without replacement (every resample is a permutation: the interval has no width).
WRONG_BOOTSTRAP_NO_REPLACEMENT = (BOOTSTRAP_TEMPLATE.replace("RNG", "np.random.default_rng(seed)")
                                  .replace("STATISTIC", "np.array([rng.permutation(values).mean() for _ in range(n_boot)])"))
# Mistake: the percentiles of the values themselves, not of the resampled means.
WRONG_BOOTSTRAP_OF_VALUES = (BOOTSTRAP_TEMPLATE.replace("RNG", "np.random.default_rng(seed)")
                             .replace("STATISTIC", "values"))
# Mistake: the seed is never used, so the interval changes on every run.
WRONG_BOOTSTRAP_UNSEEDED = (BOOTSTRAP_TEMPLATE.replace("RNG", "np.random.default_rng()")
                            .replace("STATISTIC", RIGHT_MEANS))

INTERSECTIONS_TEMPLATE = '''
MIN_GROUP_SIZE = SIZE_EXPR


def intersectional_table(y_pred, groups_a, groups_b, min_size):
    """Selection rate with a bootstrap interval per (a, b) pair, and whether the pair is large enough."""
    frame = pd.DataFrame({"yhat": np.asarray(y_pred).astype(float), "a": np.asarray(groups_a),
                          "b": np.asarray(groups_b)})
    rows = {}
    for pair, part in frame.groupby(["a", "b"]):
        low, high = bootstrap_ci(part["yhat"], n_boot=1000, seed=0)
        rows[pair] = {"n": len(part), "selection_rate": part["yhat"].mean(), "ci_low": low, "ci_high": high,
                      "conclusive": len(part) >= min_size}
    table = pd.DataFrame.from_dict(rows, orient="index")
    table.index = pd.MultiIndex.from_tuples(table.index, names=["a", "b"])
    return table.sort_index()


loan_intersections = intersectional_table(validation["approved"], validation["sex"], validation["age_band"],
                                          MIN_GROUP_SIZE)
loan_intersections
'''
# Mistake: rounded down instead of up (96 gives a half-width just above 0.10).
WRONG_MIN_SIZE_ROUNDED_DOWN = INTERSECTIONS_TEMPLATE.replace("SIZE_EXPR", "int((1.96 * 0.5 / 0.10) ** 2)")
# Mistake: the square forgotten (10 applications "suffice").
WRONG_MIN_SIZE_NOT_SQUARED = INTERSECTIONS_TEMPLATE.replace("SIZE_EXPR", "math.ceil(1.96 * 0.5 / 0.10)")

WEIGHTS_TEMPLATE = '''
def kamiran_calders_weights(groups, labels):
    """Reweighing weight n_g * n_y / (n * n_gy) of every row."""
    frame = pd.DataFrame({"g": np.asarray(groups), "y": np.asarray(labels)})
    n = len(frame)
    n_g = frame.groupby("g")["y"].transform("size")
    n_y = frame.groupby("y")["g"].transform("size")
    n_gy = frame.groupby(["g", "y"])["g"].transform("size")
    return FORMULA
'''
# Mistake: the weight turned upside down (it then reinforces the dependence instead of removing it).
WRONG_WEIGHTS_INVERTED = WEIGHTS_TEMPLATE.replace("FORMULA", "n * n_gy / (n_g * n_y)")
# Mistake: the division by n forgotten.
WRONG_WEIGHTS_NO_N = WEIGHTS_TEMPLATE.replace("FORMULA", "n_g * n_y / n_gy")

# Mistake: the weights are computed but never passed to fit (the model is the reference model again).
WRONG_MODEL_WEIGHTS_NOT_PASSED = '''
train_weights = kamiran_calders_weights(train["sex"], train["default"])
reweighed_model = credit_pipeline().fit(train[list(FEATURES)], train["default"])
'''
# Mistake: trained on the training AND validation months ("all the labelled data").
WRONG_MODEL_WITH_VALIDATION = '''
labelled = pd.concat([train, validation], ignore_index=True)
weights = kamiran_calders_weights(labelled["sex"], labelled["default"])
reweighed_model = credit_pipeline().fit(labelled[list(FEATURES)], labelled["default"],
                                        logisticregression__sample_weight=np.asarray(weights))
'''

THRESHOLDS_TEMPLATE = '''
def group_thresholds(p_default, groups, target_rate):
    """A cut-off per group that approves (p_default < cut-off) a share target_rate of the group."""
    frame = pd.DataFrame({"p": np.asarray(p_default).astype(float), "g": np.asarray(groups)})
    return {group: float(np.quantile(part["p"], QUANTILE)) for group, part in frame.groupby("g")}


target_rate = TARGET["approved"].mean()
fair_thresholds = group_thresholds(TUNE["p_default"], TUNE["sex"], target_rate)
fair_thresholds
'''


def _thresholds(quantile="target_rate", target="validation", tune="validation"):
    return THRESHOLDS_TEMPLATE.replace("QUANTILE", quantile).replace("TARGET", target).replace("TUNE", tune)


# Mistake: the thresholds tuned on the test months, which are then no longer an honest measurement.
WRONG_THRESHOLDS_ON_TEST = _thresholds(tune="test")
# Mistake: the quantile taken from the wrong end (approving p < threshold needs the target_rate quantile).
WRONG_THRESHOLDS_UPPER_QUANTILE = _thresholds(quantile="1 - target_rate")
# Mistake: the parity target read off the test months.
WRONG_TARGET_FROM_TEST = _thresholds(target="test")

REPORT_TEMPLATE = '''
def policy_report(y_true, y_pred, groups):
    """Demographic parity ratio, accuracy and profit per application of a decision policy."""
    y_true, y_pred = np.asarray(y_true).astype(int), np.asarray(y_pred).astype(int)
    rates = pd.Series(y_pred).groupby(np.asarray(groups)).mean()
    profit = np.where(y_pred == 1, np.where(y_true == 1, PROFIT_REPAID, -LOSS_DEFAULT), 0)
    return {"dp_ratio": RATIO, "accuracy": float(np.mean(y_true == y_pred)), "profit_per_application": PROFIT_EXPR}


reweighed_approved = reweighed_model.predict_proba(test[list(FEATURES)])[:, 1] < APPROVAL_THRESHOLD
threshold_approved = test["p_default"] < test["sex"].astype(str).map(fair_thresholds)
mitigation_report = pd.DataFrame({
    "current policy": policy_report(test[LABEL], test["approved"], test["sex"]),
    "reweighing": policy_report(test[LABEL], reweighed_approved, test["sex"]),
    "group thresholds": policy_report(test[LABEL], threshold_approved, test["sex"]),
}).T
mitigation_report
'''


def _report(ratio="rates.min() / rates.max()", profit="float(profit.mean())", label='"good_payer"'):
    return REPORT_TEMPLATE.replace("RATIO", ratio).replace("PROFIT_EXPR", profit).replace("LABEL", label)


# Mistake: profit averaged over the approved loans only, not over all applications.
WRONG_PROFIT_PER_LOAN = _report(profit="float(profit[y_pred == 1].mean())")
# Mistake: default (the unfavourable outcome) passed as y_true.
WRONG_REPORT_DEFAULT_AS_GOOD = _report(label='"default"')
# Mistake: the parity ratio inverted.
WRONG_REPORT_RATIO_INVERTED = _report(ratio="rates.max() / rates.min()")

ADULT_TEMPLATE = '''
adult_frame = MetricFrame(
    metrics={"selection_rate": selection_rate, "tpr": true_positive_rate, "fpr": false_positive_rate},
    y_true=adult[Y_TRUE], y_pred=adult[Y_PRED], sensitive_features=adult["sex"],
)
adult_by_sex = adult_frame.by_group
adult_dp_ratio = RATIO
adult_eodds = max(adult_frame.difference()["tpr"], adult_frame.difference()["fpr"])
race_rates = adult.groupby("race", observed=True)[RACE_DECISION].mean()
adult_race_screen = pd.DataFrame({"selection_rate": race_rates, "impact_ratio": race_rates / RACE_REFERENCE})
adult_flagged_races = sorted(str(race) for race in adult_race_screen.index[adult_race_screen["impact_ratio"] < 0.8])
adult_by_sex
'''


def _adult(y_true='"income_over_50k"', y_pred='"predicted"', ratio='adult_frame.ratio()["selection_rate"]',
           race_decision='"predicted"', race_reference="race_rates.max()"):
    return (ADULT_TEMPLATE.replace("Y_TRUE", y_true).replace("Y_PRED", y_pred).replace("RACE_DECISION", race_decision)
            .replace("RACE_REFERENCE", race_reference).replace("RATIO", ratio))


# Mistake: label and decision swapped (the selection rate of the labels).
WRONG_ADULT_SWAPPED = _adult(y_true='"predicted"', y_pred='"income_over_50k"')
# Mistake: the parity ratio inverted.
WRONG_ADULT_RATIO_INVERTED = _adult(
    ratio='adult_frame.by_group["selection_rate"].max() / adult_frame.by_group["selection_rate"].min()')

SUBMISSIONS = {
    "correct_variants": {
        "q1_group_metrics": CORRECT_GROUP_METRICS,
        "q2_1_fairness_summary": CORRECT_FAIRNESS_SUMMARY,
        "q2_2_metric_frame": CORRECT_METRIC_FRAME,
        "q3_1_four_fifths": CORRECT_FOUR_FIFTHS,
        "q4_gaps": CORRECT_GAPS,
        "q5_proxy": CORRECT_PROXY,
        "q6_1_bootstrap": CORRECT_BOOTSTRAP,
        "q6_2_intersections": CORRECT_INTERSECTIONS,
        "q7_1_weights": CORRECT_WEIGHTS,
        "q7_2_reweighed_model": CORRECT_REWEIGHED_MODEL,
        "q7_3_thresholds": CORRECT_THRESHOLDS,
        "q7_4_policy_report": CORRECT_POLICY_REPORT,
        "q8_adult": CORRECT_ADULT,
    },
    "correct_reuse": {
        "q4_gaps": REUSE_GAPS,
        "q7_4_policy_report": REUSE_POLICY_REPORT,
        "q8_adult": REUSE_ADULT,
    },
    "wrong_a": {
        "q1_group_metrics": WRONG_SELECTION_ON_LABELS,
        "q2_1_fairness_summary": WRONG_RATIO_INVERTED,
        "q2_2_metric_frame": WRONG_FRAME_DEFAULT_POSITIVE,
        "q3_1_four_fifths": WRONG_SCREEN_OVERALL,
        "q4_gaps": WRONG_GAPS_ON_LABELS,
        "q5_proxy": WRONG_PROXY_UNFOLDED,
        "q6_1_bootstrap": WRONG_BOOTSTRAP_NO_REPLACEMENT,
        "q6_2_intersections": WRONG_MIN_SIZE_ROUNDED_DOWN,
        "q7_1_weights": WRONG_WEIGHTS_INVERTED,
        "q7_2_reweighed_model": WRONG_MODEL_WEIGHTS_NOT_PASSED,
        "q7_3_thresholds": WRONG_THRESHOLDS_ON_TEST,
        "q7_4_policy_report": WRONG_PROFIT_PER_LOAN,
        "q8_adult": WRONG_ADULT_SWAPPED,
    },
    "wrong_b": {
        "q1_group_metrics": WRONG_TPR_ALL_ROWS,
        "q2_1_fairness_summary": WRONG_SIGNED,
        "q2_2_metric_frame": WRONG_FRAME_LABELS_AS_DECISIONS,
        "q3_1_four_fifths": WRONG_SCREEN_LOWEST,
        "q4_gaps": WRONG_GAPS_SIGNED,
        "q5_proxy": WRONG_PROXY_CODES,
        "q6_1_bootstrap": WRONG_BOOTSTRAP_OF_VALUES,
        "q6_2_intersections": WRONG_MIN_SIZE_NOT_SQUARED,
        "q7_1_weights": WRONG_WEIGHTS_NO_N,
        "q7_2_reweighed_model": WRONG_MODEL_WITH_VALIDATION,
        "q7_3_thresholds": WRONG_THRESHOLDS_UPPER_QUANTILE,
        "q7_4_policy_report": WRONG_REPORT_DEFAULT_AS_GOOD,
        "q8_adult": WRONG_ADULT_RATIO_INVERTED,
    },
    "wrong_c": {
        "q1_group_metrics": WRONG_SHARE_OF_APPROVALS,
        "q2_1_fairness_summary": WRONG_AVERAGE_ODDS,
        "q3_1_four_fifths": WRONG_SCREEN_LARGEST,
        "q6_1_bootstrap": WRONG_BOOTSTRAP_UNSEEDED,
        "q7_3_thresholds": WRONG_TARGET_FROM_TEST,
        "q7_4_policy_report": WRONG_REPORT_RATIO_INVERTED,
    },
}

EXPECTED = {
    "correct_variants": {},
    "correct_reuse": {},
    "wrong_a": {
        "q1_selection_tests": 0, "q2_1_parity_tests": 0, "q2_2_metric_frame_tests": 0,
        "q3_1_four_fifths_tests": 0, "q4_gaps_tests": 0, "q5_proxy_tests": 0, "q6_1_bootstrap_tests": 0,
        "q6_2_intersections_tests": 0, "q7_1_weights_tests": 0, "q7_2_reweighed_model_tests": 0,
        "q7_3_thresholds_tests": 0, "q7_4_policy_report_tests": 0, "q8_adult_tests": 0,
    },
    "wrong_b": {
        "q1_error_rates_tests": 0, "q2_1_parity_tests": 0, "q2_1_odds_tests": 0, "q2_2_metric_frame_tests": 0,
        "q3_1_four_fifths_tests": 0, "q4_gaps_tests": 0, "q5_proxy_tests": 0, "q6_1_bootstrap_tests": 0,
        "q6_2_intersections_tests": 0, "q7_1_weights_tests": 0, "q7_2_reweighed_model_tests": 0,
        "q7_3_thresholds_tests": 0, "q7_4_policy_report_tests": 0, "q8_adult_tests": 0,
    },
    "wrong_c": {
        "q1_selection_tests": 0, "q1_error_rates_tests": 0, "q2_1_odds_tests": 0, "q3_1_four_fifths_tests": 0,
        "q6_1_bootstrap_tests": 0, "q7_3_thresholds_tests": 0, "q7_4_policy_report_tests": 0,
    },
}

# --- duck-typed answers ---------------------------------------------------------------------------------------
# Objects that claim to equal any expected value (subclasses of list and str with a lying __eq__) instead of an
# answer. Compared with == they would pass, visible and hidden tests alike; the type-strict checks of the test
# cells (mlops_course.grading.checks) reject them, so each of these questions loses its points.

DUCK_TYPED = {
    "q3_1_four_fifths": '''
class AnyList(list):
    def __eq__(self, other):
        return True

    def __ne__(self, other):
        return False


def four_fifths_screen(y_pred, groups, threshold=0.8):
    """Selection rate, impact ratio against the highest group, and the flag, per group."""
    rates = pd.Series(np.asarray(y_pred).astype(float)).groupby(np.asarray(groups)).mean().sort_index()
    impact_ratio = rates / rates.max()
    return pd.DataFrame({"selection_rate": rates, "impact_ratio": impact_ratio, "flagged": impact_ratio < threshold})


age_screen = four_fifths_screen(validation["approved"], validation["age_band"])
flagged_age_bands = AnyList(["18-24"])
''',
    "q5_proxy": '''
class AnyName(str):
    def __eq__(self, other):
        return True

    __hash__ = str.__hash__


def proxy_strength(values, is_member):
    """Folded ROC AUC (0.5 to 1) with which one feature alone separates group members from non-members."""
    values = pd.Series(values).reset_index(drop=True)
    member = pd.Series(np.asarray(is_member).astype(int))
    keep = values.notna()
    values, member = values[keep], member[keep]
    if pd.api.types.is_numeric_dtype(values):
        score = values.astype(float)
    else:
        score = member.groupby(values.astype(str)).transform("mean")
    auc = roc_auc_score(member, score)
    return max(auc, 1 - auc)


reference = pd.concat([train, validation], ignore_index=True)
is_female = (reference["sex"] == "female").astype(int)
proxy_scores = pd.Series({feature: proxy_strength(reference[feature], is_female) for feature in FEATURES})
proxy_scores = proxy_scores.sort_values(ascending=False)
proxy_feature = AnyName("income")
''',
    "q8_adult": '''
class AnyList(list):
    def __eq__(self, other):
        return True

    def __ne__(self, other):
        return False


adult_frame = MetricFrame(
    metrics={"selection_rate": selection_rate, "tpr": true_positive_rate, "fpr": false_positive_rate},
    y_true=adult["income_over_50k"], y_pred=adult["predicted"], sensitive_features=adult["sex"],
)
adult_by_sex = adult_frame.by_group
adult_dp_ratio = adult_frame.ratio()["selection_rate"]
adult_eodds = max(adult_frame.difference()["tpr"], adult_frame.difference()["fpr"])
adult_race_screen = four_fifths_screen(adult["predicted"], adult["race"])
adult_flagged_races = AnyList()
''',
}

SUBMISSIONS["duck_typed"] = DUCK_TYPED
EXPECTED["duck_typed"] = {"q3_1_four_fifths_tests": 0, "q5_proxy_tests": 0, "q8_adult_tests": 0}

# --- harmless warnings, other containers, other formats: full marks ------------------------------------------
# nbgrader scores any stderr as a failure; the set-up cell prints warnings on stdout, so a correct answer that
# makes pandas or NumPy warn keeps its points. Extra columns, other column orders, index names and sensible
# rounding are choices the prompts leave open.

WARNING_GROUP_METRICS = '''
def group_metrics(y_true, y_pred, groups):
    """Per-group audit table: n, selection_rate, tpr, fpr, precision (one row per group, sorted)."""
    frame = pd.DataFrame({"y": np.asarray(y_true).astype(int), "yhat": np.asarray(y_pred).astype(int),
                          "group": np.asarray(groups)})
    positives = frame[frame["y"] == 1]
    positives["approved"] = positives["yhat"]  # a SettingWithCopyWarning, harmless here
    rows = {}
    for name in sorted(frame["group"].unique()):
        mine = frame[frame["group"] == name]
        rows[name] = {
            "n": len(mine),
            "selection_rate": np.mean(mine["yhat"].to_numpy()),
            "tpr": np.mean(positives.loc[positives["group"] == name, "approved"].to_numpy()),  # empty: NaN + warning
            "fpr": np.mean(mine.loc[mine["y"] == 0, "yhat"].to_numpy()),
            "precision": np.mean(mine.loc[mine["yhat"] == 1, "y"].to_numpy()),
        }
    return pd.DataFrame.from_dict(rows, orient="index")


loan_metrics = group_metrics(validation["good_payer"], validation["approved"], validation["sex"])
loan_metrics
'''

WARNING_FAIRNESS_SUMMARY = '''
def fairness_summary(metrics):
    """Demographic parity difference and ratio, equal opportunity and equalized odds differences."""
    sr = metrics["selection_rate"].to_numpy(dtype=float)
    spreads = {column: metrics[column].max() - metrics[column].min() for column in ["selection_rate", "tpr", "fpr"]}
    worst_ratio = (1 / (sr.max() / sr)).min()  # a group never approved divides by zero: inf, then 0, and a warning
    return {"dp_difference": spreads["selection_rate"], "dp_ratio": worst_ratio,
            "equal_opportunity_difference": spreads["tpr"],
            "equalized_odds_difference": max(spreads["tpr"], spreads["fpr"])}
'''

WARNING_FOUR_FIFTHS = '''
def four_fifths_screen(y_pred, groups, threshold=0.8):
    """Selection rate, impact ratio against the highest group, and the flag, per group."""
    frame = pd.DataFrame({"yhat": np.asarray(y_pred, dtype=float), "group": pd.Categorical(np.asarray(groups))})
    rates = frame.groupby("group")["yhat"].mean()  # a FutureWarning about observed=, harmless here
    table = pd.DataFrame({"n": frame.groupby("group").size(), "flagged": rates / rates.max() < threshold,
                          "impact_ratio": rates / rates.max(), "selection_rate": rates})
    table.index = table.index.astype(str)
    return table


age_screen = four_fifths_screen(validation["approved"], validation["age_band"])
flagged_age_bands = list(age_screen.index[age_screen["flagged"]])
age_screen
'''

WARNING_PROXY = '''
def proxy_strength(values, is_member):
    """Folded ROC AUC (0.5 to 1) with which one feature alone separates group members from non-members."""
    values = pd.Series(values).reset_index(drop=True)
    member = pd.Series(np.asarray(is_member).astype(int))
    keep = values.notna()
    values, member = values[keep], member[keep]
    if pd.api.types.is_numeric_dtype(values):
        score = values.astype(float)
    else:
        score = member.groupby(values).transform("mean")  # a categorical warns about observed=, harmless here
    auc = roc_auc_score(member, score)
    return max(auc, 1 - auc)


reference = pd.concat([train, validation], ignore_index=True)
is_female = reference["sex"] == "female"
proxy_scores = pd.Series({feature: proxy_strength(reference[feature], is_female) for feature in FEATURES})
proxy_scores = proxy_scores.sort_values(ascending=False).round(3)
proxy_feature = proxy_scores.index[0]
proxy_scores
'''

WARNING_WEIGHTS = '''
def kamiran_calders_weights(groups, labels):
    """Reweighing weight n_g * n_y / (n * n_gy) of every row."""
    frame = pd.DataFrame({"g": np.asarray(groups), "y": np.asarray(labels)})
    rows = frame[frame["g"].notna()]
    rows["n_g"] = rows.groupby("g")["y"].transform("size")  # a SettingWithCopyWarning, harmless here
    n_y = rows.groupby("y")["g"].transform("size")
    n_gy = rows.groupby(["g", "y"])["g"].transform("size")
    return rows["n_g"] * n_y / (len(rows) * n_gy)
'''

FORMAT_INTERSECTIONS = '''
MIN_GROUP_SIZE = int(np.ceil((1.96 / 0.2) ** 2))


def intersectional_table(y_pred, groups_a, groups_b, min_size):
    """Selection rate with a bootstrap interval per (a, b) pair, and whether the pair is large enough."""
    frame = pd.DataFrame({"sex": np.asarray(groups_a), "band": np.asarray(groups_b),
                          "yhat": np.asarray(y_pred, dtype=float)})
    rows = []
    for (a, b), part in frame.groupby(["sex", "band"], sort=True):
        low, high = bootstrap_ci(part["yhat"].to_numpy(), n_boot=1000, seed=0)
        rows.append({"sex": a, "band": b, "conclusive": len(part) >= min_size, "ci_low": low, "ci_high": high,
                     "width": high - low, "n": len(part), "selection_rate": part["yhat"].mean()})
    return pd.DataFrame(rows).set_index(["sex", "band"])


loan_intersections = intersectional_table(validation["approved"], validation["sex"], validation["age_band"],
                                          MIN_GROUP_SIZE)
loan_intersections
'''

FORMAT_POLICY_REPORT = '''
def policy_report(y_true, y_pred, groups):
    """Demographic parity ratio, accuracy and profit per application of a decision policy."""
    y_true, y_pred = np.asarray(y_true).astype(int), np.asarray(y_pred).astype(int)
    rates = pd.Series(y_pred).groupby(np.asarray(groups)).mean()
    profit = np.where(y_pred == 1, np.where(y_true == 1, PROFIT_REPAID, -LOSS_DEFAULT), 0)
    return {"dp_ratio": rates.min() / rates.max(), "accuracy": float(np.mean(y_true == y_pred)),
            "profit_per_application": float(profit.mean()), "approval_rate": float(y_pred.mean())}


reweighed_approved = reweighed_model.predict_proba(test[list(FEATURES)])[:, 1] < APPROVAL_THRESHOLD
threshold_approved = test["p_default"] < test["sex"].astype(str).map(fair_thresholds)
mitigation_report = pd.DataFrame({
    "current policy": policy_report(test["good_payer"], test["approved"], test["sex"]),
    "reweighing": policy_report(test["good_payer"], reweighed_approved, test["sex"]),
    "group thresholds": policy_report(test["good_payer"], threshold_approved, test["sex"]),
}).T.round({"dp_ratio": 3, "accuracy": 3, "approval_rate": 3, "profit_per_application": 0})
mitigation_report
'''

FORMAT_ADULT = '''
adult_table = group_metrics(adult["income_over_50k"], adult["predicted"], adult["sex"]).round(3)
adult_by_sex = adult_table  # n and precision too: more columns are fine
adult_dp_ratio = round(float(adult_table["selection_rate"].min() / adult_table["selection_rate"].max()), 3)
adult_eodds = round(float(max(np.ptp(adult_table["tpr"]), np.ptp(adult_table["fpr"]))), 3)
adult_race_screen = four_fifths_screen(adult["predicted"], adult["race"]).round(4)
adult_flagged_races = sorted(str(race) for race in adult_race_screen.index[adult_race_screen["flagged"]])
adult_by_sex
'''

FORMAT_GAPS = '''
def label_vs_decision_gaps(y_true, y_pred, groups):
    """Gap in the labels' base rates, gap in the decisions' selection rates, and whether the model widens it."""
    frame = pd.DataFrame({"y": np.asarray(y_true), "yhat": np.asarray(y_pred), "group": np.asarray(groups)})
    base = frame.groupby("group")["y"].mean()
    selected = frame.groupby("group")["yhat"].mean()
    base_rate_gap, decision_gap = base.max() - base.min(), selected.max() - selected.min()
    if len(base) > 2:
        import warnings
        warnings.warn("more than two groups: the gaps are the highest minus the lowest", UserWarning)
    return {"amplifies": bool(decision_gap > base_rate_gap), "decision_gap": decision_gap, "base_rate_gap": base_rate_gap,
            "groups": len(base)}


loan_gaps = label_vs_decision_gaps(validation["good_payer"], validation["approved"], validation["sex"])
loan_gaps = {key: round(value, 3) if key.endswith("gap") else value for key, value in loan_gaps.items()}
loan_gaps
'''

SUBMISSIONS["correct_warnings_and_formats"] = {
    "q4_gaps": FORMAT_GAPS,
    "q1_group_metrics": WARNING_GROUP_METRICS,
    "q2_1_fairness_summary": WARNING_FAIRNESS_SUMMARY,
    "q3_1_four_fifths": WARNING_FOUR_FIFTHS,
    "q5_proxy": WARNING_PROXY,
    "q6_2_intersections": FORMAT_INTERSECTIONS,
    "q7_1_weights": WARNING_WEIGHTS,
    "q7_4_policy_report": FORMAT_POLICY_REPORT,
    "q8_adult": FORMAT_ADULT,
}
EXPECTED["correct_warnings_and_formats"] = {}

# --- wrong where the methods differ: edge cases, arguments, containers, the caller's data ----------------------

# Mistake: pd.concat of the inputs, which works for Series only (lists and arrays are valid inputs too).
WRONG_GROUP_METRICS_SERIES_ONLY = '''
def group_metrics(y_true, y_pred, groups):
    """Per-group audit table: n, selection_rate, tpr, fpr, precision (one row per group, sorted)."""
    frame = pd.concat([y_true.rename("y"), y_pred.astype(int).rename("yhat"), groups.rename("group")], axis=1)
    table = pd.DataFrame({
        "n": frame.groupby("group", observed=True).size(),
        "selection_rate": frame.groupby("group", observed=True)["yhat"].mean(),
        "tpr": frame[frame["y"] == 1].groupby("group", observed=True)["yhat"].mean(),
        "fpr": frame[frame["y"] == 0].groupby("group", observed=True)["yhat"].mean(),
        "precision": frame[frame["yhat"] == 1].groupby("group", observed=True)["y"].mean(),
    })
    return table.sort_index()


loan_metrics = group_metrics(validation["good_payer"], validation["approved"], validation["sex"])
loan_metrics
'''
# Mistake: empty rates reported as 0 instead of NaN (a group without good payers "has a TPR of 0").
WRONG_GROUP_METRICS_ZERO_FOR_EMPTY = GROUP_METRICS_TEMPLATE.replace(
    "SELECTION", RIGHT_SELECTION).replace("TPR", RIGHT_TPR).replace("FPR", RIGHT_FPR).replace(
    "    return table.sort_index()", "    return table.fillna(0).sort_index()")
# Mistake: the groups of a categorical kept with observed=False, so a category that never occurs gets a row.
WRONG_GROUP_METRICS_UNOBSERVED = '''
def group_metrics(y_true, y_pred, groups):
    """Per-group audit table: n, selection_rate, tpr, fpr, precision (one row per group, sorted)."""
    frame = pd.DataFrame({"y": np.asarray(y_true).astype(int), "yhat": np.asarray(y_pred).astype(int),
                          "group": groups if isinstance(groups, pd.Series) else np.asarray(groups)})
    by = frame.groupby("group", observed=False)
    return pd.DataFrame({
        "n": by.size(),
        "selection_rate": by["yhat"].mean(),
        "tpr": frame[frame["y"] == 1].groupby("group", observed=False)["yhat"].mean(),
        "fpr": frame[frame["y"] == 0].groupby("group", observed=False)["yhat"].mean(),
        "precision": frame[frame["yhat"] == 1].groupby("group", observed=False)["y"].mean(),
    }).sort_index()


loan_metrics = group_metrics(validation["good_payer"], validation["approved"], validation["sex"])
loan_metrics
'''

# Mistake: the difference of the first two rows, which is right for two groups only.
WRONG_SUMMARY_TWO_GROUPS = _summary(dp_diff="abs(sr.iloc[0] - sr.iloc[1])",
                                    dp_ratio="min(sr.iloc[0], sr.iloc[1]) / max(sr.iloc[0], sr.iloc[1])",
                                    eo="abs(tpr.iloc[0] - tpr.iloc[1])",
                                    eodds="max(abs(tpr.iloc[0] - tpr.iloc[1]), abs(fpr.iloc[0] - fpr.iloc[1]))")
# Mistake: the caller's table sorted in place to read the lowest and highest rows.
WRONG_SUMMARY_SORTS_IN_PLACE = '''
def fairness_summary(metrics):
    """Demographic parity difference and ratio, equal opportunity and equalized odds differences."""
    metrics.sort_values("selection_rate", inplace=True)
    low, high = metrics["selection_rate"].iloc[0], metrics["selection_rate"].iloc[-1]
    spread = {c: metrics[c].max() - metrics[c].min() for c in ["tpr", "fpr"]}
    return {"dp_difference": high - low, "dp_ratio": low / high,
            "equal_opportunity_difference": spread["tpr"],
            "equalized_odds_difference": max(spread["tpr"], spread["fpr"])}
'''

SCREEN_RULE_TEMPLATE = '''
def four_fifths_screen(y_pred, groups, threshold=0.8):
    """Selection rate, impact ratio against the highest group, and the flag, per group."""
    rates = pd.Series(np.asarray(y_pred).astype(float)).groupby(np.asarray(groups)).mean().sort_index()
    impact_ratio = rates / rates.max()
    return pd.DataFrame({"selection_rate": rates, "impact_ratio": impact_ratio, "flagged": FLAG})


age_screen = four_fifths_screen(validation["approved"], validation["age_band"])
flagged_age_bands = sorted(str(band) for band in age_screen.index[age_screen["flagged"]])
age_screen
'''
# Mistake: a ratio exactly at the threshold flagged (<= instead of <).
WRONG_SCREEN_AT_THRESHOLD = SCREEN_RULE_TEMPLATE.replace("FLAG", "impact_ratio <= threshold")
# Mistake: the threshold argument ignored (always 0.8).
WRONG_SCREEN_FIXED_THRESHOLD = SCREEN_RULE_TEMPLATE.replace("FLAG", "impact_ratio < 0.8")
# Mistake: a Series of the decisions built on 0..n-1 grouped by the groups' own index: rows no longer match.
WRONG_SCREEN_BY_LABEL = '''
def four_fifths_screen(y_pred, groups, threshold=0.8):
    """Selection rate, impact ratio against the highest group, and the flag, per group."""
    rates = pd.Series(np.asarray(y_pred).astype(float)).groupby(pd.Series(groups)).mean().sort_index()
    impact_ratio = rates / rates.max()
    return pd.DataFrame({"selection_rate": rates, "impact_ratio": impact_ratio, "flagged": impact_ratio < threshold})


age_screen = four_fifths_screen(validation["approved"], validation["age_band"])
flagged_age_bands = sorted(str(band) for band in age_screen.index[age_screen["flagged"]])
age_screen
'''

# Mistake: a tie read as amplification (>= instead of >).
WRONG_GAPS_TIE_AMPLIFIES = GAPS_TEMPLATE.replace("BASE", 'by_group["y"].max() - by_group["y"].min()').replace(
    "DECISION", 'by_group["yhat"].max() - by_group["yhat"].min()').replace(
    '"amplifies": decision_gap > base_rate_gap', '"amplifies": decision_gap >= base_rate_gap')
# Mistake: the gaps of the first two groups only.
WRONG_GAPS_TWO_GROUPS = GAPS_TEMPLATE.replace("BASE", 'abs(by_group["y"].iloc[0] - by_group["y"].iloc[1])').replace(
    "DECISION", 'abs(by_group["yhat"].iloc[0] - by_group["yhat"].iloc[1])')

# Mistake: a hand-made AUC that counts ties between a member and a non-member as losses.
WRONG_PROXY_TIES = PROXY_TEMPLATE.replace("CATEGORY_SCORE", RIGHT_CATEGORY_SCORE).replace(
    "    auc = roc_auc_score(member, score)\n",
    "    s, m = score.to_numpy(), member.to_numpy()\n"
    "    auc = (s[m == 1][:, None] > s[m == 0][None, :]).mean()\n").replace("RESULT", "max(auc, 1 - auc)")
# Mistake: missing values imputed (the median, or a category "missing") instead of ignored.
WRONG_PROXY_MISSING_IMPUTED = PROXY_TEMPLATE.replace(
    "    keep = values.notna()\n    values, member = values[keep], member[keep]\n",
    "    if pd.api.types.is_numeric_dtype(values):\n        values = values.fillna(values.median())\n"
    "    else:\n        values = values.astype(object).fillna(\"missing\")\n").replace(
    "CATEGORY_SCORE", RIGHT_CATEGORY_SCORE).replace("RESULT", "max(auc, 1 - auc)")

# Mistake: a normal-approximation interval (mean +- 1.96 standard errors) instead of the bootstrap.
WRONG_BOOTSTRAP_NORMAL = '''
def bootstrap_ci(values, n_boot=1000, level=0.95, seed=0):
    """Percentile bootstrap confidence interval (low, high) of the mean of values."""
    values = np.asarray(values).astype(float)
    z = {0.95: 1.96, 0.9: 1.645, 0.8: 1.2816, 0.5: 0.6745}.get(level, 1.96)
    half = z * values.std(ddof=1) / np.sqrt(len(values)) if len(values) > 1 else 0.0
    return float(values.mean() - half), float(values.mean() + half)
'''
# Mistake: n_boot ignored (always 1000 resamples).
WRONG_BOOTSTRAP_FIXED_N = BOOTSTRAP_TEMPLATE.replace("RNG", "np.random.default_rng(seed)").replace(
    "STATISTIC", "values[rng.integers(0, len(values), size=(1000, len(values)))].mean(axis=1)")
# Mistake: the caller's array sorted in place (the interval itself is right, the caller's data is not).
WRONG_BOOTSTRAP_SORTS_INPUT = '''
def bootstrap_ci(values, n_boot=1000, level=0.95, seed=0):
    """Percentile bootstrap confidence interval (low, high) of the mean of values."""
    data = np.asarray(values)
    data.sort()
    data = data.astype(float)
    rng = np.random.default_rng(seed)
    means = data[rng.integers(0, len(data), size=(n_boot, len(data)))].mean(axis=1)
    low, high = np.quantile(means, [(1 - level) / 2, (1 + level) / 2])
    return float(low), float(high)
'''

# Mistake: conclusive only above min_size (n > min_size).
WRONG_INTERSECTIONS_STRICT = INTERSECTIONS_TEMPLATE.replace("SIZE_EXPR", "97").replace(
    '"conclusive": len(part) >= min_size', '"conclusive": len(part) > min_size')
# Mistake: the interval from a normal approximation instead of the learner's bootstrap_ci.
WRONG_INTERSECTIONS_NORMAL = INTERSECTIONS_TEMPLATE.replace("SIZE_EXPR", "97").replace(
    '        low, high = bootstrap_ci(part["yhat"], n_boot=1000, seed=0)\n',
    '        half = 1.96 * np.sqrt(part["yhat"].mean() * (1 - part["yhat"].mean()) / len(part))\n'
    '        low, high = part["yhat"].mean() - half, part["yhat"].mean() + half\n')

# Mistake: a binary 0/1 label assumed (the share of label 1 and its complement), which fails for other labels.
WRONG_WEIGHTS_BINARY = '''
def kamiran_calders_weights(groups, labels):
    """Reweighing weight n_g * n_y / (n * n_gy) of every row."""
    g, y = np.asarray(groups), np.asarray(labels).astype(int)
    weights = np.empty(len(g))
    for name in np.unique(g):
        mine = g == name
        for label, p_y in ((1, y.mean()), (0, 1 - y.mean())):
            cell = mine & (y == label)
            if cell.any():
                weights[cell] = mine.mean() * p_y / cell.mean()
    return pd.Series(weights)
'''
# Mistake: the weights returned cell by cell (sorted by group and label), not in the order of the rows.
WRONG_WEIGHTS_REORDERED = '''
def kamiran_calders_weights(groups, labels):
    """Reweighing weight n_g * n_y / (n * n_gy) of every row."""
    frame = pd.DataFrame({"g": np.asarray(groups), "y": np.asarray(labels)})
    n = len(frame)
    parts = []
    for (g, y), cell in frame.groupby(["g", "y"]):
        weight = (frame["g"] == g).sum() * (frame["y"] == y).sum() / (n * len(cell))
        parts.append(pd.Series(weight, index=range(len(cell))))
    return pd.concat(parts, ignore_index=True)
'''

# Mistake: one cut-off for everybody (the quantile of all p_default), reported for each group.
WRONG_THRESHOLDS_GLOBAL = '''
def group_thresholds(p_default, groups, target_rate):
    """A cut-off per group that approves (p_default < cut-off) a share target_rate of the group."""
    cut = float(np.quantile(np.asarray(p_default, dtype=float), target_rate))
    return {group: cut for group in sorted(set(np.asarray(groups)))}


target_rate = validation["approved"].mean()
fair_thresholds = group_thresholds(validation["p_default"], validation["sex"], target_rate)
fair_thresholds
'''
# Mistake: np.percentile given a share (0.6 is read as 0.6 %).
WRONG_THRESHOLDS_PERCENT = _thresholds().replace("float(np.quantile(part[\"p\"], target_rate))",
                                                 "float(np.percentile(part[\"p\"], target_rate))")

# Mistake: accuracy measured on the approved applications only.
WRONG_REPORT_ACCURACY_APPROVED = REPORT_TEMPLATE.replace(
    '"accuracy": float(np.mean(y_true == y_pred))', '"accuracy": float(np.mean(y_true[y_pred == 1] == 1))').replace(
    "RATIO", "rates.min() / rates.max()").replace("PROFIT_EXPR", "float(profit.mean())").replace("LABEL", '"good_payer"')
# Mistake: a Series built on 0..n-1 from the decisions, grouped by a groups Series with another index.
WRONG_REPORT_BY_LABEL = REPORT_TEMPLATE.replace(
    "rates = pd.Series(y_pred).groupby(np.asarray(groups)).mean()",
    "rates = pd.Series(y_pred).groupby(pd.Series(groups)).mean()").replace(
    "RATIO", "rates.min() / rates.max()").replace("PROFIT_EXPR", "float(profit.mean())").replace("LABEL", '"good_payer"')

# Mistakes in the race screen only: measured against the overall rate, or on the labels.
WRONG_ADULT_RACE_OVERALL = _adult(race_reference='adult["predicted"].mean()')
WRONG_ADULT_RACE_ON_LABELS = _adult(race_decision='"income_over_50k"')
# Mistakes in the race screen only: a ratio exactly at 0.8 flagged; the largest group taken as the reference.
WRONG_ADULT_RACE_AT_THRESHOLD = _adult().replace('adult_race_screen["impact_ratio"] < 0.8', 'adult_race_screen["impact_ratio"] <= 0.8')
WRONG_ADULT_RACE_LARGEST = _adult(race_reference='race_rates[adult["race"].value_counts().idxmax()]')

SUBMISSIONS["wrong_d"] = {
    "q1_group_metrics": WRONG_GROUP_METRICS_SERIES_ONLY,
    "q2_1_fairness_summary": WRONG_SUMMARY_TWO_GROUPS,
    "q3_1_four_fifths": WRONG_SCREEN_AT_THRESHOLD,
    "q4_gaps": WRONG_GAPS_TIE_AMPLIFIES,
    "q5_proxy": WRONG_PROXY_TIES,
    "q6_1_bootstrap": WRONG_BOOTSTRAP_NORMAL,
    "q6_2_intersections": WRONG_INTERSECTIONS_STRICT,
    "q7_1_weights": WRONG_WEIGHTS_BINARY,
    "q7_3_thresholds": WRONG_THRESHOLDS_GLOBAL,
    "q7_4_policy_report": WRONG_REPORT_ACCURACY_APPROVED,
    "q8_adult": WRONG_ADULT_RACE_OVERALL,
}
SUBMISSIONS["wrong_e"] = {
    "q1_group_metrics": WRONG_GROUP_METRICS_ZERO_FOR_EMPTY,
    "q2_1_fairness_summary": WRONG_SUMMARY_SORTS_IN_PLACE,
    "q3_1_four_fifths": WRONG_SCREEN_FIXED_THRESHOLD,
    "q4_gaps": WRONG_GAPS_TWO_GROUPS,
    "q5_proxy": WRONG_PROXY_MISSING_IMPUTED,
    "q6_1_bootstrap": WRONG_BOOTSTRAP_FIXED_N,
    "q6_2_intersections": WRONG_INTERSECTIONS_NORMAL,
    "q7_1_weights": WRONG_WEIGHTS_REORDERED,
    "q7_3_thresholds": WRONG_THRESHOLDS_PERCENT,
    "q7_4_policy_report": WRONG_REPORT_BY_LABEL,
    "q8_adult": WRONG_ADULT_RACE_ON_LABELS,
}
SUBMISSIONS["wrong_c"]["q8_adult"] = WRONG_ADULT_RACE_LARGEST
EXPECTED["wrong_c"]["q8_adult_tests"] = 2.25
# Not a method mistake but nbgrader's rule, which stays: text a cell writes to stderr itself (an error message)
# fails the cell, while warnings are printed as notes on stdout.
WRONG_REPORT_ERROR_ON_STDERR = REPORT_TEMPLATE.replace(
    '    return {"dp_ratio": RATIO,',
    '    if (rates == 0).any():\n'
    '        import sys\n'
    '        print("error: a group has no approvals", file=sys.stderr)\n'
    '    return {"dp_ratio": RATIO,').replace("RATIO", "rates.min() / rates.max()").replace(
    "PROFIT_EXPR", "float(profit.mean())").replace("LABEL", '"good_payer"')

SUBMISSIONS["wrong_f"] = {
    "q7_4_policy_report": WRONG_REPORT_ERROR_ON_STDERR,
    "q8_adult": WRONG_ADULT_RACE_AT_THRESHOLD,
    "q1_group_metrics": WRONG_GROUP_METRICS_UNOBSERVED,
    "q3_1_four_fifths": WRONG_SCREEN_BY_LABEL,
    "q6_1_bootstrap": WRONG_BOOTSTRAP_SORTS_INPUT,
}
_LOSES_EVERYTHING = {
    "q2_1_parity_tests": 0, "q3_1_four_fifths_tests": 0, "q4_gaps_tests": 0, "q5_proxy_tests": 0,
    "q6_1_bootstrap_tests": 0, "q6_2_intersections_tests": 0, "q7_1_weights_tests": 0, "q7_3_thresholds_tests": 0,
    "q7_4_policy_report_tests": 0,
}
EXPECTED["wrong_d"] = {**_LOSES_EVERYTHING, "q1_selection_tests": 0, "q1_error_rates_tests": 0,
                       "q2_1_odds_tests": 0, "q8_adult_tests": 2.25}
EXPECTED["wrong_e"] = {**_LOSES_EVERYTHING, "q1_error_rates_tests": 0, "q2_1_odds_tests": 0, "q8_adult_tests": 2.25}
EXPECTED["wrong_f"] = {"q1_selection_tests": 0, "q3_1_four_fifths_tests": 0, "q6_1_bootstrap_tests": 0,
                       "q7_4_policy_report_tests": 0, "q8_adult_tests": 2.25}
EXPECTED["wrong_a"]["q8_adult_tests"] = 0.75  # label and decision swapped: the sex items wrong, the race screen right
EXPECTED["wrong_b"]["q8_adult_tests"] = 2.25  # only the parity ratio inverted
