//! The `blind_spot` rule: a firm misreads how the other firm sees an item — its guess (a meta
//! item) is off from the other firm's own mean by enough points, and significantly.

use serde_json::json;

use super::{steps, Finding, Rule, RuleConfig, Severity};
use crate::reports::Report;

/// |meta_error| ≥ `blind_spot_points` and Welch's p < `blind_spot_alpha`, per guessing firm and
/// item of `wave`. Withheld records are never read.
pub fn blind_spot(report: &Report, wave: i64, config: &RuleConfig) -> Vec<Finding> {
    report
        .meta_accuracy
        .iter()
        .filter(|r| r.wave == wave && r.suppressed.is_none())
        .filter_map(|r| {
            let a = r.accuracy.as_ref()?;
            let error = a.meta_error;
            (error.abs() >= config.blind_spot_points && a.welch_p < config.blind_spot_alpha).then(
                || {
                    let (guesser, other) = names(report, r.side);
                    let sentence = crate::reports::report::meta_words(
                        guesser,
                        other,
                        &r.item,
                        a,
                        config.blind_spot_alpha,
                    );
                    Finding {
                        rule: Rule::BlindSpot,
                        scope: format!("meta:{}:{}", r.item, r.side),
                        measured: error.abs(),
                        threshold: config.blind_spot_points,
                        severity: Severity::grade(
                            error.abs() - config.blind_spot_points,
                            steps::BLIND_SPOT,
                        ),
                        details: json!({
                            "wave": wave,
                            "item": r.item,
                            "meta_item": r.meta_item,
                            "side": r.side,
                            "guess_mean": a.guess_mean,
                            "n_guess": a.guess_n,
                            "actual_mean": a.actual_mean,
                            "n_actual": a.actual_n,
                            "meta_error": error,
                            "welch_t": a.welch_t,
                            "welch_df": a.welch_df,
                            "welch_p": a.welch_p,
                            "alpha": config.blind_spot_alpha,
                            "diff_ci95": a.diff_ci95,
                            "sentence": sentence,
                        }),
                        link: format!("/partnerships/{}#meta-accuracy", report.partnership.id),
                    }
                },
            )
        })
        .collect()
}

fn names(report: &Report, guesser: crate::domain::Side) -> (&str, &str) {
    let (c, s) = (
        report.partnership.customer.as_str(),
        report.partnership.supplier.as_str(),
    );
    match guesser {
        crate::domain::Side::Customer => (c, s),
        crate::domain::Side::Supplier => (s, c),
    }
}
