//! Alignment of the two firms taken together: do the customer's and the supplier's people see a
//! dimension the same way?

use serde::Serialize;

use super::agreement::dimension_agreement;
use super::chance::rwg_j_crit95;
use super::icc::icc;
use super::sample::{ItemHistogram, Moments, ValueCounts};

/// One firm's answers to one dimension in one wave, as the report stores them.
#[derive(Debug, Clone, Copy)]
pub struct DimensionScores<'a> {
    /// Per item of the dimension (same order on both sides), the histogram over the
    /// listwise-complete respondents (`DimensionAggregate::listwise_histograms`).
    pub items: &'a [ItemHistogram],
    /// The same respondents' dimension means (`DimensionAggregate::means`).
    pub means: &'a ValueCounts,
}

/// Agreement and separation of the two firms on one dimension.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct JointAlignment {
    /// Listwise-complete respondents of the customer.
    pub n_customer: u64,
    /// Listwise-complete respondents of the supplier.
    pub n_supplier: u64,
    /// rwg(j) of both firms' respondents pooled into one group.
    pub rwg_j: Option<f64>,
    /// 95th percentile of rwg(j) under random answering for the pooled n and J.
    pub rwg_j_crit95: Option<f64>,
    /// rwg(j) > its critical value: the two firms together agree more than chance.
    pub beyond_chance: Option<bool>,
    /// ICC(1) with the two firms as the two groups: the share of variance that lies between
    /// the firms.
    pub icc1: Option<f64>,
    /// η² = SS_between / SS_total of the respondent dimension means, firms as groups.
    pub eta_squared: Option<f64>,
}

/// Joint alignment of the customer and the supplier on one dimension: agreement of everyone
/// pooled, and how much of the spread is the difference between the firms.
///
/// # Formula
///
/// With both firms' listwise-complete respondents pooled (their item histograms added):
///
/// ```text
/// rwg(j)        = rwg(j) of the pooled group            (dimension_agreement, James et al. 1984)
/// rwg_j_crit95  = rwg_j_crit95(n_c + n_s, J, A)         (Cohen et al. 2009)
/// beyond_chance = rwg(j) > rwg_j_crit95   (by more than 1e-9)
/// ICC(1)        = (MSB − MSW)/(MSB + (k − 1)·MSW),  k = N/2   (icc, Bliese 2000)
/// η²            = SS_between / (SS_between + SS_within)         (Cohen 1973)
///               SS_between = Σ_firms n_f (ȳ_f − ȳ)²,  SS_within = Σ_firms Σᵢ (y_fi − ȳ_f)²
/// ```
///
/// on the respondent dimension means y. High pooled rwg(j) with ICC(1) and η² near 0 is the
/// picture of an aligned partnership; a low pooled rwg(j) with high η² means each firm agrees
/// internally but the firms see the dimension differently.
///
/// # Null rules
///
/// * `rwg_j`, `rwg_j_crit95`, `beyond_chance`: the sides give different numbers of items or
///   none, or fewer than 2 pooled complete respondents.
/// * `icc1`: the rules of [`icc`](super::icc) (either firm without respondents, N ≤ 2, or every
///   mean equal).
/// * `eta_squared`: either firm without respondents, or every respondent mean equal
///   (SS_total = 0).
///
/// # References
///
/// James, Demaree & Wolf (1984); Bliese (2000); Cohen, Doveh & Nahum-Shani (2009), see the
/// functions named above. Cohen, J. (1973). Eta-squared and partial eta-squared in fixed factor
/// ANOVA designs. *Educational and Psychological Measurement, 33*, 107–112.
pub fn joint_alignment(
    customer: DimensionScores<'_>,
    supplier: DimensionScores<'_>,
) -> JointAlignment {
    let (n_customer, n_supplier) = (customer.means.n(), supplier.means.n());
    let pooled: Option<Vec<ItemHistogram>> =
        (customer.items.len() == supplier.items.len()).then(|| {
            customer
                .items
                .iter()
                .zip(supplier.items)
                .map(|(c, s)| {
                    let mut sum = *c;
                    sum.add(s);
                    sum
                })
                .collect()
        });
    let rwg_j = pooled.and_then(|items| dimension_agreement(&items).rwg_j);
    let rwg_j_crit95 = rwg_j.and_then(|_| {
        let items = u32::try_from(customer.items.len()).ok()?;
        let n = customer.items[0].n() + supplier.items[0].n();
        rwg_j_crit95(n, items, u32::from(customer.items[0].points()))
    });
    let beyond_chance = rwg_j
        .zip(rwg_j_crit95)
        .map(|(r, crit)| super::chance::beyond_chance(r, crit));
    JointAlignment {
        n_customer,
        n_supplier,
        rwg_j,
        rwg_j_crit95,
        beyond_chance,
        icc1: icc(&[customer.means.clone(), supplier.means.clone()]).icc1,
        eta_squared: eta_squared(&[customer.means, supplier.means]),
    }
}

