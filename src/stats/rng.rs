//! The one pseudo-random generator of `stats`: SplitMix64, for permutation tests and the
//! Monte Carlo critical values of rwg. Never seeded from the clock or the OS.
//!
//! Why not `rand`'s `StdRng`: its algorithm is documented as free to change between releases,
//! so a dependency upgrade could move a reported p-value or critical value. SplitMix64 is fixed
//! by its definition (Steele, Lea & Flood 2014, "Fast splittable pseudorandom number
//! generators", OOPSLA; the same constants as `java.util.SplittableRandom`), fits in ten lines,
//! passes BigCrush, and is reproduced bit for bit by `tests/fixtures/inference/reference.py`,
//! which is how the permutation p-values are checked exactly.

/// SplitMix64 state: a 64-bit counter advanced by the golden-ratio increment and mixed.
#[derive(Debug, Clone)]
pub(crate) struct SplitMix64 {
    state: u64,
}

impl SplitMix64 {
    pub(crate) fn new(seed: u64) -> Self {
        Self { state: seed }
    }

    /// The next 64 random bits.
    pub(crate) fn next_u64(&mut self) -> u64 {
        self.state = self.state.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.state;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }

    /// A value in `0..bound` by the multiply-high method (Lemire 2019): ⌊x · bound / 2⁶⁴⌋.
    /// Its bias is below bound/2⁶⁴, far under any Monte Carlo error here. `bound` must be > 0.
    pub(crate) fn below(&mut self, bound: u64) -> u64 {
        ((u128::from(self.next_u64()) * u128::from(bound)) >> 64) as u64
    }

    /// Shuffles `items` in place, Fisher–Yates (Durstenfeld): for i = len − 1 down to 1, swap
    /// item i with item `below(i + 1)`.
    pub(crate) fn shuffle<T>(&mut self, items: &mut [T]) {
        for i in (1..items.len()).rev() {
            let j = self.below(i as u64 + 1) as usize;
            items.swap(i, j);
        }
    }
}

/// Answers drawn uniformly from 1..=A (2 ≤ A ≤ 256) off one SplitMix64 stream, four per
/// 64-bit output.
///
/// Each output gives four 16-bit lanes, and each lane one answer by Lemire's nearly
/// divisionless method with rejection (2019): m = lane·A, accepted unless its low 16 bits
/// fall below (2¹⁶ − A) mod A, answer = (m >> 16) + 1. Every answer is exactly uniform; a lane
/// is rejected with probability below A/2¹⁶. Unused lanes are kept for the next draw, so
/// drawing n answers in several calls gives the same answers as in one.
#[derive(Debug, Clone)]
pub(crate) struct UniformAnswers {
    rng: SplitMix64,
    bits: u64,
    lanes: u32,
}

impl UniformAnswers {
    pub(crate) fn new(rng: SplitMix64) -> Self {
        Self {
            rng,
            bits: 0,
            lanes: 0,
        }
    }

    /// Σx and Σx² of the next `n` answers on `options` points.
    pub(crate) fn sums(&mut self, options: u64, n: u64) -> (u64, u64) {
        debug_assert!((2..=256).contains(&options));
        let threshold = (65_536 - options) % options;
        let (mut sum, mut sum_sq, mut left) = (0u64, 0u64, n);
        while left > 0 {
            if self.lanes == 0 {
                self.bits = self.rng.next_u64();
                self.lanes = 4;
            }
            let m = (self.bits & 0xFFFF) * options;
            self.bits >>= 16;
            self.lanes -= 1;
            if (m & 0xFFFF) < threshold {
                continue;
            }
            let answer = (m >> 16) + 1;
            sum += answer;
            sum_sq += answer * answer;
            left -= 1;
        }
        (sum, sum_sq)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn answer_sums_are_uniform_over_the_options() {
        // 5 options, 200,000 single answers: each count within 5 SD of 40,000.
        let mut rng = UniformAnswers::new(SplitMix64::new(7));
        let mut counts = [0u64; 5];
        for _ in 0..200_000 {
            let (sum, sum_sq) = rng.sums(5, 1);
            assert_eq!(sum * sum, sum_sq);
            counts[(sum - 1) as usize] += 1;
        }
        let sd = (200_000.0_f64 * 0.2 * 0.8).sqrt();
        for c in counts {
            assert!((c as f64 - 40_000.0).abs() < 5.0 * sd, "{counts:?}");
        }
        let (sum, sum_sq) = rng.sums(4, 1_001);
        assert!((1_001..=4_004).contains(&sum) && sum_sq >= sum);
        // in pieces or at once: the same answers
        let (mut a, mut b) = (
            UniformAnswers::new(SplitMix64::new(9)),
            UniformAnswers::new(SplitMix64::new(9)),
        );
        let (s1, q1) = a.sums(5, 3);
        let (s2, q2) = a.sums(5, 6);
        assert_eq!((s1 + s2, q1 + q2), b.sums(5, 9));
    }

    #[test]
    fn matches_the_published_splitmix64_sequence() {
        // The first outputs for seed 1234567 as published for the reference algorithm
        // (Rosetta Code, "Pseudo-random numbers/Splitmix64").
        let mut rng = SplitMix64::new(1_234_567);
        let expected = [
            6_457_827_717_110_365_317,
            3_203_168_211_198_807_973,
            9_817_491_932_198_370_423,
            4_593_380_528_125_082_431,
            16_408_922_859_458_223_821,
        ];
        for want in expected {
            assert_eq!(rng.next_u64(), want);
        }
    }

    #[test]
    fn below_stays_in_range_and_hits_every_value() {
        let mut rng = SplitMix64::new(7);
        let mut seen = [0u32; 5];
        for _ in 0..10_000 {
            seen[rng.below(5) as usize] += 1;
        }
        // Each of the five values should come up about 2,000 times (SD ≈ 40).
        assert!(
            seen.iter().all(|&c| (1_800..=2_200).contains(&c)),
            "{seen:?}"
        );
    }

    #[test]
    fn shuffle_is_a_permutation_and_depends_only_on_the_seed() {
        let mut a: Vec<u32> = (0..20).collect();
        let mut b = a.clone();
        SplitMix64::new(42).shuffle(&mut a);
        SplitMix64::new(42).shuffle(&mut b);
        assert_eq!(a, b);
        assert_ne!(a, (0..20).collect::<Vec<_>>());
        let mut sorted = a.clone();
        sorted.sort_unstable();
        assert_eq!(sorted, (0..20).collect::<Vec<_>>());
    }
}
