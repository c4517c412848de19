//! Meta-accuracy: how well one firm guesses how the other firm answers an item. Pure numbers
//! over two sample summaries; it never decides what may be shown (the report does).

use serde::Serialize;

use super::distribution::t_critical_95;
use super::{welch_from_summaries, SampleSummary};

/// One firm's guess of the other firm's mean on an item, against the other firm's own answers.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct MetaAccuracy {
    /// Mean of the guessing firm's answers to the meta item.
    pub guess_mean: f64,
    pub guess_n: u64,
    /// Mean of the other firm's own answers to the item.
    pub actual_mean: f64,
    pub actual_n: u64,
    /// guess_mean − actual_mean: positive when the guessing firm believes the other firm rates
    /// the item higher than it does.
    pub meta_error: f64,
    pub welch_t: f64,
    pub welch_df: f64,
    /// Two-sided p of Welch's t test.
    pub welch_p: f64,
    /// 95 % Welch interval of guess_mean − actual_mean.
    pub diff_ci95: [f64; 2],
}

/// Meta-accuracy of a guessing firm: `guess` summarises its answers to the meta item, `actual`
/// the other firm's answers to the item itself.
///
/// meta_error = x̄_guess − x̄_actual, tested with Welch's t test (as
/// `scipy.stats.ttest_ind_from_stats(..., equal_var=False)`):
/// t = (x̄₁ − x̄₂)/SE, SE = √(s₁²/n₁ + s₂²/n₂), ν by Welch–Satterthwaite; the 95 % interval is
/// (x̄₁ − x̄₂) ± t₀.₉₇₅,ν · SE. Reference: Welch, B. L. (1947), *Biometrika* 34, 28–35.
///
/// # Null rules
///
/// `None` when Welch's test is undefined: either group has fewer than 2 answers, or both SDs
/// are 0.
pub fn meta_accuracy(guess: &SampleSummary, actual: &SampleSummary) -> Option<MetaAccuracy> {
    let welch = welch_from_summaries(guess, actual)?;
    let (s1, s2) = (guess.sd?, actual.sd?);
    let se = (s1 * s1 / guess.n as f64 + s2 * s2 / actual.n as f64).sqrt();
    let half = t_critical_95(welch.df) * se;
    Some(MetaAccuracy {
        guess_mean: guess.mean?,
        guess_n: guess.n,
        actual_mean: actual.mean?,
        actual_n: actual.n,
        meta_error: welch.mean_diff,
        welch_t: welch.t,
        welch_df: welch.df,
        welch_p: welch.p,
        diff_ci95: [welch.mean_diff - half, welch.mean_diff + half],
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::stats::{describe_sample, ItemHistogram, ValueCounts};

    fn summary(answers: &[f64]) -> SampleSummary {
        let mut histogram = ItemHistogram::default();
        for answer in answers {
            histogram.counts[*answer as usize - 1] += 1;
        }
        describe_sample(&ValueCounts::from_histogram(&histogram))
    }

    #[derive(serde::Deserialize)]
    struct Case {
        guess: Vec<f64>,
        actual: Vec<f64>,
        meta_error: f64,
        t: f64,
        df: f64,
        p: f64,
        ci95: [f64; 2],
    }

    /// Reference values from scipy (tests/fixtures/meta/welch.py), never from this code.
    #[test]
    fn meta_accuracy_matches_scipy_welch_and_its_interval() {
        let cases: Vec<Case> =
            serde_json::from_str(include_str!("../../tests/fixtures/meta/welch.json"))
                .expect("the fixture parses");
        assert!(cases.len() >= 2);
        for case in cases {
            let m = meta_accuracy(&summary(&case.guess), &summary(&case.actual)).expect("defined");
            let close = |a: f64, b: f64| (a - b).abs() <= 1e-9 * (1.0 + b.abs());
            assert!(close(m.meta_error, case.meta_error), "{m:?}");
            assert!(close(m.welch_t, case.t), "{m:?}");
            assert!(close(m.welch_df, case.df), "{m:?}");
            assert!((m.welch_p - case.p).abs() <= 1e-10, "{m:?} vs {}", case.p);
            assert!(close(m.diff_ci95[0], case.ci95[0]), "{m:?}");
            assert!(close(m.diff_ci95[1], case.ci95[1]), "{m:?}");
            assert_eq!(m.guess_n, case.guess.len() as u64);
        }
    }

    #[test]
    fn meta_accuracy_is_undefined_without_spread() {
        let flat = summary(&[3.0, 3.0, 3.0]);
        assert!(meta_accuracy(&flat, &flat).is_none());
        let single = summary(&[4.0]);
        assert!(meta_accuracy(&single, &summary(&[1.0, 2.0])).is_none());
    }
}
