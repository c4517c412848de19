//! The rules at their thresholds, on hand-made reports.
use super::*;

#[test]
fn severity_rises_one_step_per_step_past_the_threshold() {
    assert_eq!(Severity::grade(0.0, 0.25), Severity::Low);
    assert_eq!(Severity::grade(0.24, 0.25), Severity::Low);
    assert_eq!(Severity::grade(0.25, 0.25), Severity::Medium);
    assert_eq!(Severity::grade(0.6, 0.25), Severity::High);
    assert!(Severity::High > Severity::Medium && Severity::Medium > Severity::Low);
}

#[test]
fn the_default_configuration_is_valid_and_round_trips_as_json() {
    let c = RuleConfig::default();
    assert!(c.problems().is_empty());
    let back: RuleConfig = serde_json::from_str(&serde_json::to_string(&c).unwrap()).unwrap();
    assert_eq!(back, c);
}

#[test]
fn a_partial_configuration_keeps_the_other_defaults() {
    let c: RuleConfig = serde_json::from_str(r#"{"gap_points": 0.8}"#).unwrap();
    assert_eq!(c.gap_points, 0.8);
    assert_eq!(c.min_rwg_j, 0.50);
    assert!(serde_json::from_str::<RuleConfig>(r#"{"gap": 1}"#).is_err());
}

#[test]
fn out_of_range_thresholds_are_refused_by_field() {
    let c = RuleConfig {
        min_rwg_j: 1.5,
        segment_alpha: 0.0,
        shift_points: -0.1,
        ..RuleConfig::default()
    };
    let fields: Vec<String> = c.problems().into_iter().map(|p| p.field).collect();
    assert_eq!(fields, vec!["min_rwg_j", "segment_alpha", "shift_points"]);
}

#[test]
fn a_configuration_stored_before_the_segment_gap_rule_still_reads() {
    let c: RuleConfig = serde_json::from_str(
        r#"{"level_gap_points": 1.0, "level_upper": "executive", "level_lower": "staff"}"#,
    )
    .unwrap();
    assert_eq!(c.segment_gap_points, 1.0);
    assert!(c.problems().is_empty());
    let written = serde_json::to_value(&c).unwrap();
    assert!(written.get("level_upper").is_none() && written.get("level_gap_points").is_none());
    assert_eq!(written["segment_gap_points"], 1.0);
}

use crate::reports::report::{
    ChangePointRecord, DimensionRecord, DimensionStats, GroupId, Pairwise, SegmentTestRecord,
};
use crate::stats::{self, ChangePoints, Segment, ValueCounts};

fn empty_report() -> Report {
    Report {
        scale: Default::default(),
        partnership: crate::reports::report::PartnershipInfo {
            id: 1,
            name: "P".into(),
            customer: "C".into(),
            supplier: "S".into(),
            min_reporting_size: 5,
        },
        wave: None,
        series: "main".into(),
        breakdowns: vec!["level".into()],
        waves: vec![],
        groups: vec![],
        response_rates: vec![],
        items: vec![],
        dimensions: vec![],
        inter_firm: Default::default(),
        meta_accuracy: Vec::new(),
        icc: vec![],
        trend: vec![],
        lead_lag: vec![],
        change_points: vec![],
        joint: vec![],
        segment_tests: vec![],
        health: vec![],
    }
}

/// A level segment of the supplier's trust in wave 3 with these (answer, count) pairs.
fn level_record(segment: &str, sums: &[(u32, u64)], suppressed: Option<&str>) -> DimensionRecord {
    let means = ValueCounts::from_sums(1, sums.iter().copied());
    let summary = stats::describe_sample(&means);
    DimensionRecord {
        id: GroupId {
            wave: 3,
            side: crate::domain::Side::Supplier,
            segment_kind: "level",
            segment: Some(segment.into()),
            suppressed: suppressed.map(str::to_owned),
        },
        dimension: "trust".into(),
        stats: suppressed.is_none().then(|| DimensionStats {
            points: 5,
            items: vec!["trust".into()],
            n_respondents: summary.n,
            n_complete: summary.n,
            n_excluded_listwise: 0,
            summary,
            agreement: stats::dimension_agreement(&[]),
            agreement_band: None,
            rwg_j_crit95: None,
            beyond_chance: None,
            pairwise: Pairwise {
                suppressed: None,
                rwg_j: None,
                ad_m: None,
                awg: None,
                n_per_item: Default::default(),
            },
        }),
    }
}

/// A report whose supplier executives and staff differ by `gap_tenths`/10 points on trust
/// in wave 3 (a withheld segment beside them), with the segment test's p.
fn segment_report(gap_tenths: u32, p: f64) -> Report {
    let mut r = empty_report();
    // staff: ten answers of 2 and 3 (mean 2.5); executives 2.5 + the gap
    let staff = [(2, 5), (3, 5)];
    r.dimensions.push(level_record("staff", &staff, None));
    r.dimensions.push(level_record(
        "withheld",
        &[(5, 2)],
        Some("fewer than 5 responses"),
    ));
    r.dimensions
        .push(exec_record(2.5 + f64::from(gap_tenths) / 10.0));
    r.segment_tests.push(SegmentTestRecord {
        wave: 3,
        side: crate::domain::Side::Supplier,
        dimension: "trust".into(),
        attribute: "level",
        segments: vec!["staff".into(), "executive".into()],
        k: 2,
        n: 20,
        welch_f: Some(9.0),
        welch_df1: Some(1.0),
        welch_df2: Some(18.0),
        welch_p: Some(p),
        kruskal_h: None,
        kruskal_p: None,
        epsilon2: None,
        omega2: None,
    });
    r
}

/// Executives whose mean is exactly `mean` (ten answers at two neighbouring points).
fn exec_record(mean: f64) -> DimensionRecord {
    let low = mean.floor() as u32;
    let high_share = ((mean - f64::from(low)) * 10.0).round() as u64;
    let mut rec = level_record(
        "executive",
        &[(low, 10 - high_share), (low + 1, high_share)],
        None,
    );
    let m = rec.stats.as_ref().unwrap().summary.mean.unwrap();
    assert!((m - mean).abs() < 1e-12, "{m} vs {mean}");
    rec.id.segment = Some("executive".into());
    rec.stats.as_mut().unwrap().summary.mean = Some(mean);
    rec
}

#[test]
fn the_segment_gap_fires_just_past_its_points_and_only_with_a_significant_test() {
    let c = RuleConfig::default(); // 0.75 points, p < 0.05
    assert!(
        segment_gap(&segment_report(7, 0.001), 3, &c).is_empty(),
        "0.7 points"
    );
    let fired = segment_gap(&segment_report(8, 0.001), 3, &c);
    assert_eq!(fired.len(), 1, "0.8 points");
    assert_eq!(fired[0].scope, "dimension:trust:supplier:level");
    assert!((fired[0].measured - 0.8).abs() < 1e-9);
    assert_eq!(fired[0].details["highest"], "executive");
    assert!(
        segment_gap(&segment_report(8, 0.05), 3, &c).is_empty(),
        "p = alpha"
    );
    assert!(
        segment_gap(&segment_report(8, 0.049), 3, &c).len() == 1,
        "p just below"
    );
}

#[test]
fn the_segment_gap_is_judged_over_the_waves_family_of_segment_tests() {
    // A second test in the wave (function, p = 0.5) makes a family of two: Holm doubles the
    // smaller p, so 0.03 fires alone but not beside it (0.06 ≥ 0.05), and 0.02 still does.
    let with_second = |p: f64| {
        let mut r = segment_report(8, p);
        let mut other = r.segment_tests[0].clone();
        other.attribute = "function";
        other.welch_p = Some(0.5);
        r.segment_tests.push(other);
        segment_gap(&r, 3, &RuleConfig::default())
    };
    assert_eq!(
        segment_gap(&segment_report(8, 0.03), 3, &RuleConfig::default()).len(),
        1
    );
    assert!(with_second(0.03).is_empty(), "0.03 × 2 = 0.06");
    let fired = with_second(0.02);
    assert_eq!(fired.len(), 1);
    assert_eq!(fired[0].details["family"], 2);
    assert!((fired[0].details["welch_p_adjusted"].as_f64().unwrap() - 0.04).abs() < 1e-15);
}

#[test]
fn a_withheld_segment_never_takes_part_in_the_segment_gap() {
    let mut r = segment_report(8, 0.001);
    // the withheld segment would be the highest (5.0) if it were read
    r.segment_tests[0].segments.push("withheld".into());
    let fired = segment_gap(&r, 3, &RuleConfig::default());
    assert_eq!(fired.len(), 1);
    assert_eq!(fired[0].details["highest"], "executive");
    let segments = fired[0].details["segments"].as_array().unwrap();
    assert!(segments.iter().all(|s| s["segment"] != "withheld"));
}

fn shift_report(before: f64, after: f64, starts: u32, last_wave: u32) -> Report {
    let mut r = empty_report();
    r.change_points.push(ChangePointRecord {
        side: crate::domain::Side::Supplier,
        dimension: "trust".into(),
        fit: ChangePoints {
            waves: (1..=last_wave).collect(),
            means: vec![],
            penalty: 0.1,
            change_waves: vec![starts],
            segments: vec![
                Segment {
                    from_wave: 1,
                    to_wave: starts - 1,
                    mean: before,
                },
                Segment {
                    from_wave: starts,
                    to_wave: last_wave,
                    mean: after,
                },
            ],
        },
    });
    r
}

#[test]
fn the_shift_fires_just_past_its_points_when_the_new_segment_has_just_begun() {
    let c = RuleConfig::default(); // 0.3 points
    assert!(
        shift(&shift_report(3.5, 3.21, 6, 7), 7, &c).is_empty(),
        "0.29 down"
    );
    let fired = shift(&shift_report(3.5, 3.19, 6, 7), 7, &c);
    assert_eq!(fired.len(), 1, "0.31 down");
    assert_eq!(fired[0].scope, "dimension:trust:supplier");
    assert!(
        shift(&shift_report(3.19, 3.5, 6, 7), 7, &c).is_empty(),
        "a rise"
    );
    assert!(
        shift(&shift_report(3.5, 3.0, 5, 7), 7, &c).is_empty(),
        "began 2 waves ago"
    );
    assert!(
        shift(&shift_report(3.5, 3.0, 7, 8), 7, &c).is_empty(),
        "not the latest wave"
    );
}

#[test]
fn rule_ids_parse_back() {
    for r in Rule::ALL {
        assert_eq!(Rule::parse(r.as_str()), Some(r));
    }
    assert_eq!(Rule::parse("nope"), None);
}

fn rates(customer: (u64, u64), supplier: (u64, u64)) -> Report {
    let mut r = empty_report();
    for (side, (invited, responded)) in [
        (crate::domain::Side::Customer, customer),
        (crate::domain::Side::Supplier, supplier),
    ] {
        r.response_rates.push(ResponseRecord {
            wave: 2,
            side,
            invited,
            responded,
            response_rate: (invited > 0).then(|| responded as f64 / invited as f64),
        });
    }
    r
}

fn fired(r: &Report) -> Vec<(Rule, String)> {
    response_rates(r, 2, &RuleConfig::default())
        .into_iter()
        .map(|f| (f.rule, f.scope))
        .collect()
}

#[test]
fn a_side_that_goes_silent_is_flagged_from_counts_alone() {
    // 1 of 20: far below the minimum, so its answers are withheld in the report; the
    // counts still are compared.
    let r = rates((20, 15), (20, 1));
    assert_eq!(
        fired(&r),
        [
            (Rule::LowResponse, "side:supplier".to_owned()),
            (Rule::ResponseImbalance, "sides".to_owned())
        ]
    );
    let f = &response_rates(&r, 2, &RuleConfig::default())[1];
    assert_eq!(f.details["lower_responded"], 1);
    assert_eq!(f.details["lower_invited"], 20);
    // nobody at all answering is the extreme of the same
    assert_eq!(fired(&rates((20, 15), (20, 0))).len(), 2);
}

#[test]
fn response_rules_fire_just_past_their_thresholds_and_not_before() {
    // min_response_rate 0.40: 8 of 20 is exactly at it (no flag), 7 of 20 below.
    assert!(fired(&rates((20, 8), (20, 8))).is_empty());
    assert_eq!(
        fired(&rates((20, 8), (20, 7))),
        [(Rule::LowResponse, "side:supplier".to_owned())]
    );
    // min_rate_ratio 0.5: 10 of 20 against 20 of 20 is exactly half (no flag), 9 below.
    assert!(fired(&rates((20, 20), (20, 10))).is_empty());
    assert_eq!(
        fired(&rates((20, 20), (20, 9))),
        [(Rule::ResponseImbalance, "sides".to_owned())]
    );
    // nobody invited on a side: no rate, nothing compared
    assert!(fired(&rates((20, 20), (0, 0))).is_empty());
}

/// A report whose wave-3 trust comparison has this difference (customer − supplier) and
/// Welch p; `withheld` marks the comparison withheld (a side too small).
fn gap_report(diff: f64, p: f64, withheld: bool) -> Report {
    let mut r = empty_report();
    let a = ValueCounts::from_sums(1, [(3, 5), (4, 5)]);
    let base = stats::compare(&a, &a);
    r.inter_firm
        .dimensions
        .push(crate::reports::report::InterFirmRecord {
            wave: 3,
            item: None,
            dimension: Some("trust".into()),
            suppressed: withheld.then(|| "fewer than 5 responses".to_owned()),
            comparison: (!withheld).then_some(stats::Comparison {
                mean_diff: Some(diff),
                welch_p: Some(p),
                ..base
            }),
            significance: None,
            hedges_g_band: None,
            cliffs_delta_band: None,
        });
    r
}

#[test]
fn the_gap_fires_at_its_points_with_a_significant_test_and_never_withheld() {
    let c = RuleConfig::default(); // 0.5 points, p < 0.05
    let fired = |r: &Report| inter_firm_gap(r, 3, &c).len();
    assert_eq!(
        fired(&gap_report(0.49, 0.001, false)),
        0,
        "just under the points"
    );
    assert_eq!(fired(&gap_report(0.5, 0.001, false)), 1, "at the points");
    assert_eq!(
        fired(&gap_report(-0.5, 0.001, false)),
        1,
        "either direction"
    );
    assert_eq!(
        fired(&gap_report(0.9, 0.05, false)),
        0,
        "p at alpha is not below it"
    );
    assert_eq!(fired(&gap_report(0.9, 0.0499, false)), 1);
    assert_eq!(
        fired(&gap_report(2.0, 0.0001, true)),
        0,
        "a withheld side never fires"
    );
}

fn agreement_report(rwg_j: f64, withheld: bool) -> Report {
    let mut r = empty_report();
    let mut rec = level_record("x", &[(3, 5), (4, 5)], None);
    rec.id.segment_kind = "all";
    rec.id.segment = None;
    if let Some(st) = rec.stats.as_mut() {
        st.agreement.rwg_j = Some(rwg_j);
    }
    if withheld {
        rec.id.suppressed = Some("fewer than 5 complete answers".into());
        rec.stats = None;
    }
    r.dimensions.push(rec);
    r
}

#[test]
fn low_agreement_fires_just_below_its_threshold_and_never_withheld() {
    let c = RuleConfig::default(); // rwg(j) < 0.50: weak agreement or none (LeBreton & Senter)
    let fired = |r: &Report| low_agreement(r, 3, &c).len();
    assert_eq!(fired(&agreement_report(0.50, false)), 0, "at the threshold");
    assert_eq!(fired(&agreement_report(0.4999, false)), 1, "just below");
    assert_eq!(
        fired(&agreement_report(0.1, true)),
        0,
        "a withheld side never fires"
    );
}

/// Supplier trust means over waves 1..=n, as the report's trend section holds them, each from
/// n respondents with the given SD.
fn trend_report(means: &[f64], n: u64, sd: f64) -> Report {
    let mut r = empty_report();
    let xy: Vec<(f64, f64)> = means
        .iter()
        .enumerate()
        .map(|(i, m)| ((i + 1) as f64, *m))
        .collect();
    r.trend.push(TrendRecord {
        side: crate::domain::Side::Supplier,
        kind: "dimension",
        target: "trust".into(),
        x_waves: (1..=means.len() as i64).collect(),
        y_means: means.to_vec(),
        y_n: vec![n; means.len()],
        y_sd: vec![Some(sd); means.len()],
        fit: stats::linear_trend(&xy),
        changes: vec![],
    });
    r
}

#[test]
fn decline_fires_at_its_points_over_two_waves_or_on_a_significant_slope() {
    // 0.25 points (exact in binary) from t − 2 to t, tested one-sided with Welch's t
    let c = RuleConfig {
        decline_points: 0.25,
        ..RuleConfig::default()
    };
    let fired = |means: &[f64], n, sd| decline(&trend_report(means, n, sd), means.len() as i64, &c);
    // 40 people with SD 0.2 each wave: every such drop is significant
    assert!(
        fired(&[3.6, 3.5, 3.6, 3.2578125], 40, 0.2).is_empty(),
        "0.2421875 down over two waves"
    );
    let at = fired(&[3.6, 3.5, 3.6, 3.25], 40, 0.2);
    assert_eq!(at.len(), 1, "0.25 down over two waves");
    assert_eq!(at[0].measured, 0.25);
    assert_eq!(at[0].scope, "dimension:trust:supplier");
    assert_eq!(at[0].details["by_drop"], true);
    // the same means from 8 people with SD 1.2: 0.25 down is not distinguishable from noise
    assert!(fired(&[3.6, 3.5, 3.6, 3.25], 8, 1.2).is_empty());
    // a steady fall too small over two waves, but a significant slope
    let slope = fired(&[4.0, 3.9, 3.8, 3.7, 3.61, 3.5], 30, 0.8);
    assert_eq!(slope.len(), 1, "{slope:?}");
    assert_eq!(slope[0].details["by_slope"], true);
    assert_eq!(slope[0].details["by_drop"], false);
    // a side withheld in wave t has no trend point there: nothing fires for t
    let r = trend_report(&[3.6, 3.8, 3.0], 30, 0.8);
    assert!(decline(&r, 4, &c).is_empty(), "no point for wave 4");
}

#[test]
fn decline_fires_just_below_its_alpha_after_holm_over_the_waves_family() {
    // 0.5 down from 12 people with SD 0.9: p of the drop is moderate
    let r = trend_report(&[3.6, 3.7, 3.6, 3.2], 12, 0.9);
    let with_alpha = |alpha: f64| {
        let c = RuleConfig {
            decline_alpha: alpha,
            ..RuleConfig::default()
        };
        decline(&r, 4, &c)
    };
    let earlier = stats::SampleSummary {
        n: 12,
        mean: Some(3.7),
        sd: Some(0.9),
        mean_ci95: None,
    };
    let later = stats::SampleSummary {
        n: 12,
        mean: Some(3.2),
        sd: Some(0.9),
        mean_ci95: None,
    };
    let p = stats::welch_from_summaries(&later, &earlier)
        .unwrap()
        .p_below;
    let slope_p = r.trend[0].fit.p.unwrap() / 2.0;
    // a family of two (the drop and the slope): Holm multiplies the smaller p by 2
    let adjusted = (2.0 * p.min(slope_p)).min(1.0);
    assert!(
        p < slope_p,
        "the drop is the stronger test here: {p} vs {slope_p}"
    );
    assert!(
        with_alpha(adjusted).is_empty(),
        "p at alpha is not below it"
    );
    let fired = with_alpha(adjusted * (1.0 + 1e-9));
    assert_eq!(fired.len(), 1);
    let d = &fired[0].details;
    assert_eq!(d["family"], 2);
    assert!((d["drop_p"].as_f64().unwrap() - p).abs() < 1e-15);
    assert!((d["drop_p_adjusted"].as_f64().unwrap() - adjusted).abs() < 1e-15);
}

/// A report whose wave-3 record of the supplier guessing the customer's trust has this
/// meta-error and Welch p; `withheld` marks it withheld (a group too small).
fn meta_report(error: f64, p: f64, withheld: bool) -> Report {
    let mut r = empty_report();
    r.partnership.customer = "Globex".into();
    r.partnership.supplier = "Acme".into();
    r.meta_accuracy
        .push(crate::reports::report::MetaAccuracyRecord {
            wave: 3,
            item: "trust".into(),
            meta_item: "trust_meta".into(),
            side: crate::domain::Side::Supplier,
            suppressed: withheld.then(|| "fewer than 5 responses".to_owned()),
            accuracy: (!withheld).then_some(stats::MetaAccuracy {
                guess_mean: 3.0 + error,
                guess_n: 6,
                actual_mean: 3.0,
                actual_n: 6,
                meta_error: error,
                welch_t: 3.0,
                welch_df: 9.0,
                welch_p: p,
                diff_ci95: [error - 0.4, error + 0.4],
            }),
            significance: None,
            words: None,
        });
    r
}

#[test]
fn the_blind_spot_fires_at_its_points_with_a_significant_test_and_never_withheld() {
    let c = RuleConfig::default(); // 0.5 points, p < 0.05
    let fired = |r: &Report| blind_spot(r, 3, &c);
    assert!(
        fired(&meta_report(0.49, 0.001, false)).is_empty(),
        "just under the points"
    );
    let at = fired(&meta_report(0.5, 0.001, false));
    assert_eq!(at.len(), 1, "at the points");
    assert_eq!(at[0].scope, "meta:trust:supplier");
    assert_eq!(at[0].severity, Severity::Low);
    assert_eq!(
        at[0].details["sentence"],
        "Acme believes Globex rates trust higher than Globex does"
    );
    let below = fired(&meta_report(-0.5, 0.001, false));
    assert_eq!(below.len(), 1, "a guess too low fires too");
    assert_eq!(
        below[0].details["sentence"],
        "Acme believes Globex rates trust lower than Globex does"
    );
    assert!(
        fired(&meta_report(1.0, 0.05, false)).is_empty(),
        "p at alpha"
    );
    assert_eq!(
        fired(&meta_report(1.0, 0.0499, false)).len(),
        1,
        "p under alpha"
    );
    assert!(fired(&meta_report(2.0, 0.001, true)).is_empty(), "withheld");
    assert!(
        blind_spot(&meta_report(2.0, 0.001, false), 2, &c).is_empty(),
        "other wave"
    );
    let strict = RuleConfig {
        blind_spot_points: 1.0,
        ..RuleConfig::default()
    };
    assert!(
        blind_spot(&meta_report(0.9, 0.001, false), 3, &strict).is_empty(),
        "configurable"
    );
}

/// The words `words()` gives are the catalog's for the key, which must be there.
fn catalog_words(key: &str, words: &str) {
    assert_eq!(crate::i18n::en_present(key), words, "{key}");
}

#[test]
fn every_rule_and_every_severity_has_words_in_the_catalog() {
    for r in Rule::ALL {
        catalog_words(r.words_key(), &r.words());
    }
    for s in Severity::ALL {
        catalog_words(s.words_key(), &s.words());
    }
    let rules: std::collections::BTreeSet<String> = Rule::ALL.map(Rule::words).into();
    assert_eq!(rules.len(), Rule::ALL.len(), "two rules share their words");
    // the words mail and pages showed before they moved to the catalog
    assert_eq!(Rule::Decline.words(), "declining perception");
    assert_eq!(Severity::Medium.words(), "medium");
}

#[test]
fn every_detail_a_rule_writes_has_a_name_in_the_catalog() {
    let c = RuleConfig::default();
    let findings: Vec<Finding> = [
        inter_firm_gap(&gap_report(1.0, 0.001, false), 3, &c),
        low_agreement(&agreement_report(0.1, false), 3, &c),
        decline(&trend_report(&[3.6, 3.5, 3.6, 3.0], 40, 0.2), 4, &c),
        segment_gap(&segment_report(8, 0.001), 3, &c),
        shift(&shift_report(3.5, 3.0, 6, 7), 7, &c),
        response_rates(&rates((20, 15), (20, 1)), 2, &c),
        blind_spot(&meta_report(1.0, 0.001, false), 3, &c),
    ]
    .concat();
    let fired: std::collections::BTreeSet<Rule> = findings.iter().map(|f| f.rule).collect();
    let evaluated: std::collections::BTreeSet<Rule> = Rule::ALL
        .into_iter()
        .filter(|r| *r != Rule::LevelGap)
        .collect();
    assert_eq!(fired, evaluated, "every rule still evaluated fires here");
    for f in &findings {
        let details = f.details.as_object().expect("details are an object");
        // the flag page leaves out the wave (it has its own column)
        for key in details.keys().filter(|k| *k != "wave") {
            assert!(
                detail_words(key).is_some(),
                "{:?} writes the detail {key:?}, which has no name in flags::rules::details",
                f.rule
            );
        }
    }
    for key in DETAIL_KEYS {
        let id = detail_key(key).expect("listed");
        catalog_words(id, &detail_words(key).expect("listed"));
    }
    assert_eq!(
        detail_words("n_customer").as_deref(),
        Some("Respondents, customer")
    );
    assert_eq!(detail_words("rwg_j").as_deref(), Some("Rwg(j)"));
    assert_eq!(detail_words("no_such_key"), None);
}

#[test]
fn a_scope_reads_as_before_its_words_moved_to_the_catalog() {
    let mut f = inter_firm_gap(&gap_report(1.0, 0.001, false), 3, &RuleConfig::default())
        .pop()
        .expect("the gap fires");
    let mut words = |scope: &str| {
        f.scope = scope.to_owned();
        f.scope_words()
    };
    assert_eq!(words("dimension:trust"), "dimension trust, both firms");
    assert_eq!(
        words("dimension:trust:supplier"),
        "dimension trust, supplier"
    );
    assert_eq!(
        words("dimension:trust:supplier:executive-staff"),
        "dimension trust, supplier, levels executive vs staff"
    );
    assert_eq!(
        words("dimension:trust:supplier:level"),
        "dimension trust, supplier, by level"
    );
    assert_eq!(words("side:customer"), "customer respondents");
    assert_eq!(words("sides"), "both firms' response rates");
    assert_eq!(
        words("meta:q1:customer"),
        "item q1, customer's guess of the other firm"
    );
    assert_eq!(words("other:thing"), "other:thing");
}
