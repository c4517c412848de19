#!/usr/bin/env python3
"""The full Tandem report computed the way an analyst would: pandas/numpy/scipy over the raw
answers, not over stored sufficient statistics.

`tandem bench report --pandas benches/report_pandas.py` writes the raw answers as CSV
(`wave,firm,respondent,level,function,item,value`, an empty value = don't know) and runs

    python3 benches/report_pandas.py ANSWERS.csv [--runs R] [--json OUT]

Only the computation is timed (not the CSV load); it runs R times and the last line is
`compute_seconds=<median>`. `--json` writes the whole report as records, to check it against
`tandem report --json` (docs/benchmarks.md says how far they were checked).

Computed, as docs/statistics.md defines it, for the whole side and each level and function:
groups (responded); items (n, don't know, counts, mean, SD, median, favourable %, 95 % t CI,
rwg, awg, AD_M); dimensions (listwise respondent means: n, mean, SD, CI, rwg(j), AD_M, awg;
pairwise rwg(j), AD_M, awg); between firms per wave (Welch, Cohen's d, Hedges' g,
Mann–Whitney U with scipy.stats.mannwhitneyu, Cliff's delta); ICC(1)/(2) across levels and
functions; trends per side × item/dimension (scipy.stats.linregress) with each wave against
the previous one; the health index. Minimum reporting size: groups below it are withheld
(primary suppression only; the generated groups are all far above it).
"""

import argparse
import json
import sys
import time

import numpy as np
import pandas as pd
from scipy import stats

# The default template (survey-templates/partnership-perception.toml).
DIMENSIONS = {
    "win_win": ["win_win", "shares_rewards"],
    "trust": ["trust", "dependable_people", "holds_up_end"],
    "shared_objectives": ["common_objectives", "does_homework", "decides_and_sticks"],
}
DIMENSION_OF = {i: d for d, items in DIMENSIONS.items() for i in items}
KINDS = ["all", "level", "function"]
MIN_REPORTING_SIZE = 5
NULL_VARIANCE = 2.0  # (5² − 1)/12, the uniform null of a 5-point scale
LOW, HIGH = 1.0, 5.0


def load(path):
    df = pd.read_csv(
        path,
        dtype={
            "wave": "int16",
            "firm": "category",
            "respondent": "category",
            "level": "category",
            "function": "category",
            "item": "category",
            "value": "float64",
        },
    )
    df["all"] = pd.Categorical(["all"] * len(df))
    return df


def keys(kind):
    return ["wave", "firm", kind]


def t975(df):
    return stats.t.ppf(0.975, df)


def ci95(mean, sd, n):
    half = t975(n - 1) * sd / np.sqrt(n)
    ok = (n >= 2) & (sd > 0)
    return mean.where(ok) - half.where(ok), mean.where(ok) + half.where(ok)


def awg(n, mean, var, total):
    """Brown & Hauenstein's awg from n, mean, variance (n − 1) and the integer sum."""
    max_var = ((HIGH + LOW) * mean - mean**2 - HIGH * LOW) * (n / (n - 1))
    value = 1 - 2 * var / max_var
    at_end = (total == LOW * n) | (total == HIGH * n)
    too_close = (total < LOW * (n - 1) + HIGH) | (total > HIGH * (n - 1) + LOW)
    value = value.where(~too_close)
    value = value.mask(at_end, 1.0)
    return value.where(n >= 2)


def rwg_j(mean_var, j):
    ratio = np.minimum(mean_var, NULL_VARIANCE) / NULL_VARIANCE
    return j * (1 - ratio) / (j * (1 - ratio) + ratio)


def group_table(df):
    frames = []
    for kind in KINDS:
        g = df.groupby(keys(kind), observed=True)["respondent"].nunique()
        frames.append(g.rename("responded").reset_index().rename(columns={kind: "segment"}).assign(kind=kind))
    out = pd.concat(frames, ignore_index=True)
    out["invited"] = out["responded"]
    out["shown"] = out["responded"] >= MIN_REPORTING_SIZE
    return out


def item_table(df):
    frames = []
    for kind in KINDS:
        k = keys(kind) + ["item"]
        grouped = df.groupby(k, observed=True)["value"]
        s = grouped.agg(["size", "count", "sum", "mean", "std", "median"])
        counts = df.groupby(k + ["value"], observed=True).size().unstack("value", fill_value=0)
        counts = counts.reindex(columns=[1.0, 2.0, 3.0, 4.0, 5.0], fill_value=0)
        counts.columns = ["c1", "c2", "c3", "c4", "c5"]
        dev = (df["value"] - grouped.transform("mean")).abs()
        s["ad_m"] = dev.groupby([df[c] for c in k], observed=True).mean()
        s = s.join(counts)
        frames.append(s.reset_index().rename(columns={kind: "segment"}).assign(kind=kind))
    t = pd.concat(frames, ignore_index=True)
    n = t["count"]
    t["n_dont_know"] = t["size"] - n
    t["var"] = t["std"] ** 2
    t["favourable_pct"] = 100 * (t["c4"] + t["c5"]) / n
    t["ci_low"], t["ci_high"] = ci95(t["mean"], t["std"], n)
    t["rwg"] = (1 - np.minimum(t["var"], NULL_VARIANCE) / NULL_VARIANCE).where(n >= 2)
    t["awg"] = awg(n, t["mean"], t["var"], t["sum"])
    t["ad_m"] = t["ad_m"].where(n >= 2)
    return t


