//! Running the rules on a closed wave: new flags with their alert mails, reopened and still-firing ones, in one transaction.

use super::*;

/// The latest closed wave of a partnership: (id, seq).
pub fn latest_closed_wave(conn: &mut Conn, partnership_id: i64) -> Result<(i64, i64), FlagError> {
    require_partnership(conn, partnership_id)?;
    waves::table
        .filter(waves::partnership_id.eq(partnership_id))
        .filter(waves::state.eq("closed"))
        .order(waves::seq.desc())
        .select((waves::id, waves::seq))
        .first(conn)
        .optional()?
        .ok_or_else(|| {
            FlagError::Conflict(crate::i18n::en1(
                "flag-problem-no-closed-wave",
                "partnership",
                partnership_id,
            ))
        })
}

/// The id of wave `seq` of a partnership.
pub fn wave_id_of(conn: &mut Conn, partnership_id: i64, seq: i64) -> Result<i64, FlagError> {
    require_partnership(conn, partnership_id)?;
    waves::table
        .filter(waves::partnership_id.eq(partnership_id))
        .filter(waves::seq.eq(seq))
        .select(waves::id)
        .first(conn)
        .optional()?
        .ok_or_else(|| {
            FlagError::NotFound(crate::i18n::en2(
                "flag-problem-no-wave",
                "partnership",
                partnership_id,
                "seq",
                seq,
            ))
        })
}

/// Runs every rule on one closed wave of a partnership and records the outcome, in one
/// transaction: new flags (with an alert to each ombudsman in scope, through the outbox),
/// resolved flags reopened, open ones marked as still firing. Running it again on the same
/// wave changes nothing.
pub fn run_for_wave(
    conn: &mut Conn,
    partnership_id: i64,
    wave_id: i64,
    links: &Links,
) -> Result<RunReport, FlagError> {
    conn.write_transaction(|conn| {
        lock_partnership(conn, partnership_id)?;
        let partnership = require_partnership(conn, partnership_id)?;
        let (seq, state, series_id): (i64, String, Option<i64>) = waves::table
            .filter(waves::id.eq(wave_id))
            .filter(waves::partnership_id.eq(partnership_id))
            .select((waves::seq, waves::state, waves::series_id))
            .first(conn)
            .optional()?
            .ok_or_else(|| {
                FlagError::NotFound(crate::i18n::en2(
                    "flag-problem-no-wave-id",
                    "partnership",
                    partnership_id,
                    "id",
                    wave_id,
                ))
            })?;
        if state != "closed" {
            return Err(FlagError::Conflict(crate::i18n::en2(
                "flag-problem-wave-not-closed",
                "seq",
                seq,
                "state",
                &state,
            )));
        }
        let config = config(conn, partnership_id)?;
        // The rules run on the report of the wave's own series: its waves, its template.
        let series = crate::db::series::key_of(conn, series_id)?;
        let report = reports::build(
            conn,
            partnership_id,
            &ReportOptions {
                wave: Some(seq),
                // every attribute, for the segment-gap rule
                segment: None,
                series: Some(series.clone()),
            },
        )?;
        let mut findings = rules::evaluate(&report, seq, &config);
        if series_id.is_some() {
            for f in &mut findings {
                in_series(f, &series);
            }
        }
        // The waves of this series only: a flag of another series (another template) is
        // neither matched, followed up nor closed by this run.
        let seq_of: HashMap<i64, i64> = waves::table
            .filter(waves::partnership_id.eq(partnership_id))
            .select((waves::id, waves::seq, waves::series_id))
            .load::<(i64, i64, Option<i64>)>(conn)?
            .into_iter()
            .filter(|(_, _, s)| *s == series_id)
            .map(|(id, seq, _)| (id, seq))
            .collect();
        // Manual flags are people's: a run never reads, moves or closes them.
        let existing: Vec<FlagRow> = flags::table
            .filter(flags::partnership_id.eq(partnership_id))
            .filter(flags::rule.ne(MANUAL))
            .select(FlagRow::as_select())
            .load::<FlagRow>(conn)?
            .into_iter()
            .filter(|f| f.wave_id.is_some_and(|w| seq_of.contains_key(&w)))
            .collect();
        let partnership = if series_id.is_some() {
            crate::i18n::en2(
                "flag-partnership-series",
                "partnership",
                &partnership,
                "series",
                &series,
            )
        } else {
            partnership
        };
        let recipients = ombudsmen_of(conn, partnership_id)?;
        let mut run = RunReport {
            partnership_id,
            wave: seq,
            fired: findings.len(),
            ..RunReport::default()
        };
        let at = now();
        let seq_of_flag = |f: &FlagRow| {
            f.wave_id
                .and_then(|w| seq_of.get(&w).copied())
                .unwrap_or(i64::MIN)
        };
        // Before the findings move any flag to this wave: the before/after line of every
        // rule flag that last fired on an earlier wave.
        follow_up_wave(
            conn,
            &FollowUpWave {
                wave_id,
                seq,
                report: &report,
                fired: &findings,
            },
            existing.iter().filter(|f| seq_of_flag(f) < seq),
            at,
        )?;
        for finding in &findings {
            let latest = existing
                .iter()
                .filter(|f| f.rule == finding.rule.as_str() && f.scope == finding.scope)
                .max_by_key(|f| seq_of_flag(f));
            let Some(flag) = latest else {
                let id = insert_flag(conn, partnership_id, wave_id, seq, finding, at)?;
                run.opened.push(id);
                run.mails_queued +=
                    alert(conn, &recipients, &partnership, seq, id, finding, links)?;
                continue;
            };
            let flag_seq = seq_of_flag(flag);
            if flag.wave_id == Some(wave_id) {
                run.unchanged.push(flag.id);
            } else if flag_seq > seq {
                run.superseded.push(flag.id);
            } else if flag.state == FlagState::Resolved.as_str() {
                refire(
                    conn,
                    flag,
                    wave_id,
                    seq,
                    finding,
                    FlagState::Open,
                    "reopened",
                    at,
                )?;
                run.reopened.push(flag.id);
                run.mails_queued += alert(
                    conn,
                    &recipients,
                    &partnership,
                    seq,
                    flag.id,
                    finding,
                    links,
                )?;
            } else {
                let state = FlagState::parse(&flag.state).unwrap_or(FlagState::Open);
                refire(conn, flag, wave_id, seq, finding, state, "still firing", at)?;
                run.still_firing.push(flag.id);
            }
        }
        if config.close_after_quiet_waves > 0 {
            let quiet = existing.iter().filter(|f| {
                f.state != FlagState::Resolved.as_str()
                    && seq_of_flag(f) <= seq - i64::from(config.close_after_quiet_waves)
            });
            run.closed_quiet = close_quiet(conn, quiet, seq, config.close_after_quiet_waves, at)?;
        }
        Ok(run)
    })
}

