//! One record of each report section: between-firm comparison, ICC, trend, lead–lag and the health index.

use super::*;
use crate::domain::humanize;
use crate::i18n::{en, en2};

pub(super) fn report_inter_firm(
    out: &mut InterFirm,
    wave: i64,
    kind: TargetKind,
    target: &str,
    dimension_of: &HashMap<&str, &str>,
    suppressed: Option<String>,
    comparison: Option<Comparison>,
) {
    let record = InterFirmRecord {
        wave,
        item: (kind == TargetKind::Item).then(|| target.to_owned()),
        dimension: match kind {
            TargetKind::Item => dimension_of.get(target).map(|d| (*d).to_owned()),
            TargetKind::Dimension => Some(target.to_owned()),
        },
        suppressed,
        significance: comparison
            .as_ref()
            .and_then(|c| c.welch_p)
            .map(|p| en_static(significance(p).words_key())),
        hedges_g_band: comparison
            .as_ref()
            .and_then(|c| c.hedges_g)
            .map(|g| en_static(hedges_g_band(g).words_key())),
        cliffs_delta_band: comparison
            .as_ref()
            .and_then(|c| c.cliffs_delta)
            .map(|d| en_static(cliffs_delta_band(d).words_key())),
        comparison,
    };
    match kind {
        TargetKind::Item => out.items.push(record),
        TargetKind::Dimension => out.dimensions.push(record),
    }
}

pub(super) fn icc_record(
    w: &WaveGroups,
    side: Side,
    grouping: SegmentKind,
    kind: TargetKind,
    target: &str,
    t: usize,
) -> IccRecord {
    let members: Vec<(usize, &&GroupAggregate)> = w
        .groups(side, grouping)
        .iter()
        .enumerate()
        .filter(|(_, g)| g.responded > 0)
        .collect();
    let hidden = members
        .iter()
        .find_map(|&(pos, _)| w.target_reason(side, grouping, pos, t));
    let groups: Vec<&&GroupAggregate> = members.iter().map(|&(_, g)| g).collect();
    let suppressed = hidden.map(|reason| {
        en2(
            "withheld-segment",
            "kind",
            grouping.as_str(),
            "reason",
            reason,
        )
    });
    let stats = suppressed.is_none().then(|| {
        let samples: Vec<ValueCounts> = groups
            .iter()
            .map(|g| sample(g, kind, target).into_owned())
            .collect();
        let r = stats::icc(&samples);
        IccStats {
            n: r.n,
            group_sizes: groups
                .iter()
                .zip(&r.group_sizes)
                .map(|(g, n)| (g.label.clone(), *n))
                .collect(),
            k: r.k,
            df_between: r.df_between,
            df_within: r.df_within,
            msb: r.msb,
            msw: r.msw,
            icc1: r.icc1,
            icc2: r.icc2,
        }
    });
    IccRecord {
        wave: w.seq,
        side,
        kind: kind.as_str(),
        target: target.to_owned(),
        grouping: grouping.as_str(),
        suppressed,
        stats,
    }
}

/// (wave, sample, mean) of the shown whole-side groups whose target is shown and has a mean.
pub(super) fn wave_samples(
    waves: &[WaveGroups],
    side: Side,
    kind: TargetKind,
    target: &str,
    t: usize,
) -> Vec<(i64, ValueCounts, f64)> {
    wave_summaries(waves, side, kind, target, t)
        .into_iter()
        .map(|(w, s, summary)| (w, s, summary.mean.unwrap_or(f64::NAN)))
        .collect()
}

/// [`wave_samples`] with each wave's whole summary (n, mean, SD).
fn wave_summaries(
    waves: &[WaveGroups],
    side: Side,
    kind: TargetKind,
    target: &str,
    t: usize,
) -> Vec<(i64, ValueCounts, stats::SampleSummary)> {
    waves
        .iter()
        .filter_map(|w| {
            let g = w.shown_whole_target(side, t)?;
            let s = sample(g, kind, target);
            let summary = stats::describe_sample(&s);
            summary.mean?;
            Some((w.seq, s.into_owned(), summary))
        })
        .collect()
}

