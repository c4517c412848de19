//! The lead–lag verdict in words: `stats::lead_lag_verdict` decides (evidence or not, why,
//! and the lag it rests on); this module writes the sentence a report prints under the
//! table, from the managers' catalog.

use std::ops::Deref;

use serde::Serialize;

use crate::i18n::{en1, en2, en_with};
use crate::stats::{
    self, DifferenceLeadLag, LeadLagVerdict, NoEvidenceReason, MIN_PAIRS, SIGNIFICANCE_LEVEL,
};

/// A verdict with its sentence, e.g. "supplier trust moved 2 waves before on-time delivery
/// (r = 0.71, adjusted p = 0.010, 14 pairs)". Serialized as the verdict's fields plus
/// `sentence`.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Verdict {
    #[serde(flatten)]
    pub reading: LeadLagVerdict,
    pub sentence: String,
}

impl Deref for Verdict {
    type Target = LeadLagVerdict;

    fn deref(&self) -> &LeadLagVerdict {
        &self.reading
    }
}

/// Reads `table` and says what it found. `side` names whose perception it is ("supplier",
/// or the portfolio's "across the portfolio, supplier"); `dimension` and `kpi` are the names
/// a reader knows ("trust", "on-time delivery").
pub fn lead_lag(table: &DifferenceLeadLag, side: &str, dimension: &str, kpi: &str) -> Verdict {
    let reading = stats::lead_lag_verdict(table);
    let sentence = sentence(&reading, side, dimension, kpi);
    Verdict { reading, sentence }
}

fn sentence(v: &LeadLagVerdict, side: &str, dimension: &str, kpi: &str) -> String {
    let perception = en2("lead-lag-perception", "side", side, "dimension", dimension);
    let base: [(&str, &dyn std::fmt::Display); 2] = [("perception", &perception), ("kpi", &kpi)];
    let with = |id: &str, more: &[(&str, &dyn std::fmt::Display)]| {
        let args: Vec<(&str, &dyn std::fmt::Display)> =
            base.iter().copied().chain(more.iter().copied()).collect();
        en_with(id, &args)
    };
    let figures = figures(v);
    let waves = |k: i32| en1("lead-lag-waves", "k", k);
    // Every reason but too few waves names a lag; a lead that was never tested has none.
    let k = v.k.unwrap_or_default();
    match v.reason {
        None => with(
            "lead-lag-evidence",
            &[("waves", &waves(k)), ("figures", &figures)],
        ),
        Some(NoEvidenceReason::TooFewWaves) => with(
            "lead-lag-too-few-waves",
            &[("pairs", &v.n), ("needed", &MIN_PAIRS)],
        ),
        Some(NoEvidenceReason::KpiMovesFirst) => with(
            "lead-lag-kpi-first",
            &[("waves", &waves(-k)), ("figures", &figures)],
        ),
        Some(NoEvidenceReason::MovesTogether) => {
            with("lead-lag-together", &[("figures", &figures)])
        }
        Some(NoEvidenceReason::NotSignificant) => {
            let closest = v.k.map_or_else(String::new, |k| {
                en2("lead-lag-closest", "waves", waves(k), "figures", &figures)
            });
            with(
                "lead-lag-not-significant",
                &[("tests", &v.family_size), ("closest", &closest)],
            )
        }
    }
}

/// "r = 0.71, adjusted p = 0.010, 14 pairs".
fn figures(v: &LeadLagVerdict) -> String {
    let undefined = || crate::i18n::en("lead-lag-undefined");
    let r = v.r.map_or_else(undefined, |r| format!("{r:.2}"));
    let p = v
        .p_adjusted
        .map_or_else(|| format!("= {}", undefined()), format_p);
    en_with("lead-lag-figures", &[("r", &r), ("p", &p), ("pairs", &v.n)])
}

