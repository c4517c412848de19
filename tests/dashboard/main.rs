//! The relationship manager's dashboard through the real path: the fixture imported with
//! the CLI, a signed-in user, and every page and export fetched over HTTP — on SQLite and
//! PostgreSQL.

#[path = "../common/mod.rs"]
mod common;
mod goals;
mod overview;
mod plan;

use reqwest::header::CONTENT_TYPE;
use reqwest::{Client, StatusCode};
use serde_json::Value;
use tandem::auth::Role;
use tandem::domain::Side;

use crate::common::{fixture, TestApp};

const CUSTOMER: &str = "Northwind & Sons <Retail>";
pub(crate) const CUSTOMER_ESCAPED: &str = "Northwind &#38; Sons &#60;Retail&#62;";
const SUPPLIER: &str = "Contoso Components";

/// Creates a partnership with the CLI (minimum group `min`), imports the fixture's answers
/// and KPIs with the CLI, and returns its id.
pub(crate) fn import_fixture(app: &TestApp, name: &str, min: u32) -> i64 {
    let out = app.cli(&[
        "partnership",
        "create",
        "--name",
        name,
        "--customer",
        CUSTOMER,
        "--supplier",
        SUPPLIER,
        "--min-reporting-size",
        &min.to_string(),
    ]);
    out.assert_ok();
    let id: i64 = out.last_line().parse().unwrap();
    let pid = id.to_string();
    for (what, file) in [("responses", "responses.csv"), ("kpi", "kpi.csv")] {
        app.cli(&[
            what,
            "import",
            "--partnership",
            &pid,
            fixture(file).to_str().unwrap(),
        ])
        .assert_ok();
    }
    id
}

/// A client signed in as a new user (see [`TestApp::signed_in`]).
pub async fn signed_in(
    app: &TestApp,
    email: &str,
    role: Role,
    scopes: Vec<(i64, Option<Side>)>,
) -> Client {
    app.signed_in(email, role, scopes).await
}

pub(crate) async fn page(
    client: &Client,
    app: &TestApp,
    path: &str,
) -> (StatusCode, String, String) {
    let r = client.get(app.url(path)).send().await.unwrap();
    let status = r.status();
    let kind = r
        .headers()
        .get(CONTENT_TYPE)
        .map(|v| v.to_str().unwrap().to_owned())
        .unwrap_or_default();
    (status, kind, r.text().await.unwrap())
}

/// The data table under one dimension's chart: (wave, the text of each cell) per row.
fn data_table(html: &str, dimension: &str) -> Vec<(i64, Vec<String>)> {
    let start = html
        .find(&format!("id=\"dim-{dimension}\""))
        .unwrap_or_else(|| panic!("no section for {dimension}"));
    let section = &html[start..start + html[start..].find("</section>").unwrap()];
    let body = &section[section.find("<tbody>").unwrap()..section.find("</tbody>").unwrap()];
    body.split("<tr>")
        .skip(1)
        .map(|row| {
            let wave = row[row.find('>').unwrap() + 1..row.find("</th>").unwrap()]
                .parse()
                .unwrap();
            let cells = row
                .split("<td")
                .skip(1)
                .map(|c| c[c.find('>').unwrap() + 1..c.find("</td>").unwrap()].to_owned())
                .collect();
            (wave, cells)
        })
        .collect()
}

/// The firm-wide record of `dimension` in `wave` for `side` in the CLI's report JSON.
fn dimension_record<'a>(report: &'a Value, wave: i64, side: &str, dimension: &str) -> &'a Value {
    report["dimensions"]
        .as_array()
        .unwrap()
        .iter()
        .find(|r| {
            r["wave"] == wave
                && r["side"] == side
                && r["segment_kind"] == "all"
                && r["dimension"] == dimension
        })
        .unwrap_or_else(|| panic!("no {dimension} record for wave {wave} {side}"))
}

/// The text of every `<td class="… withheld">` cell.
fn withheld_cells(html: &str) -> Vec<String> {
    html.split("withheld\">")
        .skip(1)
        .map(|rest| rest[..rest.find('<').unwrap()].to_owned())
        .collect()
}

