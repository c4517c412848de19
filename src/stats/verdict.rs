//! The verdict a report prints under a lead–lag table: is there evidence that a perception
//! leads a KPI, and if not, why not. The sentence that says it in words is the report's
//! (`reports::verdict`), from the managers' catalog: `stats` stands on `domain` alone.

use serde::Serialize;

use super::bands::SIGNIFICANCE_LEVEL;
use super::lead_lag::{DifferenceLag, DifferenceLeadLag, MIN_PAIRS};

/// Whether the table shows a perception leading a KPI.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum LeadFinding {
    /// A positive lag is significant after correction and stronger than every negative lag.
    Evidence,
    /// Anything else; see [`NoEvidenceReason`].
    NoEvidenceYet,
}

/// Why a lead–lag table is not (yet) evidence of a lead.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum NoEvidenceReason {
    /// No positive lag has [`MIN_PAIRS`] pairs of changes: more waves are needed.
    TooFewWaves,
    /// A negative lag (the KPI moving first) is significant, or at least as strong as every
    /// significant positive lag.
    KpiMovesFirst,
    /// Only k = 0 is significant: both moved in the same wave, neither leads.
    MovesTogether,
    /// No lag is significant after the Holm correction.
    NotSignificant,
}

/// The verdict on one lead–lag table, with the lag it rests on.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct LeadLagVerdict {
    pub finding: LeadFinding,
    /// `None` exactly when `finding` is `Evidence`.
    pub reason: Option<NoEvidenceReason>,
    /// The lag the sentence is about (for `Evidence` the lead; for `KpiMovesFirst` the negative
    /// lag; for `MovesTogether` 0; for `NotSignificant` the best positive lag); `None` for
    /// `TooFewWaves` or when no such lag has an r.
    pub k: Option<i32>,
    /// r of that lag.
    pub r: Option<f64>,
    /// Holm-adjusted p of that lag.
    pub p_adjusted: Option<f64>,
    /// Pairs of changes of that lag (for `TooFewWaves`: the most any positive lag has).
    pub n: usize,
    /// Tests of the family the table's p values were adjusted in (Holm).
    pub family_size: usize,
}

