"""Submission bank of the assignment "drift": answers that must score full marks, and plausible wrong ones.

The wrong answers are the common drift mistakes of METHODS.md (equal-width bins, bins recomputed on the
current sample, no epsilon, swapped reference and current, ``p > 0.05`` read as drift, the training months as
reference, forgotten unseen categories, percentages or shares where counts belong, a p-value compared on a
distance's scale) and realistic slips (missing values counted as out of range, cells counted instead of rows,
a one-month blip taken for lasting drift, the AUC of the training months), near misses (a value on a cut point
or a threshold, an ignored argument), answers copied from the manifest, functions that change their arguments,
and an error logged to stderr. Each wrong submission carries several mistakes in different questions at once.
Where a later answer would build on a wrong earlier function, the submission gives that later answer in a
correct, self-contained form, so only the intended question loses its points.
Correct answers include ones that make pandas or numpy warn (printed as notes, no point lost) and months labelled
as Period or Timestamp.
``duck_typed`` answers with objects that claim to equal any expected value: no points for those questions.
"""

NOTEBOOK = "drift"

# A correct PSI written independently of the learner's functions, for self-contained later answers.
_OWN_PSI = '''
def _psi_shares(r, c, epsilon=1e-4):
    r, c = np.where(r == 0, epsilon, r), np.where(c == 0, epsilon, c)
    return float(np.sum((c - r) * np.log(c / r)))


def _psi_num(reference, current):
    reference, current = pd.Series(reference).dropna(), pd.Series(current).dropna()
    cuts = np.quantile(reference, np.linspace(0.1, 0.9, 9))
    r = np.bincount(np.searchsorted(cuts, reference), minlength=10) / len(reference)
    c = np.bincount(np.searchsorted(cuts, current), minlength=10) / len(current)
    return _psi_shares(r, c)


def _psi_cat(reference, current):
    r = pd.Series(reference).astype(str).value_counts(normalize=True)
    c = pd.Series(current).astype(str).value_counts(normalize=True)
    r, c = r[r > 0], c[c > 0]
    labels = r.index.union(c.index)
    return _psi_shares(r.reindex(labels, fill_value=0).to_numpy(), c.reindex(labels, fill_value=0).to_numpy())
'''

# Q3.2 without drift_test, psi_numeric or psi_categorical.
_DRIFT_TABLE_SELF_CONTAINED = _OWN_PSI + '''
records = []
for month, batch in batches.items():
    for feature in FEATURES:
        r, c = reference[feature].dropna(), batch[feature].dropna()
        if feature in NUMERIC_FEATURES:
            result, test, psi = stats.ks_2samp(r, c), "ks", _psi_num(r, c)
        else:
            values = pd.concat([r, c], ignore_index=True).astype(str)
            table = pd.crosstab(values, np.r_[np.zeros(len(r)), np.ones(len(c))])
            result, test, psi = stats.chi2_contingency(table.T.to_numpy()), "chi2", _psi_cat(r, c)
        records.append({"month": month, "feature": feature, "test": test, "statistic": float(result.statistic),
                        "p_value": float(result.pvalue), "psi": psi, "drift": result.pvalue < 0.05})
drift_table = pd.DataFrame(records)
'''

# Q5.2 without quality_checks.
_INCIDENT_SELF_CONTAINED = '''
def _outside(frame):
    bad = pd.Series(False, index=frame.index)
    for column, (low, high) in VALID_RANGES.items():
        bad |= frame[column].notna() & ~frame[column].between(low, high)
    return bad


quality_by_month = pd.DataFrame(
    [{"out_of_range_rows": int(_outside(b).sum()),
      "unseen_category_rows": int((~b["channel"].isin(reference["channel"].dropna().unique())).sum()),
      "max_missing_share": float(b[list(VALID_RANGES) + list(CATEGORICAL_FEATURES)].isna().mean().max())}
     for b in batches.values()], index=list(batches))
incident_month = next(m for m, row in quality_by_month.iterrows()
                      if row["out_of_range_rows"] > 0 or row["max_missing_share"] > 0.05)
incident_ids = set(batches[incident_month].loc[_outside(batches[incident_month]), "application_id"])
'''