/// Three decimals, but never a rounding that crosses the 5 % line or shows 0.000.
fn format_p(p: f64) -> String {
    if p < 0.001 {
        "< 0.001".to_owned()
    } else if p < SIGNIFICANCE_LEVEL && format!("{p:.3}") == "0.050" {
        "< 0.05".to_owned()
    } else {
        format!("= {p:.3}")
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::stats::lead_lag_test_table as table;
    use crate::stats::LeadFinding;

    fn verdict(lags: &[(i32, usize, f64, f64)]) -> Verdict {
        lead_lag(&table(lags), "supplier", "trust", "on-time delivery")
    }

    #[test]
    fn evidence_names_the_lead_and_its_figures() {
        let v = verdict(&[(-1, 14, -0.3, 0.9), (2, 14, 0.71, 0.01), (1, 14, 0.2, 0.9)]);
        assert_eq!(v.finding, LeadFinding::Evidence);
        assert_eq!(
            v.sentence,
            "supplier trust moved 2 waves before on-time delivery (r = 0.71, adjusted p = 0.010, \
             14 pairs)"
        );
        assert!(verdict(&[(1, 9, 0.7, 0.01), (3, 7, -0.8, 0.01)])
            .sentence
            .starts_with("supplier trust moved 3 waves before"));
        assert!(verdict(&[(1, 9, 0.7, 0.01)])
            .sentence
            .contains("moved 1 wave before"));
    }

    #[test]
    fn too_few_waves_says_how_many_pairs_are_needed() {
        assert_eq!(
            verdict(&[(0, 5, 0.95, 0.01)]).sentence,
            "no evidence yet that supplier trust leads on-time delivery: too few waves (at most \
             3 pairs of changes per lead, 5 needed)"
        );
    }

    #[test]
    fn the_kpi_moving_first_is_said_the_other_way_round() {
        assert_eq!(
            verdict(&[(-2, 8, 0.9, 0.001), (1, 9, 0.3, 0.5)]).sentence,
            "no evidence yet that supplier trust leads on-time delivery: on-time delivery moved 2 \
             waves before supplier trust (r = 0.90, adjusted p = 0.001, 8 pairs)"
        );
    }

    #[test]
    fn moving_together_and_nothing_significant_have_their_sentences() {
        assert!(
            verdict(&[(0, 10, 0.9, 0.001), (1, 9, 0.3, 0.6), (-1, 9, 0.2, 0.7)])
                .sentence
                .ends_with("they moved in the same wave (r = 0.90, adjusted p = 0.001, 10 pairs)")
        );
        assert_eq!(
            verdict(&[(1, 9, 0.5, 0.3), (2, 8, 0.4, 0.2), (-1, 9, 0.1, 0.9)]).sentence,
            "no evidence yet that supplier trust leads on-time delivery: no lead is significant \
             after correction for 3 tests; the closest is 2 waves (r = 0.40, adjusted p = 0.200, \
             8 pairs)"
        );
    }

    #[test]
    fn a_verdict_serializes_its_codes_beside_the_sentence() {
        let v = serde_json::to_value(verdict(&[(2, 14, 0.71, 0.01)])).unwrap();
        assert_eq!(v["finding"], "evidence");
        assert_eq!(v["k"], 2);
        assert!(v["sentence"]
            .as_str()
            .unwrap()
            .starts_with("supplier trust moved"));
    }

    #[test]
    fn p_values_never_round_across_five_percent() {
        assert_eq!(format_p(0.0496), "< 0.05");
        assert_eq!(format_p(0.0504), "= 0.050");
        assert_eq!(format_p(0.0004), "< 0.001");
        assert_eq!(format_p(0.2), "= 0.200");
    }

    #[test]
    fn every_finding_and_reason_has_words() {
        for reason in NoEvidenceReason::ALL {
            crate::i18n::en_present(reason.words_key());
        }
        assert_eq!(
            crate::i18n::en(LeadFinding::NoEvidenceYet.words_key()),
            "no evidence yet"
        );
    }
}