/// Reads a first-difference lead–lag table ([`first_difference_lead_lag`]) into a verdict.
///
/// # Rule
///
/// **Evidence** when some lag k > 0 has an adjusted p < 0.05 *and* an |r| larger than the |r|
/// of every negative lag with a defined r. Among such lags the one with the smallest adjusted
/// p is reported, then the largest |r|, then the smallest k. Otherwise **no evidence yet**,
/// for the first reason that applies:
///
/// 1. **too few waves**: no k > 0 has [`MIN_PAIRS`] (5) pairs. (k = 0 is not counted: at six
///    waves it alone reaches 5 pairs, and it can never show a lead.)
/// 2. **the KPI moves first**: a negative lag is significant after correction, or a
///    significant positive lag exists but some negative lag is at least as strong.
/// 3. **they move together**: only k = 0 is significant.
/// 4. **not significant** after the Holm correction.
///
/// Significance uses `p_adjusted`, so the verdict is as strict as the family the table was
/// adjusted in ([`holm_across`]).
///
/// [`first_difference_lead_lag`]: super::first_difference_lead_lag
/// [`holm_across`]: super::holm_across
pub fn lead_lag_verdict(table: &DifferenceLeadLag) -> LeadLagVerdict {
    let significant = |l: &&DifferenceLag| l.p_adjusted.is_some_and(|p| p < SIGNIFICANCE_LEVEL);
    let strength = |l: &DifferenceLag| l.r.map_or(0.0, f64::abs);
    let positive: Vec<&DifferenceLag> = table.lags.iter().filter(|l| l.k > 0).collect();
    let negative: Vec<&DifferenceLag> = table.lags.iter().filter(|l| l.k < 0).collect();
    let strongest_negative = negative
        .iter()
        .filter(|l| l.r.is_some())
        .map(|l| strength(l))
        .fold(None, |best: Option<f64>, s| {
            Some(best.map_or(s, |b| b.max(s)))
        });

    let leads: Vec<&DifferenceLag> = positive
        .iter()
        .copied()
        .filter(significant)
        .filter(|l| strongest_negative.is_none_or(|n| strength(l) > n))
        .collect();
    let about = |finding, reason, lag: &DifferenceLag| LeadLagVerdict {
        finding,
        reason,
        k: Some(lag.k),
        r: lag.r,
        p_adjusted: lag.p_adjusted,
        n: lag.n,
        family_size: table.family_size,
    };
    if let Some(lead) = best(&leads) {
        return about(LeadFinding::Evidence, None, lead);
    }
    let most_pairs = positive.iter().map(|l| l.n).max().unwrap_or(0);
    if most_pairs < MIN_PAIRS {
        return LeadLagVerdict {
            finding: LeadFinding::NoEvidenceYet,
            reason: Some(NoEvidenceReason::TooFewWaves),
            k: None,
            r: None,
            p_adjusted: None,
            n: most_pairs,
            family_size: table.family_size,
        };
    }

    let significant_negative: Vec<&DifferenceLag> =
        negative.iter().copied().filter(significant).collect();
    let beaten = positive.iter().any(significant);
    if !significant_negative.is_empty() || beaten {
        let first = best(&significant_negative).unwrap_or_else(|| {
            // A significant lead was beaten: name the strongest negative lag (smallest |k| on
            // a tie).
            negative
                .iter()
                .copied()
                .filter(|l| l.r.is_some())
                .rev()
                .fold(None, |best: Option<&DifferenceLag>, l| match best {
                    Some(b) if strength(b) >= strength(l) => Some(b),
                    _ => Some(l),
                })
                .expect("a beaten lead implies a negative lag with an r")
        });
        return about(
            LeadFinding::NoEvidenceYet,
            Some(NoEvidenceReason::KpiMovesFirst),
            first,
        );
    }

    if let Some(together) = table.lags.iter().find(|l| l.k == 0).filter(significant) {
        return about(
            LeadFinding::NoEvidenceYet,
            Some(NoEvidenceReason::MovesTogether),
            together,
        );
    }

    let tested: Vec<&DifferenceLag> = positive
        .iter()
        .copied()
        .filter(|l| l.p_adjusted.is_some())
        .collect();
    // The closest lead, when one was tested, is the lag the verdict names.
    match best(&tested) {
        Some(l) => about(
            LeadFinding::NoEvidenceYet,
            Some(NoEvidenceReason::NotSignificant),
            l,
        ),
        None => LeadLagVerdict {
            finding: LeadFinding::NoEvidenceYet,
            reason: Some(NoEvidenceReason::NotSignificant),
            k: None,
            r: None,
            p_adjusted: None,
            n: most_pairs,
            family_size: table.family_size,
        },
    }
}

impl LeadFinding {
    /// The catalog key of the finding's words ("no evidence yet").
    pub fn words_key(self) -> &'static str {
        match self {
            Self::Evidence => "lead-lag-finding-evidence",
            Self::NoEvidenceYet => "lead-lag-finding-none-yet",
        }
    }
}

impl NoEvidenceReason {
    /// The catalog key of the reason's words ("too few waves").
    pub fn words_key(self) -> &'static str {
        match self {
            Self::TooFewWaves => "lead-lag-reason-too-few-waves",
            Self::KpiMovesFirst => "lead-lag-reason-kpi-first",
            Self::MovesTogether => "lead-lag-reason-together",
            Self::NotSignificant => "lead-lag-reason-not-significant",
        }
    }

    pub const ALL: [Self; 4] = [
        Self::TooFewWaves,
        Self::KpiMovesFirst,
        Self::MovesTogether,
        Self::NotSignificant,
    ];
}