# ---- correct, but different from the model solution ------------------------------------------------------
CORRECT_DIFFERENT = {
    # pandas binning instead of searchsorted
    "q1_psi_numeric": '''
def psi_numeric(reference, current, n_bins=10, epsilon=1e-4):
    reference = pd.Series(np.asarray(reference, dtype=float)).dropna()
    current = pd.Series(np.asarray(current, dtype=float)).dropna()
    cuts = reference.quantile([i / n_bins for i in range(1, n_bins)]).to_numpy()
    edges = np.unique(np.r_[-np.inf, cuts, np.inf])  # repeated cut points only make empty bins
    r = pd.cut(reference, edges, right=True).value_counts(normalize=True, sort=False)
    c = pd.cut(current, edges, right=True).value_counts(normalize=True, sort=False)
    r, c = r.mask(r == 0, epsilon), c.mask(c == 0, epsilon)
    return float(((c - r) * np.log(c / r)).sum())
''',
    # a loop over a Counter instead of value_counts
    "q2_psi_categorical": '''
from collections import Counter


def psi_categorical(reference, current, epsilon=1e-4):
    ref = [v for v in reference if not pd.isna(v)]
    cur = [v for v in current if not pd.isna(v)]
    ref_counts, cur_counts = Counter(ref), Counter(cur)
    total = 0.0
    for category in set(ref_counts) | set(cur_counts):
        r = ref_counts[category] / len(ref) or epsilon
        c = cur_counts[category] / len(cur) or epsilon
        total += (c - r) * math.log(c / r)
    return total
''',
    # dtype kinds and pd.crosstab instead of is_numeric_dtype and value_counts
    "q3_1_drift_test": '''
def drift_test(reference, current):
    reference, current = pd.Series(reference).dropna(), pd.Series(current).dropna()
    if reference.dtype.kind in "iuf":
        statistic, p_value = stats.ks_2samp(reference.to_numpy(), current.to_numpy())
        return ("ks", float(statistic), float(p_value))
    values = pd.concat([reference.astype(str), current.astype(str)], ignore_index=True)
    sample = ["reference"] * len(reference) + ["current"] * len(current)
    table = pd.crosstab(pd.Series(sample, name="sample"), values)
    statistic, p_value, _, _ = stats.chi2_contingency(table)
    return ("chi2", float(statistic), float(p_value))
''',
        # features in the outer loop, months inside, one frame per feature
    "q3_2_drift_table": '''
parts = []
for feature in FEATURES:
    psi_of = psi_numeric if feature in NUMERIC_FEATURES else psi_categorical
    results = {month: drift_test(reference[feature], batch[feature]) for month, batch in batches.items()}
    parts.append(pd.DataFrame({
        "month": list(results), "feature": feature,
        "test": [r[0] for r in results.values()], "statistic": [r[1] for r in results.values()],
        "p_value": [r[2] for r in results.values()],
        "psi": [psi_of(reference[feature], batches[m][feature]) for m in results],
    }))
drift_table = pd.concat(parts, ignore_index=True).sort_values(["month", "feature"])
drift_table = drift_table.assign(drift=lambda t: t["p_value"] < 0.05)
''',
    # vectorised: a flag lasts when every flag from it to the end is True
    "q4_lasting_drift": '''
def lasting_drift_start(flags):
    lasting = flags.astype(bool).iloc[::-1].cummin().iloc[::-1]
    return {feature: lasting.index[lasting[feature].to_numpy()][0]
            for feature in flags.columns if lasting[feature].iloc[-1]}


pivot = drift_table.pivot_table(index="month", columns="feature", values="drift", aggfunc="max")
first_drift_month = lasting_drift_start(pivot.sort_index().astype(bool))
''',
    # between() with explicit handling of missing values
    "q5_1_quality_checks": '''
def quality_checks(batch, reference, valid_ranges, categorical):
    out_of_range = pd.Series(False, index=batch.index)
    for column, (low, high) in valid_ranges.items():
        values = batch[column]
        out_of_range |= values.notna() & ~values.between(low, high, inclusive="both")
    unseen = pd.Series(False, index=batch.index)
    for column in categorical:
        seen = set(reference[column].dropna().tolist())
        unseen |= batch[column].astype(object).map(lambda v: not pd.isna(v) and v not in seen).astype(bool)
    shares = [batch[column].isna().mean() for column in [*valid_ranges, *categorical]]
    return {"out_of_range_rows": int(out_of_range.sum()), "unseen_category_rows": int(unseen.sum()),
            "max_missing_share": float(max(shares))}
''',
        # a list of records; the incident found by the missing-share rule, rows by a query
    "q5_2_incident": '''
records = []
for month, batch in batches.items():
    records.append({"month": month, **quality_checks(batch, reference, VALID_RANGES, list(CATEGORICAL_FEATURES))})
quality_by_month = pd.DataFrame(records).set_index("month")
rule = quality_by_month.query("out_of_range_rows > 0 or max_missing_share > 0.05")
incident_month = str(rule.index.min())
month_rows = loans[loans["month_key"] == incident_month]
bad = np.zeros(len(month_rows), dtype=bool)
for column, (low, high) in VALID_RANGES.items():
    values = month_rows[column].to_numpy(dtype=float)
    bad |= (values < low) | (values > high)
incident_ids = set(month_rows["application_id"].to_numpy()[bad].tolist())
''',
    # groupby on the whole frame instead of the batches dictionary
    "q6_1_score_psi": '''
monitored = loans[loans["month_key"].isin(MONITORED_MONTHS)]
score_psi = monitored.groupby("month_key")["p_default"].apply(lambda s: psi_numeric(reference["p_default"], s))
score_psi.index = score_psi.index.astype(str)
''',
    "q6_2_auc": '''
reference_auc = float(roc_auc_score(reference["default"].to_numpy(), reference["p_default"].to_numpy()))
monitored = loans[loans["month_key"].isin(MONITORED_MONTHS)]
auc_by_month = monitored.groupby("month_key").apply(lambda b: roc_auc_score(b["default"], b["p_default"]),
                                                   include_groups=False)
''',
        # a plain loop over the months
    "q6_3_concept_drift": '''
concept_drift_month = None
for month in MONITORED_MONTHS:
    inputs = drift_table[drift_table["month"] == month]
    if auc_by_month[month] < reference_auc - 0.05 and inputs["psi"].max() < 0.10:
        concept_drift_month = month
        break
''',
        "q7_1_sample_size": '''
records = []
for n in [500, 5000, 50000]:
    a, b = shifted_samples(n)
    p = stats.ks_2samp(a, b).pvalue
    psi = psi_numeric(a, b)
    records.append({"n": n, "p_value": p, "psi": psi, "significant": p < 0.05, "material": psi >= 0.1})
significance_table = pd.DataFrame(records).set_index("n")
''',
    "q7_2_multiple_testing": '''
def multiple_testing(k, alpha=0.05):
    none = np.prod(np.full(k, 1 - alpha))
    return dict(expected_false_alarms=float(np.sum(np.full(k, alpha))), p_at_least_one=float(1 - none),
                bonferroni_alpha=alpha / k)
''',
    "q8_1_flights_psi": '''
reference_month = flights.loc[flights["month"] == 1]
rows = []
for month in range(1, 13):
    current = flights.loc[flights["month"] == month]
    rows.append({"month": month, "temp": psi_numeric(reference_month["temp"].to_numpy(), current["temp"].to_numpy()),
                 "dep_delay": psi_numeric(reference_month["dep_delay"], current["dep_delay"])})
flights_psi = pd.DataFrame(rows).set_index("month")
''',
}

# ---- wrong submissions -------------------------------------------------------------------------------------
WRONG_1 = {
    # equal-width bins over the range of both samples (Evidently's way), not reference deciles
    "q1_psi_numeric": '''
def psi_numeric(reference, current, n_bins=10, epsilon=1e-4):
    reference = pd.Series(reference, dtype=float).dropna().to_numpy()
    current = pd.Series(current, dtype=float).dropna().to_numpy()
    both = np.r_[reference, current]
    edges = np.linspace(both.min(), both.max(), n_bins + 1)
    r = np.histogram(reference, edges)[0] / reference.size
    c = np.histogram(current, edges)[0] / current.size
    r, c = np.where(r == 0, epsilon, r), np.where(c == 0, epsilon, c)
    return float(np.sum((c - r) * np.log(c / r)))
''',
    # chi-square on shares instead of counts
    "q3_1_drift_test": '''
def drift_test(reference, current):
    reference, current = pd.Series(reference).dropna(), pd.Series(current).dropna()
    if pd.api.types.is_numeric_dtype(reference):
        result = stats.ks_2samp(reference, current)
        return "ks", float(result.statistic), float(result.pvalue)
    shares = pd.DataFrame({"reference": reference.astype(object).value_counts(normalize=True),
                           "current": current.astype(object).value_counts(normalize=True)}).fillna(0)
    result = stats.chi2_contingency(shares.T.to_numpy())
    return "chi2", float(result.statistic), float(result.pvalue)
''',
    # the first month ever flagged, even for a blip that did not last
    "q4_lasting_drift": '''
def lasting_drift_start(flags):
    return {feature: flags.index[flags[feature].astype(bool).to_numpy()][0]
            for feature in flags.columns if flags[feature].any()}


first_drift_month = lasting_drift_start(drift_table.pivot(index="month", columns="feature", values="drift"))
''',
    # missing values counted as out of range (between() is False for NaN)
    "q5_1_quality_checks": '''
def quality_checks(batch, reference, valid_ranges, categorical):
    outside = pd.DataFrame({c: ~batch[c].between(low, high) for c, (low, high) in valid_ranges.items()})
    unseen = pd.DataFrame({c: batch[c].notna() & ~batch[c].isin(reference[c].dropna().unique()) for c in categorical},
                          index=batch.index)
    return {"out_of_range_rows": int(outside.any(axis=1).sum()),
            "unseen_category_rows": int(unseen.any(axis=1).sum()),
            "max_missing_share": float(batch[list(valid_ranges) + list(categorical)].isna().mean().max())}
''',
    "q5_2_incident": _INCIDENT_SELF_CONTAINED,
    # rounded to two decimals, as in a slide
    "q6_2_auc": '''
reference_auc = round(roc_auc_score(reference["default"], reference["p_default"]), 2)
auc_by_month = pd.Series({m: roc_auc_score(bt["default"], bt["p_default"]) for m, bt in batches.items()}).round(2)
''',
    # probabilities of false alarms added up
    "q7_2_multiple_testing": '''
def multiple_testing(k, alpha=0.05):
    return {"expected_false_alarms": k * alpha, "p_at_least_one": k * alpha, "bonferroni_alpha": alpha / k}
''',
    # the whole year as reference instead of January
    "q8_1_flights_psi": '''
flights_psi = pd.DataFrame({
    column: {month: psi_numeric(flights[column], group[column]) for month, group in flights.groupby("month")}
    for column in ("temp", "dep_delay")
})
''',
}