/// SS_between / SS_total over groups; `None` when a group is empty or SS_total = 0.
pub(crate) fn eta_squared(groups: &[&ValueCounts]) -> Option<f64> {
    let moments: Vec<Moments> = groups
        .iter()
        .map(|g| Moments::of(g.bins()))
        .collect::<Option<_>>()?;
    let n: f64 = moments.iter().map(|m| m.n as f64).sum();
    let grand = moments.iter().map(|m| m.n as f64 * m.mean).sum::<f64>() / n;
    let between: f64 = moments
        .iter()
        .map(|m| m.n as f64 * (m.mean - grand).powi(2))
        .sum();
    let within: f64 = moments.iter().map(|m| m.sum_sq_dev).sum();
    let total = between + within;
    (total > 0.0).then(|| between / total)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::stats::sample::answered;

    /// Per-item histograms and dimension means of complete respondents' answer rows.
    fn scores(rows: &[[u8; 3]]) -> (Vec<ItemHistogram>, ValueCounts) {
        let items = (0..3)
            .map(|j| answered(&rows.iter().map(|r| r[j]).collect::<Vec<_>>()))
            .collect();
        let sums = rows
            .iter()
            .map(|r| (r.iter().map(|&v| u32::from(v)).sum::<u32>(), 1));
        (items, ValueCounts::from_sums(3, sums))
    }

    fn joint(customer: &[[u8; 3]], supplier: &[[u8; 3]]) -> JointAlignment {
        let (ci, cm) = scores(customer);
        let (si, sm) = scores(supplier);
        joint_alignment(
            DimensionScores {
                items: &ci,
                means: &cm,
            },
            DimensionScores {
                items: &si,
                means: &sm,
            },
        )
    }

    #[test]
    fn firms_that_agree_internally_but_differ_have_high_eta_squared() {
        let customer = [[5, 5, 4], [5, 4, 5], [4, 5, 5], [5, 5, 5]];
        let supplier = [[2, 1, 2], [1, 2, 2], [2, 2, 1], [1, 1, 2]];
        let j = joint(&customer, &supplier);
        assert!(j.eta_squared.unwrap() > 0.9);
        assert!(j.icc1.unwrap() > 0.9);
        assert_eq!(j.rwg_j, Some(0.0));
        assert_eq!(j.beyond_chance, Some(false));
        assert_eq!((j.n_customer, j.n_supplier), (4, 4));
    }

    #[test]
    fn firms_that_see_it_the_same_way_are_aligned_beyond_chance() {
        let both = [
            [4, 4, 4],
            [4, 5, 4],
            [5, 4, 4],
            [4, 4, 5],
            [4, 4, 4],
            [5, 5, 4],
        ];
        let j = joint(&both, &both);
        assert_eq!(j.eta_squared, Some(0.0));
        assert!(j.icc1.unwrap() < 0.0);
        assert!(j.rwg_j.unwrap() > 0.9 && j.rwg_j_crit95.unwrap() < 0.9);
        assert_eq!(j.beyond_chance, Some(true));
    }

    #[test]
    fn pooled_rwg_j_is_the_rwg_j_of_everyone_together() {
        let customer = [[4, 3, 4], [2, 3, 3], [5, 4, 4]];
        let supplier = [[3, 3, 2], [4, 4, 5]];
        let (all_items, _) = scores(&[customer.as_slice(), supplier.as_slice()].concat());
        assert_eq!(
            joint(&customer, &supplier).rwg_j,
            dimension_agreement(&all_items).rwg_j
        );
        assert_eq!(
            joint(&customer, &supplier).rwg_j_crit95,
            rwg_j_crit95(5, 3, 5)
        );
    }

    #[test]
    fn eta_squared_is_the_between_share_of_a_hand_computed_anova() {
        // {1, 2, 3} and {4, 5, 6}: SSB = 13.5, SSW = 4.
        let a = ValueCounts::from_sums(1, [(1, 1), (2, 1), (3, 1)]);
        let b = ValueCounts::from_sums(1, [(4, 1), (5, 1), (6, 1)]);
        assert_eq!(eta_squared(&[&a, &b]), Some(13.5 / 17.5));
    }

    #[test]
    fn an_empty_side_or_no_spread_leaves_the_separation_undefined() {
        let (ci, cm) = scores(&[[4, 4, 4], [3, 4, 5]]);
        let empty_items = vec![ItemHistogram::default(); 3];
        let empty = ValueCounts::default();
        let j = joint_alignment(
            DimensionScores {
                items: &ci,
                means: &cm,
            },
            DimensionScores {
                items: &empty_items,
                means: &empty,
            },
        );
        assert_eq!((j.icc1, j.eta_squared), (None, None));
        assert!(j.rwg_j.is_some());
        let flat = joint(&[[3, 3, 3], [3, 3, 3]], &[[3, 3, 3]]);
        assert_eq!(
            (flat.icc1, flat.eta_squared, flat.rwg_j),
            (None, None, Some(1.0))
        );
    }

    #[test]
    fn different_item_counts_give_no_pooled_agreement() {
        let (ci, cm) = scores(&[[4, 4, 4], [3, 4, 5]]);
        let (si, sm) = scores(&[[2, 4, 4], [3, 3, 5]]);
        let j = joint_alignment(
            DimensionScores {
                items: &ci,
                means: &cm,
            },
            DimensionScores {
                items: &si[..2],
                means: &sm,
            },
        );
        assert_eq!(
            (j.rwg_j, j.rwg_j_crit95, j.beyond_chance),
            (None, None, None)
        );
        assert!(j.eta_squared.is_some());
    }
}
