//! The finest cells of a side of a wave (level × function × region × business unit ×
//! language × custom attributes) and their counts, for the disclosure control.

use std::collections::BTreeMap;

use super::{aggregate_group, segment_key, CellCounts, Invitee, SegmentKind, Side, SurveyTemplate};

/// The fewest people a cell holds for any measure, among cells holding someone.
pub fn smallest(cells: &[CellCounts]) -> u64 {
    cells
        .iter()
        .flat_map(|c| {
            std::iter::once(c.responded)
                .chain(c.items.iter().copied())
                .chain(c.dimensions.iter().copied())
        })
        .filter(|&n| n > 0)
        .min()
        .unwrap_or(u64::MAX)
}

/// The custom attribute keys anyone of `invitees` has a value of, sorted.
pub(super) fn attribute_keys(invitees: &[Invitee]) -> std::collections::BTreeSet<String> {
    invitees
        .iter()
        .flat_map(|i| i.attributes.iter())
        .filter(|(_, v)| !v.trim().is_empty())
        .map(|(k, _)| k.clone())
        .collect()
}

/// The key of a finest cell: level, function, region, business unit, language and the
/// custom attributes' values.
type CellKey = (
    String,
    String,
    String,
    String,
    String,
    BTreeMap<String, String>,
);

/// The counts of every level × function × region × business unit × language cell of one
/// side, sorted by key.
pub(super) fn finest_cells(
    template: &SurveyTemplate,
    side: Side,
    invitees: &[Invitee],
) -> Vec<CellCounts> {
    let custom = attribute_keys(invitees);
    let mut cells: BTreeMap<CellKey, Vec<&Invitee>> = BTreeMap::new();
    for i in invitees.iter().filter(|i| i.side == side) {
        let key = (
            segment_key(&i.level),
            segment_key(&i.function),
            segment_key(&i.region),
            segment_key(&i.business_unit),
            segment_key(&i.language),
            custom
                .iter()
                .map(|k| {
                    let value = i.attributes.get(k).map(String::as_str).unwrap_or("");
                    (k.clone(), segment_key(value))
                })
                .collect(),
        );
        cells.entry(key).or_default().push(i);
    }
    cells
        .into_iter()
        .map(
            |((level, function, region, business_unit, language, attributes), members)| {
                let g = aggregate_group(
                    0,
                    template,
                    side,
                    SegmentKind::All,
                    String::new(),
                    String::new(),
                    &members,
                );
                CellCounts {
                    level,
                    function,
                    region,
                    business_unit,
                    language,
                    attributes,
                    responded: g.responded,
                    items: g.items.iter().map(|(_, h)| h.n()).collect(),
                    dimensions: g.dimensions.iter().map(|(_, d)| d.n_complete).collect(),
                }
            },
        )
        .collect()
}