def dimension_table(df, items):
    wide = df.set_index(["wave", "firm", "all", "level", "function", "respondent", "item"])["value"].unstack("item")
    wide = wide.reset_index()
    frames, samples = [], {}
    for dim, cols in DIMENSIONS.items():
        j = len(cols)
        complete = wide[cols].notna().all(axis=1)
        listwise = wide.loc[complete, ["wave", "firm", "all", "level", "function"] + cols].copy()
        listwise["score"] = listwise[cols].sum(axis=1) / j
        for w, firm, score in _whole_side_samples(listwise):
            samples[(w, firm, "dimension", dim)] = score
        for kind in KINDS:
            k = keys(kind)
            everyone = wide.groupby(k, observed=True).size().rename("n_respondents")
            g = listwise.groupby(k, observed=True)
            s = g["score"].agg(["count", "mean", "std"])
            item_mean = g[cols].transform("mean")
            item_stats = g[cols].agg(["var", "sum", "count", "mean"])
            ad = (listwise[cols] - item_mean).abs().groupby([listwise[c] for c in k], observed=True).mean()
            n = s["count"]
            variances = item_stats.xs("var", axis=1, level=1)
            s["rwg_j"] = rwg_j(variances.mean(axis=1), j).where(n >= 2)
            s["ad_m"] = ad.mean(axis=1).where(n >= 2)
            awgs = pd.concat(
                {
                    c: awg(n, item_stats[(c, "mean")], item_stats[(c, "var")], item_stats[(c, "sum")])
                    for c in cols
                },
                axis=1,
            )
            s["awg"] = awgs.mean(axis=1, skipna=True)
            s = everyone.to_frame().join(s, how="left")
            s = s.reset_index().rename(columns={kind: "segment", "count": "n_complete"})
            s["n_complete"] = s["n_complete"].fillna(0).astype(int)
            s["kind"], s["dimension"] = kind, dim
            frames.append(s)
    t = pd.concat(frames, ignore_index=True)
    t["ci_low"], t["ci_high"] = ci95(t["mean"], t["std"], t["n_complete"])
    # pairwise, for comparison: item statistics over everyone who answered each item
    pw = items.assign(dimension=items["item"].map(DIMENSION_OF).astype(str))
    pw = pw.groupby(["kind", "wave", "firm", "segment", "dimension"], observed=True).agg(
        var=("var", "mean"), ad_m=("ad_m", "mean"), awg=("awg", "mean"), n_min=("count", "min"), j=("item", "size")
    )
    defined = pw["n_min"] >= 2
    pw = pd.DataFrame(
        {
            "pairwise_rwg_j": rwg_j(pw["var"], pw["j"]).where(defined),
            "pairwise_ad_m": pw["ad_m"].where(defined),
            "pairwise_awg": pw["awg"],
        }
    )
    t = t.join(pw, on=["kind", "wave", "firm", "segment", "dimension"])
    return t, samples


def _whole_side_samples(listwise):
    for (w, firm), score in listwise.groupby(["wave", "firm"], observed=True)["score"]:
        yield w, firm, score.to_numpy()


def item_samples(df):
    answered = df[df["value"].notna()]
    return {
        (w, firm, "item", item): v.to_numpy()
        for (w, firm, item), v in answered.groupby(["wave", "firm", "item"], observed=True)["value"]
    }


def welch_and_effects(a, b):
    """a − b from per-group n/mean/std columns, vectorised (scipy's ttest_ind_from_stats)."""
    n1, m1, s1 = a["n"].to_numpy(float), a["mean"].to_numpy(), a["std"].to_numpy()
    n2, m2, s2 = b["n"].to_numpy(float), b["mean"].to_numpy(), b["std"].to_numpy()
    with np.errstate(divide="ignore", invalid="ignore"):
        t, p = stats.ttest_ind_from_stats(m1, s1, n1, m2, s2, n2, equal_var=False)
        v1, v2 = s1**2 / n1, s2**2 / n2
        df = (v1 + v2) ** 2 / (v1**2 / (n1 - 1) + v2**2 / (n2 - 1))
        half = t975(df) * np.sqrt(v1 + v2)
        diff = m1 - m2
        pooled = np.sqrt(((n1 - 1) * s1**2 + (n2 - 1) * s2**2) / (n1 + n2 - 2))
        d = diff / pooled
        g = d * (1 - 3 / (4 * (n1 + n2) - 9))
    return pd.DataFrame(
        {
            "mean_diff": diff,
            "welch_t": t,
            "welch_df": df,
            "welch_p": p,
            "diff_ci_low": diff - half,
            "diff_ci_high": diff + half,
            "cohens_d": d,
            "hedges_g": g,
        }
    )


