//! The sufficient statistics a report is computed from, per (wave, side, segment): invited
//! and responded counts, one answer histogram per item, and per dimension the listwise item
//! histograms and the histogram of respondent sums.
//!
//! [`rebuild_wave`] recomputes one wave's aggregates from its raw answers in one transaction
//! (delete + insert); it runs when a historic import creates waves and when a wave closes.
//! [`load`] reads them back for the report builder. Nothing else in `reports` reads answers,
//! and nothing here computes a statistic: that is `stats`' job.
//!
//! Beside the groups it can publish, each side of a wave keeps the counts of its finest
//! cells (level × function × region × business unit × language, [`CellCounts`], on the
//! side's `All` group): never
//! published, they are what the linked-table protection (`reports::disclosure`) reasons over.

use std::collections::{BTreeMap, HashMap};

use diesel::prelude::*;

use crate::db::schema::{
    agg_dimension_items, agg_dimensions, agg_groups, agg_items, answers, invitations, people,
    responses, template_versions, waves,
};
use crate::db::Conn;
use crate::domain::{segment_key, Side};
use crate::stats::{self, ItemHistogram, ValueCounts};
use crate::survey_templates::SurveyTemplate;

#[path = "segment_kind.rs"]
mod segment_kind;
pub use segment_kind::{
    check_attribute_key, SegmentKind, CROSS_TAB_SEPARATOR, MAX_ATTRIBUTES, NO_REGION,
};

/// One dimension in one group.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct DimensionAggregate {
    /// Everyone in the group.
    pub n_respondents: u64,
    /// Respondents who answered every item of the dimension (listwise).
    pub n_complete: u64,
    /// Item id → histogram over the listwise-complete respondents, in template order.
    pub listwise: Vec<(String, ItemHistogram)>,
    /// Sum of a complete respondent's answers over the items → respondents, ascending.
    pub sums: BTreeMap<u32, u64>,
    /// [`Self::means`], made once: a report reads it for the record, the trend, the ICC,
    /// the segment tests, the joint alignment and the health index. Set nothing here; fill
    /// `listwise` and `sums` before the first call.
    pub means_once: std::sync::OnceLock<ValueCounts>,
}

impl DimensionAggregate {
    /// The complete respondents' dimension means as a weighted sample.
    pub fn means(&self) -> &ValueCounts {
        self.means_once.get_or_init(|| {
            let items = u32::try_from(self.listwise.len().max(1)).unwrap_or(u32::MAX);
            ValueCounts::from_sums(items, self.sums.iter().map(|(&s, &c)| (s, c)))
        })
    }

    pub fn listwise_histograms(&self) -> Vec<ItemHistogram> {
        self.listwise.iter().map(|(_, h)| *h).collect()
    }
}

/// How many people one finest cell (a level × function × region × business unit × language
/// combination of one side of a wave) holds for each measure a report publishes. Stored for
/// the disclosure control only: no page, export or API shows it. Cells stored before business
/// unit and language were kept read them as "" (not given): those waves have no such groups.
#[derive(Debug, Clone, Default, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct CellCounts {
    /// Case-folded segment keys (`domain::segment_key`); region "" when none is given.
    pub level: String,
    pub function: String,
    pub region: String,
    #[serde(default)]
    pub business_unit: String,
    #[serde(default)]
    pub language: String,
    /// Custom attribute key → case-folded value ("" when not given), for every custom
    /// attribute anyone of the wave has; absent from cells stored before custom attributes.
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub attributes: BTreeMap<String, String>,
    pub responded: u64,
    /// Answers on the scale (don't know excluded) per item, in template order.
    pub items: Vec<u64>,
    /// Listwise-complete respondents per dimension, in template order.
    pub dimensions: Vec<u64>,
}