WRONG_2 = {
    # bins recomputed on the current sample
    "q1_psi_numeric": '''
def psi_numeric(reference, current, n_bins=10, epsilon=1e-4):
    reference = pd.Series(reference, dtype=float).dropna().to_numpy()
    current = pd.Series(current, dtype=float).dropna().to_numpy()
    cuts = np.quantile(current, np.arange(1, n_bins) / n_bins)
    r = np.bincount(np.searchsorted(cuts, reference), minlength=n_bins) / reference.size
    c = np.bincount(np.searchsorted(cuts, current), minlength=n_bins) / current.size
    r, c = np.where(r == 0, epsilon, r), np.where(c == 0, epsilon, c)
    return float(np.sum((c - r) * np.log(c / r)))
''',
    # only the reference's categories: a new category disappears from the PSI
    "q2_psi_categorical": '''
def psi_categorical(reference, current, epsilon=1e-4):
    r = pd.Series(reference, dtype=object).dropna().value_counts(normalize=True)
    c = pd.Series(current, dtype=object).dropna().value_counts(normalize=True).reindex(r.index, fill_value=0)
    r, c = r.replace(0, epsilon), c.replace(0, epsilon)
    return float(((c - r) * np.log(c / r)).sum())
''',
    # missing values not dropped before the KS test
    "q3_1_drift_test": '''
def drift_test(reference, current):
    if pd.api.types.is_numeric_dtype(reference):
        result = stats.ks_2samp(reference, current)
        return "ks", float(result.statistic), float(result.pvalue)
    counts = pd.DataFrame({"reference": pd.Series(reference).astype(object).value_counts(),
                           "current": pd.Series(current).astype(object).value_counts()}).fillna(0)
    result = stats.chi2_contingency(counts.T.to_numpy())
    return "chi2", float(result.statistic), float(result.pvalue)
''',
        # a large p-value read as drift
    "q3_2_drift_table": '''
rows = []
for month, batch in batches.items():
    for feature in FEATURES:
        test, statistic, p_value = drift_test(reference[feature], batch[feature])
        psi = psi_numeric if feature in NUMERIC_FEATURES else psi_categorical
        rows.append({"month": month, "feature": feature, "test": test, "statistic": statistic,
                     "p_value": p_value, "psi": psi(reference[feature], batch[feature])})
drift_table = pd.DataFrame(rows)
drift_table["drift"] = drift_table["p_value"] > 0.05
''',
    # cells counted instead of rows
    "q5_1_quality_checks": '''
def quality_checks(batch, reference, valid_ranges, categorical):
    cells = sum(int(((batch[c] < low) | (batch[c] > high)).sum()) for c, (low, high) in valid_ranges.items())
    unseen = sum(int((batch[c].notna() & ~batch[c].isin(reference[c].dropna().unique())).sum()) for c in categorical)
    return {"out_of_range_rows": cells, "unseen_category_rows": unseen,
            "max_missing_share": float(batch[list(valid_ranges) + list(categorical)].isna().mean().max())}
''',
    # the training months as reference
    "q6_1_score_psi": '''
training = loans[loans["month_key"].isin(["2024-01", "2024-02"])]
score_psi = pd.Series({m: psi_numeric(training["p_default"], b["p_default"]) for m, b in batches.items()})
''',
        # the first AUC drop, without checking that the inputs are stable
    "q6_3_concept_drift": '''
concept_drift_month = auc_by_month.index[auc_by_month < reference_auc - 0.05][0]
''',
        # p > 0.05 read as significant
    "q7_1_sample_size": '''
rows = {}
for n in (500, 5_000, 50_000):
    ref_sample, cur_sample = shifted_samples(n)
    rows[n] = {"p_value": stats.ks_2samp(ref_sample, cur_sample).pvalue, "psi": psi_numeric(ref_sample, cur_sample)}
significance_table = pd.DataFrame.from_dict(rows, orient="index")
significance_table["significant"] = significance_table["p_value"] > 0.05
significance_table["material"] = significance_table["psi"] >= 0.10
''',
}