def rank_tests(pairs, samples):
    """Mann–Whitney U (tie- and continuity-corrected normal approximation) and Cliff's delta."""
    u, p, delta = [], [], []
    for first, second in pairs:
        x, y = samples.get(first), samples.get(second)
        if x is None or y is None or len(x) == 0 or len(y) == 0:
            u.append(np.nan), p.append(np.nan), delta.append(np.nan)
            continue
        r = stats.mannwhitneyu(x, y, alternative="two-sided", method="asymptotic", use_continuity=True)
        u.append(r.statistic)
        p.append(r.pvalue)
        delta.append(2 * r.statistic / (len(x) * len(y)) - 1)
    return pd.DataFrame({"mwu_u": u, "mwu_p": p, "cliffs_delta": delta})


def whole_side(items, dims, groups):
    """Per wave × firm × target (item or dimension): n, mean, std of the whole side, if shown."""
    shown = groups[groups["kind"] == "all"].set_index(["wave", "firm"])["shown"]
    it = items[items["kind"] == "all"][["wave", "firm", "item", "count", "mean", "std"]]
    it = it.rename(columns={"item": "target", "count": "n"}).assign(target_kind="item")
    dm = dims[dims["kind"] == "all"][["wave", "firm", "dimension", "n_complete", "mean", "std"]]
    dm = dm.rename(columns={"dimension": "target", "n_complete": "n"}).assign(target_kind="dimension")
    t = pd.concat([it, dm], ignore_index=True)
    t["target"] = t["target"].astype(str)
    t["firm"] = t["firm"].astype(str)
    t = t.join(shown.rename(index=str, level="firm"), on=["wave", "firm"])
    return t[t["shown"]]


def inter_firm(whole, samples, clock):
    c = whole[whole["firm"] == "customer"].set_index(["wave", "target_kind", "target"])
    s = whole[whole["firm"] == "supplier"].set_index(["wave", "target_kind", "target"])
    c, s = c.align(s, join="inner", axis=0)
    out = welch_and_effects(c, s)
    out.index = c.index
    pairs = [((w, "customer", k, t), (w, "supplier", k, t)) for w, k, t in c.index]
    ranks = clock.time("of which mannwhitneyu", rank_tests, pairs, samples)
    ranks.index = c.index
    return out.join(ranks).reset_index()


def trends(whole, samples, clock):
    fits, changes = [], []
    for (firm, kind, target), series in whole.groupby(["firm", "target_kind", "target"]):
        series = series.sort_values("wave").dropna(subset=["mean"])
        if len(series) >= 2:
            fit = stats.linregress(series["wave"].to_numpy(float), series["mean"].to_numpy())
            fits.append(
                dict(
                    firm=firm,
                    target_kind=kind,
                    target=target,
                    n=len(series),
                    slope=fit.slope,
                    intercept=fit.intercept,
                    stderr=fit.stderr,
                    intercept_stderr=fit.intercept_stderr,
                    r=fit.rvalue,
                    p=fit.pvalue,
                )
            )
        later, earlier = series.iloc[1:].reset_index(drop=True), series.iloc[:-1].reset_index(drop=True)
        ch = welch_and_effects(later, earlier)
        pairs = [((lw, firm, kind, target), (ew, firm, kind, target)) for lw, ew in zip(later["wave"], earlier["wave"])]
        ch = ch.join(clock.time("of which mannwhitneyu", rank_tests, pairs, samples))
        ch.insert(0, "to_wave", later["wave"].to_numpy())
        ch.insert(0, "from_wave", earlier["wave"].to_numpy())
        ch.insert(0, "target", target)
        ch.insert(0, "target_kind", kind)
        ch.insert(0, "firm", firm)
        changes.append(ch)
    return pd.DataFrame(fits), pd.concat(changes, ignore_index=True)