/// A finding on a wave of a series other than the main one says so: `series` in its
/// details, and its link opens the dashboard on that series.
fn in_series(finding: &mut Finding, series: &str) {
    if let serde_json::Value::Object(map) = &mut finding.details {
        map.insert("series".into(), series.into());
    }
    let (path, anchor) = match finding.link.split_once('#') {
        Some((p, a)) => (p.to_owned(), format!("#{a}")),
        None => (finding.link.clone(), String::new()),
    };
    let sep = if path.contains('?') { '&' } else { '?' };
    finding.link = format!("{path}{sep}series={series}{anchor}");
}

pub(super) fn history_entry(seq: i64, finding: &Finding) -> serde_json::Value {
    serde_json::json!({
        "wave": seq,
        "measured": finding.measured,
        "severity": finding.severity,
    })
}

pub(super) fn details_text(finding: &Finding, history: Vec<serde_json::Value>) -> String {
    let mut details = finding.details.clone();
    if let serde_json::Value::Object(map) = &mut details {
        map.insert("link".into(), finding.link.clone().into());
        map.insert("history".into(), serde_json::Value::Array(history));
    }
    details.to_string()
}

pub(super) fn insert_flag(
    conn: &mut Conn,
    partnership_id: i64,
    wave_id: i64,
    seq: i64,
    finding: &Finding,
    at: NaiveDateTime,
) -> Result<i64, FlagError> {
    let details = details_text(finding, vec![history_entry(seq, finding)]);
    let id: i64 = diesel::insert_into(flags::table)
        .values(&NewFlag {
            partnership_id,
            wave_id: Some(wave_id),
            rule: finding.rule.as_str(),
            scope: &finding.scope,
            measured: Some(finding.measured),
            threshold: Some(finding.threshold),
            severity: finding.severity.as_str(),
            state: FlagState::Open.as_str(),
            details: &details,
            assignee_user_id: None,
            created_at: at,
            updated_at: at,
            title: "",
        })
        .returning(flags::id)
        .get_result(conn)?;
    let note = crate::i18n::en_with(
        "flag-note-opened",
        &[
            ("seq", &seq),
            ("rule", &finding.rule.words()),
            ("scope", &finding.scope),
            ("measured", &format!("{:.3}", finding.measured)),
            ("threshold", &format!("{:.3}", finding.threshold)),
            ("severity", &finding.severity.words()),
        ],
    );
    record(conn, id, &Actor::rules(), "opened", &note, at)?;
    Ok(id)
}