WRONG_3 = {
    # no epsilon: an empty bin gives an infinite or undefined PSI
    "q1_psi_numeric": '''
def psi_numeric(reference, current, n_bins=10, epsilon=1e-4):
    reference = pd.Series(reference, dtype=float).dropna().to_numpy()
    current = pd.Series(current, dtype=float).dropna().to_numpy()
    cuts = np.quantile(reference, np.arange(1, n_bins) / n_bins)
    r = np.bincount(np.searchsorted(cuts, reference), minlength=n_bins) / reference.size
    c = np.bincount(np.searchsorted(cuts, current), minlength=n_bins) / current.size
    return float(np.sum((c - r) * np.log(c / r)))
''',
    # percentages instead of shares
    "q2_psi_categorical": '''
def psi_categorical(reference, current, epsilon=1e-4):
    r = pd.Series(reference, dtype=object).dropna().value_counts(normalize=True) * 100
    c = pd.Series(current, dtype=object).dropna().value_counts(normalize=True) * 100
    categories = r.index.union(c.index)
    r = r.reindex(categories, fill_value=0).replace(0, epsilon)
    c = c.reindex(categories, fill_value=0).replace(0, epsilon)
    return float(((c - r) * np.log(c / r)).sum())
''',
    # the KS test for every column, categories taken as codes
    "q3_1_drift_test": '''
def drift_test(reference, current):
    reference, current = pd.Series(reference).dropna(), pd.Series(current).dropna()
    if not pd.api.types.is_numeric_dtype(reference):
        labels = sorted(set(reference.astype(str)) | set(current.astype(str)))
        reference = reference.astype(str).map(labels.index)
        current = current.astype(str).map(labels.index)
    result = stats.ks_2samp(reference, current)
    return "ks", float(result.statistic), float(result.pvalue)
''',
    "q3_2_drift_table": _DRIFT_TABLE_SELF_CONTAINED,
    # for features flagged at the end, the first flag ever instead of the start of the last run
    "q4_lasting_drift": '''
def lasting_drift_start(flags):
    return {feature: flags[feature].astype(bool).idxmax() for feature in flags.columns if flags[feature].iloc[-1]}


first_drift_month = lasting_drift_start(drift_table.pivot(index="month", columns="feature", values="drift"))
''',
        # the month with the largest drift taken for the incident
    "q5_2_incident": '''
quality_by_month = pd.DataFrame.from_dict(
    {month: quality_checks(batch, reference, VALID_RANGES, CATEGORICAL_FEATURES) for month, batch in batches.items()},
    orient="index")
incident_month = drift_table.loc[drift_table["psi"].idxmax(), "month"]
incident = batches[incident_month]
outside = pd.concat([(incident[c] < low) | (incident[c] > high) for c, (low, high) in VALID_RANGES.items()], axis=1)
incident_ids = set(incident.loc[outside.any(axis=1), "application_id"])
''',
    # the reference AUC measured on the training months, where the model was fitted
    "q6_2_auc": '''
_training = loans[loans["month_key"].isin(["2024-01", "2024-02"])]
reference_auc = roc_auc_score(_training["default"], _training["p_default"])
auc_by_month = pd.Series({m: roc_auc_score(bt["default"], bt["p_default"]) for m, bt in batches.items()})
''',
    # Bonferroni multiplies instead of dividing
    "q7_2_multiple_testing": '''
def multiple_testing(k, alpha=0.05):
    return {"expected_false_alarms": k * alpha, "p_at_least_one": 1 - (1 - alpha) ** k, "bonferroni_alpha": alpha * k}
''',
    # reference and current swapped
    "q8_1_flights_psi": '''
january = flights[flights["month"] == 1]
flights_psi = pd.DataFrame({
    column: {month: psi_numeric(group[column], january[column]) for month, group in flights.groupby("month")}
    for column in ("temp", "dep_delay")
})
''',
}

WRONG_4 = {
    # no epsilon for categories: a new category gives an infinite PSI
    "q2_psi_categorical": '''
def psi_categorical(reference, current, epsilon=1e-4):
    r = pd.Series(reference, dtype=object).dropna().value_counts(normalize=True)
    c = pd.Series(current, dtype=object).dropna().value_counts(normalize=True)
    categories = r.index.union(c.index)
    r, c = r.reindex(categories, fill_value=0), c.reindex(categories, fill_value=0)
    with np.errstate(divide="ignore", invalid="ignore"):
        return float(((c - r) * np.log(c / r)).sum())
''',
        # the training months as reference
    "q3_2_drift_table": '''
training = loans[loans["month_key"].isin(["2024-01", "2024-02"])]
rows = []
for month, batch in batches.items():
    for feature in FEATURES:
        test, statistic, p_value = drift_test(training[feature], batch[feature])
        psi = psi_numeric if feature in NUMERIC_FEATURES else psi_categorical
        rows.append({"month": month, "feature": feature, "test": test, "statistic": statistic,
                     "p_value": p_value, "psi": psi(training[feature], batch[feature])})
drift_table = pd.DataFrame(rows)
drift_table["drift"] = drift_table["p_value"] < 0.05
''',
    # "unseen" judged against the categories a category column lists, not the values the reference holds
    "q5_1_quality_checks": '''
def quality_checks(batch, reference, valid_ranges, categorical):
    outside = pd.DataFrame({c: (batch[c] < low) | (batch[c] > high) for c, (low, high) in valid_ranges.items()},
                           index=batch.index)
    unseen = pd.DataFrame({c: batch[c].notna() & ~batch[c].isin(reference[c].astype("category").cat.categories)
                           for c in categorical}, index=batch.index)
    return {"out_of_range_rows": int(outside.any(axis=1).sum()),
            "unseen_category_rows": int(unseen.any(axis=1).sum()),
            "max_missing_share": float(batch[list(valid_ranges) + list(categorical)].isna().mean().max())}
''',
        # every row that fails any check, missing values included, instead of the rows out of range
    "q5_2_incident": '''
quality_by_month = pd.DataFrame.from_dict(
    {month: quality_checks(batch, reference, VALID_RANGES, CATEGORICAL_FEATURES) for month, batch in batches.items()},
    orient="index")
broken = (quality_by_month["out_of_range_rows"] > 0) | (quality_by_month["max_missing_share"] > 0.05)
incident_month = broken[broken].index[0]
incident = batches[incident_month]
failing = pd.concat([~incident[c].between(low, high) for c, (low, high) in VALID_RANGES.items()], axis=1)
incident_ids = set(incident.loc[failing.any(axis=1), "application_id"])
''',
    # reference and current swapped
    "q6_1_score_psi": '''
score_psi = pd.Series({m: psi_numeric(b["p_default"], reference["p_default"]) for m, b in batches.items()})
''',
        # the test flags (p-values) used where the rule asks for the size of the change (PSI)
    "q6_3_concept_drift": '''
flagged_months = {month for month, batch in batches.items()
                  if any(drift_test(reference[f], batch[f])[2] < 0.05 for f in FEATURES)}
candidates = [m for m in auc_by_month.index if auc_by_month[m] < reference_auc - 0.05 and m not in flagged_months]
concept_drift_month = candidates[0]
''',
        # the PSI threshold applied to the p-value
    "q7_1_sample_size": '''
rows = {}
for n in (500, 5_000, 50_000):
    ref_sample, cur_sample = shifted_samples(n)
    rows[n] = {"p_value": stats.ks_2samp(ref_sample, cur_sample).pvalue, "psi": psi_numeric(ref_sample, cur_sample)}
significance_table = pd.DataFrame.from_dict(rows, orient="index")
significance_table["significant"] = significance_table["p_value"] < 0.05
significance_table["material"] = significance_table["p_value"] < 0.10
''',
    # each month against the previous month instead of the fixed reference
    "q8_1_flights_psi": '''
by_month = dict(tuple(flights.groupby("month")))
flights_psi = pd.DataFrame({
    column: {m: psi_numeric(by_month[max(m - 1, 1)][column], by_month[m][column]) for m in by_month}
    for column in ("temp", "dep_delay")
})
''',
}