def icc(items, dims, groups):
    """ICC(1), ICC(2) across the segments of each attribute, from a one-way ANOVA."""
    hidden = groups[~groups["shown"]]
    it = items[items["kind"] != "all"][["kind", "wave", "firm", "segment", "item", "count", "mean", "std"]]
    it = it.rename(columns={"item": "target", "count": "n"}).assign(target_kind="item")
    dm = dims[dims["kind"] != "all"][["kind", "wave", "firm", "segment", "dimension", "n_complete", "mean", "std"]]
    dm = dm.rename(columns={"dimension": "target", "n_complete": "n"}).assign(target_kind="dimension")
    t = pd.concat([it, dm], ignore_index=True)
    t["target"] = t["target"].astype(str)
    t = t[t["n"] > 0]
    k = ["wave", "firm", "kind", "target_kind", "target"]
    t["sum_sq_dev"] = (t["n"] - 1) * t["std"].fillna(0) ** 2
    t["weighted"] = t["n"] * t["mean"]
    g = t.groupby(k, observed=True)
    out = g.agg(n=("n", "sum"), groups=("n", "size"), weighted=("weighted", "sum"), ssw=("sum_sq_dev", "sum"))
    grand = (out["weighted"] / out["n"]).rename("grand")
    t = t.join(grand, on=k)
    t["between"] = t["n"] * (t["mean"] - t["grand"]) ** 2
    out["ssb"] = t.groupby(k, observed=True)["between"].sum()
    ok = (out["groups"] >= 2) & (out["n"] > out["groups"])
    out["df_between"] = (out["groups"] - 1).where(ok)
    out["df_within"] = (out["n"] - out["groups"]).where(ok)
    out["msb"] = out["ssb"] / out["df_between"]
    out["msw"] = out["ssw"] / out["df_within"]
    out["k"] = (out["n"] / out["groups"]).where(ok)
    out["icc1"] = (out["msb"] - out["msw"]) / (out["msb"] + (out["k"] - 1) * out["msw"])
    out["icc2"] = (out["msb"] - out["msw"]) / out["msb"]
    out = out.reset_index()
    withheld = hidden.groupby(["wave", "firm", "kind"], observed=True).size()
    if len(withheld):
        out = out.join(withheld.rename("withheld"), on=["wave", "firm", "kind"])
        out.loc[out["withheld"].notna(), ["icc1", "icc2", "msb", "msw"]] = np.nan
    return out


def health(dims, groups):
    whole = dims[dims["kind"] == "all"]
    level = ((whole["mean"] - 1) / 4).groupby(whole["wave"]).mean()
    agreement = whole.groupby("wave")["rwg_j"].mean()
    means = whole.pivot_table(index=["wave", "dimension"], columns="firm", values="mean", observed=True)
    gap = ((means["customer"] - means["supplier"]).abs() / 4).groupby(level="wave").mean()
    index = 100 * (0.6 * level + 0.2 * agreement + 0.2 * (1 - gap))
    both_shown = groups[groups["kind"] == "all"].groupby("wave")["shown"].all()
    return pd.DataFrame({"index": index.where(both_shown), "level": level, "agreement": agreement, "gap": gap})


class Clock:
    """Seconds spent per section of one computation (printed, not part of the report)."""

    def __init__(self):
        self.seconds = {}

    def time(self, name, f, *args):
        start = time.perf_counter()
        result = f(*args)
        self.seconds[name] = self.seconds.get(name, 0.0) + time.perf_counter() - start
        return result


def compute(df, clock):
    groups = clock.time("groups", group_table, df)
    items = clock.time("items", item_table, df)
    dims, dim_samples = clock.time("dimensions", dimension_table, df, items)
    samples = clock.time("samples", item_samples, df)
    samples.update(dim_samples)
    whole = whole_side(items, dims, groups)
    firms = clock.time("inter_firm", inter_firm, whole, samples, clock)
    fits, changes = clock.time("trend", trends, whole, samples, clock)
    return {
        "groups": groups,
        "items": items,
        "dimensions": dims,
        "inter_firm": firms,
        "icc": clock.time("icc", icc, items, dims, groups),
        "trend": fits,
        "wave_changes": changes,
        "health": clock.time("health", health, dims, groups),
    }


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("csv")
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--json", help="write the report's tables here")
    args = parser.parse_args()
    df = load(args.csv)
    seconds, clock = [], Clock()
    for _ in range(max(args.runs, 1)):
        start = time.perf_counter()
        report = compute(df, clock)
        seconds.append(time.perf_counter() - start)
    print("rows " + ", ".join(f"{name} {len(t)}" for name, t in report.items()))
    runs = len(seconds)
    print("sections (mean s) " + ", ".join(f"{k} {v / runs:.3f}" for k, v in clock.seconds.items()))
    print("runs_seconds=" + ",".join(f"{s:.4f}" for s in seconds))
    if args.json:
        with open(args.json, "w") as f:
            json.dump(
                {name: json.loads(t.reset_index().to_json(orient="records", double_precision=15)) for name, t in report.items()},
                f,
            )
    print(f"compute_seconds={float(np.median(seconds)):.6f}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