both_backends!(
    the_dashboard_shows_both_firms_trends_agreement_and_the_kpi_finding,
    |app| {
        let id = import_fixture(&app, "Fixture", 3);
        let admin = signed_in(&app, "admin@example.com", Role::Admin, vec![]).await;

        let (status, kind, html) = page(&admin, &app, &format!("/partnerships/{id}")).await;

        assert_eq!(status, StatusCode::OK, "{html}");
        assert!(kind.starts_with("text/html"));
        assert!(
            html.contains(CUSTOMER_ESCAPED),
            "the customer's name, escaped"
        );
        assert!(!html.contains(CUSTOMER), "never unescaped");
        assert!(html.contains(SUPPLIER));
        assert!(html.contains(r#"<title id="trend-trust-title">Trust: mean by wave"#));
        assert!(
            html.contains("gap between the firms, significant (p &#60; 0.05)"),
            "the win–win gap is marked"
        );
        assert!(html.contains("rwg(j) "), "agreement in numbers");
        assert!(html.contains("agreement"), "agreement in words");
        assert!(html.contains("Response rate by wave and firm"));
        // Six waves give five wave-to-wave changes: too few to test a lead (levels that both
        // trend would correlate at r = 0.99, which is no evidence at all).
        assert!(
            html.contains("No evidence yet that ")
                && html.contains("leads on time delivery (%): too few waves"),
            "the lead–lag verdict"
        );
        assert!(!html.contains(" led on time delivery"), "no lead claimed");
        assert!(html.contains("Adjusted p"), "the Holm-adjusted column");
        assert!(
            html.contains("agreement beyond chance")
                || html.contains("no more agreement than chance"),
            "agreement against chance in words"
        );
        assert!(
            html.contains("Both firms together: rwg(j) "),
            "joint alignment"
        );
        assert!(
            html.contains("shifted from"),
            "the change point of the supplier's trust"
        );
        assert!(html.contains(&format!("/partnerships/{id}/items/trust")));

        // Every mean and interval in each dimension's data table is the report's, wave by
        // wave and firm by firm (customer first), with the gap between them.
        let out = app.cli(&["report", "--partnership", &id.to_string(), "--json"]);
        out.assert_ok();
        let report: Value = serde_json::from_str(&out.stdout).unwrap();
        for dimension in ["win_win", "trust", "shared_objectives"] {
            let table = data_table(&html, dimension);
            assert_eq!(
                table.iter().map(|(w, _)| *w).collect::<Vec<_>>(),
                (1..=6).rev().collect::<Vec<_>>(),
                "{dimension}: one row per wave, newest first"
            );
            for (wave, cells) in &table {
                assert_eq!(cells.len(), 4, "two firms, the gap and the test: {cells:?}");
                let mut means = vec![];
                for (cell, side) in cells.iter().zip(["customer", "supplier"]) {
                    let rec = dimension_record(&report, *wave, side, dimension);
                    let mean = rec["mean"].as_f64().unwrap();
                    let ci = &rec["mean_ci95"];
                    let want = format!(
                        "{:.2} ({:.2}–{:.2}) · rwg(j) {:.2} · n {}",
                        mean,
                        ci[0].as_f64().unwrap(),
                        ci[1].as_f64().unwrap(),
                        rec["rwg_j"].as_f64().unwrap(),
                        rec["n"]
                    );
                    assert_eq!(cell, &want, "{dimension} wave {wave} {side}: {rec}");
                    means.push(mean);
                }
                let gap: f64 = cells[2]
                    .trim_start_matches('+')
                    .replace('−', "-")
                    .parse()
                    .unwrap();
                assert!(
                    (gap - (means[0] - means[1])).abs() <= 0.006,
                    "{dimension} wave {wave}: gap {} for means {means:?}",
                    cells[2]
                );
            }
        }
    }
);

both_backends!(
    item_page_review_pack_csv_and_svg_exports_come_from_the_report,
    |app| {
        let id = import_fixture(&app, "Fixture", 3);
        let admin = signed_in(&app, "admin@example.com", Role::Admin, vec![]).await;

        let (status, _, item) =
            page(&admin, &app, &format!("/partnerships/{id}/items/trust")).await;
        assert_eq!(status, StatusCode::OK, "{item}");
        assert!(item.contains("Strongly agree"));
        assert!(item.contains("Wave 6 · Contoso Components"));
        // Each row of the answers table holds the report's counts for that wave and firm.
        let out = app.cli(&["report", "--partnership", &id.to_string(), "--json"]);
        out.assert_ok();
        let report: Value = serde_json::from_str(&out.stdout).unwrap();
        let body = &item[item.find("<tbody>").unwrap()..item.find("</tbody>").unwrap()];
        let mut rows = 0;
        for row in body.split("<tr>").skip(1) {
            let wave: i64 = row[row.find('>').unwrap() + 1..row.find("</th>").unwrap()]
                .parse()
                .unwrap();
            let cells: Vec<&str> = row
                .split("<td")
                .skip(1)
                .map(|c| &c[c.find('>').unwrap() + 1..c.find("</td>").unwrap()])
                .collect();
            let side = if cells[0] == SUPPLIER {
                "supplier"
            } else {
                "customer"
            };
            let rec = report["items"]
                .as_array()
                .unwrap()
                .iter()
                .find(|r| {
                    r["wave"] == wave
                        && r["side"] == side
                        && r["segment_kind"] == "all"
                        && r["item"] == "trust"
                })
                .unwrap();
            let counts = rec["counts"].as_object().unwrap();
            let mut want: Vec<(u32, String)> = counts
                .iter()
                .map(|(k, v)| (k.parse().unwrap(), v.to_string()))
                .collect();
            want.sort();
            let want: Vec<String> = want.into_iter().map(|(_, v)| v).collect();
            assert_eq!(
                cells[1..=want.len()].to_vec(),
                want,
                "wave {wave} {side}: {rec}"
            );
            rows += 1;
        }
        assert_eq!(rows, 12, "six waves × two firms");

        let (status, _, review) =
            page(&admin, &app, &format!("/partnerships/{id}/review?wave=6")).await;
        assert_eq!(status, StatusCode::OK, "{review}");
        assert!(review.contains("Questions for the review meeting"));
        assert!(
            review.contains("Trust at Contoso Components has been falling by 0.29 points per wave"),
            "{review}"
        );
        assert!(review.contains("rates trust 1.14 points higher than Contoso Components"));
        assert!(review.contains("@media print"));

        let (status, kind, csv) =
            page(&admin, &app, &format!("/partnerships/{id}/export.csv")).await;
        assert_eq!(status, StatusCode::OK);
        assert!(kind.starts_with("text/csv"));
        assert!(csv.starts_with("section,wave,side,segment_kind,segment,subject,statistic,value"));
        // The CSV's Welch p for the win–win gap of wave 6 is the report's.
        let line = csv
            .lines()
            .find(|l| l.starts_with("inter_firm.dimensions,6,,,,win_win,welch_p,"))
            .expect("the wave-6 win–win gap test in the CSV");
        let p: f64 = line.rsplit(',').next().unwrap().parse().unwrap();
        let gap = report["inter_firm"]["dimensions"]
            .as_array()
            .unwrap()
            .iter()
            .find(|r| r["wave"] == 6 && r["dimension"] == "win_win")
            .unwrap();
        assert!(
            (p - gap["welch_p"].as_f64().unwrap()).abs() < 1e-12,
            "{line} / {gap}"
        );

        let (status, kind, svg) = page(
            &admin,
            &app,
            &format!("/partnerships/{id}/charts/trend-trust.svg"),
        )
        .await;
        assert_eq!(status, StatusCode::OK);
        assert!(kind.starts_with("image/svg+xml"));
        assert!(svg.starts_with("<svg xmlns=\"http://www.w3.org/2000/svg\""));
        assert!(svg.contains(CUSTOMER_ESCAPED));

        let (status, _, _) = page(
            &admin,
            &app,
            &format!("/partnerships/{id}/charts/nothing.svg"),
        )
        .await;
        assert_eq!(status, StatusCode::NOT_FOUND);
        let (status, _, _) = page(&admin, &app, &format!("/partnerships/{id}/review?wave=9")).await;
        assert_eq!(status, StatusCode::NOT_FOUND);
    }
);

both_backends!(
    groups_below_a_raised_minimum_are_shown_withheld_and_without_numbers,
    |app| {
        let id = import_fixture(&app, "Strict", 12);
        let admin = signed_in(&app, "admin@example.com", Role::Admin, vec![]).await;

        let (status, _, html) = page(&admin, &app, &format!("/partnerships/{id}")).await;
        assert_eq!(status, StatusCode::OK, "{html}");
        let cells = withheld_cells(&html);
        assert!(
            !cells.is_empty(),
            "some level or function is below 12 responses"
        );
        for text in &cells {
            assert!(text.starts_with("withheld"), "{text}");
            let without_minimum = text.replace("fewer than 12", "");
            assert!(
                !without_minimum.chars().any(|c| c.is_ascii_digit()),
                "a number in a withheld cell: {text}"
            );
        }
        assert!(html.contains("withheld: fewer than 12 responses"));

        let (_, _, svg) = page(
            &admin,
            &app,
            &format!("/partnerships/{id}/charts/heatmap-customer-level.svg"),
        )
        .await;
        let hatched = svg.matches("class=\"tc-hatched\"").count();
        assert!(hatched > 0, "{svg}");
        // Each hatched cell (and the key's sample) is labelled "withheld", never with a number.
        for part in svg.split("class=\"tc-hatched\"").skip(1) {
            let label_start = part.find("<text").unwrap();
            let label =
                &part[label_start..part[label_start..].find("</text>").unwrap() + label_start];
            let text = &label[label.rfind('>').unwrap() + 1..];
            assert!(text.starts_with("withheld"), "{label}");
            assert!(!text.chars().any(|c| c.is_ascii_digit()), "{label}");
        }

        let (_, _, csv) = page(&admin, &app, &format!("/partnerships/{id}/export.csv")).await;
        for line in csv
            .lines()
            .filter(|l| l.contains("fewer than 12 responses"))
        {
            assert!(line.contains(",suppressed,"), "{line}");
        }
    }
);

both_backends!(
    a_partnership_outside_the_managers_scope_is_not_found,
    |app| {
        let mine = import_fixture(&app, "Mine", 3);
        let other = import_fixture(&app, "Other", 3);
        let manager = signed_in(&app, "rm@example.com", Role::Manager, vec![(mine, None)]).await;

        let (status, _, _) = page(&manager, &app, &format!("/partnerships/{mine}")).await;
        assert_eq!(status, StatusCode::OK);
        for path in [
            format!("/partnerships/{other}"),
            format!("/partnerships/{other}/items/trust"),
            format!("/partnerships/{other}/review"),
            format!("/partnerships/{other}/export.csv"),
            format!("/partnerships/{other}/charts/trend-trust.svg"),
            "/partnerships/999999".to_owned(),
        ] {
            let (status, _, body) = page(&manager, &app, &path).await;
            assert_eq!(status, StatusCode::NOT_FOUND, "{path}");
            assert!(
                !body.contains("Other"),
                "{path} says nothing of the partnership"
            );
        }

        let anonymous = Client::builder()
            .redirect(reqwest::redirect::Policy::none())
            .build()
            .unwrap();
        let r = anonymous
            .get(app.url(&format!("/partnerships/{mine}")))
            .send()
            .await
            .unwrap();
        assert_eq!(
            r.status(),
            StatusCode::SEE_OTHER,
            "signed-out visitors are sent to sign in"
        );
    }
);

both_backends!(a_one_side_manager_sees_only_their_firm_and_no_gap, |app| {
    let id = import_fixture(&app, "Fixture", 3);
    let manager = signed_in(
        &app,
        "sup@example.com",
        Role::Manager,
        vec![(id, Some(Side::Supplier))],
    )
    .await;

    let (status, _, html) = page(&manager, &app, &format!("/partnerships/{id}")).await;

    assert_eq!(status, StatusCode::OK, "{html}");
    assert!(html.contains(SUPPLIER));
    assert!(
        !html.contains(CUSTOMER_ESCAPED),
        "the customer firm is not shown"
    );
    assert!(!html.contains("gap between the firms"));
    assert!(
        html.contains("Dimensions: your firm over time") && !html.contains("both firms over time"),
        "a one-firm view is not headed both firms"
    );
    assert!(
        !html.contains("Relationship health"),
        "the index combines both firms"
    );
    let (_, _, csv) = page(&manager, &app, &format!("/partnerships/{id}/export.csv")).await;
    assert!(!csv.contains(",customer,"));
    assert!(!csv.contains("inter_firm"));
    assert!(
        !csv.contains("\njoint,"),
        "joint alignment combines both firms"
    );
    assert!(csv.contains("\nchange_points,") && csv.contains("\nsegment_tests,"));
});