# ---- correct, written so that pandas or numpy warn, with other month labels -------------------------------
# A warning is printed as a note (show_warnings_as_notes in the set-up cell) and costs no points.
CORRECT_WARNINGS = {
    # logarithms of empty shares taken first (RuntimeWarning: divide by zero), then replaced
    "q1_psi_numeric": """
def psi_numeric(reference, current, n_bins=10, epsilon=1e-4):
    reference = np.asarray(reference, dtype=float)
    current = np.asarray(current, dtype=float)
    reference, current = reference[~np.isnan(reference)], current[~np.isnan(current)]
    cuts = np.quantile(reference, [i / n_bins for i in range(1, n_bins)])
    r = np.array([np.sum(np.searchsorted(cuts, reference) == b) for b in range(n_bins)]) / len(reference)
    c = np.array([np.sum(np.searchsorted(cuts, current) == b) for b in range(n_bins)]) / len(current)
    logs = np.log(c / r)
    empty = (r == 0) | (c == 0)
    r_eps, c_eps = np.where(r == 0, epsilon, r), np.where(c == 0, epsilon, c)
    logs = np.where(empty, np.log(c_eps / r_eps), logs)
    return float(np.sum((c_eps - r_eps) * logs))
""",
    # a helper column on a filtered frame (SettingWithCopyWarning), the caller's data untouched
    "q2_psi_categorical": """
def psi_categorical(reference, current, epsilon=1e-4):
    both = pd.DataFrame({"label": list(reference) + list(current),
                         "sample": ["r"] * len(reference) + ["c"] * len(current)})
    known = both[both["label"].notna()]
    known["one"] = 1
    counts = known.pivot_table(index="label", columns="sample", values="one", aggfunc="sum", fill_value=0)
    shares = (counts / counts.sum()).replace(0, epsilon)
    return float(((shares["c"] - shares["r"]) * np.log(shares["c"] / shares["r"])).sum())
""",
    # a column of the frame assigned on a slice (SettingWithCopyWarning), the caller's data untouched
    "q5_1_quality_checks": """
def quality_checks(batch, reference, valid_ranges, categorical):
    numbers = batch[list(valid_ranges)]
    numbers["bad"] = False
    for column, (low, high) in valid_ranges.items():
        numbers["bad"] = numbers["bad"] | (numbers[column] < low) | (numbers[column] > high)
    unseen = np.zeros(len(batch), dtype=bool)
    for column in categorical:
        seen = reference[column].dropna().unique()
        unseen |= (batch[column].notna() & ~batch[column].isin(seen)).to_numpy()
    missing = [batch[column].isna().sum() / len(batch) for column in [*valid_ranges, *categorical]]
    return {"out_of_range_rows": int(numbers["bad"].sum()), "unseen_category_rows": int(unseen.sum()),
            "max_missing_share": max(missing)}
""",
    # runs of flags found with itertools.groupby
    "q4_lasting_drift": """
from itertools import groupby


def lasting_drift_start(flags):
    starts = {}
    for feature in flags.columns:
        runs = [(flag, [label for label, _ in run])
                for flag, run in groupby(zip(flags.index, flags[feature].astype(bool)), key=lambda item: item[1])]
        if runs and runs[-1][0]:
            starts[feature] = runs[-1][1][0]
    return starts


first_drift_month = lasting_drift_start(
    drift_table.pivot(index="month", columns="feature", values="drift").sort_index())
""",
    # Period labels for the months
    "q6_1_score_psi": """
score_psi = pd.Series({pd.Period(month, freq="M"): psi_numeric(reference["p_default"], batch["p_default"])
                       for month, batch in batches.items()})
""",
    # Timestamp labels: grouped by the datetime column month
    "q6_2_auc": """
reference_auc = roc_auc_score(reference["default"], reference["p_default"])
monitored = loans[loans["month_key"].isin(MONITORED_MONTHS)]
auc_by_month = monitored.groupby("month")[["default", "p_default"]].apply(
    lambda b: roc_auc_score(b["default"], b["p_default"]))
""",
    # numpy booleans for the flags, a list of records
    "q7_1_sample_size": """
records = []
for n in (500, 5000, 50000):
    a, b = shifted_samples(n)
    result = stats.ks_2samp(a, b)
    psi = psi_numeric(a, b)
    records.append({"p_value": result.pvalue, "psi": psi, "significant": np.less(result.pvalue, 0.05),
                    "material": np.greater_equal(psi, 0.10)})
significance_table = pd.DataFrame(records, index=[500, 5000, 50000])
""",
    "q7_2_multiple_testing": """
def multiple_testing(k, alpha=0.05):
    return {"expected_false_alarms": sum(alpha for _ in range(k)),
            "p_at_least_one": 1 - math.prod(1 - alpha for _ in range(k)),
            "bonferroni_alpha": alpha / k}
""",
    # an extra column next to the two asked for
    "q8_1_flights_psi": """
january = flights[flights["month"] == 1]
flights_psi = pd.DataFrame({
    column: {month: psi_numeric(january[column], group[column]) for month, group in flights.groupby("month")}
    for column in ("temp", "dep_delay", "wind_speed")
})
""",
    # months of Q6.2's Timestamp index turned into labels; a loop by position
    "q6_3_concept_drift": """
_labels = [m.strftime("%Y-%m") if hasattr(m, "strftime") else m for m in auc_by_month.index]
stable = drift_table.groupby("month")["psi"].agg(lambda psi: bool((psi < 0.10).all()))
concept_drift_month = None
for position, month in enumerate(_labels):
    if auc_by_month.iloc[position] < reference_auc - 0.05 and stable.loc[month]:
        concept_drift_month = month
        break
""",
}

