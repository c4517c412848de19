//! Pearson correlation and the perception → KPI lead–lag table.

use std::collections::BTreeMap;

use serde::Serialize;

use super::trend::{correlation_p, CentredSums};

/// Pearson correlation of paired values.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Correlation {
    /// Number of pairs.
    pub n: usize,
    /// Pearson r in [−1, 1].
    pub r: Option<f64>,
    /// Two-sided p of r, t test with n − 2 degrees of freedom.
    pub p: Option<f64>,
}

/// Correlation of a perception series with a KPI series k waves later.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Lag {
    /// Waves the KPI lags the perception by.
    pub k: u32,
    /// Pairs used.
    pub n: usize,
    /// Perception waves t of the pairs, ascending.
    pub perception_waves: Vec<u32>,
    /// KPI waves t + k of the same pairs.
    pub kpi_waves: Vec<u32>,
    /// Pearson r of the pairs.
    pub r: Option<f64>,
    /// Two-sided p of r.
    pub p: Option<f64>,
}

/// Lead–lag table for k = 0..=max_lag.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct LeadLag {
    /// One entry per k, ascending.
    pub lags: Vec<Lag>,
    /// The k whose |r| is largest (the smallest such k on a tie); `None` when no r is defined.
    pub strongest_lag: Option<u32>,
}

/// Pearson correlation and its two-sided p, as `scipy.stats.pearsonr`.
///
/// # Formula
///
/// ```text
/// r = Σ(x − x̄)(y − ȳ) / √( Σ(x − x̄)² · Σ(y − ȳ)² )
/// t = r·√( (n − 2)/(1 − r²) ),   p = 2·P(T_{n−2} > |t|)
/// ```
///
/// # Null rules
///
/// `r` and `p` are `None` with fewer than 3 pairs (two points always lie on a line, so r = ±1
/// carries no information and has no p) or when either series is constant (r = 0/0).
/// |r| = 1 with 3 or more pairs gives p = 0.
pub fn pearson(pairs: &[(f64, f64)]) -> Correlation {
    let n = pairs.len();
    let undefined = Correlation {
        n,
        r: None,
        p: None,
    };
    if n < 3 {
        return undefined;
    }
    let Some(r) = CentredSums::of(pairs).r() else {
        return undefined;
    };
    Correlation {
        n,
        r: Some(r),
        p: Some(correlation_p(r, (n - 2) as f64)),
    }
}

/// Lead–lag correlations of a perception series P and a KPI series K, both keyed by wave.
///
/// # Formula
///
/// ```text
/// r_k = corr( P[t], K[t + k] )   over every wave t where both P[t] and K[t + k] exist
/// ```
///
/// for k = 0..=`max_lag`, each a [`pearson`] correlation with its null rules. A positive k
/// means the perception leads: it is paired with the KPI k waves later. With six waves, k = 0..3
/// pairs 6, 5, 4 and 3 waves. A wave missing from either series only drops the pairs it is part
/// of.
///
/// `strongest_lag` is the k with the largest |r_k| among the defined ones. It is descriptive:
/// with 3 to 6 waves per lag, the p of each lag matters more than which lag wins.
pub fn lead_lag(
    perception: &BTreeMap<u32, f64>,
    kpi: &BTreeMap<u32, f64>,
    max_lag: u32,
) -> LeadLag {
    let lags: Vec<Lag> = (0..=max_lag)
        .map(|k| {
            let (mut perception_waves, mut kpi_waves, mut pairs) = (vec![], vec![], vec![]);
            for (&t, &p) in perception {
                let Some(later) = t.checked_add(k) else {
                    continue;
                };
                if let Some(&value) = kpi.get(&later) {
                    perception_waves.push(t);
                    kpi_waves.push(later);
                    pairs.push((p, value));
                }
            }
            let correlation = pearson(&pairs);
            Lag {
                k,
                n: correlation.n,
                perception_waves,
                kpi_waves,
                r: correlation.r,
                p: correlation.p,
            }
        })
        .collect();
    let mut strongest: Option<(u32, f64)> = None;
    for lag in &lags {
        if let Some(r) = lag.r {
            if strongest.is_none_or(|(_, best)| r.abs() > best) {
                strongest = Some((lag.k, r.abs()));
            }
        }
    }
    LeadLag {
        lags,
        strongest_lag: strongest.map(|(k, _)| k),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn series(values: &[(u32, f64)]) -> BTreeMap<u32, f64> {
        values.iter().copied().collect()
    }

    #[test]
    fn perfectly_related_series_have_r_one_and_p_zero() {
        let c = pearson(&[(1.0, 10.0), (2.0, 20.0), (3.0, 30.0)]);
        assert_eq!((c.n, c.r, c.p), (3, Some(1.0), Some(0.0)));
    }

    #[test]
    fn fewer_than_three_pairs_or_a_constant_series_give_no_r() {
        assert_eq!(pearson(&[(1.0, 2.0), (2.0, 3.0)]).r, None);
        assert_eq!(pearson(&[(1.0, 2.0), (2.0, 2.0), (3.0, 2.0)]).r, None);
    }

    #[test]
    fn pearson_p_matches_scipy_with_one_degree_of_freedom() {
        let c = pearson(&[
            (3.6923076923076925, 96.92),
            (3.6833333333333336, 96.18),
            (3.520833333333333, 94.2),
        ]);
        assert!((c.r.unwrap() - 0.9759578481545774).abs() < 1e-12);
        assert!((c.p.unwrap() - 0.13988004521066166).abs() < 1e-12);
    }

    #[test]
    fn lags_pair_each_perception_wave_with_the_kpi_k_waves_later() {
        let p = series(&[(1, 3.0), (2, 2.0), (3, 4.0), (4, 1.0), (5, 5.0)]);
        let k = series(&[(2, 1.0), (3, 9.0), (4, 3.0), (5, 2.0), (6, 7.0)]);
        let table = lead_lag(&p, &k, 3);
        assert_eq!(table.lags.len(), 4);
        assert_eq!(table.lags[0].perception_waves, vec![2, 3, 4, 5]);
        assert_eq!(table.lags[1].perception_waves, vec![1, 2, 3, 4, 5]);
        assert_eq!(table.lags[1].kpi_waves, vec![2, 3, 4, 5, 6]);
        assert_eq!(table.lags[3].kpi_waves, vec![4, 5, 6]);
        assert_eq!(table.lags[3].n, 3);
    }

    #[test]
    fn the_strongest_lag_has_the_largest_absolute_r() {
        let p = series(&[(1, 1.0), (2, 3.0), (3, 2.0), (4, 5.0), (5, 4.0)]);
        // K[t + 1] = −P[t]: perfect negative correlation at k = 1.
        let k = series(&[
            (1, 0.0),
            (2, -1.0),
            (3, -3.0),
            (4, -2.0),
            (5, -5.0),
            (6, -4.0),
        ]);
        let table = lead_lag(&p, &k, 2);
        assert_eq!(table.lags[1].r, Some(-1.0));
        assert_eq!(table.strongest_lag, Some(1));
    }

    #[test]
    fn no_defined_r_means_no_strongest_lag() {
        let p = series(&[(1, 1.0), (2, 2.0)]);
        assert_eq!(lead_lag(&p, &p, 1).strongest_lag, None);
    }
}
