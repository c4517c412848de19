//! The pure half of the report: loaded aggregates in, the whole document out, confidentiality applied first.

use super::*;

/// Builds the document from loaded aggregates (pure).
pub fn assemble(input: &ReportInput) -> Report {
    let min = input.partnership.min_reporting_size;
    let mut per_wave: BTreeMap<i64, Vec<&GroupAggregate>> = BTreeMap::new();
    let seq_of: HashMap<i64, i64> = input.waves.iter().map(|(seq, id, _)| (*id, *seq)).collect();
    for g in &input.groups {
        if let Some(seq) = seq_of.get(&g.wave_id) {
            per_wave.entry(*seq).or_default().push(g);
        }
    }
    let targets: Vec<(TargetKind, &str)> = input
        .items
        .iter()
        .map(|(i, _)| (TargetKind::Item, i.as_str()))
        .chain(
            input
                .dimensions
                .iter()
                .map(|d| (TargetKind::Dimension, d.as_str())),
        )
        .collect();
    let first_dimension = input.items.len();
    let item_index: HashMap<&str, usize> = input
        .items
        .iter()
        .enumerate()
        .map(|(t, (i, _))| (i.as_str(), t))
        .collect();
    let waves: Vec<WaveGroups> = input
        .waves
        .iter()
        .map(|(seq, _, _)| {
            let groups = per_wave.remove(seq).unwrap_or_default();
            WaveGroups::new(*seq, groups, min, &targets)
        })
        .collect();
    let shown_waves: Vec<&WaveGroups> = waves
        .iter()
        .filter(|w| input.options.wave.is_none_or(|seq| w.seq == seq))
        .collect();
    let breakdowns = input.breakdowns();
    let mut kinds = vec![SegmentKind::All];
    kinds.extend(breakdowns.iter().copied());

    let mut report = Report {
        partnership: input.partnership.clone(),
        scale: input.scale.clone(),
        wave: input.options.wave,
        series: input
            .options
            .series
            .clone()
            .unwrap_or_else(|| crate::domain::MAIN_SERIES.to_owned()),
        breakdowns: breakdowns.iter().map(|k| k.as_str().to_owned()).collect(),
        waves: input
            .waves
            .iter()
            .map(|(seq, _, closed_at)| WaveInfo {
                wave: *seq,
                closed_at: *closed_at,
            })
            .collect(),
        groups: Vec::new(),
        response_rates: Vec::new(),
        items: Vec::new(),
        dimensions: Vec::new(),
        inter_firm: InterFirm::default(),
        meta_accuracy: Vec::new(),
        icc: Vec::new(),
        trend: Vec::new(),
        lead_lag: Vec::new(),
        change_points: Vec::new(),
        joint: Vec::new(),
        segment_tests: Vec::new(),
        health: Vec::new(),
    };
    let dimension_of: HashMap<&str, &str> = input
        .items
        .iter()
        .map(|(i, d)| (i.as_str(), d.as_str()))
        .collect();
    // A wave that did not ask an item or dimension (an earlier template version, or an
    // optional dimension the partnership had not opted in to) has no record of it: "withheld"
    // would say people were asked and too few answered.
    let asked = |seq: i64, target: &str| {
        !input
            .not_asked
            .get(&seq)
            .is_some_and(|targets| targets.contains(target))
    };

    for w in &shown_waves {
        for side in Side::BOTH {
            if let Some(g) = w.whole(side) {
                report.response_rates.push(ResponseRecord {
                    wave: w.seq,
                    side,
                    invited: g.invited,
                    responded: g.responded,
                    response_rate: (g.invited > 0).then(|| g.responded as f64 / g.invited as f64),
                });
            }
            for kind in &kinds {
                for (pos, g) in w.groups(side, *kind).iter().enumerate() {
                    let id = w.id(g);
                    let shown = id.suppressed.is_none();
                    let withheld = |t: usize| w.target_reason(side, *kind, pos, t);
                    for (t, (item, _)) in input.items.iter().enumerate() {
                        if !asked(w.seq, item) {
                            continue;
                        }
                        let reason = withheld(t);
                        let summary = reason.is_none().then(|| {
                            stats::describe_item(&item_histogram(g, item), input.scale.favourable)
                        });
                        report.items.push(ItemRecord {
                            // filled for the whole report at once, see `chance::fill`
                            beyond_chance: None,
                            rwg_crit95: None,
                            id: GroupId {
                                suppressed: reason.map(str::to_owned),
                                ..id.clone()
                            },
                            item: item.clone(),
                            dimension: dimension_of.get(item.as_str()).map(|d| (*d).to_owned()),
                            agreement: summary
                                .as_ref()
                                .and_then(|s| s.rwg)
                                .map(|r| en_static(agreement_band(r).words_key())),
                            stats: summary,
                        });
                    }
                    for (i, d) in input.dimensions.iter().enumerate() {
                        if !asked(w.seq, d) {
                            continue;
                        }
                        let reason = withheld(first_dimension + i);
                        let stats =
                            reason
                                .is_none()
                                .then(|| dimension(g, d))
                                .flatten()
                                .map(|agg| {
                                    // The pairwise block combines the group's item variances: it goes
                                    // with any of its items.
                                    let pairwise_withheld =
                                        agg.listwise.iter().find_map(|(item, _)| {
                                            item_index.get(item.as_str()).and_then(|&t| withheld(t))
                                        });
                                    dimension_stats(g, agg, pairwise_withheld)
                                });
                        report.dimensions.push(DimensionRecord {
                            id: GroupId {
                                suppressed: reason.map(str::to_owned),
                                ..id.clone()
                            },
                            dimension: d.clone(),
                            stats,
                        });
                    }
                    report.groups.push(GroupRecord {
                        invited: shown.then_some(g.invited),
                        responded: shown.then_some(g.responded),
                        response_rate: (shown && g.invited > 0)
                            .then(|| g.responded as f64 / g.invited as f64),
                        id,
                    });
                }
            }
            for &kind in &breakdowns {
                // no ICC or test across a breakdown this side has no groups of (a region
                // breakdown when the roster gives no regions)
                if kind == SegmentKind::LevelFunction || w.groups(side, kind).is_empty() {
                    continue;
                }
                for (t, &(target_kind, target)) in targets.iter().enumerate() {
                    if !asked(w.seq, target) {
                        continue;
                    }
                    report
                        .icc
                        .push(icc_record(w, side, kind, target_kind, target, t));
                }
                for (i, d) in input.dimensions.iter().enumerate() {
                    if !asked(w.seq, d) {
                        continue;
                    }
                    report.segment_tests.push(segment_test_record(
                        w,
                        side,
                        kind,
                        d,
                        first_dimension + i,
                    ));
                }
            }
        }
        for (t, &(target_kind, target)) in targets.iter().enumerate() {
            if !asked(w.seq, target) {
                continue;
            }
            let (customer, supplier) = (
                w.shown_whole_target(Side::Customer, t),
                w.shown_whole_target(Side::Supplier, t),
            );
            let comparison = customer.zip(supplier).map(|(c, s)| {
                stats::compare(
                    &sample(c, target_kind, target),
                    &sample(s, target_kind, target),
                )
            });
            let suppressed = if comparison.is_some() {
                None
            } else {
                w.whole_target_reason(Side::Customer, t, min)
                    .or_else(|| w.whole_target_reason(Side::Supplier, t, min))
            };
            report_inter_firm(
                &mut report.inter_firm,
                w.seq,
                target_kind,
                target,
                &dimension_of,
                suppressed,
                comparison,
            );
        }
        report
            .meta_accuracy
            .extend(super::meta::meta_records(w, input, &item_index, min));
        report
            .health
            .push(health(w, &input.dimensions, first_dimension, min));
    }

    for side in Side::BOTH {
        for (t, &(target_kind, target)) in targets.iter().enumerate() {
            report
                .trend
                .push(trend_record(&waves, side, target_kind, target, t));
        }
    }
    let critical =
        super::chance::precompute(&report, &shown_waves, &input.dimensions, first_dimension);
    super::chance::fill(&mut report, &critical);
    for w in &shown_waves {
        for (i, d) in input.dimensions.iter().enumerate() {
            if !asked(w.seq, d) {
                continue;
            }
            report
                .joint
                .push(joint_record(w, d, first_dimension + i, min));
        }
    }
    for side in Side::BOTH {
        for (i, d) in input.dimensions.iter().enumerate() {
            report
                .change_points
                .extend(change_point_record(&waves, side, d, first_dimension + i));
        }
    }
    for k in &input.kpis {
        for side in Side::BOTH {
            for (i, d) in input.dimensions.iter().enumerate() {
                report
                    .lead_lag
                    .push(lead_lag_record(&waves, k, side, d, first_dimension + i));
            }
        }
    }
    adjust_lead_lag(&mut report.lead_lag);
    report
}
