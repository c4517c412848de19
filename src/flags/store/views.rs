//! Reading flags: one with its history, a partnership's, and the inbox in severity order.

use super::*;

pub(super) fn views(conn: &mut Conn, rows: Vec<FlagRow>) -> Result<Vec<FlagView>, FlagError> {
    if rows.is_empty() {
        return Ok(Vec::new());
    }
    let wave_ids: Vec<i64> = rows.iter().filter_map(|r| r.wave_id).collect();
    let flag_ids: Vec<i64> = rows.iter().map(|r| r.id).collect();
    let counts = action_counts(conn, &flag_ids)?;
    let wave_rows: Vec<(i64, i64, Option<i64>)> = waves::table
        .filter(waves::id.eq_any(&wave_ids))
        .select((waves::id, waves::seq, waves::series_id))
        .load(conn)?;
    let seq_of: HashMap<i64, i64> = wave_rows.iter().map(|(id, seq, _)| (*id, *seq)).collect();
    let mut series_of: HashMap<i64, String> = HashMap::new();
    for (id, _, series_id) in &wave_rows {
        if series_id.is_some() {
            series_of.insert(*id, crate::db::series::key_of(conn, *series_id)?);
        }
    }
    let partnership_ids: Vec<i64> = rows.iter().map(|r| r.partnership_id).collect();
    let names: HashMap<i64, String> = partnerships::table
        .filter(partnerships::id.eq_any(&partnership_ids))
        .select((partnerships::id, partnerships::name))
        .load::<(i64, String)>(conn)?
        .into_iter()
        .collect();
    let assignee_ids: Vec<i64> = rows.iter().filter_map(|r| r.assignee_user_id).collect();
    let emails: HashMap<i64, String> = if assignee_ids.is_empty() {
        HashMap::new()
    } else {
        users::table
            .filter(users::id.eq_any(&assignee_ids))
            .select((users::id, users::email))
            .load::<(i64, String)>(conn)?
            .into_iter()
            .collect()
    };
    rows.into_iter()
        .map(|r| {
            let details = parse_details(&r.details);
            let link = details
                .get("link")
                .and_then(|l| l.as_str())
                .map(str::to_owned)
                .unwrap_or_else(|| format!("/partnerships/{}", r.partnership_id));
            let severity = Severity::parse(&r.severity).ok_or_else(|| {
                FlagError::Internal(anyhow::anyhow!(
                    "flag {} has severity {:?}",
                    r.id,
                    r.severity
                ))
            })?;
            let state = FlagState::parse(&r.state).ok_or_else(|| {
                FlagError::Internal(anyhow::anyhow!("flag {} has state {:?}", r.id, r.state))
            })?;
            let outcome = match &r.outcome {
                None => None,
                Some(o) => Some(Outcome::parse(o).ok_or_else(|| {
                    FlagError::Internal(anyhow::anyhow!("flag {} has outcome {o:?}", r.id))
                })?),
            };
            let rule_words = if r.rule == MANUAL {
                crate::i18n::en("flag-raised-by-hand")
            } else {
                Rule::parse(&r.rule)
                    .map(Rule::words)
                    .unwrap_or_else(|| r.rule.clone())
            };
            let (actions_open, actions_overdue) = counts.get(&r.id).copied().unwrap_or_default();
            Ok(FlagView {
                id: r.id,
                partnership_id: r.partnership_id,
                partnership: names.get(&r.partnership_id).cloned().unwrap_or_default(),
                wave: r.wave_id.and_then(|w| seq_of.get(&w).copied()),
                title: if r.title.is_empty() {
                    rule_words.clone()
                } else {
                    r.title
                },
                rule_words,
                rule: r.rule,
                scope: r.scope,
                series: r
                    .wave_id
                    .and_then(|w| series_of.get(&w).cloned())
                    .unwrap_or_else(|| crate::domain::MAIN_SERIES.to_owned()),
                measured: r.measured,
                threshold: r.threshold,
                severity,
                state,
                details,
                link,
                assignee: r.assignee_user_id.and_then(|u| emails.get(&u).cloned()),
                assignee_user_id: r.assignee_user_id,
                outcome,
                resolved_measured: r.resolved_measured,
                actions_open,
                actions_overdue,
                created_at: r.created_at,
                updated_at: r.updated_at,
            })
        })
        .collect()
}

