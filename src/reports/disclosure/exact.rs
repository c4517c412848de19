//! Exact span membership for 0/1 vectors: a reduced row echelon form kept in integer rows
//! (fraction-free elimination with gcd normalisation), and the search for the 0/1 vectors of
//! small total that the echelon form spans.
//!
//! Written by hand on purpose. The decision "this group can be recovered" must be exact, so
//! floating point (nalgebra, ndarray-linalg) is out; `num-rational` gives rationals but no
//! elimination, and the crates that do exact linear algebra over the rationals bring big
//! integers and a matrix library for what is, here, a few hundred lines over at most a few
//! dozen rows. Integer rows with `i128`, checked arithmetic and gcd normalisation suffice:
//! every entry of a normalised row is bounded by a minor of the 0/1 matrix of published
//! groups, and a k × k 0/1 minor is at most (k + 1)^((k + 1)/2) / 2^k (Hadamard), about 10^8
//! for k = 20 and 10^17 for k = 35, so the products formed during elimination stay inside
//! `i128` for any rank up to 35. Beyond that an overflow is reported, never wrapped.

/// An intermediate value left `i128`; the caller decides what to do (never guess).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) struct Overflow;

/// Why a search stopped without an answer.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum SearchError {
    Overflow,
    /// More sets of rows to try than the budget allows.
    Budget,
}

impl From<Overflow> for SearchError {
    fn from(_: Overflow) -> Self {
        SearchError::Overflow
    }
}

/// One row of the echelon form. Invariant: `values = Σ_s combination[s] × vector(s)`, where
/// `vector(s)` is the 0/1 vector inserted for slot `s`; the entry at `pivot` is positive and
/// every other row is zero there.
#[derive(Debug, Clone)]
struct Row {
    values: Vec<i128>,
    combination: Vec<i128>,
    pivot: usize,
}

/// The reduced row echelon form of the vectors inserted so far, over the rationals, each
/// row scaled to coprime integers.
#[derive(Debug, Clone)]
pub(super) struct Echelon {
    slots: usize,
    /// Sorted by pivot.
    rows: Vec<Row>,
}

fn gcd(mut a: i128, mut b: i128) -> i128 {
    a = a.abs();
    b = b.abs();
    while b != 0 {
        (a, b) = (b, a % b);
    }
    a
}

fn mul(a: i128, b: i128) -> Result<i128, Overflow> {
    a.checked_mul(b).ok_or(Overflow)
}

/// `a' × target − b' × by`, entrywise, with `a'/b'` the pivot ratio reduced by its gcd.
fn combine_into(target: &mut [i128], by: &[i128], a: i128, b: i128) -> Result<(), Overflow> {
    if a == 1 {
        // The usual case with 0/1 group vectors: no scaling, and `by` is mostly zeros.
        for (t, &u) in target.iter_mut().zip(by).filter(|(_, &u)| u != 0) {
            *t = t.checked_sub(mul(b, u)?).ok_or(Overflow)?;
        }
        return Ok(());
    }
    for (t, &u) in target.iter_mut().zip(by) {
        *t = mul(a, *t)?.checked_sub(mul(b, u)?).ok_or(Overflow)?;
    }
    Ok(())
}

/// Divides the row (both parts together, so the invariant holds) by the gcd of its entries.
fn normalise(values: &mut [i128], combination: &mut [i128]) {
    let mut g = 0;
    for &v in values.iter().chain(combination.iter()) {
        g = gcd(g, v);
        if g == 1 {
            return;
        }
    }
    if g > 1 {
        values
            .iter_mut()
            .chain(combination.iter_mut())
            .for_each(|v| *v /= g);
    }
}

/// Clears `target` at `by.pivot` using `by`.
fn eliminate(
    target_values: &mut [i128],
    target_combination: &mut [i128],
    by: &Row,
) -> Result<(), Overflow> {
    let b = target_values[by.pivot];
    if b == 0 {
        return Ok(());
    }
    let a = by.values[by.pivot];
    let g = gcd(a, b);
    let (a, b) = (a / g, b / g);
    combine_into(target_values, &by.values, a, b)?;
    combine_into(target_combination, &by.combination, a, b)?;
    normalise(target_values, target_combination);
    Ok(())
}

impl Echelon {
    /// An empty form for vectors of any width whose combinations are over `slots` slots.
    pub(super) fn new(slots: usize) -> Self {
        Self {
            slots,
            rows: Vec::new(),
        }
    }

