//! Pure statistics for Tandem's perception reports: descriptives, within-group agreement
//! (rwg, rwg(j), AD_M, awg), between-firm and wave-over-wave comparisons, ICC(1)/ICC(2) across
//! levels, wave trends, perception–KPI lead–lag correlations and the words used to read them.
//!
//! Everything here works on compact sufficient statistics, never on raw answers: an
//! [`ItemHistogram`] per item and group, or a [`ValueCounts`] (a weighted sample, typically built
//! from the histogram of respondent sums for a dimension). The report builder stores those
//! aggregates and calls these functions; no value here needs an individual answer back.
//!
//! This module must never do I/O, touch the database, log, read the clock or import anything
//! else of the crate. Every function is deterministic and does not depend on the order in which
//! answers were counted. An undefined statistic is `None` (serialized as `null`), never NaN or
//! ±∞; the null rules are those of `shared/fixtures/alignment/README.md`, which also holds the
//! reference values `tests/stats_fixture.rs` checks every function against.
//!
//! Conventions: the scale is the five-point Likert scale 1..=5, don't-know is counted but never
//! enters a statistic, variances are sample variances (divisor n − 1) unless a doc says otherwise,
//! and confidence intervals are two-sided 95 % intervals written `[lower, upper]`.

mod agreement;
mod bands;
mod chance;
mod change_points;
mod compare;
mod correlation;
mod descriptives;
mod distribution;
mod holm;
mod icc;
mod joint;
mod lead_lag;
mod meta;
mod rng;
mod sample;
mod segments;
mod trend;
mod verdict;

pub use agreement::{ad_m, awg, dimension_agreement, rwg, DimensionAgreement};
pub use bands::{
    agreement_band, cliffs_delta_band, hedges_g_band, significance, AgreementBand, EffectSize,
    Significance, SIGNIFICANCE_LEVEL,
};
pub use chance::{
    beyond_chance, precompute_critical_values, rwg_crit95, rwg_j_crit95, BEYOND_CHANCE_MARGIN,
    CHANCE_QUANTILE, CHANCE_REPLICATES, CHANCE_SEED,
};
pub use change_points::{change_points, ChangePoints, Segment, MIN_SEGMENT, MIN_WAVES};
pub use compare::{compare, wave_change, welch_from_summaries, Comparison, WelchTest};
pub use correlation::{lead_lag, pearson, Correlation, Lag, LeadLag};
pub use descriptives::{describe_item, describe_sample, ItemSummary, SampleSummary};
pub use holm::holm;
pub use icc::{icc, Icc};
pub use joint::{joint_alignment, DimensionScores, JointAlignment};
pub use lead_lag::{
    first_difference_lead_lag, holm_across, pooled_lead_lag, DifferenceLag, DifferenceLeadLag,
    PartnershipSeries, PooledLag, PooledLeadLag, FIRST_DIFFERENCES, MAX_EXACT_PERMUTATION_COUNT,
    MAX_LAG, MIN_PAIRS, PERMUTATION_SEED, POOLED_FIRST_DIFFERENCES, RANDOM_PERMUTATIONS,
};
pub use meta::{meta_accuracy, MetaAccuracy};
pub use sample::{ItemHistogram, ValueCounts, DEFAULT_POINTS, MAX_POINTS, MIN_POINTS, SCALE_MIN};
pub use segments::{segment_differences, SegmentDifferences};
pub use trend::{linear_trend, Trend};
#[cfg(test)]
pub(crate) use verdict::tests::table as lead_lag_test_table;
pub use verdict::{lead_lag_verdict, LeadFinding, LeadLagVerdict, NoEvidenceReason};

#[cfg(test)]
mod scale_reference_tests;
