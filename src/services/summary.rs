//! The summary of a closed wave, mailed to each relationship manager of the partnership:
//! both firms' responses, the health index and its change, what moved significantly since
//! the previous wave, the biggest between-firm gap and the open flags — queued through the
//! outbox in the closing transaction (see `services::waves`).
//!
//! Everything comes from the report the dashboard draws (stored aggregates, never answers),
//! restricted as the dashboard restricts it: a manager who sees one firm gets that firm's
//! figures only — no health index, no gap, no other firm's numbers, and the open flags as
//! counts (flags compare the firms; the dashboard lists them to two-sided viewers only). A
//! figure withheld for the minimum reporting size stays withheld, with the report's reason.
//! A partnership without managers queues nothing; a manager may opt out
//! (`users.summary_opt_out`, `tandem user summary --email E --off`).

use diesel::prelude::*;

use crate::auth::{self, audit, Access, Visibility};
use crate::db::models::Wave;
use crate::db::schema::{partnerships, user_scopes, users};
use crate::db::{waves, Conn};
use crate::domain::{humanize, Email, Side};
use crate::error::ServiceError;
use crate::flags::{FlagView, Severity};
use crate::mail::messages::{self, SummaryFlag, SummaryFlagGroup, SummaryMail};
use crate::mail::{outbox, Links};
use crate::reports::report::Report;
use crate::reports::ReportOptions;
use crate::stats::{significance, Significance};

/// Queues the summary of `wave` (just closed, in the caller's transaction) to every active
/// manager of its partnership who has not opted out; returns their user ids.
pub fn queue_for_wave(
    conn: &mut Conn,
    wave: &Wave,
    links: &Links,
    actor: &str,
) -> Result<Vec<i64>, ServiceError> {
    let recipients = recipients(conn, wave.partnership_id)?;
    if recipients.is_empty() {
        return Ok(Vec::new());
    }
    // Read again: the caller's copy was loaded before the close set `closed_at`.
    let wave = waves::find_by_seq(conn, wave.partnership_id, wave.seq)?.ok_or_else(|| {
        ServiceError::Internal(anyhow::anyhow!(
            "wave {} of partnership {} disappeared while closing",
            wave.seq,
            wave.partnership_id
        ))
    })?;
    // The dashboard's options: the same breakdowns, so the same cells are withheld; the
    // wave's own series, so its template and earlier waves only.
    let series = crate::db::series::key_of(conn, wave.series_id)?;
    let report = crate::reports::build(
        conn,
        wave.partnership_id,
        &ReportOptions {
            series: Some(series),
            ..ReportOptions::default()
        },
    )?;
    let flags = crate::flags::store::unresolved_for_partnership(conn, wave.partnership_id)?;
    let timezone: String = match wave.series_id {
        Some(id) => crate::db::series::get_row(conn, id)?.timezone,
        None => partnerships::table
            .find(wave.partnership_id)
            .select(partnerships::timezone)
            .first(conn)?,
    };
    let tz: chrono_tz::Tz = timezone.parse().map_err(|e| {
        ServiceError::Internal(anyhow::anyhow!(
            "partnership {} has the stored timezone {timezone:?}: {e}",
            wave.partnership_id
        ))
    })?;
    let dates = format!(
        "opened {}, closed {}",
        local_date(wave.opened_at.unwrap_or(wave.opens_at), tz),
        local_date(wave.closed_at.unwrap_or(wave.closes_at), tz),
    );
    let base = links.base_url.trim_end_matches('/');
    let mut queued = Vec::new();
    for (id, to, visibility) in recipients {
        let name = to.as_str().split('@').next().unwrap_or("").to_owned();
        let mail = compose(
            &report,
            visibility,
            wave.seq,
            &flags,
            Context {
                name,
                dates: dates.clone(),
                base,
            },
        );
        let rendered = messages::wave_summary(&mail).map_err(|e| {
            ServiceError::Internal(anyhow::anyhow!("user {id}'s wave summary: {e}"))
        })?;
        outbox::enqueue(conn, &rendered.to(to, None))?;
        queued.push(id);
    }
    let ids: Vec<String> = queued.iter().map(i64::to_string).collect();
    audit::audit(
        conn,
        actor,
        "wave.summaries_queued",
        &format!("partnership {}", wave.partnership_id),
        &format!(
            "wave {}: {} summary mail(s), to users {}",
            wave.seq,
            queued.len(),
            ids.join(", ")
        ),
    )?;
    Ok(queued)
}