    /// Adds `vector` as slot `slot`. Returns whether it raised the rank (a vector already in
    /// the span leaves the form unchanged, so the rows keep combinations of earlier slots).
    pub(super) fn insert(&mut self, slot: usize, vector: &[bool]) -> Result<bool, Overflow> {
        let mut values: Vec<i128> = vector.iter().map(|&b| i128::from(b)).collect();
        let mut combination = vec![0; self.slots];
        combination[slot] = 1;
        for basis in &self.rows {
            eliminate(&mut values, &mut combination, basis)?;
        }
        let Some(pivot) = values.iter().position(|&v| v != 0) else {
            return Ok(false);
        };
        if values[pivot] < 0 {
            values
                .iter_mut()
                .chain(combination.iter_mut())
                .for_each(|v| *v = -*v);
        }
        let row = Row {
            values,
            combination,
            pivot,
        };
        for basis in &mut self.rows {
            eliminate(&mut basis.values, &mut basis.combination, &row)?;
        }
        let at = self.rows.partition_point(|r| r.pivot < pivot);
        self.rows.insert(at, row);
        Ok(true)
    }

    /// Whether `vector` lies in the span of the inserted vectors.
    pub(super) fn contains(&self, vector: &[bool]) -> Result<bool, Overflow> {
        let mut values: Vec<i128> = vector.iter().map(|&b| i128::from(b)).collect();
        for basis in &self.rows {
            eliminate(&mut values, &mut [], basis)?;
        }
        Ok(values.iter().all(|&v| v == 0))
    }
}

/// A 0/1 vector in the span with a small total.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(super) struct Found {
    /// The columns where the vector is 1, ascending.
    pub(super) columns: Vec<usize>,
    /// Σ counts over `columns`.
    pub(super) count: u64,
    /// (slot, numerator, denominator > 0) in lowest terms, non-zero only, by slot.
    pub(super) combination: Vec<(usize, i128, i128)>,
    /// The basis rows it is the sum of (their positions among the searched rows): the order.
    rows: Vec<usize>,
}

/// What to look for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Want {
    /// Stop at the first vector found.
    First,
    /// Every vector.
    All,
}

/// Every 0/1 vector `x` in the span of `echelon` that is zero on the columns before
/// `first_small` and whose total `Σ x_c counts[c]` is between 1 and `limit`, in a fixed order
/// (fewest basis rows first, then by rows). Every count must be at least 1.
///
/// Why this is exhaustive: the rows whose pivot is at or after `first_small` span exactly the
/// vectors of the span that are zero before it (the columns before `first_small` come first
/// in the order, and the form is reduced). In a reduced form a vector of that subspace is
/// determined by its entries at those rows' pivots: `x = Σ_j (x_{p_j} / d_j) row_j`. So the
/// 0/1 vectors are among the `Σ_{j∈J} row_j / d_j` for the sets `J` of rows, and since each
/// pivot column carries a count of at least 1, a vector of total at most `limit` has at most
/// `limit` pivots set: at most `Σ_{k ≤ limit} C(d, k)` sets, d = the number of rows.
///
/// The depth-first search over `J` prunes a branch when no completion can work: for every
/// column, the sum so far plus the negative (positive) entries of the rows still to come
/// bound the final entry from below (above); if 0 and 1 both fall outside, or the columns
/// that can no longer be 0 already count more than `limit`, nothing below the branch is a
/// finding.
pub(super) fn search(
    echelon: &Echelon,
    counts: &[u64],
    first_small: usize,
    limit: u64,
    want: Want,
    budget: u64,
) -> Result<Vec<Found>, SearchError> {
    let rows: Vec<&Row> = echelon
        .rows
        .iter()
        .filter(|r| r.pivot >= first_small)
        .collect();
    let deepest = usize::try_from(limit).unwrap_or(usize::MAX).min(rows.len());
    if deepest == 0 {
        return Ok(Vec::new());
    }
    let width = counts.len();
    let mut common: i128 = 1;
    for row in &rows {
        let d = row.values[row.pivot];
        common = mul(common / gcd(common, d), d)?;
    }
    let multipliers: Vec<i128> = rows.iter().map(|r| common / r.values[r.pivot]).collect();
    let scaled = rows
        .iter()
        .zip(&multipliers)
        .map(|(r, &m)| r.values.iter().map(|&v| mul(m, v)).collect())
        .collect::<Result<Vec<Vec<i128>>, Overflow>>()?;
    let mut low = vec![vec![0i128; width]; rows.len() + 1];
    let mut high = vec![vec![0i128; width]; rows.len() + 1];
    for i in (0..rows.len()).rev() {
        for c in 0..width {
            let v = scaled[i][c];
            let add = |sum: i128, part: i128| sum.checked_add(part).ok_or(Overflow);
            low[i][c] = add(low[i + 1][c], v.min(0))?;
            high[i][c] = add(high[i + 1][c], v.max(0))?;
        }
    }
    let mut search = Search {
        rows,
        multipliers,
        scaled,
        low,
        high,
        common,
        counts,
        limit,
        want,
        budget,
        tried: 0,
        chosen: Vec::with_capacity(deepest),
        sums: vec![vec![0; width]; deepest + 1],
        found: Vec::new(),
        slots: echelon.slots,
    };
    match want {
        Want::First => {
            for size in 1..=deepest {
                if search.extend(0, Some(size))? {
                    break;
                }
            }
        }
        Want::All => {
            search.extend(0, None)?;
            search
                .found
                .sort_by(|a, b| (a.rows.len(), &a.rows).cmp(&(b.rows.len(), &b.rows)));
        }
    }
    Ok(search.found)
}