/// Everything stored for one (wave, side, segment).
#[derive(Debug, Clone, PartialEq)]
pub struct GroupAggregate {
    pub wave_id: i64,
    pub side: Side,
    pub kind: SegmentKind,
    /// Case-folded key ("" for `All`).
    pub key: String,
    /// First spelling seen ("" for `All`; "level × function" for a cross-tab cell).
    pub label: String,
    pub invited: u64,
    pub responded: u64,
    /// Item id → answer histogram (everyone in the group who was asked), in template order.
    pub items: Vec<(String, ItemHistogram)>,
    /// Dimension id → aggregate, in template order.
    pub dimensions: Vec<(String, DimensionAggregate)>,
    /// The side's finest cells, sorted by key, on the `All` group only (empty elsewhere).
    /// [`load`] reads them only when [`Self::smallest_cell`] is below the bound it is given:
    /// otherwise no protection needs them.
    pub cells: Vec<CellCounts>,
    /// On the `All` group: the fewest people any cell holds for any measure, counting only
    /// cells that hold someone (`u64::MAX` when none does); `None` elsewhere, and for
    /// aggregates stored before cells were.
    pub smallest_cell: Option<u64>,
}

/// One invitation of a wave as the aggregation sees it: the segment it counts in (the
/// response's snapshot when there is a response, the person's current attributes otherwise)
/// and, when answered, item → answer (`None` = don't know).
#[derive(Debug, Clone)]
pub struct Invitee {
    pub side: Side,
    pub level: String,
    pub function: String,
    /// Empty when the roster gives none.
    pub region: String,
    /// Empty when the roster gives none.
    pub business_unit: String,
    /// A language code; empty when unknown (historic imports).
    pub language: String,
    /// Custom attribute key → value, for the attributes the person (or the response's
    /// snapshot) has a value of; a key left out is "not given".
    pub attributes: BTreeMap<String, String>,
    pub answers: Option<HashMap<String, Option<u8>>>,
}

/// Computes a wave's aggregates from its invitees (pure; `rebuild_wave` and the benchmark
/// generator both use it). Invitees are taken in the order given, which decides the
/// first-seen spelling of each segment.
pub fn compute(
    wave_id: i64,
    template: &SurveyTemplate,
    invitees: &[Invitee],
) -> Vec<GroupAggregate> {
    let mut order: Vec<(Side, SegmentKind, String)> = Vec::new();
    let mut groups: HashMap<(Side, SegmentKind, String), (String, Vec<&Invitee>)> = HashMap::new();
    for side in Side::BOTH {
        let key = (side, SegmentKind::All, String::new());
        groups.insert(key.clone(), (String::new(), Vec::new()));
        order.push(key);
    }
    // A region breakdown only when the roster gives someone a region: one segment "not
    // given" holding the whole side would repeat the side's numbers.
    let regions = invitees.iter().any(|i| !i.region.trim().is_empty());
    let business_units = invitees.iter().any(|i| !i.business_unit.trim().is_empty());
    // A language breakdown only when the wave was answered in more than one language: one
    // language would repeat the side's numbers. Responses stored before the language was
    // kept say none, so a wave from then never gets one.
    let languages = invitees
        .iter()
        .filter(|i| i.answers.is_some() && !i.language.trim().is_empty())
        .map(|i| segment_key(&i.language))
        .collect::<std::collections::BTreeSet<_>>()
        .len()
        > 1;
    let not_given = |raw: &str| {
        if raw.trim().is_empty() {
            NO_REGION.to_owned()
        } else {
            raw.to_owned()
        }
    };
    // A custom attribute's breakdown only when someone of the wave has a value of it, like
    // region.
    let attributes: Vec<SegmentKind> = attribute_keys(invitees)
        .into_iter()
        .filter_map(|key| SegmentKind::attribute(&key).ok())
        .collect();
    for invitee in invitees {
        let (level, function) = (segment_key(&invitee.level), segment_key(&invitee.function));
        let cells = [
            (SegmentKind::All, String::new(), String::new()),
            (SegmentKind::Level, level.clone(), invitee.level.clone()),
            (
                SegmentKind::Function,
                function.clone(),
                invitee.function.clone(),
            ),
            (
                SegmentKind::LevelFunction,
                format!("{level}{CROSS_TAB_SEPARATOR}{function}"),
                format!("{} × {}", invitee.level, invitee.function),
            ),
            (
                SegmentKind::Region,
                segment_key(&invitee.region),
                not_given(&invitee.region),
            ),
            (
                SegmentKind::BusinessUnit,
                segment_key(&invitee.business_unit),
                not_given(&invitee.business_unit),
            ),
            (
                SegmentKind::Language,
                segment_key(&invitee.language),
                not_given(&invitee.language),
            ),
        ];
        let custom = attributes.iter().map(|kind| {
            let raw = kind
                .attribute_key()
                .and_then(|k| invitee.attributes.get(k))
                .map(String::as_str)
                .unwrap_or("");
            (*kind, segment_key(raw), not_given(raw))
        });
        for (kind, key, label) in cells.into_iter().chain(custom) {
            let wanted = match kind {
                SegmentKind::Region => regions,
                SegmentKind::BusinessUnit => business_units,
                SegmentKind::Language => languages,
                _ => true,
            };
            if !wanted {
                continue;
            }
            let k = (invitee.side, kind, key);
            let entry = groups.entry(k.clone()).or_insert_with(|| {
                order.push(k);
                (label, Vec::new())
            });
            entry.1.push(invitee);
        }
    }
    let mut out: Vec<GroupAggregate> = order
        .into_iter()
        .map(|k| {
            let (label, members) = &groups[&k];
            let (side, kind, key) = k;
            aggregate_group(wave_id, template, side, kind, key, label.clone(), members)
        })
        .collect();
    for g in out.iter_mut().filter(|g| g.kind == SegmentKind::All) {
        g.cells = finest_cells(template, g.side, invitees);
        g.smallest_cell = Some(smallest(&g.cells));
    }
    out
}

