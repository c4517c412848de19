//! The printable review pack for a quarterly meeting.

use super::*;

/// One change of a firm's dimension mean since the previous wave.
#[derive(Debug, Clone)]
pub struct ChangeRow {
    pub firm: String,
    pub dimension: String,
    pub from: String,
    pub to: String,
    pub diff: String,
    pub significance: String,
}

#[derive(Debug, Clone)]
pub struct GapRow {
    pub dimension: String,
    pub customer: String,
    pub supplier: String,
    pub gap: TableCell,
    pub significance: String,
    pub effect: String,
}

#[derive(Debug, Clone)]
pub struct Review {
    pub wave: i64,
    pub previous: Option<i64>,
    pub closed_on: String,
    pub health: Option<HealthView>,
    pub changes: Vec<ChangeRow>,
    pub gaps: Vec<GapRow>,
    /// Each firm's guess of the other's answers (templates with meta items; both firms only).
    pub meta: Vec<MetaRow>,
    pub agreement: Vec<(String, Vec<AgreementView>)>,
    /// Both firms together, per dimension (empty for a one-firm pack).
    pub joint: Vec<(String, String)>,
    /// The lead–lag verdicts, one sentence per KPI (the dashboard's reading).
    pub leads: Vec<String>,
    pub rates: RatesView,
    pub dimensions: Vec<DimensionView>,
    pub questions: Vec<String>,
    pub waves: Vec<i64>,
    /// The scale the means are on, in words ("the 4-point scale from 1 = Never to 4 = Always").
    pub scale: String,
}

