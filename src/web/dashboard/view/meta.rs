//! Meta-accuracy rows, shown beside the between-firm gap on the dashboard and in the review
//! pack: how well each firm guesses how the other firm answers an item. Both firms combined,
//! so the rows are empty for a one-side viewer (the restricted report has no such section).

use super::*;

/// One firm's guess of the other firm's answers to one item, in one wave.
#[derive(Debug, Clone)]
pub struct MetaRow {
    pub item_id: String,
    pub item: String,
    /// The guessing firm.
    pub firm: String,
    /// The firm whose answers are guessed.
    pub other: String,
    pub guess: String,
    pub actual: String,
    /// guess − actual, or why withheld.
    pub error: TableCell,
    pub significance: String,
    pub words: String,
}

/// The rows of `wave`, in report order (template order of the items, customer first).
pub fn meta_rows(report: &Report, wave: i64) -> Vec<MetaRow> {
    report
        .meta_accuracy
        .iter()
        .filter(|r| r.wave == wave)
        .map(|r| {
            let base = MetaRow {
                item_id: r.item.clone(),
                item: capitalize(&humanize(&r.item)),
                firm: firm(report, r.side).to_owned(),
                other: firm(report, r.side.partner()).to_owned(),
                guess: String::new(),
                actual: String::new(),
                error: TableCell::value("–".into()),
                significance: String::new(),
                words: String::new(),
            };
            match (&r.suppressed, &r.accuracy) {
                (Some(reason), _) => MetaRow {
                    error: TableCell::hidden(reason),
                    ..base
                },
                (None, Some(a)) => MetaRow {
                    guess: en2(
                        "dash-mean-n",
                        "mean",
                        fixed(a.guess_mean, 2),
                        "n",
                        a.guess_n,
                    ),
                    actual: en2(
                        "dash-mean-n",
                        "mean",
                        fixed(a.actual_mean, 2),
                        "n",
                        a.actual_n,
                    ),
                    error: TableCell::value(signed(a.meta_error, 2)),
                    significance: en_with(
                        "dash-meta-significance",
                        &[
                            ("significance", &r.significance.unwrap_or("–")),
                            ("p", &p_value(Some(a.welch_p))),
                            ("t", &fixed(a.welch_t, 2)),
                            ("df", &fixed(a.welch_df, 1)),
                        ],
                    ),
                    words: r.words.clone().unwrap_or_default(),
                    ..base
                },
                (None, None) => MetaRow {
                    words: en("dash-meta-no-test"),
                    ..base
                },
            }
        })
        .collect()
}