/// One flag with its events, oldest first.
pub fn show(conn: &mut Conn, id: i64) -> Result<FlagDetail, FlagError> {
    let row = get_row(conn, id)?;
    let flag = views(conn, vec![row])?
        .pop()
        .ok_or_else(|| FlagError::NotFound(crate::i18n::en1("flag-problem-no-flag", "id", id)))?;
    let events: Vec<EventRow> = flag_events::table
        .filter(flag_events::flag_id.eq(id))
        .order((flag_events::created_at.asc(), flag_events::id.asc()))
        .select(EventRow::as_select())
        .load(conn)?;
    let user_ids: Vec<i64> = events.iter().filter_map(|e| e.user_id).collect();
    let emails: HashMap<i64, String> = users::table
        .filter(users::id.eq_any(&user_ids))
        .select((users::id, users::email))
        .load::<(i64, String)>(conn)?
        .into_iter()
        .collect();
    let actions = actions_of(conn, id)?;
    let follow_up = follow_ups(conn, id)?;
    Ok(FlagDetail {
        flag,
        actions,
        follow_up,
        events: events
            .into_iter()
            .map(|e| FlagEventView {
                id: e.id,
                user: e.user_id.and_then(|u| emails.get(&u).cloned()),
                user_id: e.user_id,
                action: e.action,
                note: e.note,
                created_at: e.created_at,
            })
            .collect(),
    })
}

/// Every flag of a partnership, in any state: newest wave first, then most severe.
pub fn for_partnership(conn: &mut Conn, partnership_id: i64) -> Result<Vec<FlagView>, FlagError> {
    require_partnership(conn, partnership_id)?;
    let rows: Vec<FlagRow> = flags::table
        .filter(flags::partnership_id.eq(partnership_id))
        .select(FlagRow::as_select())
        .load(conn)?;
    sorted_views(conn, rows)
}

/// The open and acknowledged flags of a partnership known to exist (the dashboard's list),
/// in [`for_partnership`]'s order.
pub fn unresolved_for_partnership(
    conn: &mut Conn,
    partnership_id: i64,
) -> Result<Vec<FlagView>, FlagError> {
    let rows: Vec<FlagRow> = flags::table
        .filter(flags::partnership_id.eq(partnership_id))
        .filter(flags::state.ne(FlagState::Resolved.as_str()))
        .select(FlagRow::as_select())
        .load(conn)?;
    sorted_views(conn, rows)
}

pub(super) fn sorted_views(
    conn: &mut Conn,
    rows: Vec<FlagRow>,
) -> Result<Vec<FlagView>, FlagError> {
    let mut out = views(conn, rows)?;
    out.sort_by(|a, b| {
        b.wave
            .cmp(&a.wave)
            .then(b.severity.cmp(&a.severity))
            .then(a.rule.cmp(&b.rule))
            .then(a.scope.cmp(&b.scope))
    });
    Ok(out)
}

/// Open and acknowledged flags across the partnerships in `scope`: those with an overdue
/// action first, then the most severe, then the most recently changed, then the newest.
pub fn inbox(conn: &mut Conn, scope: &InboxScope) -> Result<Vec<FlagView>, FlagError> {
    let mut query = flags::table
        .filter(flags::state.eq_any([FlagState::Open.as_str(), FlagState::Acknowledged.as_str()]))
        .select(FlagRow::as_select())
        .into_boxed();
    if let InboxScope::Only(ids) = scope {
        query = query.filter(flags::partnership_id.eq_any(ids.clone()));
    }
    let rows = query.load(conn)?;
    let mut out = views(conn, rows)?;
    out.sort_by(|a, b| {
        (b.actions_overdue > 0)
            .cmp(&(a.actions_overdue > 0))
            .then(b.severity.cmp(&a.severity))
            .then(b.updated_at.cmp(&a.updated_at))
            .then(b.id.cmp(&a.id))
    });
    Ok(out)
}