pub(super) fn trend_record(
    waves: &[WaveGroups],
    side: Side,
    kind: TargetKind,
    target: &str,
    t: usize,
) -> TrendRecord {
    let points = wave_summaries(waves, side, kind, target, t);
    let mean = |s: &stats::SampleSummary| s.mean.unwrap_or(f64::NAN);
    let xy: Vec<(f64, f64)> = points
        .iter()
        .map(|(w, _, s)| (*w as f64, mean(s)))
        .collect();
    let changes = points
        .windows(2)
        .map(|pair| {
            let ((from, earlier, _), (to, later, _)) = (&pair[0], &pair[1]);
            let c = stats::wave_change(earlier, later);
            WaveChange {
                from_wave: *from,
                to_wave: *to,
                n_from: c.n_2,
                n_to: c.n_1,
                mean_from: c.mean_2,
                mean_to: c.mean_1,
                mean_diff: c.mean_diff,
                welch_t: c.welch_t,
                welch_df: c.welch_df,
                welch_p: c.welch_p,
                diff_ci95: c.diff_ci95,
                hedges_g: c.hedges_g,
                cliffs_delta: c.cliffs_delta,
                mwu_p: c.mwu_p,
                significance: c.welch_p.map(|p| en_static(significance(p).words_key())),
            }
        })
        .collect();
    TrendRecord {
        side,
        kind: kind.as_str(),
        target: target.to_owned(),
        x_waves: points.iter().map(|(w, _, _)| *w).collect(),
        y_means: points.iter().map(|(_, _, s)| mean(s)).collect(),
        y_n: points.iter().map(|(_, _, s)| s.n).collect(),
        y_sd: points.iter().map(|(_, _, s)| s.sd).collect(),
        fit: stats::linear_trend(&xy),
        changes,
    }
}

pub(super) fn lead_lag_record(
    waves: &[WaveGroups],
    k: &AlignedKpi,
    side: Side,
    dimension: &str,
    t: usize,
) -> LeadLagRecord {
    let perception: BTreeMap<u32, f64> =
        wave_samples(waves, side, TargetKind::Dimension, dimension, t)
            .into_iter()
            .filter_map(|(w, _, m)| Some((u32::try_from(w).ok()?, m)))
            .collect();
    let table = stats::first_difference_lead_lag(&perception, &k.by_wave);
    LeadLagRecord {
        verdict: verdict::lead_lag(
            &table,
            side.as_str(),
            &humanize(dimension),
            &humanize(&k.name),
        ),
        kpi: k.name.clone(),
        unit: k.unit.clone(),
        better: k.better.clone(),
        side,
        dimension: dimension.to_owned(),
        perception: Series {
            waves: perception.keys().copied().collect(),
            means: perception.values().copied().collect(),
        },
        kpi_values: KpiSeries {
            waves: k.by_wave.keys().copied().collect(),
            values: k.by_wave.values().copied().collect(),
        },
        table,
    }
}

/// The change points of a side's dimension over the shown waves; `None` below six waves.
pub(super) fn change_point_record(
    waves: &[WaveGroups],
    side: Side,
    dimension: &str,
    t: usize,
) -> Option<ChangePointRecord> {
    let series: BTreeMap<u32, f64> = wave_samples(waves, side, TargetKind::Dimension, dimension, t)
        .into_iter()
        .filter_map(|(w, _, m)| Some((u32::try_from(w).ok()?, m)))
        .collect();
    Some(ChangePointRecord {
        side,
        dimension: dimension.to_owned(),
        fit: stats::change_points(&series)?,
    })
}

/// Joint alignment of both whole sides on a dimension of one wave; withheld when either
/// side's dimension is.
pub(super) fn joint_record(w: &WaveGroups, dimension: &str, t: usize, min: u64) -> JointRecord {
    let dims = (
        w.shown_whole_target(Side::Customer, t)
            .and_then(|g| super::groups::dimension(g, dimension)),
        w.shown_whole_target(Side::Supplier, t)
            .and_then(|g| super::groups::dimension(g, dimension)),
    );
    let (Some(c), Some(s)) = dims else {
        let suppressed = w
            .whole_target_reason(Side::Customer, t, min)
            .or_else(|| w.whole_target_reason(Side::Supplier, t, min))
            .or_else(|| Some(en("withheld-no-complete-side")));
        return JointRecord {
            wave: w.seq,
            dimension: dimension.to_owned(),
            suppressed,
            n_customer: None,
            n_supplier: None,
            rwg_j: None,
            rwg_j_crit95: None,
            beyond_chance: None,
            icc1_firm: None,
            eta2_firm: None,
        };
    };
    let (ci, si) = (c.listwise_histograms(), s.listwise_histograms());
    let (cm, sm) = (c.means(), s.means());
    let j = stats::joint_alignment(
        stats::DimensionScores {
            items: &ci,
            means: cm,
        },
        stats::DimensionScores {
            items: &si,
            means: sm,
        },
    );
    JointRecord {
        wave: w.seq,
        dimension: dimension.to_owned(),
        suppressed: None,
        n_customer: Some(j.n_customer),
        n_supplier: Some(j.n_supplier),
        rwg_j: j.rwg_j,
        rwg_j_crit95: j.rwg_j_crit95,
        beyond_chance: j.beyond_chance,
        icc1_firm: j.icc1,
        eta2_firm: j.eta_squared,
    }
}