/// The review pack for `wave`; `None` when the report has no such closed wave.
pub fn review(
    report: &Report,
    labels: &Labels,
    visibility: Visibility,
    wave: i64,
) -> Result<Option<Review>, askama::Error> {
    let Some(info) = report.waves.iter().find(|w| w.wave == wave) else {
        return Ok(None);
    };
    let sides = sides(visibility);
    let dims = dimension_ids(report);
    let previous = report
        .waves
        .iter()
        .rev()
        .find(|w| w.wave < wave)
        .map(|w| w.wave);
    let mut questions = Vec::new();

    let mut changes = Vec::new();
    for d in &dims {
        let name = labels.dimension(d);
        for &side in &sides {
            let Some(t) = report
                .trend
                .iter()
                .find(|t| t.side == side && t.kind == "dimension" && &t.target == d)
            else {
                continue;
            };
            let Some(c) = t.changes.iter().find(|c| c.to_wave == wave) else {
                continue;
            };
            let sig = c.welch_p.is_some_and(|p| p < SIGNIFICANCE_LEVEL);
            let upto: Vec<(f64, f64)> = t
                .x_waves
                .iter()
                .zip(&t.y_means)
                .filter(|(w, _)| **w <= wave)
                .map(|(w, m)| (*w as f64, *m))
                .collect();
            let fit = crate::stats::linear_trend(&upto);
            if let (false, Some(slope), Some(p)) = (sig, fit.slope, fit.p) {
                if p < SIGNIFICANCE_LEVEL && slope < 0.0 {
                    questions.push(en_with(
                        "review-q-falling",
                        &[
                            ("dimension", &name),
                            ("firm", &firm(report, side)),
                            ("slope", &fixed(slope.abs(), 2)),
                            ("waves", &upto.len()),
                            ("p", &p_value(Some(p))),
                        ],
                    ));
                }
            }
            if let (true, Some(diff)) = (sig, c.mean_diff) {
                let key = if diff < 0.0 {
                    "review-q-fell"
                } else {
                    "review-q-rose"
                };
                questions.push(en_with(
                    key,
                    &[
                        ("dimension", &name),
                        ("firm", &firm(report, side)),
                        ("diff", &fixed(diff.abs(), 2)),
                        ("wave", &c.from_wave),
                        ("from", &opt(c.mean_from, 2)),
                        ("to", &opt(c.mean_to, 2)),
                    ],
                ));
            }
            changes.push(ChangeRow {
                firm: firm(report, side).to_owned(),
                dimension: name.clone(),
                from: en2(
                    "review-from-wave",
                    "mean",
                    opt(c.mean_from, 2),
                    "wave",
                    c.from_wave,
                ),
                to: opt(c.mean_to, 2),
                diff: c.mean_diff.map_or_else(|| "–".into(), |v| signed(v, 2)),
                significance: en2(
                    "dash-significance-p",
                    "significance",
                    c.significance.unwrap_or("–"),
                    "p",
                    p_value(c.welch_p),
                ),
            });
        }
    }

    let mut gaps = Vec::new();
    for d in &dims {
        let Some(r) = inter_firm(report, wave, d) else {
            continue;
        };
        let name = labels.dimension(d);
        let (gap, customer, supplier, significance, effect) = match (&r.suppressed, &r.comparison) {
            (Some(reason), _) => (
                TableCell::hidden(reason),
                String::new(),
                String::new(),
                String::new(),
                String::new(),
            ),
            (None, Some(c)) => (
                TableCell::value(opt(c.mean_diff, 2)),
                opt(c.mean_1, 2),
                opt(c.mean_2, 2),
                en2(
                    "dash-significance-p",
                    "significance",
                    r.significance.unwrap_or("–"),
                    "p",
                    p_value(c.welch_p),
                ),
                r.hedges_g_band
                    .map(|b| en2("review-effect", "band", b, "g", opt(c.hedges_g, 2)))
                    .unwrap_or_default(),
            ),
            (None, None) => (
                TableCell::value("–".into()),
                String::new(),
                String::new(),
                String::new(),
                String::new(),
            ),
        };
        if let (true, Some(c)) = (significant(r), &r.comparison) {
            if let Some(diff) = c.mean_diff {
                let (higher, lower) = if diff > 0.0 {
                    (&report.partnership.customer, &report.partnership.supplier)
                } else {
                    (&report.partnership.supplier, &report.partnership.customer)
                };
                questions.push(en_with(
                    "review-q-gap",
                    &[
                        ("higher", higher),
                        ("dimension", &name.to_lowercase()),
                        ("gap", &fixed(diff.abs(), 2)),
                        ("lower", lower),
                    ],
                ));
            }
        }
        gaps.push(GapRow {
            dimension: name,
            customer,
            supplier,
            gap,
            significance,
            effect,
        });
    }

    let mut agreement = Vec::new();
    for d in &dims {
        let name = labels.dimension(d);
        let mut per_side = Vec::new();
        for &side in &sides {
            let Some(rec) = whole(report, wave, side, d) else {
                continue;
            };
            let (text, band) = match (&rec.id.suppressed, &rec.stats) {
                (Some(reason), _) => (withheld(reason), String::new()),
                (None, Some(s)) => {
                    if let Some(r) = s.agreement.rwg_j.filter(|r| *r < LOW_AGREEMENT) {
                        questions.push(en_with(
                            "review-q-disagree",
                            &[
                                ("firm", &firm(report, side)),
                                ("dimension", &name.to_lowercase()),
                                ("rwg", &fixed(r, 2)),
                                ("band", &s.agreement_band.unwrap_or("")),
                            ],
                        ));
                    }
                    (
                        en1("dash-rwg-j", "value", opt(s.agreement.rwg_j, 2)),
                        match (s.agreement_band, s.beyond_chance) {
                            (Some(band), Some(beyond)) => en2(
                                "dash-band-chance",
                                "band",
                                band,
                                "chance",
                                chance_words(beyond),
                            ),
                            (band, _) => band.unwrap_or("–").to_owned(),
                        },
                    )
                }
                (None, None) => (en("dash-no-answers"), String::new()),
            };
            per_side.push(AgreementView {
                firm: firm(report, side).to_owned(),
                side: side.as_str(),
                text,
                band,
            });
        }
        agreement.push((name, per_side));
    }

    for &side in &sides {
        if let Some(r) = whole_group(report, wave, side).and_then(|g| g.response_rate) {
            if r < LOW_RESPONSE {
                questions.push(en2(
                    "review-q-low-response",
                    "rate",
                    pct(r),
                    "firm",
                    firm(report, side),
                ));
            }
        }
    }
    if questions.is_empty() {
        questions.push(en("review-q-none"));
    }
    if let Some(q) = &labels.review_question {
        questions.push(q.clone());
    }

    let dimensions = dims
        .iter()
        .map(|d| dimension_view(report, labels, &sides, d, wave))
        .collect::<Result<Vec<_>, _>>()?;
    let joint = if sides.len() == 2 {
        dims.iter()
            .map(|d| (labels.dimension(d), joint_words(report, d, wave)))
            .filter(|(_, words)| !words.is_empty())
            .collect()
    } else {
        Vec::new()
    };
    let leads = kpi_sentences(report, labels, &sides);
    let meta = meta_rows(report, wave);
    for r in report.meta_accuracy.iter().filter(|r| r.wave == wave) {
        let significant = r
            .accuracy
            .as_ref()
            .is_some_and(|a| a.welch_p < SIGNIFICANCE_LEVEL);
        if let (true, Some(words)) = (significant, &r.words) {
            questions.push(en1("review-q-meta", "words", words));
        }
    }

    let scale = &report.scale;
    let scale = en3(
        "review-scale-words",
        "points",
        scale.points,
        "lowest",
        scale.labels.first().map_or("", String::as_str),
        "highest",
        scale.labels.last().map_or("", String::as_str),
    );
    Ok(Some(Review {
        scale,
        joint,
        leads,
        wave,
        previous,
        closed_on: info
            .closed_at
            .map(|t| t.format("%-d %B %Y").to_string())
            .unwrap_or_default(),
        health: health_view(report, wave)?,
        changes,
        gaps,
        meta,
        agreement,
        rates: rates_view(report, &sides, wave)?,
        dimensions,
        questions,
        waves: waves(report),
    }))
}