# ---- near misses: the right idea with one detail wrong ------------------------------------------------------
WRONG_NEAR = {
    # left-closed bins: a value equal to a cut point goes to the bin above
    "q1_psi_numeric": """
def psi_numeric(reference, current, n_bins=10, epsilon=1e-4):
    reference = pd.Series(reference, dtype=float).dropna().to_numpy()
    current = pd.Series(current, dtype=float).dropna().to_numpy()
    cuts = np.quantile(reference, np.arange(1, n_bins) / n_bins)
    r = np.bincount(np.searchsorted(cuts, reference, side="right"), minlength=n_bins) / reference.size
    c = np.bincount(np.searchsorted(cuts, current, side="right"), minlength=n_bins) / current.size
    r, c = np.where(r == 0, epsilon, r), np.where(c == 0, epsilon, c)
    return float(np.sum((c - r) * np.log(c / r)))
""",
    # the epsilon argument ignored
    "q2_psi_categorical": """
def psi_categorical(reference, current, epsilon=1e-4):
    r = pd.Series(reference, dtype=object).dropna().value_counts(normalize=True)
    c = pd.Series(current, dtype=object).dropna().value_counts(normalize=True)
    categories = r.index.union(c.index)
    r = r.reindex(categories, fill_value=0).replace(0, 1e-4)
    c = c.reindex(categories, fill_value=0).replace(0, 1e-4)
    return float(((c - r) * np.log(c / r)).sum())
""",
    # chi-square without the continuity correction
    "q3_1_drift_test": """
def drift_test(reference, current):
    reference, current = pd.Series(reference).dropna(), pd.Series(current).dropna()
    if pd.api.types.is_numeric_dtype(reference):
        result = stats.ks_2samp(reference, current)
        return "ks", float(result.statistic), float(result.pvalue)
    counts = pd.DataFrame({"reference": reference.astype(object).value_counts(),
                           "current": current.astype(object).value_counts()}).fillna(0)
    result = stats.chi2_contingency(counts.T.to_numpy(), correction=False)
    return "chi2", float(result.statistic), float(result.pvalue)
""",
    # the start of the longest run of flags instead of the final one
    "q4_lasting_drift": """
def lasting_drift_start(flags):
    starts = {}
    for feature in flags.columns:
        flagged = flags[feature].astype(bool).tolist()
        if not flagged[-1]:
            continue
        best, best_length, start = None, 0, None
        for position, flag in enumerate(flagged):
            if flag and start is None:
                start = position
            if flag and position - start + 1 >= best_length:
                best, best_length = start, position - start + 1
            if not flag:
                start = None
        starts[feature] = flags.index[best]
    return starts


first_drift_month = lasting_drift_start(
    drift_table.pivot(index="month", columns="feature", values="drift").sort_index())
""",
    # a missing share of exactly 0.05 taken as breaking the contract
    "q5_2_incident": """
quality_by_month = pd.DataFrame.from_dict(
    {month: quality_checks(batch, reference, VALID_RANGES, CATEGORICAL_FEATURES) for month, batch in batches.items()},
    orient="index")
broken = (quality_by_month["out_of_range_rows"] > 0) | (quality_by_month["max_missing_share"] >= 0.05)
incident_month = broken[broken].index[0]
incident = batches[incident_month]
outside = pd.concat([(incident[c] < low) | (incident[c] > high) for c, (low, high) in VALID_RANGES.items()],
                    axis=1).any(axis=1)
incident_ids = set(incident.loc[outside, "application_id"])
""",
    # rounded to four decimals, as in a report
    "q6_1_score_psi": """
score_psi = pd.Series({month: round(psi_numeric(reference["p_default"], batch["p_default"]), 4)
                       for month, batch in batches.items()})
""",
    # an input PSI of 0.10 taken as stable ("at most" instead of "below")
    "q6_3_concept_drift": """
largest = drift_table.groupby("month")["psi"].max()
concept_drift_month = next(m for m in auc_by_month.index
                           if auc_by_month[m] < reference_auc - 0.05 and largest[m] <= 0.10)
""",
    # significance at the 1 % level
    "q7_1_sample_size": """
rows = {}
for n in (500, 5_000, 50_000):
    ref_sample, cur_sample = shifted_samples(n)
    rows[n] = {"p_value": stats.ks_2samp(ref_sample, cur_sample).pvalue, "psi": psi_numeric(ref_sample, cur_sample)}
significance_table = pd.DataFrame.from_dict(rows, orient="index")
significance_table["significant"] = significance_table["p_value"] < 0.01
significance_table["material"] = significance_table["psi"] >= 0.10
""",
    # alpha fixed at 0.05 in the chance of any false alarm
    "q7_2_multiple_testing": """
def multiple_testing(k, alpha=0.05):
    return {"expected_false_alarms": k * alpha, "p_at_least_one": 1 - 0.95 ** k, "bonferroni_alpha": alpha / k}
""",
    # rounded to three decimals
    "q8_1_flights_psi": """
january = flights[flights["month"] == 1]
flights_psi = pd.DataFrame({
    column: {month: psi_numeric(january[column], group[column]) for month, group in flights.groupby("month")}
    for column in ("temp", "dep_delay")
}).round(3)
""",
}

