//! Holm's step-down adjustment of a family of p-values for multiple testing.

/// Holm–Bonferroni adjusted p-values (Holm 1979), exactly as statsmodels
/// `multipletests(p, method="holm")`.
///
/// # Formula
///
/// With the m defined p-values sorted ascending, p₍₁₎ ≤ … ≤ p₍ₘ₎:
///
/// ```text
/// p̃₍ᵢ₎ = min( 1, max_{j ≤ i} (m − j + 1)·p₍ⱼ₎ )
/// ```
///
/// each written back at the position its p came from. Rejecting every hypothesis whose p̃ is
/// below α controls the family-wise error rate at α under any dependence between the tests.
/// Tied p-values get the same adjusted value whatever order they are sorted in.
///
/// # Null rules
///
/// A `None` (a test that could not be computed) stays `None` and is not counted in m: it is
/// not a hypothesis that was tested.
///
/// # Reference
///
/// Holm, S. (1979). A simple sequentially rejective multiple test procedure. *Scandinavian
/// Journal of Statistics, 6*, 65–70.
///
/// # Examples
///
/// ```
/// use tandem::stats::holm;
///
/// let adjusted = holm(&[Some(0.01), None, Some(0.04), Some(0.03)]);
/// assert_eq!(adjusted, vec![Some(0.03), None, Some(0.06), Some(0.06)]);
/// ```
pub fn holm(p: &[Option<f64>]) -> Vec<Option<f64>> {
    let mut defined: Vec<(usize, f64)> = p
        .iter()
        .enumerate()
        .filter_map(|(i, p)| p.map(|p| (i, p)))
        .collect();
    // Stable sort on the value: the result does not depend on it for ties (see above), but the
    // order of the loop must be fixed for the output to be bit-identical across runs.
    defined.sort_by(|a, b| a.1.total_cmp(&b.1));
    let m = defined.len();
    let mut adjusted = vec![None; p.len()];
    let mut running_max = 0.0_f64;
    for (rank, &(position, value)) in defined.iter().enumerate() {
        running_max = running_max.max((m - rank) as f64 * value);
        adjusted[position] = Some(running_max.min(1.0));
    }
    adjusted
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_single_p_is_unchanged() {
        assert_eq!(holm(&[Some(0.2)]), vec![Some(0.2)]);
    }

    #[test]
    fn adjusted_values_are_capped_at_one() {
        assert_eq!(holm(&[Some(0.6), Some(0.7)]), vec![Some(1.0), Some(1.0)]);
    }

    #[test]
    fn the_running_maximum_keeps_adjusted_values_in_the_order_of_the_raw_ones() {
        // 4·0.01 = 0.04, 3·0.02 = 0.06, 2·0.025 = 0.05 → 0.06, 1·0.5 = 0.5.
        let adjusted = holm(&[Some(0.5), Some(0.025), Some(0.01), Some(0.02)]);
        assert_eq!(
            adjusted,
            vec![Some(0.5), Some(0.06), Some(0.04), Some(0.06)]
        );
    }

    #[test]
    fn none_stays_none_and_is_not_counted() {
        assert_eq!(
            holm(&[None, Some(0.02), None, Some(0.04)]),
            vec![None, Some(0.04), None, Some(0.04)]
        );
        assert_eq!(holm(&[None, None]), vec![None, None]);
        assert!(holm(&[]).is_empty());
    }

    #[test]
    fn ties_get_the_same_adjusted_value() {
        assert_eq!(
            holm(&[Some(0.01), Some(0.01), Some(0.3)]),
            vec![Some(0.03), Some(0.03), Some(0.3)]
        );
    }

    #[test]
    fn adjusted_p_is_never_below_the_raw_p() {
        let raw: Vec<Option<f64>> = (1..=12).map(|i| Some(f64::from(i * i) / 200.0)).collect();
        for (r, a) in raw.iter().zip(holm(&raw)) {
            assert!(a.unwrap() >= r.unwrap());
        }
    }
}