/// Smallest adjusted p, then largest |r|, then smallest |k|.
fn best<'a>(lags: &[&'a DifferenceLag]) -> Option<&'a DifferenceLag> {
    lags.iter().copied().min_by(|a, b| {
        let p = |l: &DifferenceLag| l.p_adjusted.unwrap_or(f64::INFINITY);
        let r = |l: &DifferenceLag| l.r.map_or(0.0, f64::abs);
        p(a).total_cmp(&p(b))
            .then(r(b).total_cmp(&r(a)))
            .then(a.k.abs().cmp(&b.k.abs()))
    })
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;
    use crate::stats::lead_lag::FIRST_DIFFERENCES;

    /// A table from `(k, n, r, adjusted p)`; lags not listed have 3 pairs and no r.
    pub(crate) fn table(lags: &[(i32, usize, f64, f64)]) -> DifferenceLeadLag {
        DifferenceLeadLag {
            method: FIRST_DIFFERENCES,
            family_size: lags.len(),
            lags: (-3..=3)
                .map(|k| {
                    let given = lags.iter().find(|l| l.0 == k);
                    DifferenceLag {
                        k,
                        n: given.map_or(3, |l| l.1),
                        perception_waves: vec![],
                        kpi_waves: vec![],
                        r: given.map(|l| l.2),
                        p: given.map(|l| l.3),
                        p_adjusted: given.map(|l| l.3),
                    }
                })
                .collect(),
        }
    }

    fn verdict(lags: &[(i32, usize, f64, f64)]) -> LeadLagVerdict {
        lead_lag_verdict(&table(lags))
    }

    #[test]
    fn a_significant_lead_stronger_than_every_negative_lag_is_evidence() {
        let v = verdict(&[(-1, 14, -0.3, 0.9), (2, 14, 0.71, 0.01), (1, 14, 0.2, 0.9)]);
        assert_eq!(
            (
                v.finding,
                v.reason,
                v.k,
                v.n,
                v.r,
                v.p_adjusted,
                v.family_size
            ),
            (
                LeadFinding::Evidence,
                None,
                Some(2),
                14,
                Some(0.71),
                Some(0.01),
                3
            )
        );
    }

    #[test]
    fn the_reported_lead_has_the_smallest_adjusted_p_then_the_largest_r() {
        assert_eq!(verdict(&[(1, 9, 0.9, 0.02), (2, 8, 0.8, 0.01)]).k, Some(2));
        assert_eq!(verdict(&[(1, 9, 0.7, 0.01), (3, 7, -0.8, 0.01)]).k, Some(3));
        assert_eq!(verdict(&[(1, 9, 0.7, 0.01)]).k, Some(1));
    }

    #[test]
    fn six_waves_are_too_few_even_with_five_pairs_at_lag_zero() {
        let v = verdict(&[(0, 5, 0.95, 0.01)]);
        assert_eq!(v.reason, Some(NoEvidenceReason::TooFewWaves));
        assert_eq!((v.k, v.n), (None, 3));
    }

    #[test]
    fn a_significant_negative_lag_means_the_kpi_moves_first() {
        let v = verdict(&[(-2, 8, 0.9, 0.001), (1, 9, 0.3, 0.5)]);
        assert_eq!(v.reason, Some(NoEvidenceReason::KpiMovesFirst));
        assert_eq!((v.k, v.n, v.r), (Some(-2), 8, Some(0.9)));
    }

    #[test]
    fn a_significant_lead_beaten_by_a_negative_lag_is_not_evidence() {
        let v = verdict(&[(1, 9, 0.6, 0.03), (-2, 8, -0.6, 0.2), (-1, 9, 0.1, 0.9)]);
        assert_eq!(v.finding, LeadFinding::NoEvidenceYet);
        assert_eq!(
            (v.reason, v.k),
            (Some(NoEvidenceReason::KpiMovesFirst), Some(-2))
        );
    }

    #[test]
    fn only_lag_zero_significant_means_they_move_together() {
        let v = verdict(&[(0, 10, 0.9, 0.001), (1, 9, 0.3, 0.6), (-1, 9, 0.2, 0.7)]);
        assert_eq!(
            (v.reason, v.k, v.n),
            (Some(NoEvidenceReason::MovesTogether), Some(0), 10)
        );
    }

    #[test]
    fn nothing_significant_names_the_closest_lead() {
        let v = verdict(&[(1, 9, 0.5, 0.3), (2, 8, 0.4, 0.2), (-1, 9, 0.1, 0.9)]);
        assert_eq!(
            (v.reason, v.k, v.p_adjusted, v.family_size),
            (
                Some(NoEvidenceReason::NotSignificant),
                Some(2),
                Some(0.2),
                3
            )
        );
        let none_tested = lead_lag_verdict(&table(&[(-1, 9, 0.1, 0.9)]));
        assert_eq!(
            (none_tested.reason, none_tested.k),
            (Some(NoEvidenceReason::TooFewWaves), None)
        );
    }

    #[test]
    fn the_verdict_serializes_in_codes() {
        let v = serde_json::to_value(verdict(&[(2, 14, 0.71, 0.01)])).unwrap();
        assert_eq!(v["finding"], "evidence");
        assert_eq!(v["reason"], serde_json::Value::Null);
        assert_eq!(v["family_size"], 1);
        let v = serde_json::to_value(verdict(&[])).unwrap();
        assert_eq!(v["reason"], "too_few_waves");
        let keys: std::collections::BTreeSet<&str> = NoEvidenceReason::ALL
            .map(NoEvidenceReason::words_key)
            .into_iter()
            .collect();
        assert_eq!(keys.len(), 4);
    }
}