# ---- answers copied from the manifest, functions that change their arguments, an error on stderr --------------
WRONG_COPIED = {
    # equal-width bins over the reference's range (not its deciles)
    "q1_psi_numeric": """
def psi_numeric(reference, current, n_bins=10, epsilon=1e-4):
    reference = pd.Series(reference, dtype=float).dropna().to_numpy()
    current = pd.Series(current, dtype=float).dropna().to_numpy()
    cuts = np.histogram_bin_edges(reference, bins=n_bins)[1:-1]
    r = np.bincount(np.searchsorted(cuts, reference), minlength=n_bins) / reference.size
    c = np.bincount(np.searchsorted(cuts, current), minlength=n_bins) / current.size
    r, c = np.where(r == 0, epsilon, r), np.where(c == 0, epsilon, c)
    return float(np.sum((c - r) * np.log(c / r)))
""",
    # missing values taken for a category of their own
    "q2_psi_categorical": """
def psi_categorical(reference, current, epsilon=1e-4):
    r = pd.Series(reference, dtype=object).fillna("missing").value_counts(normalize=True)
    c = pd.Series(current, dtype=object).fillna("missing").value_counts(normalize=True)
    categories = r.index.union(c.index)
    r = r.reindex(categories, fill_value=0).replace(0, epsilon)
    c = c.reindex(categories, fill_value=0).replace(0, epsilon)
    return float(((c - r) * np.log(c / r)).sum())
""",
    # the numbers typed in from a printout of the report (here: read from the answer key)
    "q3_2_drift_table": """
from mlops_course.data import load_loans_manifest

_key = load_loans_manifest()["psi_by_month"]
rows = []
for month, batch in batches.items():
    for feature in FEATURES:
        test, statistic, p_value = drift_test(reference[feature], batch[feature])
        rows.append({"month": month, "feature": feature, "test": test, "statistic": statistic,
                     "p_value": p_value, "psi": _key[month][feature]})
drift_table = pd.DataFrame(rows)
drift_table["drift"] = drift_table["p_value"] < 0.05
""",
    # a helper column written into the caller's flag table
    "q4_lasting_drift": """
def lasting_drift_start(flags):
    starts = {}
    for feature in list(flags.columns):
        flags["_run"] = flags[feature].astype(bool)[::-1].cummin()[::-1]
        if flags["_run"].iloc[-1]:
            starts[feature] = flags.index[flags["_run"].to_numpy()][0]
    return starts


first_drift_month = lasting_drift_start(
    drift_table.pivot(index="month", columns="feature", values="drift").sort_index())
""",
    # a helper column written into the caller's batch
    "q5_1_quality_checks": """
def quality_checks(batch, reference, valid_ranges, categorical):
    batch["_outside"] = False
    for column, (low, high) in valid_ranges.items():
        batch["_outside"] |= (batch[column] < low) | (batch[column] > high)
    unseen = pd.Series(False, index=batch.index)
    for column in categorical:
        unseen |= batch[column].notna() & ~batch[column].isin(reference[column].dropna().unique())
    return {"out_of_range_rows": int(batch["_outside"].sum()), "unseen_category_rows": int(unseen.sum()),
            "max_missing_share": float(batch[list(valid_ranges) + list(categorical)].isna().mean().max())}
""",
    # the incident copied from the answer key
    "q5_2_incident": _INCIDENT_SELF_CONTAINED + """
from mlops_course.data import load_loans_manifest

_incident = load_loans_manifest()["events"]["data_quality_incident"]
incident_month = _incident["month"]
incident_ids = set(_incident["amounts_in_cents"]["application_ids"])
""",
    # the score PSI copied from the answer key
    "q6_1_score_psi": """
from mlops_course.data import load_loans_manifest

score_psi = pd.Series({m: load_loans_manifest()["psi_by_month"][m]["p_default"] for m in MONITORED_MONTHS})
""",
    # the AUCs copied from the answer key
    "q6_2_auc": """
from mlops_course.data import load_loans_manifest

_by_month = load_loans_manifest()["by_month"]
reference_auc = float(_by_month[REFERENCE_MONTH]["auc"])
auc_by_month = pd.Series({m: _by_month[m]["auc"] for m in MONITORED_MONTHS})
""",
    # the month copied from the answer key
    "q6_3_concept_drift": """
from mlops_course.data import load_loans_manifest

concept_drift_month = load_loans_manifest()["events"]["concept_drift"]["start_month"]
""",
    # "material" read as a major shift (0.25)
    "q7_1_sample_size": """
rows = {}
for n in (500, 5_000, 50_000):
    ref_sample, cur_sample = shifted_samples(n)
    rows[n] = {"p_value": stats.ks_2samp(ref_sample, cur_sample).pvalue, "psi": psi_numeric(ref_sample, cur_sample)}
significance_table = pd.DataFrame.from_dict(rows, orient="index")
significance_table["significant"] = significance_table["p_value"] < 0.05
significance_table["material"] = significance_table["psi"] >= 0.25
""",
    # an error logged to stderr for many tests: a real error message, which fails the cell
    "q7_2_multiple_testing": """
import logging


def multiple_testing(k, alpha=0.05):
    if k > 10:
        logging.getLogger("monitoring").error("too many tests for one alpha: %s", k)
    return {"expected_false_alarms": k * alpha, "p_at_least_one": 1 - (1 - alpha) ** k, "bonferroni_alpha": alpha / k}
""",
}

# ---- more correct answers: counting by comparisons, numpy strings ------------------------------------------
CORRECT_PLAIN = {
    # a value's bin is the number of cut points strictly below it
    "q1_psi_numeric": """
def psi_numeric(reference, current, n_bins=10, epsilon=1e-4):
    ref = np.array([float(x) for x in reference if not math.isnan(float(x))])
    cur = np.array([float(x) for x in current if not math.isnan(float(x))])
    cuts = np.quantile(ref, [i / n_bins for i in range(1, n_bins)])
    total = 0.0
    for b in range(n_bins):
        r = np.mean((ref[:, None] > cuts[None, :]).sum(axis=1) == b) or epsilon
        c = np.mean((cur[:, None] > cuts[None, :]).sum(axis=1) == b) or epsilon
        total += (c - r) * math.log(c / r)
    return float(total)
""",
    # the month returned as a numpy string
    "q6_3_concept_drift": """
worst = {month: group["psi"].max() for month, group in drift_table.groupby("month")}
_hits = np.array([m for m in auc_by_month.index if auc_by_month[m] < reference_auc - 0.05 and worst[m] < 0.10])
concept_drift_month = _hits[0]
""",
}

# ---- more wrong answers: other tests, closed outer bins, other corrections ------------------------------------
WRONG_OTHER = {
    # bins from pd.qcut: the outer edges are the reference's minimum and maximum, not open
    "q1_psi_numeric": """
def psi_numeric(reference, current, n_bins=10, epsilon=1e-4):
    reference = pd.Series(reference, dtype=float).dropna()
    current = pd.Series(current, dtype=float).dropna()
    _, edges = pd.qcut(reference, n_bins, retbins=True, duplicates="drop")
    r = pd.cut(reference, edges, include_lowest=True).value_counts(normalize=True, sort=False)
    c = pd.cut(current, edges, include_lowest=True).value_counts(normalize=True, sort=False)
    r, c = r.mask(r == 0, epsilon), c.mask(c == 0, epsilon)
    return float(((c - r) * np.log(c / r)).sum())
""",
    # a goodness-of-fit test against the reference's shares instead of the two-sample table
    "q3_1_drift_test": """
def drift_test(reference, current):
    reference, current = pd.Series(reference).dropna(), pd.Series(current).dropna()
    if pd.api.types.is_numeric_dtype(reference):
        result = stats.ks_2samp(reference, current)
        return "ks", float(result.statistic), float(result.pvalue)
    labels = sorted(set(reference.astype(str)) | set(current.astype(str)))
    shares = reference.astype(str).value_counts(normalize=True).reindex(labels, fill_value=1e-9)
    observed = current.astype(str).value_counts().reindex(labels, fill_value=0)
    expected = shares / shares.sum() * observed.sum()
    result = stats.chisquare(observed, expected)
    return "chi2", float(result.statistic), float(result.pvalue)
""",
    # the month labels turned into strings
    "q4_lasting_drift": """
def lasting_drift_start(flags):
    starts = {}
    for feature in flags.columns:
        run = []
        for label, flag in zip(flags.index[::-1], flags[feature].astype(bool)[::-1]):
            if not flag:
                break
            run.append(str(label))
        if run:
            starts[feature] = run[-1]
    return starts


first_drift_month = lasting_drift_start(
    drift_table.pivot(index="month", columns="feature", values="drift").sort_index())
""",
    # the bounds taken as invalid
    "q5_1_quality_checks": """
def quality_checks(batch, reference, valid_ranges, categorical):
    outside = pd.Series(False, index=batch.index)
    for column, (low, high) in valid_ranges.items():
        outside |= batch[column].notna() & ~batch[column].between(low, high, inclusive="neither")
    unseen = pd.Series(False, index=batch.index)
    for column in categorical:
        unseen |= batch[column].notna() & ~batch[column].isin(reference[column].dropna().unique())
    return {"out_of_range_rows": int(outside.sum()), "unseen_category_rows": int(unseen.sum()),
            "max_missing_share": float(batch[list(valid_ranges) + list(categorical)].isna().mean().max())}
""",
    "q5_2_incident": _INCIDENT_SELF_CONTAINED,
    # the AUC of the approved loans only
    "q6_2_auc": """
reference_auc = roc_auc_score(reference["default"], reference["p_default"])
auc_by_month = pd.Series({m: roc_auc_score(b.loc[b["approved"], "default"], b.loc[b["approved"], "p_default"])
                          for m, b in batches.items()})
""",
    # the Sidak level instead of Bonferroni's
    "q7_2_multiple_testing": """
def multiple_testing(k, alpha=0.05):
    return {"expected_false_alarms": k * alpha, "p_at_least_one": 1 - (1 - alpha) ** k,
            "bonferroni_alpha": 1 - (1 - alpha) ** (1 / k)}
""",
}