/// Active managers of the partnership who receive the summary, by id, with what they see
/// of it — decided by the same [`Access`] as every page.
fn recipients(
    conn: &mut Conn,
    partnership: i64,
) -> Result<Vec<(i64, Email, Visibility)>, ServiceError> {
    let mut ids: Vec<i64> = users::table
        .inner_join(user_scopes::table)
        .filter(user_scopes::partnership_id.eq(partnership))
        .filter(users::role.eq(auth::Role::Manager.as_str()))
        .filter(users::disabled.eq(false))
        .filter(users::summary_opt_out.eq(false))
        .order(users::id.asc())
        .select(users::id)
        .load(conn)?;
    ids.dedup();
    let mut out = Vec::new();
    for id in ids {
        let Some(user) = auth::users::get(conn, id)? else {
            continue;
        };
        let scopes = auth::users::scopes(conn, id)?;
        let Some(visibility) = Access::for_user(&user, &scopes).visible_side(partnership) else {
            continue;
        };
        let to = Email::parse(&user.email).map_err(|why| {
            ServiceError::Internal(anyhow::anyhow!("user {id}'s stored address: {why}"))
        })?;
        out.push((id, to, visibility));
    }
    Ok(out)
}

fn local_date(utc: chrono::NaiveDateTime, tz: chrono_tz::Tz) -> String {
    use chrono::TimeZone;
    tz.from_utc_datetime(&utc).format("%-d %B %Y").to_string()
}

/// What [`compose`] needs beside the report and the flags.
pub struct Context<'a> {
    /// How the mail greets the recipient.
    pub name: String,
    /// The wave's dates in words.
    pub dates: String,
    /// The public base URL, without a trailing slash.
    pub base: &'a str,
}

