//! The meta-accuracy section: for each item with a meta item, how well each firm guesses how
//! the other firm answers it. It combines both firms' answers, so it is withheld whenever either
//! group is, and hidden from one-side viewers like the between-firm gap.

use super::*;
use crate::domain::humanize;
use crate::i18n::{en2, en3};

/// One firm's guess of the other firm's answers to one item, in one wave.
#[derive(Debug, Clone, Serialize)]
pub struct MetaAccuracyRecord {
    pub wave: i64,
    /// The perception item guessed about.
    pub item: String,
    /// The meta item the guessing firm answered.
    pub meta_item: String,
    /// The firm that guessed; the other firm's own answers are the reference.
    pub side: Side,
    /// Why withheld (either group is under the minimum or protected); `null` when shown.
    pub suppressed: Option<String>,
    /// `null` when withheld, or when Welch's test is undefined (fewer than 2 answers or no
    /// spread in either group).
    #[serde(flatten)]
    pub accuracy: Option<stats::MetaAccuracy>,
    /// Welch's test at 5 %, in words.
    pub significance: Option<&'static str>,
    /// What the numbers say, in a sentence.
    pub words: Option<String>,
}

/// The significance level of the report's words (the `blind_spot` rule has its own).
const ALPHA: f64 = 0.05;

/// The sentence of one shown record.
pub fn meta_words(
    guesser: &str,
    other: &str,
    item: &str,
    accuracy: &stats::MetaAccuracy,
    alpha: f64,
) -> String {
    let item = humanize(item);
    let id = if accuracy.welch_p >= alpha {
        "meta-reads-accurately"
    } else if accuracy.meta_error > 0.0 {
        "meta-believes-higher"
    } else {
        "meta-believes-lower"
    };
    en3(id, "guesser", guesser, "other", other, "item", item)
}

pub(super) fn meta_records(
    w: &WaveGroups,
    input: &ReportInput,
    item_index: &HashMap<&str, usize>,
    min: u64,
) -> Vec<MetaAccuracyRecord> {
    let mut out = Vec::new();
    for (item, meta_item) in &input.meta_pairs {
        let (Some(&ti), Some(&tm)) = (
            item_index.get(item.as_str()),
            item_index.get(meta_item.as_str()),
        ) else {
            continue;
        };
        for guesser in Side::BOTH {
            let other = guesser.partner();
            let guess = w.shown_whole_target(guesser, tm);
            let actual = w.shown_whole_target(other, ti);
            let (suppressed, accuracy) = match guess.zip(actual) {
                Some((g, a)) => (
                    None,
                    stats::meta_accuracy(
                        &stats::describe_sample(&sample(g, TargetKind::Item, meta_item)),
                        &stats::describe_sample(&sample(a, TargetKind::Item, item)),
                    ),
                ),
                None => (
                    w.whole_target_reason(guesser, tm, min)
                        .map(|r| en2("withheld-guesses", "side", guesser, "reason", r))
                        .or_else(|| {
                            w.whole_target_reason(other, ti, min)
                                .map(|r| en2("withheld-answers", "side", other, "reason", r))
                        })
                        .or_else(|| Some(confidentiality::below_minimum(min))),
                    None,
                ),
            };
            let name = |side: Side| match side {
                Side::Customer => input.partnership.customer.as_str(),
                Side::Supplier => input.partnership.supplier.as_str(),
            };
            out.push(MetaAccuracyRecord {
                wave: w.seq,
                item: item.clone(),
                meta_item: meta_item.clone(),
                side: guesser,
                suppressed,
                significance: accuracy
                    .as_ref()
                    .map(|a| en_static(significance(a.welch_p).words_key())),
                words: accuracy
                    .as_ref()
                    .map(|a| meta_words(name(guesser), name(other), item, a, ALPHA)),
                accuracy,
            });
        }
    }
    out
}