SUBMISSIONS = {
    "correct_different": CORRECT_DIFFERENT,
    "wrong_bins_shares_blips": WRONG_1,
    "wrong_c_bins_direction_training": WRONG_2,
    "wrong_epsilon_percent_swapped": WRONG_3,
    "wrong_unseen_reference_scale": WRONG_4,
    "correct_warnings_and_labels": CORRECT_WARNINGS,
    "wrong_near_misses": WRONG_NEAR,
    "wrong_copied_mutating_stderr": WRONG_COPIED,
    "correct_plain_loops": CORRECT_PLAIN,
    "wrong_closed_bins_goodness_of_fit": WRONG_OTHER,
}

EXPECTED = {
    "wrong_bins_shares_blips": {
        "q1_psi_numeric_tests": 0, "q3_1_drift_test_tests": 0, "q4_lasting_drift_tests": 0,
        "q5_1_quality_checks_tests": 0, "q6_2_auc_tests": 0, "q7_2_multiple_testing_tests": 0,
        "q8_1_flights_psi_tests": 0,
    },
    "wrong_c_bins_direction_training": {
        "q1_psi_numeric_tests": 0, "q2_psi_categorical_tests": 0, "q3_1_drift_test_tests": 0,
        "q3_2_drift_table_tests": 0, "q5_1_quality_checks_tests": 0, "q6_1_score_psi_tests": 0,
        "q6_3_concept_drift_tests": 0, "q7_1_sample_size_tests": 0,
    },
    "wrong_epsilon_percent_swapped": {
        "q1_psi_numeric_tests": 0, "q2_psi_categorical_tests": 0, "q3_1_drift_test_tests": 0,
        "q4_lasting_drift_tests": 0, "q5_2_incident_tests": 0, "q6_2_auc_tests": 0,
        "q7_2_multiple_testing_tests": 0, "q8_1_flights_psi_tests": 0,
    },
    "wrong_unseen_reference_scale": {
        "q2_psi_categorical_tests": 0, "q3_2_drift_table_tests": 0, "q5_1_quality_checks_tests": 0,
        "q5_2_incident_tests": 0, "q6_1_score_psi_tests": 0, "q6_3_concept_drift_tests": 0,
        "q7_1_sample_size_tests": 0, "q8_1_flights_psi_tests": 0,
    },
    "wrong_near_misses": {
        "q1_psi_numeric_tests": 0, "q2_psi_categorical_tests": 0, "q3_1_drift_test_tests": 0,
        "q4_lasting_drift_tests": 0, "q5_2_incident_tests": 0, "q6_1_score_psi_tests": 0,
        "q6_3_concept_drift_tests": 0, "q7_1_sample_size_tests": 0, "q7_2_multiple_testing_tests": 0,
        "q8_1_flights_psi_tests": 0,
    },
    "wrong_closed_bins_goodness_of_fit": {
        "q1_psi_numeric_tests": 0, "q3_1_drift_test_tests": 0, "q4_lasting_drift_tests": 0,
        "q5_1_quality_checks_tests": 0, "q6_2_auc_tests": 0, "q7_2_multiple_testing_tests": 0,
    },
    "wrong_copied_mutating_stderr": {
        "q1_psi_numeric_tests": 0, "q2_psi_categorical_tests": 0, "q3_2_drift_table_tests": 0,
        "q4_lasting_drift_tests": 0, "q5_1_quality_checks_tests": 0, "q5_2_incident_tests": 0,
        "q6_1_score_psi_tests": 0, "q6_2_auc_tests": 0, "q6_3_concept_drift_tests": 0,
        "q7_1_sample_size_tests": 0, "q7_2_multiple_testing_tests": 0,
    },
}

# --- duck-typed answers ---------------------------------------------------------------------------------------
# Objects that claim to equal any expected value (a str subclass, a dict subclass) instead of an answer. Compared
# with == or `in` they would pass; the type-strict checks of the test cells (mlops_course.grading.checks) reject
# them, so each of these questions loses its points.

DUCK_TYPED = {
    "q4_lasting_drift": '''
class AnyMonth(str):
    def __eq__(self, other):
        return True

    def __ne__(self, other):
        return False

    __hash__ = str.__hash__


class AnyStarts(dict):
    def __eq__(self, other):
        return True

    def __ne__(self, other):
        return False

    def __contains__(self, feature):
        return feature != "c"

    def get(self, feature, default=None):
        return AnyMonth("2024-04")


def lasting_drift_start(flags):
    return AnyStarts()


first_drift_month = lasting_drift_start(None)
''',
    "q5_2_incident": '''
class AnyText(str):
    def __eq__(self, other):
        return True

    def __ne__(self, other):
        return False

    __hash__ = str.__hash__

    def __str__(self):
        return self

    def replace(self, *args):
        return self

    def startswith(self, *args):
        return True


class AnyIds(set):
    def __eq__(self, other):
        return True

    def __ne__(self, other):
        return False


quality_by_month = pd.DataFrame.from_dict(
    {month: quality_checks(batch, reference, VALID_RANGES, CATEGORICAL_FEATURES) for month, batch in batches.items()},
    orient="index")
incident_month = AnyText("2024-04")
incident_ids = AnyIds({AnyText("APP-1")})
''',
    "q6_3_concept_drift": '''
class AnyMonth(str):
    def __eq__(self, other):
        return True

    def __ne__(self, other):
        return False

    __hash__ = str.__hash__


concept_drift_month = AnyMonth("2024-04")
''',
}

SUBMISSIONS["duck_typed"] = DUCK_TYPED
EXPECTED["duck_typed"] = {"q4_lasting_drift_tests": 0, "q5_2_incident_tests": 0, "q6_3_concept_drift_tests": 0}