#[allow(clippy::too_many_arguments)]
pub(super) fn refire(
    conn: &mut Conn,
    flag: &FlagRow,
    wave_id: i64,
    seq: i64,
    finding: &Finding,
    state: FlagState,
    action: &str,
    at: NaiveDateTime,
) -> Result<(), FlagError> {
    let mut history = match parse_details(&flag.details).get("history") {
        Some(serde_json::Value::Array(h)) => h.clone(),
        _ => Vec::new(),
    };
    history.push(history_entry(seq, finding));
    let details = details_text(finding, history);
    diesel::update(flags::table.find(flag.id))
        .set((
            flags::wave_id.eq(Some(wave_id)),
            flags::measured.eq(Some(finding.measured)),
            flags::threshold.eq(Some(finding.threshold)),
            flags::severity.eq(finding.severity.as_str()),
            flags::state.eq(state.as_str()),
            flags::details.eq(&details),
            flags::updated_at.eq(at),
        ))
        .execute(conn)?;
    let was = flag
        .measured
        .map(|m| format!("{m:.3}"))
        .unwrap_or_else(|| crate::i18n::en("flag-note-not-measured"));
    let note = crate::i18n::en_with(
        "flag-note-still-fires",
        &[
            ("seq", &seq),
            ("measured", &format!("{:.3}", finding.measured)),
            ("was", &was),
            ("threshold", &format!("{:.3}", finding.threshold)),
            ("severity", &finding.severity.words()),
        ],
    );
    record(conn, flag.id, &Actor::rules(), action, &note, at)
}

/// Ombudsmen who see the partnership and are not disabled: (email, name for the greeting).
pub(super) fn ombudsmen_of(conn: &mut Conn, partnership_id: i64) -> Result<Vec<Email>, FlagError> {
    let scoped = user_scopes::table
        .filter(user_scopes::partnership_id.eq(partnership_id))
        .select(user_scopes::user_id);
    let emails: Vec<String> = users::table
        .filter(users::role.eq("ombudsman"))
        .filter(users::disabled.eq(false))
        .filter(
            users::all_partnerships
                .eq(true)
                .or(users::id.eq_any(scoped)),
        )
        .order(users::id.asc())
        .select(users::email)
        .load(conn)?;
    emails
        .iter()
        .map(|e| {
            Email::parse(e).map_err(|why| {
                FlagError::Internal(anyhow::anyhow!(
                    "a stored ombudsman address is not valid: {why}"
                ))
            })
        })
        .collect()
}

pub(super) fn alert(
    conn: &mut Conn,
    recipients: &[Email],
    partnership: &str,
    seq: i64,
    flag_id: i64,
    finding: &Finding,
    links: &Links,
) -> Result<usize, FlagError> {
    send_alerts(conn, recipients, flag_id, |name| FlagAlertMail {
        ombudsman_name: name,
        partnership: partnership.to_owned(),
        wave_seq: Some(seq),
        rule: finding.rule.words(),
        scope: finding.scope_words(),
        measured: Some(finding.measured),
        threshold: Some(finding.threshold),
        severity: finding.severity.words(),
        raised_by: None,
        note: String::new(),
        link: format!("{}{}", links.base_url, finding.link),
    })
}

/// Queues one alert per recipient through the outbox, greeting each by the local part of
/// their address.
pub(super) fn send_alerts(
    conn: &mut Conn,
    recipients: &[Email],
    flag_id: i64,
    mail_for: impl Fn(String) -> FlagAlertMail,
) -> Result<usize, FlagError> {
    for to in recipients {
        let name = to.as_str().split('@').next().unwrap_or("").to_owned();
        let mail = messages::flag_alert(&mail_for(name))
            .map_err(|e| FlagError::Internal(anyhow::anyhow!("flag {flag_id}'s alert: {e}")))?;
        outbox::enqueue(conn, &mail.to(to.clone(), None))?;
    }
    Ok(recipients.len())
}

/// Writes the flag's event and the audit log row of one change.
pub(super) fn record(
    conn: &mut Conn,
    flag_id: i64,
    actor: &Actor,
    action: &str,
    note: &str,
    at: NaiveDateTime,
) -> Result<(), FlagError> {
    diesel::insert_into(flag_events::table)
        .values(&NewEvent {
            flag_id,
            user_id: actor.user_id,
            action,
            note,
            created_at: at,
        })
        .execute(conn)?;
    audit::audit_at(
        conn,
        at,
        &actor.name,
        &format!("flag.{}", action.replace(' ', "_")),
        &format!("flag {flag_id}"),
        note,
    )?;
    Ok(())
}
