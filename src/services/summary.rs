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
use crate::i18n::{en, en1, en2, en_with};
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
    let dates = en2(
        "mail-summary-dates",
        "opened",
        local_date(wave.opened_at.unwrap_or(wave.opens_at), tz),
        "closed",
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
    crate::i18n::en_date(tz.from_utc_datetime(&utc))
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
                    Some(rate) => en_with(
                        "mail-summary-answered",
                        &[
                            ("responded", &x.responded),
                            ("invited", &x.invited),
                            ("rate", &format!("{:.0}", rate * 100.0)),
                        ],
                    ),
                    None => en("mail-summary-nobody-invited"),
                },
                None => en("mail-summary-no-invitations"),
            };
            let withheld = r
                .groups
                .iter()
                .find(|g| g.id.wave == seq && g.id.side == side && g.id.segment.is_none())
                .and_then(|g| g.id.suppressed.as_deref())
                .map(|why| en1("mail-summary-figures", "withheld", withheld(why)))
                .unwrap_or_default();
            en_with(
                "mail-summary-response",
                &[
                    ("firm", &firm(side)),
                    ("side", &side),
                    ("counts", &counts),
                    ("withheld", &withheld),
                ],
            )
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
                en_with(
                    if diff > 0.0 {
                        "mail-summary-move-rose"
                    } else {
                        "mail-summary-move-fell"
                    },
                    &[
                        ("firm", &firm(t.side)),
                        ("dimension", &humanize(&t.target)),
                        ("from", &format!("{from:.2}")),
                        ("wave", &c.from_wave),
                        ("to", &format!("{to:.2}")),
                        ("diff", &signed(diff)),
                        ("p", &p_value(p)),
                    ],
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
            not_compared.push(' ');
            not_compared.push_str(&en1(
                "mail-summary-not-compared-withheld",
                "firm",
                firm(side),
            ));
        } else if !has_change {
            not_compared.push(' ');
            not_compared.push_str(&en1("mail-summary-not-compared-first", "firm", firm(side)));
        } else {
            compared += 1;
        }
    }
    let moved_intro = match previous {
        None => en1("mail-summary-first-wave", "seq", seq),
        Some(_) => {
            let lead = en(if compared == 0 {
                "mail-summary-nothing-to-compare"
            } else if moves.is_empty() {
                "mail-summary-nothing-moved"
            } else {
                "mail-summary-changes"
            });
            format!("{lead}{not_compared}")
        }
    };

    let gap = (visibility == Visibility::Both).then(|| gap_line(&r, seq));

    let open: Vec<&FlagView> = flags.iter().collect();
    let count = |s: Severity| open.iter().filter(|f| f.severity == s).count();
    let flags_intro = if open.is_empty() {
        en("mail-summary-no-flags")
    } else {
        let counts = en_with(
            "mail-summary-flag-counts",
            &[
                ("count", &open.len()),
                ("high", &count(Severity::High)),
                ("medium", &count(Severity::Medium)),
                ("low", &count(Severity::Low)),
            ],
        );
        if visibility == Visibility::Both {
            counts
        } else {
            format!("{counts} {}", en("mail-summary-flags-listed-to-both"))
        }
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
                (!flags.is_empty()).then(|| SummaryFlagGroup {
                    heading: crate::flags::digest::severity_heading(severity, flags.len()),
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
            Visibility::Both => en("mail-summary-sees-both"),
            Visibility::Only(side) => en1("mail-summary-sees-one", "firm", firm(side)),
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
            (None, Some(why)) => {
                return en1("mail-summary-health-withheld", "withheld", withheld(why))
            }
            (None, None) => return en("mail-summary-health-unanswered"),
        },
        None => return en("mail-summary-health-none"),
    };
    let index = format!("{now:.1}");
    let Some(prev) = previous else {
        return en1("mail-summary-health-first", "index", &index);
    };
    match of(prev).and_then(|h| h.index) {
        Some(p) => {
            let d = now - p;
            let change = format!("{:.1}", d.abs());
            let id = if change == "0.0" {
                "mail-summary-health-unchanged"
            } else if d > 0.0 {
                "mail-summary-health-up"
            } else {
                "mail-summary-health-down"
            };
            en_with(
                id,
                &[
                    ("index", &index),
                    ("change", &change),
                    ("previous", &format!("{p:.1}")),
                    ("wave", &prev),
                ],
            )
        }
        None => en2(
            "mail-summary-health-no-previous",
            "index",
            &index,
            "wave",
            prev,
        ),
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
                    en1("mail-summary-gap-significant", "p", p_value(p))
                }
                Some(p) => en1("mail-summary-gap-not-significant", "p", p_value(p)),
                None => en("mail-summary-gap-no-test"),
            };
            en_with(
                "mail-summary-gap-line",
                &[
                    ("dimension", &dimension),
                    ("higher", higher),
                    ("hi", &format!("{hi:.2}")),
                    ("lower", lower),
                    ("lo", &format!("{lo:.2}")),
                    ("gap", &format!("{:.2}", diff.abs())),
                    ("test", &test),
                ],
            )
        }
        None => match records.iter().find_map(|x| x.suppressed.as_deref()) {
            Some(why) => format!("{}.", capitalized(&withheld(why))),
            None => en("mail-summary-gap-unanswered"),
        },
    }
}

/// "withheld: fewer than 5 responses", as the dashboard words a withheld figure.
fn withheld(reason: &str) -> String {
    if reason.starts_with("withheld") {
        reason.to_owned()
    } else {
        en1("mail-summary-withheld", "reason", reason)
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
            return Err(ServiceError::NotFound(en1(
                "mail-problem-no-user",
                "email",
                email,
            )));
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
    fn a_date_names_its_month_from_the_catalog_in_all_twelve_months() {
        let tz: chrono_tz::Tz = "Europe/Paris".parse().expect("a zone");
        for month in 1..=12 {
            let utc = chrono::NaiveDate::from_ymd_opt(2026, month, 4)
                .and_then(|d| d.and_hms_opt(12, 0, 0))
                .expect("a date");
            let written = local_date(utc, tz);
            let name = crate::i18n::en(&format!("month-{month}"));
            assert_ne!(name, format!("month-{month}"), "month-{month} is missing");
            assert_eq!(written, format!("4 {name} 2026"));
            // the same words as chrono's English month names, which it replaced
            assert_eq!(written, utc.format("%-d %B %Y").to_string());
        }
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