/// Welch's ANOVA and Kruskal–Wallis across the shown segments of one attribute.
pub(super) fn segment_test_record(
    w: &WaveGroups,
    side: Side,
    attribute: SegmentKind,
    dimension: &str,
    t: usize,
) -> SegmentTestRecord {
    let shown: Vec<(&str, std::borrow::Cow<'_, ValueCounts>)> = w
        .groups(side, attribute)
        .iter()
        .enumerate()
        .filter(|(pos, _)| w.target_reason(side, attribute, *pos, t).is_none())
        .map(|(_, g)| {
            (
                g.label.as_str(),
                sample(g, TargetKind::Dimension, dimension),
            )
        })
        .filter(|(_, s)| s.n() > 0)
        .collect();
    let samples: Vec<ValueCounts> = shown.iter().map(|(_, s)| (**s).clone()).collect();
    let d = stats::segment_differences(&samples);
    SegmentTestRecord {
        wave: w.seq,
        side,
        dimension: dimension.to_owned(),
        attribute: attribute.as_str(),
        segments: shown.iter().map(|(l, _)| (*l).to_owned()).collect(),
        k: d.groups,
        n: d.n,
        welch_f: d.welch_f,
        welch_df1: d.welch_df1,
        welch_df2: d.welch_df2,
        welch_p: d.welch_p,
        kruskal_h: d.kruskal_h,
        kruskal_p: d.kruskal_p,
        epsilon2: d.epsilon_squared,
        omega2: d.omega_squared,
    }
}

/// The 0–100 relationship health index of one wave (formula in `docs/statistics.md`).
///
/// A side's dimension withheld in that wave (too few complete answers) contributes no
/// component; `first_dimension` is the target index of `dimensions[0]`.
pub(super) fn health(
    w: &WaveGroups,
    dimensions: &[String],
    first_dimension: usize,
    min: u64,
) -> HealthRecord {
    let undefined = |suppressed: Option<String>| HealthRecord {
        wave: w.seq,
        suppressed,
        index: None,
        components: None,
    };
    let (Some(customer), Some(supplier)) =
        (w.shown_whole(Side::Customer), w.shown_whole(Side::Supplier))
    else {
        return undefined(Some(confidentiality::below_minimum(min)));
    };
    let (mut levels, mut agreements, mut gaps) = (Vec::new(), Vec::new(), Vec::new());
    for (i, d) in dimensions.iter().enumerate() {
        let mut means = Vec::new();
        for g in [customer, supplier] {
            if w.target_reason(g.side, SegmentKind::All, 0, first_dimension + i)
                .is_some()
            {
                continue;
            }
            let Some(agg) = dimension(g, d) else { continue };
            if let Some(m) = stats::describe_sample(agg.means()).mean {
                levels.push((m - 1.0) / 4.0);
                means.push(m);
            }
            if let Some(r) = stats::dimension_agreement(&agg.listwise_histograms()).rwg_j {
                agreements.push(r);
            }
        }
        if let [c, s] = means[..] {
            gaps.push((c - s).abs() / 4.0);
        }
    }
    let mean = |v: &[f64]| (!v.is_empty()).then(|| v.iter().sum::<f64>() / v.len() as f64);
    let (Some(level), Some(agreement), Some(gap)) = (mean(&levels), mean(&agreements), mean(&gaps))
    else {
        return undefined(None);
    };
    let [wl, wa, wg] = HEALTH_WEIGHTS;
    HealthRecord {
        wave: w.seq,
        suppressed: None,
        index: Some(100.0 * (wl * level + wa * agreement + wg * (1.0 - gap))),
        components: Some(HealthComponents {
            level,
            agreement,
            gap,
        }),
    }
}

/// Holm-adjusts every p of the report's lead–lag section as one family, then reads each
/// table's verdict from the adjusted values (a lead is claimed only if it survives all the
/// tests the report made).
pub(super) fn adjust_lead_lag(records: &mut [LeadLagRecord]) {
    let mut tables: Vec<DifferenceLeadLag> = records.iter().map(|r| r.table.clone()).collect();
    stats::holm_across(&mut tables);
    for (r, table) in records.iter_mut().zip(tables) {
        r.verdict = verdict::lead_lag(
            &table,
            r.side.as_str(),
            &humanize(&r.dimension),
            &humanize(&r.kpi),
        );
        r.table = table;
    }
}