/// The summary of wave `seq` as `visibility` may see it. Pure: `report` is the whole
/// report; it is restricted here, before any number is read.
pub fn compose(
    report: &Report,
    visibility: Visibility,
    seq: i64,
    flags: &[FlagView],
    cx: Context<'_>,
) -> SummaryMail {
    let r = match visibility {
        Visibility::Both => report.clone(),
        Visibility::Only(side) => report.for_one_side(side),
    };
    let sides: Vec<Side> = match visibility {
        Visibility::Both => Side::BOTH.to_vec(),
        Visibility::Only(side) => vec![side],
    };
    let firm = |side: Side| match side {
        Side::Customer => r.partnership.customer.as_str(),
        Side::Supplier => r.partnership.supplier.as_str(),
    };
    let previous = r.waves.iter().map(|w| w.wave).filter(|w| *w < seq).max();

    let responses = sides
        .iter()
        .map(|&side| {
            let counts = match r
                .response_rates
                .iter()
                .find(|x| x.wave == seq && x.side == side)
            {
                Some(x) => match x.response_rate {
                    Some(rate) => format!(
                        "{} of {} answered ({:.0} %)",
                        x.responded,
                        x.invited,
                        rate * 100.0
                    ),
                    None => "nobody was invited".to_owned(),
                },
                None => "no invitations recorded".to_owned(),
            };
            let withheld = r
                .groups
                .iter()
                .find(|g| g.id.wave == seq && g.id.side == side && g.id.segment.is_none())
                .and_then(|g| g.id.suppressed.as_deref())
                .map(|why| format!("; figures {}", withheld(why)))
                .unwrap_or_default();
            format!("{} ({side}): {counts}{withheld}", firm(side))
        })
        .collect();

    let health = (visibility == Visibility::Both).then(|| health_line(&r, seq, previous));

    let mut moves: Vec<(Side, f64, String)> = Vec::new();
    for t in r.trend.iter().filter(|t| t.kind == "dimension") {
        for c in t.changes.iter().filter(|c| c.to_wave == seq) {
            let (Some(from), Some(to), Some(diff), Some(p)) =
                (c.mean_from, c.mean_to, c.mean_diff, c.welch_p)
            else {
                continue;
            };
            if significance(p) != Significance::Significant {
                continue;
            }
            moves.push((
                t.side,
                diff.abs(),
                format!(
                    "{} on {}: {} from {from:.2} in wave {} to {to:.2} ({} points, Welch {})",
                    firm(t.side),
                    humanize(&t.target),
                    if diff > 0.0 { "rose" } else { "fell" },
                    c.from_wave,
                    signed(diff),
                    p_value(p),
                ),
            ));
        }
    }
    moves.sort_by(|a, b| a.0.cmp(&b.0).then(b.1.total_cmp(&a.1)));
    let moves: Vec<String> = moves.into_iter().map(|m| m.2).collect();
    // A firm withheld this wave, or with no earlier wave shown, is not compared; saying
    // "nothing moved" of it would mislead.
    let mut compared = 0;
    let mut not_compared = String::new();
    for &side in &sides {
        let withheld = r.groups.iter().any(|g| {
            g.id.wave == seq
                && g.id.side == side
                && g.id.segment.is_none()
                && g.id.suppressed.is_some()
        });
        let has_change = r.trend.iter().any(|t| {
            t.side == side && t.kind == "dimension" && t.changes.iter().any(|c| c.to_wave == seq)
        });
        if withheld {
            not_compared.push_str(&format!(
                " {} is not compared: its figures are withheld this wave.",
                firm(side)
            ));
        } else if !has_change {
            not_compared.push_str(&format!(
                " {} is not compared: no earlier wave shows its figures.",
                firm(side)
            ));
        } else {
            compared += 1;
        }
    }
    let moved_intro = match previous {
        None => format!("Wave {seq} is the first: there is nothing to compare yet."),
        Some(_) => {
            let lead = if compared == 0 {
                "Nothing to compare."
            } else if moves.is_empty() {
                "Nothing moved significantly since the previous wave (Welch's t test at 5 % on \
                 each dimension)."
            } else {
                "Significant changes since the previous wave (Welch's t test at 5 %)."
            };
            format!("{lead}{not_compared}")
        }
    };

    let gap = (visibility == Visibility::Both).then(|| gap_line(&r, seq));

    let open: Vec<&FlagView> = flags.iter().collect();
    let count = |s: Severity| open.iter().filter(|f| f.severity == s).count();
    let flags_intro = if open.is_empty() {
        "No open flags.".to_owned()
    } else {
        format!(
            "{} open flag{}: {} high, {} medium, {} low.{}",
            open.len(),
            if open.len() == 1 { "" } else { "s" },
            count(Severity::High),
            count(Severity::Medium),
            count(Severity::Low),
            if visibility == Visibility::Both {
                ""
            } else {
                " They are listed to those who see both firms."
            }
        )
    };
    let flag_groups = match visibility {
        Visibility::Only(_) => Vec::new(),
        Visibility::Both => [Severity::High, Severity::Medium, Severity::Low]
            .into_iter()
            .filter_map(|severity| {
                let flags: Vec<SummaryFlag> = open
                    .iter()
                    .filter(|f| f.severity == severity)
                    .map(|f| SummaryFlag {
                        title: f.title.clone(),
                        scope: f.scope.clone(),
                        measured: f.measured.map(|m| format!("{m:.2}")),
                        link: absolute(cx.base, &f.link),
                    })
                    .collect();
                let mut label = severity.as_str().to_owned();
                label[..1].make_ascii_uppercase();
                (!flags.is_empty()).then(|| SummaryFlagGroup {
                    heading: format!("{label} ({})", flags.len()),
                    flags,
                })
            })
            .collect(),
    };

    SummaryMail {
        name: cx.name,
        partnership: r.partnership.name.clone(),
        wave_seq: seq,
        dates: cx.dates,
        sees: match visibility {
            Visibility::Both => "both firms".to_owned(),
            Visibility::Only(side) => format!("{} only", firm(side)),
        },
        responses,
        health,
        moved_intro,
        moves,
        gap,
        flags_intro,
        flag_groups,
        dashboard_link: format!("{}/partnerships/{}", cx.base, r.partnership.id),
    }
}

fn health_line(r: &Report, seq: i64, previous: Option<i64>) -> String {
    let of = |wave: i64| r.health.iter().find(|h| h.wave == wave);
    let now = match of(seq) {
        Some(h) => match (h.index, &h.suppressed) {
            (Some(i), _) => i,
            (None, Some(why)) => return format!("Health index: {}.", withheld(why)),
            (None, None) => {
                return "Health index: none this wave (no dimension both firms answered)."
                    .to_owned()
            }
        },
        None => return "Health index: none this wave.".to_owned(),
    };
    let head = format!("Health index {now:.1} (of 100)");
    let Some(prev) = previous else {
        return format!("{head}; the first wave, nothing to compare yet.");
    };
    match of(prev).and_then(|h| h.index) {
        Some(p) => {
            let d = now - p;
            let how = if format!("{:.1}", d.abs()) == "0.0" {
                "unchanged".to_owned()
            } else if d > 0.0 {
                format!("up {:.1} points", d.abs())
            } else {
                format!("down {:.1} points", d.abs())
            };
            format!("{head}, {how} from {p:.1} in wave {prev}.")
        }
        None => format!("{head}; wave {prev} has no index to compare with."),
    }
}

