//! `GET /admin/partnerships/{id}/roster`: a partnership's people for administrators, with
//! each address's deliverability (an address that bounced hard gets no more mail, and the
//! page says since when and why).

use actix_web::http::StatusCode;
use actix_web::{web, HttpResponse};
use askama::Template;

use super::admin::page_error;
use super::extract::{Admins, RequireRole};
use super::render::html;
use super::AppState;
use crate::i18n::{en, en2};
use crate::services::bounces::{self, RosterPerson};

#[derive(Template)]
#[template(path = "pages/admin_roster.html")]
struct RosterPage {
    email: String,
    csrf: String,
    partnership_id: i64,
    people: Vec<Line>,
    undeliverable: usize,
}

struct Line {
    name: String,
    side: String,
    email: String,
    segment: String,
    /// The status's code (the row's class) and its words.
    status: &'static str,
    status_words: String,
    /// "since … : reason" for an undeliverable address, else empty.
    bounce: String,
}

impl Line {
    fn of(p: &RosterPerson) -> Line {
        let (status, key) = match (&p.undeliverable, p.active, p.opted_out) {
            (Some(_), _, _) => ("undeliverable", "roster-status-undeliverable"),
            (None, false, _) => ("inactive", "roster-status-inactive"),
            (None, true, true) => ("opted-out", "roster-status-opted-out"),
            (None, true, false) => ("active", "roster-status-active"),
        };
        Line {
            name: p.name.clone(),
            side: p.side.clone(),
            email: p.email.clone().unwrap_or_default(),
            // the custom attributes' values after the built-in ones
            segment: [&p.level, &p.function, &p.region, &p.business_unit]
                .into_iter()
                .chain(p.attributes.values())
                .filter(|a| !a.is_empty())
                .map(String::as_str)
                .collect::<Vec<_>>()
                .join(" · "),
            status,
            status_words: en(key),
            bounce: p
                .undeliverable
                .as_ref()
                .map(|u| {
                    en2(
                        "roster-bounce-since",
                        "since",
                        u.since.format("%Y-%m-%d %H:%M"),
                        "reason",
                        &u.reason,
                    )
                })
                .unwrap_or_default(),
        }
    }
}

/// `GET /admin/partnerships/{id}/roster`
pub async fn roster_page(
    admin: RequireRole<Admins>,
    state: web::Data<AppState>,
    id: web::Path<String>,
) -> HttpResponse {
    let result = async {
        let id = super::api::partnerships::parse_id(&id)?;
        let people = state.db(move |conn, _| bounces::roster(conn, id)).await?;
        html(
            StatusCode::OK,
            RosterPage {
                email: admin.user.user.email.clone(),
                csrf: admin.csrf_token(),
                partnership_id: id,
                undeliverable: people.iter().filter(|p| p.undeliverable.is_some()).count(),
                people: people.iter().map(Line::of).collect(),
            },
        )
    }
    .await;
    result.unwrap_or_else(page_error)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::services::bounces::UndeliverableView;

    fn person(active: bool, opted_out: bool, bounced: bool) -> RosterPerson {
        RosterPerson {
            id: 1,
            side: "customer".into(),
            name: "Ana".into(),
            email: Some("ana@example.com".into()),
            level: String::new(),
            function: String::new(),
            region: String::new(),
            business_unit: String::new(),
            language: None,
            attributes: Default::default(),
            active,
            opted_out,
            undeliverable: bounced.then(|| UndeliverableView {
                since: chrono::NaiveDate::from_ymd_opt(2026, 3, 2)
                    .and_then(|d| d.and_hms_opt(9, 5, 0))
                    .expect("a moment"),
                reason: "550 no such user".into(),
            }),
        }
    }

    #[test]
    fn every_roster_status_reads_as_before_its_words_moved_to_the_catalog() {
        let words = |p: RosterPerson| {
            let line = Line::of(&p);
            (line.status, line.status_words, line.bounce)
        };
        assert_eq!(
            words(person(true, false, true)),
            (
                "undeliverable",
                "undeliverable".to_owned(),
                "since 2026-03-02 09:05 UTC: 550 no such user".to_owned()
            )
        );
        assert_eq!(
            words(person(false, false, false)),
            ("inactive", "inactive".to_owned(), String::new())
        );
        assert_eq!(
            words(person(true, true, false)),
            ("opted-out", "opted out".to_owned(), String::new())
        );
        assert_eq!(
            words(person(true, false, false)),
            ("active", "active".to_owned(), String::new())
        );
    }
}