struct Search<'a> {
    rows: Vec<&'a Row>,
    /// `common / d_j` for each row.
    multipliers: Vec<i128>,
    /// Each row times its multiplier: pivot entries all equal `common`.
    scaled: Vec<Vec<i128>>,
    /// Per suffix of rows and column: the sum of the negative (positive) entries.
    low: Vec<Vec<i128>>,
    high: Vec<Vec<i128>>,
    common: i128,
    counts: &'a [u64],
    limit: u64,
    want: Want,
    budget: u64,
    tried: u64,
    chosen: Vec<usize>,
    /// `sums[k]` = Σ scaled rows of `chosen[..k]`.
    sums: Vec<Vec<i128>>,
    found: Vec<Found>,
    slots: usize,
}

impl Search<'_> {
    /// Tries the sets that extend `chosen` with rows from `start` on — of exactly `size`
    /// rows, or of any size when `None` — skipping sets whose pivot columns alone count more
    /// than `limit`. Returns whether to stop.
    fn extend(&mut self, start: usize, size: Option<usize>) -> Result<bool, SearchError> {
        let depth = self.chosen.len();
        let pivot_count: u64 = self
            .chosen
            .iter()
            .map(|&j| self.counts[self.rows[j].pivot])
            .sum();
        let deepest = self.sums.len() - 1;
        let room = size.map_or(1, |s| s - depth);
        for i in start..=self.rows.len().saturating_sub(room) {
            self.tried += 1;
            if self.tried > self.budget {
                return Err(SearchError::Budget);
            }
            if pivot_count.saturating_add(self.counts[self.rows[i].pivot]) > self.limit {
                continue;
            }
            let (done, next) = self.sums.split_at_mut(depth + 1);
            for ((n, &d), &v) in next[0].iter_mut().zip(&done[depth]).zip(&self.scaled[i]) {
                *n = d.checked_add(v).ok_or(Overflow)?;
            }
            self.chosen.push(i);
            let evaluate = size.is_none_or(|s| s == depth + 1);
            if evaluate {
                if let Some(found) = self.evaluate()? {
                    self.found.push(found);
                    if self.want == Want::First {
                        return Ok(true);
                    }
                }
            }
            let deeper = size.map_or(depth + 1 < deepest, |s| depth + 1 < s);
            if deeper && self.feasible(i + 1) && self.extend(i + 1, size)? {
                return Ok(true);
            }
            self.chosen.pop();
        }
        Ok(false)
    }

    /// Whether some rows from `rest` on could complete the current sum to a finding.
    fn feasible(&self, rest: usize) -> bool {
        let sum = &self.sums[self.chosen.len()];
        let mut forced: u64 = 0;
        for (c, &s) in sum.iter().enumerate() {
            let (Some(lo), Some(hi)) = (
                s.checked_add(self.low[rest][c]),
                s.checked_add(self.high[rest][c]),
            ) else {
                return true;
            };
            let zero = lo <= 0 && 0 <= hi;
            let one = lo <= self.common && self.common <= hi;
            if !zero {
                if !one {
                    return false;
                }
                forced += self.counts[c];
                if forced > self.limit {
                    return false;
                }
            }
        }
        true
    }

    /// The current sum, divided by `common`, if it is a 0/1 vector of total 1..=`limit`.
    fn evaluate(&self) -> Result<Option<Found>, Overflow> {
        let sum = &self.sums[self.chosen.len()];
        let mut columns = Vec::new();
        let mut count: u64 = 0;
        for (c, &v) in sum.iter().enumerate() {
            if v == self.common {
                columns.push(c);
                count = count.saturating_add(self.counts[c]);
                if count > self.limit {
                    return Ok(None);
                }
            } else if v != 0 {
                return Ok(None);
            }
        }
        if count == 0 {
            return Ok(None);
        }
        let mut combination = Vec::new();
        for s in 0..self.slots {
            let mut numerator: i128 = 0;
            for &j in &self.chosen {
                let term = mul(self.multipliers[j], self.rows[j].combination[s])?;
                numerator = numerator.checked_add(term).ok_or(Overflow)?;
            }
            if numerator != 0 {
                let g = gcd(numerator, self.common);
                combination.push((s, numerator / g, self.common / g));
            }
        }
        Ok(Some(Found {
            columns,
            count,
            combination,
            rows: self.chosen.clone(),
        }))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn echelon(vectors: &[&[u8]]) -> Echelon {
        let mut e = Echelon::new(vectors.len());
        for (s, v) in vectors.iter().enumerate() {
            let v: Vec<bool> = v.iter().map(|&b| b == 1).collect();
            e.insert(s, &v).unwrap();
        }
        e
    }

    fn bits(v: &[u8]) -> Vec<bool> {
        v.iter().map(|&b| b == 1).collect()
    }

    #[test]
    fn a_dependent_vector_does_not_raise_the_rank() {
        let mut e = Echelon::new(3);
        assert!(e.insert(0, &bits(&[1, 1, 0])).unwrap());
        assert!(e.insert(1, &bits(&[0, 0, 1])).unwrap());
        assert!(!e.insert(2, &bits(&[1, 1, 1])).unwrap());
        assert_eq!(e.rows.len(), 2);
    }

    #[test]
    fn membership_is_exact_where_floating_point_would_need_a_tolerance() {
        // (1,0,0,1) = (1,1,0,0) − (0,1,1,0) + (0,0,1,1); (1,0,0,0) is not in the span.
        let e = echelon(&[&[1, 1, 0, 0], &[0, 1, 1, 0], &[0, 0, 1, 1]]);
        assert!(e.contains(&bits(&[1, 0, 0, 1])).unwrap());
        assert!(!e.contains(&bits(&[1, 0, 0, 0])).unwrap());
    }

    #[test]
    fn every_row_keeps_its_combination_of_the_inserted_vectors() {
        let vectors: [&[u8]; 4] = [&[1, 1, 1, 0], &[0, 1, 0, 1], &[0, 0, 1, 1], &[1, 0, 1, 0]];
        let e = echelon(&vectors);
        for row in &e.rows {
            for (c, &value) in row.values.iter().enumerate() {
                let sum: i128 = vectors
                    .iter()
                    .zip(&row.combination)
                    .map(|(v, &k)| k * i128::from(v[c]))
                    .sum();
                assert_eq!(sum, value);
            }
        }
    }

    #[test]
    fn the_search_finds_a_vector_that_needs_a_fractional_combination() {
        // a+b, b+c, a+c span 2a = (a+b) − (b+c) + (a+c), so a = ½(…).
        let e = echelon(&[&[1, 1, 0], &[0, 1, 1], &[1, 0, 1]]);
        let found = search(&e, &[1, 1, 1], 0, 1, Want::All, 1_000).unwrap();
        assert_eq!(found.len(), 3);
        assert_eq!(found[0].columns, vec![0]);
        assert_eq!(found[0].combination, vec![(0, 1, 2), (1, -1, 2), (2, 1, 2)]);
    }

    #[test]
    fn the_budget_is_reported_not_ignored() {
        let e = echelon(&[&[1, 0, 0], &[0, 1, 0], &[0, 0, 1]]);
        assert_eq!(
            search(&e, &[1, 1, 1], 0, 3, Want::All, 2),
            Err(SearchError::Budget)
        );
    }
}
