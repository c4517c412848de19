//! The database half of the report: the partnership, its closed waves, their stored aggregates and the KPIs aligned to waves.

use super::*;
use crate::i18n::{en1, en2, en_with};

/// Loads the aggregates and KPIs of a partnership and assembles its report.
pub fn build(
    conn: &mut Conn,
    partnership_id: i64,
    options: &ReportOptions,
) -> Result<Report, ServiceError> {
    let input = load(conn, partnership_id, options)?;
    Ok(assemble(&input))
}

/// The database half of [`build`].
pub fn load(
    conn: &mut Conn,
    partnership_id: i64,
    options: &ReportOptions,
) -> Result<ReportInput, ServiceError> {
    let p = crate::db::partnerships::require(conn, partnership_id)?;
    let names: HashMap<i64, String> =
        firms::get_many(conn, &[p.customer_firm_id, p.supplier_firm_id])?
            .into_iter()
            .map(|f| (f.id, f.name))
            .collect();
    // One series only: its waves, its template and scale (an unknown series is not found).
    let key = options
        .series
        .as_deref()
        .unwrap_or(crate::domain::MAIN_SERIES);
    let series = crate::db::series::find(conn, &p, key)?.ok_or_else(|| {
        ServiceError::NotFound(en2(
            "report-no-series",
            "partnership",
            partnership_id,
            "series",
            key,
        ))
    })?;
    let all_waves = waves::for_series(conn, partnership_id, series.id)?;
    let mut closed: Vec<&crate::db::models::Wave> =
        all_waves.iter().filter(|w| w.state == "closed").collect();
    if closed.is_empty() {
        return Err(ServiceError::Conflict(if series.is_main() {
            en1("report-no-closed-wave", "partnership", partnership_id)
        } else {
            en2(
                "report-series-no-closed-wave",
                "partnership",
                partnership_id,
                "series",
                key,
            )
        }));
    }
    if let Some(seq) = options.wave {
        match all_waves.iter().find(|w| w.seq == seq) {
            None => {
                let args: [(&str, &dyn std::fmt::Display); 3] = [
                    ("partnership", &partnership_id),
                    ("series", &key),
                    ("seq", &seq),
                ];
                return Err(ServiceError::NotFound(if series.is_main() {
                    en_with("report-no-wave", &args)
                } else {
                    en_with("report-series-no-wave", &args)
                }));
            }
            Some(w) if w.state != "closed" => {
                return Err(ServiceError::Conflict(en2(
                    "report-wave-not-closed",
                    "seq",
                    seq,
                    "state",
                    &w.state,
                )))
            }
            Some(_) => closed.retain(|w| w.seq <= seq),
        }
    }
    let latest = closed.last().expect("at least one closed wave");
    let version = template_versions::get(conn, latest.template_version_id)?;
    let template = SurveyTemplate::from_stored(&version.version, &version.body)
        .map_err(|e| ServiceError::Internal(anyhow::anyhow!("{e}")))?;
    let wave_ids: Vec<i64> = closed.iter().map(|w| w.id).collect();
    let mut kinds = vec![SegmentKind::All];
    kinds.extend(options.breakdowns());
    if options.segment.is_none() {
        for declared in crate::db::attributes::list(conn, partnership_id)? {
            if let Ok(kind) = SegmentKind::attribute(&declared.key) {
                kinds.push(kind);
            }
        }
    }
    let min = u64::try_from(p.min_reporting_size).unwrap_or(5);
    let groups = aggregate::load(conn, &wave_ids, &kinds, min)
        .map_err(|e| ServiceError::Internal(anyhow::Error::new(e)))?;
    let windows: Vec<WaveWindow> = all_waves
        .iter()
        .map(|w| WaveWindow {
            seq: w.seq,
            opens_on: w.opens_at.date(),
            closes_on: w.closes_at.date(),
        })
        .collect();
    let kpis = kpi::load_aligned(conn, partnership_id, &windows)?;
    let mut not_asked: HashMap<i64, HashSet<String>> = HashMap::new();
    let mut versions: HashMap<i64, HashSet<String>> = HashMap::new();
    for w in closed
        .iter()
        .filter(|w| w.template_version_id != latest.template_version_id)
    {
        if let std::collections::hash_map::Entry::Vacant(slot) =
            versions.entry(w.template_version_id)
        {
            let stored = template_versions::get(conn, w.template_version_id)?;
            let theirs = SurveyTemplate::from_stored(&stored.version, &stored.body)
                .map_err(|e| ServiceError::Internal(anyhow::anyhow!("{e}")))?;
            let targets: HashSet<String> = theirs
                .items()
                .iter()
                .map(|i| i.id().to_owned())
                .chain(theirs.dimensions().iter().map(|d| d.id().to_owned()))
                .collect();
            slot.insert(targets);
        }
        let theirs = &versions[&w.template_version_id];
        let missing: HashSet<String> = template
            .items()
            .iter()
            .map(|i| i.id())
            .chain(template.dimensions().iter().map(|d| d.id()))
            .filter(|id| !theirs.contains(*id))
            .map(str::to_owned)
            .collect();
        if !missing.is_empty() {
            not_asked.insert(w.seq, missing);
        }
    }
    let firm = |id: i64| names.get(&id).cloned().unwrap_or_default();
    Ok(ReportInput {
        scale: ReportScale::of(template.scale()),
        partnership: PartnershipInfo {
            id: p.id,
            name: p.name.clone(),
            customer: firm(p.customer_firm_id),
            supplier: firm(p.supplier_firm_id),
            min_reporting_size: min,
        },
        waves: closed.iter().map(|w| (w.seq, w.id, w.closed_at)).collect(),
        options: ReportOptions {
            series: Some(series.key.clone()),
            ..options.clone()
        },
        items: template
            .items()
            .iter()
            .map(|i| (i.id().to_owned(), i.dimension().to_owned()))
            .collect(),
        dimensions: template
            .dimensions()
            .iter()
            .map(|d| d.id().to_owned())
            .collect(),
        meta_pairs: template
            .meta_pairs()
            .iter()
            .map(|(item, meta)| (item.id().to_owned(), meta.id().to_owned()))
            .collect(),
        not_asked,
        groups,
        kpis,
    })
}