#[path = "aggregate_cells.rs"]
mod cells;
pub use cells::smallest;
use cells::{attribute_keys, finest_cells};

/// The stored form of a side's cells (JSON); "" for a group without cells.
pub fn encode_cells(cells: &[CellCounts]) -> String {
    if cells.is_empty() {
        return String::new();
    }
    serde_json::to_string(cells).expect("cell counts serialise")
}

/// The inverse of [`encode_cells`].
pub fn decode_cells(text: &str) -> Result<Vec<CellCounts>, String> {
    if text.is_empty() {
        return Ok(Vec::new());
    }
    serde_json::from_str(text).map_err(|e| format!("malformed cell counts: {e}"))
}

fn aggregate_group(
    wave_id: i64,
    template: &SurveyTemplate,
    side: Side,
    kind: SegmentKind,
    key: String,
    label: String,
    members: &[&Invitee],
) -> GroupAggregate {
    let answered: Vec<&HashMap<String, Option<u8>>> =
        members.iter().filter_map(|m| m.answers.as_ref()).collect();
    let points = template.scale().points();
    let items = template
        .items()
        .iter()
        .map(|item| {
            let mut h = ItemHistogram::empty(points);
            for a in &answered {
                match a.get(item.id()) {
                    // A value off the wave's scale cannot be stored (validated on the way in).
                    Some(Some(v)) => {
                        h.record(*v);
                    }
                    Some(None) => h.dont_know += 1,
                    None => {}
                }
            }
            (item.id().to_owned(), h)
        })
        .collect();
    let dimensions = template
        .dimensions()
        .iter()
        .map(|dimension| {
            let ids: Vec<&str> = template
                .dimension_items(dimension.id())
                .iter()
                .map(|i| i.id())
                .collect();
            let mut agg = DimensionAggregate {
                n_respondents: answered.len() as u64,
                listwise: ids
                    .iter()
                    .map(|id| ((*id).to_owned(), ItemHistogram::empty(points)))
                    .collect(),
                ..DimensionAggregate::default()
            };
            for a in &answered {
                let values: Option<Vec<u8>> = ids
                    .iter()
                    .map(|id| a.get(*id).copied().flatten())
                    .map(|v| v.filter(|&v| (1..=points).contains(&v)))
                    .collect();
                let Some(values) = values else { continue };
                agg.n_complete += 1;
                for ((_, h), v) in agg.listwise.iter_mut().zip(&values) {
                    h.record(*v);
                }
                let sum: u32 = values.iter().map(|&v| u32::from(v)).sum();
                *agg.sums.entry(sum).or_default() += 1;
            }
            (dimension.id().to_owned(), agg)
        })
        .collect();
    GroupAggregate {
        wave_id,
        side,
        kind,
        key,
        label,
        invited: members.len() as u64,
        responded: answered.len() as u64,
        items,
        dimensions,
        cells: Vec::new(),
        smallest_cell: None,
    }
}