fn gap_line(r: &Report, seq: i64) -> String {
    let records: Vec<_> = r
        .inter_firm
        .dimensions
        .iter()
        .filter(|x| x.wave == seq)
        .collect();
    let biggest = records
        .iter()
        .filter_map(|x| {
            let c = x.comparison.as_ref()?;
            Some((x, c, c.mean_diff?, c.mean_1?, c.mean_2?))
        })
        .max_by(|a, b| a.2.abs().total_cmp(&b.2.abs()));
    match biggest {
        Some((x, c, diff, customer, supplier)) => {
            let dimension = capitalized(&humanize(x.dimension.as_deref().unwrap_or("?")));
            let (higher, hi, lower, lo) = if diff >= 0.0 {
                (
                    &r.partnership.customer,
                    customer,
                    &r.partnership.supplier,
                    supplier,
                )
            } else {
                (
                    &r.partnership.supplier,
                    supplier,
                    &r.partnership.customer,
                    customer,
                )
            };
            let test = match c.welch_p {
                Some(p) if significance(p) == Significance::Significant => {
                    format!("significant, Welch {}", p_value(p))
                }
                Some(p) => format!("not significant, Welch {}", p_value(p)),
                None => "no test".to_owned(),
            };
            format!(
                "{dimension}: {higher} {hi:.2}, {lower} {lo:.2}, a gap of {:.2} points ({test}).",
                diff.abs()
            )
        }
        None => match records.iter().find_map(|x| x.suppressed.as_deref()) {
            Some(why) => format!("{}.", capitalized(&withheld(why))),
            None => "No dimension both firms answered.".to_owned(),
        },
    }
}

/// "withheld: fewer than 5 responses", as the dashboard words a withheld figure.
fn withheld(reason: &str) -> String {
    if reason.starts_with("withheld") {
        reason.to_owned()
    } else {
        format!("withheld: {reason}")
    }
}

fn capitalized(s: &str) -> String {
    let mut c = s.chars();
    c.next()
        .map(|f| f.to_uppercase().chain(c).collect())
        .unwrap_or_default()
}

fn signed(v: f64) -> String {
    if v >= 0.0 {
        format!("+{v:.2}")
    } else {
        format!("−{:.2}", v.abs())
    }
}

/// "p = 0.012", or "p < 0.001".
fn p_value(p: f64) -> String {
    if p < 0.001 {
        "p < 0.001".to_owned()
    } else {
        format!("p = {p:.3}")
    }
}

fn absolute(base: &str, link: &str) -> String {
    if link.starts_with("http://") || link.starts_with("https://") {
        link.to_owned()
    } else {
        format!("{base}/{}", link.trim_start_matches('/'))
    }
}

/// Turns a user's wave summary on or off; `NotFound` for an unknown address.
pub fn set_summary(
    conn: &mut Conn,
    email: &str,
    on: bool,
    actor: &str,
) -> Result<(), ServiceError> {
    conn.write_transaction(|conn| {
        let n = diesel::update(users::table.filter(users::email.eq(email)))
            .set(users::summary_opt_out.eq(!on))
            .execute(conn)?;
        if n == 0 {
            return Err(ServiceError::NotFound(format!("there is no user {email}")));
        }
        audit::audit(
            conn,
            actor,
            if on {
                "user.summary_on"
            } else {
                "user.summary_off"
            },
            &format!("user {}", crate::mail::masked(email)),
            "",
        )?;
        Ok(())
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn numbers_are_written_as_the_dashboard_writes_them() {
        assert_eq!(p_value(0.0004), "p < 0.001");
        assert_eq!(p_value(0.0091), "p = 0.009");
        assert_eq!(signed(2.111), "+2.11");
        assert_eq!(signed(-0.5), "−0.50");
        assert_eq!(
            withheld("fewer than 5 responses"),
            "withheld: fewer than 5 responses"
        );
        assert_eq!(withheld("withheld: x"), "withheld: x");
    }

    #[test]
    fn flag_links_become_absolute_once() {
        let base = "https://t.example";
        assert_eq!(
            absolute(base, "/partnerships/1#dim-trust"),
            "https://t.example/partnerships/1#dim-trust"
        );
        assert_eq!(
            absolute(base, "https://t.example/flags/3"),
            "https://t.example/flags/3"
        );
    }
}