/// Why a wave's aggregates could not be rebuilt.
#[derive(Debug, thiserror::Error)]
pub enum AggregateError {
    #[error("there is no wave with id {0}")]
    NoSuchWave(i64),
    #[error("the template stored with wave {wave} cannot be read: {reason}")]
    Template { wave: i64, reason: String },
    #[error("stored aggregates are malformed: {0}")]
    Malformed(String),
    #[error(transparent)]
    Database(#[from] diesel::result::Error),
}

/// A database failure stays one; anything else means stored data cannot be read back,
/// which is never the user's fault.
impl From<AggregateError> for crate::error::ServiceError {
    fn from(e: AggregateError) -> Self {
        match e {
            AggregateError::Database(d) => crate::error::ServiceError::Database(d),
            other => crate::error::ServiceError::Internal(anyhow::Error::new(other)),
        }
    }
}

/// Recomputes one wave's aggregates from its raw answers, in one transaction, with the
/// template version the wave stored. Call it when a wave closes.
pub fn rebuild_wave(conn: &mut Conn, wave_id: i64) -> Result<(), AggregateError> {
    let version_id: Option<i64> = waves::table
        .find(wave_id)
        .select(waves::template_version_id)
        .first(conn)
        .optional()?;
    let version_id = version_id.ok_or(AggregateError::NoSuchWave(wave_id))?;
    let (version, body): (String, String) = template_versions::table
        .find(version_id)
        .select((template_versions::version, template_versions::body))
        .first(conn)?;
    let template =
        SurveyTemplate::from_stored(&version, &body).map_err(|e| AggregateError::Template {
            wave: wave_id,
            reason: e.to_string(),
        })?;
    rebuild_wave_with_template(conn, wave_id, &template)?;
    Ok(())
}

/// [`rebuild_wave`] when the caller already holds the wave's template (a historic import).
pub fn rebuild_wave_with_template(
    conn: &mut Conn,
    wave_id: i64,
    template: &SurveyTemplate,
) -> QueryResult<()> {
    conn.write_transaction(|conn| {
        let invitees = load_invitees(conn, wave_id)?;
        let groups = compute(wave_id, template, &invitees);
        delete_wave(conn, wave_id)?;
        store(conn, &groups)?;
        let partnership: i64 = waves::table
            .find(wave_id)
            .select(waves::partnership_id)
            .first(conn)?;
        crate::db::partnerships::bump_report_version(conn, partnership)
    })
}

/// (invitation, side, level, function, region, business unit, own language) of the person.
type PersonColumns = (i64, String, String, String, String, String, Option<String>);
/// (response, side, level, function, region, business unit, language) of the snapshot.
type SnapshotColumns = (
    Option<i64>,
    Option<String>,
    Option<String>,
    Option<String>,
    Option<String>,
    Option<String>,
    Option<String>,
);
type InviteeRow = (PersonColumns, SnapshotColumns);

/// The invitees of a wave: every invitation still linked (with its response, if any) in
/// invitation order, then the responses a closed wave unlinked from their invitations
/// (`db::responses::unlink_wave`), in response order, with their snapshots. An unlinked
/// invitation (`responded`) is counted through its response, never twice.
fn load_invitees(conn: &mut Conn, wave_id: i64) -> QueryResult<Vec<Invitee>> {
    let mut rows: Vec<InviteeRow> = invitations::table
        .inner_join(people::table)
        .left_join(responses::table)
        .filter(invitations::wave_id.eq(wave_id))
        .filter(
            invitations::responded
                .eq(false)
                .or(responses::id.is_not_null()),
        )
        .order(invitations::id.asc())
        .select((
            (
                invitations::id,
                people::side,
                people::level,
                people::function,
                people::region,
                people::business_unit,
                people::language,
            ),
            (
                responses::id.nullable(),
                responses::side.nullable(),
                responses::level.nullable(),
                responses::function.nullable(),
                responses::region.nullable(),
                responses::business_unit.nullable(),
                responses::language.nullable(),
            ),
        ))
        .load(conn)?;
    // An invitee who has not answered counts in the language they were invited in.
    let partnership: i64 = waves::table
        .find(wave_id)
        .select(waves::partnership_id)
        .first(conn)?;
    let default_language = crate::db::partnership_languages::get(conn, partnership)?
        .unwrap_or_else(|| "en".to_owned());
    type Unlinked = (i64, String, String, String, String, String, String);
    let unlinked: Vec<Unlinked> = responses::table
        .filter(responses::wave_id.eq(wave_id))
        .filter(responses::invitation_id.is_null())
        .order(responses::id.asc())
        .select((
            responses::id,
            responses::side,
            responses::level,
            responses::function,
            responses::region,
            responses::business_unit,
            responses::language,
        ))
        .load(conn)?;
    rows.extend(unlinked.into_iter().map(
        |(id, side, level, function, region, business_unit, language)| {
            (
                (
                    0,
                    side.clone(),
                    level.clone(),
                    function.clone(),
                    region.clone(),
                    business_unit.clone(),
                    Some(language.clone()),
                ),
                (
                    Some(id),
                    Some(side),
                    Some(level),
                    Some(function),
                    Some(region),
                    Some(business_unit),
                    Some(language),
                ),
            )
        },
    ));
    let mut custom = crate::db::attributes::wave_values(conn, wave_id)?;
    let answer_rows: Vec<(i64, String, Option<i64>)> = answers::table
        .inner_join(responses::table)
        .filter(responses::wave_id.eq(wave_id))
        .select((answers::response_id, answers::item_id, answers::value))
        .load(conn)?;
    let mut by_response: HashMap<i64, HashMap<String, Option<u8>>> = HashMap::new();
    for (response, item, value) in answer_rows {
        let value = value
            .and_then(|v| u8::try_from(v).ok())
            .filter(|v| (stats::SCALE_MIN..=stats::MAX_POINTS as u8).contains(v));
        by_response.entry(response).or_default().insert(item, value);
    }
    Ok(rows
        .into_iter()
        .filter_map(
            |(
                (invitation, p_side, p_level, p_function, p_region, p_business_unit, p_language),
                (response, r_side, r_level, r_function, r_region, r_business_unit, r_language),
            )| {
                let side = r_side.as_deref().unwrap_or(&p_side).parse::<Side>().ok()?;
                // The response's snapshot when there is a response (it may say "no
                // region"), the person's current attributes otherwise.
                let (region, business_unit, language) = match response {
                    Some(_) => (
                        r_region.unwrap_or_default(),
                        r_business_unit.unwrap_or_default(),
                        r_language.unwrap_or_default(),
                    ),
                    None => (
                        p_region,
                        p_business_unit,
                        p_language.unwrap_or_else(|| default_language.clone()),
                    ),
                };
                let attributes = match response {
                    Some(id) => custom.by_response.remove(&id),
                    None => custom.by_invitation.remove(&invitation),
                }
                .unwrap_or_default();
                Some(Invitee {
                    side,
                    attributes,
                    level: r_level.unwrap_or(p_level),
                    function: r_function.unwrap_or(p_function),
                    region,
                    business_unit,
                    language,
                    answers: response.map(|id| by_response.remove(&id).unwrap_or_default()),
                })
            },
        )
        .collect())
}

/// Removes a wave's aggregates.
pub fn delete_wave(conn: &mut Conn, wave_id: i64) -> QueryResult<()> {
    let groups = agg_groups::table
        .filter(agg_groups::wave_id.eq(wave_id))
        .select(agg_groups::id);
    let dimensions = agg_dimensions::table
        .filter(agg_dimensions::group_id.eq_any(groups))
        .select(agg_dimensions::id);
    diesel::delete(
        agg_dimension_items::table.filter(agg_dimension_items::dimension_agg_id.eq_any(dimensions)),
    )
    .execute(conn)?;
    diesel::delete(agg_dimensions::table.filter(agg_dimensions::group_id.eq_any(groups)))
        .execute(conn)?;
    diesel::delete(agg_items::table.filter(agg_items::group_id.eq_any(groups))).execute(conn)?;
    diesel::delete(agg_groups::table.filter(agg_groups::wave_id.eq(wave_id))).execute(conn)?;
    Ok(())
}

fn count(n: u64) -> i64 {
    i64::try_from(n).unwrap_or(i64::MAX)
}

/// Writes computed aggregates, one statement per row (multi-row inserts do not compile on
/// the multi-backend connection); callers run it inside their transaction.
pub fn store(conn: &mut Conn, groups: &[GroupAggregate]) -> QueryResult<()> {
    for g in groups {
        let group_id: i64 = diesel::insert_into(agg_groups::table)
            .values((
                agg_groups::wave_id.eq(g.wave_id),
                agg_groups::side.eq(g.side.as_str()),
                agg_groups::segment_kind.eq(g.kind.stored()),
                agg_groups::segment_key.eq(&g.key),
                agg_groups::segment_label.eq(&g.label),
                agg_groups::invited.eq(count(g.invited)),
                agg_groups::responded.eq(count(g.responded)),
                agg_groups::cell_counts.eq(encode_cells(&g.cells)),
                agg_groups::smallest_cell.eq(g.smallest_cell.map(count)),
            ))
            .returning(agg_groups::id)
            .get_result(conn)?;
        for (item, h) in &g.items {
            diesel::insert_into(agg_items::table)
                .values((
                    agg_items::group_id.eq(group_id),
                    agg_items::item_id.eq(item),
                    agg_items::points.eq(i64::from(h.points())),
                    agg_items::n1.eq(count(h.counts[0])),
                    agg_items::n2.eq(count(h.counts[1])),
                    agg_items::n3.eq(count(h.counts[2])),
                    agg_items::n4.eq(count(h.counts[3])),
                    agg_items::n5.eq(count(h.counts[4])),
                    agg_items::n6.eq(count(h.counts[5])),
                    agg_items::n7.eq(count(h.counts[6])),
                    agg_items::n8.eq(count(h.counts[7])),
                    agg_items::n9.eq(count(h.counts[8])),
                    agg_items::n10.eq(count(h.counts[9])),
                    agg_items::n11.eq(count(h.counts[10])),
                    agg_items::dont_know.eq(count(h.dont_know)),
                ))
                .execute(conn)?;
        }
        for (dimension, d) in &g.dimensions {
            let dimension_id: i64 = diesel::insert_into(agg_dimensions::table)
                .values((
                    agg_dimensions::group_id.eq(group_id),
                    agg_dimensions::dimension_id.eq(dimension),
                    agg_dimensions::n_items.eq(d.listwise.len() as i64),
                    agg_dimensions::n_respondents.eq(count(d.n_respondents)),
                    agg_dimensions::n_complete.eq(count(d.n_complete)),
                    agg_dimensions::sum_counts.eq(encode_sums(&d.sums)),
                ))
                .returning(agg_dimensions::id)
                .get_result(conn)?;
            for (item, h) in &d.listwise {
                diesel::insert_into(agg_dimension_items::table)
                    .values((
                        agg_dimension_items::dimension_agg_id.eq(dimension_id),
                        agg_dimension_items::item_id.eq(item),
                        agg_dimension_items::points.eq(i64::from(h.points())),
                        agg_dimension_items::n1.eq(count(h.counts[0])),
                        agg_dimension_items::n2.eq(count(h.counts[1])),
                        agg_dimension_items::n3.eq(count(h.counts[2])),
                        agg_dimension_items::n4.eq(count(h.counts[3])),
                        agg_dimension_items::n5.eq(count(h.counts[4])),
                        agg_dimension_items::n6.eq(count(h.counts[5])),
                        agg_dimension_items::n7.eq(count(h.counts[6])),
                        agg_dimension_items::n8.eq(count(h.counts[7])),
                        agg_dimension_items::n9.eq(count(h.counts[8])),
                        agg_dimension_items::n10.eq(count(h.counts[9])),
                        agg_dimension_items::n11.eq(count(h.counts[10])),
                    ))
                    .execute(conn)?;
            }
        }
    }
    Ok(())
}

/// `{7: 2, 9: 1}` → `"7:2 9:1"`.
pub fn encode_sums(sums: &BTreeMap<u32, u64>) -> String {
    sums.iter()
        .map(|(s, c)| format!("{s}:{c}"))
        .collect::<Vec<_>>()
        .join(" ")
}

/// The inverse of [`encode_sums`]; a malformed pair is an error (the column is written only
/// by [`store`]).
pub fn decode_sums(text: &str) -> Result<BTreeMap<u32, u64>, String> {
    text.split_whitespace()
        .map(|pair| {
            let (s, c) = pair
                .split_once(':')
                .ok_or_else(|| format!("malformed sum histogram entry {pair:?}"))?;
            let s = s.parse().map_err(|_| format!("malformed sum {s:?}"))?;
            let c = c.parse().map_err(|_| format!("malformed count {c:?}"))?;
            Ok((s, c))
        })
        .collect()
}

/// A stored histogram row; a row whose `points` is outside 2..=11 is malformed.
fn histogram(points: i64, n: [i64; 11], dont_know: i64) -> Result<ItemHistogram, AggregateError> {
    let c = |v: i64| u64::try_from(v).unwrap_or(0);
    let points = u8::try_from(points)
        .ok()
        .filter(|p| (stats::MIN_POINTS..=stats::MAX_POINTS as u8).contains(p))
        .ok_or_else(|| AggregateError::Malformed(format!("a scale of {points} points")))?;
    let counts: Vec<u64> = n[..usize::from(points)].iter().map(|&v| c(v)).collect();
    Ok(ItemHistogram::from_counts(&counts, c(dont_know)))
}

type GroupRow = (
    i64,
    i64,
    String,
    String,
    String,
    String,
    i64,
    i64,
    Option<i64>,
);
/// group, item, points, n1..n11, don't know.
type ItemRow = (
    i64,
    String,
    i64,
    i64,
    i64,
    i64,
    i64,
    i64,
    i64,
    i64,
    i64,
    i64,
    i64,
    i64,
    i64,
);
type DimensionRow = (i64, i64, String, i64, i64, String);
/// dimension aggregate, item, points, n1..n11.
type DimensionItemRow = (
    i64,
    String,
    i64,
    i64,
    i64,
    i64,
    i64,
    i64,
    i64,
    i64,
    i64,
    i64,
    i64,
    i64,
);

/// Reads the stored aggregates of `wave_ids` for the segment kinds asked, ordered by wave,
/// side, kind and key. Items and dimensions keep the order they were stored in (template
/// order). A wave's cells (both sides') are decoded only when one holds fewer than
/// `decode_cells_below` people for some measure (pass the minimum reporting size; `u64::MAX`
/// reads them all).
pub fn load(
    conn: &mut Conn,
    wave_ids: &[i64],
    kinds: &[SegmentKind],
    decode_cells_below: u64,
) -> Result<Vec<GroupAggregate>, AggregateError> {
    let kind_names: Vec<&str> = kinds.iter().map(|k| k.stored()).collect();
    let in_scope = || {
        agg_groups::wave_id
            .eq_any(wave_ids)
            .and(agg_groups::segment_kind.eq_any(&kind_names))
    };
    let group_rows: Vec<GroupRow> = agg_groups::table
        .filter(in_scope())
        .order(agg_groups::id.asc())
        .select((
            agg_groups::id,
            agg_groups::wave_id,
            agg_groups::side,
            agg_groups::segment_kind,
            agg_groups::segment_key,
            agg_groups::segment_label,
            agg_groups::invited,
            agg_groups::responded,
            agg_groups::smallest_cell,
        ))
        .load(conn)?;
    // Only the waves with a small cell need their cells (usually none of a large survey);
    // both sides of such a wave are read, because which optional breakdowns (region,
    // business unit, language) a wave has is read from both sides' cells, whatever kinds a
    // request loads (`report::protection::optional_breakdowns`).
    let small_cells: HashMap<i64, String> = match i64::try_from(decode_cells_below) {
        Ok(bound) => {
            let small_waves: Vec<i64> = agg_groups::table
                .filter(in_scope())
                .filter(agg_groups::segment_kind.eq(SegmentKind::All.as_str()))
                .filter(agg_groups::smallest_cell.lt(bound))
                .select(agg_groups::wave_id)
                .load(conn)?;
            agg_groups::table
                .filter(in_scope())
                .filter(agg_groups::segment_kind.eq(SegmentKind::All.as_str()))
                .filter(agg_groups::wave_id.eq_any(&small_waves))
                .select((agg_groups::id, agg_groups::cell_counts))
                .load(conn)?
                .into_iter()
                .collect()
        }
        Err(_) => agg_groups::table
            .filter(in_scope())
            .filter(agg_groups::segment_kind.eq(SegmentKind::All.as_str()))
            .select((agg_groups::id, agg_groups::cell_counts))
            .load(conn)?
            .into_iter()
            .collect(),
    };
    let item_rows: Vec<ItemRow> = agg_items::table
        .inner_join(agg_groups::table)
        .filter(in_scope())
        .order(agg_items::id.asc())
        .select((
            agg_items::group_id,
            agg_items::item_id,
            agg_items::points,
            agg_items::n1,
            agg_items::n2,
            agg_items::n3,
            agg_items::n4,
            agg_items::n5,
            agg_items::n6,
            agg_items::n7,
            agg_items::n8,
            agg_items::n9,
            agg_items::n10,
            agg_items::n11,
            agg_items::dont_know,
        ))
        .load(conn)?;
    let dimension_rows: Vec<DimensionRow> = agg_dimensions::table
        .inner_join(agg_groups::table)
        .filter(in_scope())
        .order(agg_dimensions::id.asc())
        .select((
            agg_dimensions::id,
            agg_dimensions::group_id,
            agg_dimensions::dimension_id,
            agg_dimensions::n_respondents,
            agg_dimensions::n_complete,
            agg_dimensions::sum_counts,
        ))
        .load(conn)?;
    let dimension_item_rows: Vec<DimensionItemRow> = agg_dimension_items::table
        .inner_join(agg_dimensions::table.inner_join(agg_groups::table))
        .filter(in_scope())
        .order(agg_dimension_items::id.asc())
        .select((
            agg_dimension_items::dimension_agg_id,
            agg_dimension_items::item_id,
            agg_dimension_items::points,
            agg_dimension_items::n1,
            agg_dimension_items::n2,
            agg_dimension_items::n3,
            agg_dimension_items::n4,
            agg_dimension_items::n5,
            agg_dimension_items::n6,
            agg_dimension_items::n7,
            agg_dimension_items::n8,
            agg_dimension_items::n9,
            agg_dimension_items::n10,
            agg_dimension_items::n11,
        ))
        .load(conn)?;

    let mut position: HashMap<i64, usize> = HashMap::with_capacity(group_rows.len());
    let mut groups = Vec::with_capacity(group_rows.len());
    for (id, wave_id, side, kind, key, label, invited, responded, smallest_cell) in group_rows {
        let (Ok(side), Ok(kind)) = (side.parse::<Side>(), SegmentKind::from_stored(&kind)) else {
            continue;
        };
        position.insert(id, groups.len());
        groups.push(GroupAggregate {
            wave_id,
            side,
            kind,
            key,
            label,
            invited: u64::try_from(invited).unwrap_or(0),
            responded: u64::try_from(responded).unwrap_or(0),
            items: Vec::new(),
            dimensions: Vec::new(),
            cells: match small_cells.get(&id) {
                Some(cells) => decode_cells(cells).map_err(AggregateError::Malformed)?,
                None => Vec::new(),
            },
            smallest_cell: smallest_cell.map(|n| u64::try_from(n).unwrap_or(0)),
        });
    }
    for (group, item, points, n1, n2, n3, n4, n5, n6, n7, n8, n9, n10, n11, dk) in item_rows {
        let n = [n1, n2, n3, n4, n5, n6, n7, n8, n9, n10, n11];
        if let Some(&i) = position.get(&group) {
            groups[i].items.push((item, histogram(points, n, dk)?));
        }
    }
    let mut dimension_position: HashMap<i64, (usize, usize)> = HashMap::new();
    for (id, group, dimension, n_respondents, n_complete, sums) in dimension_rows {
        let Some(&i) = position.get(&group) else {
            continue;
        };
        let sums = decode_sums(&sums).map_err(AggregateError::Malformed)?;
        dimension_position.insert(id, (i, groups[i].dimensions.len()));
        groups[i].dimensions.push((
            dimension,
            DimensionAggregate {
                n_respondents: u64::try_from(n_respondents).unwrap_or(0),
                n_complete: u64::try_from(n_complete).unwrap_or(0),
                listwise: Vec::new(),
                sums,
                means_once: Default::default(),
            },
        ));
    }
    for (dimension, item, points, n1, n2, n3, n4, n5, n6, n7, n8, n9, n10, n11) in
        dimension_item_rows
    {
        let n = [n1, n2, n3, n4, n5, n6, n7, n8, n9, n10, n11];
        if let Some(&(g, d)) = dimension_position.get(&dimension) {
            groups[g].dimensions[d]
                .1
                .listwise
                .push((item, histogram(points, n, 0)?));
        }
    }
    Ok(groups)
}

#[cfg(test)]
#[path = "aggregate_tests.rs"]
mod tests;
