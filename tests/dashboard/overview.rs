//! The portfolio overview (`/portfolio`, `.csv`, `.json`, `/api/portfolio`): every
//! partnership in the viewer's scope side by side, most at risk first, and never more than
//! the viewer's own dashboards show.

use reqwest::StatusCode;
use serde_json::Value;
use tandem::auth::Role;
use tandem::domain::Side;

use crate::both_backends;
use crate::{import_fixture, page, CUSTOMER_ESCAPED};

both_backends!(
    the_portfolio_shows_every_partnership_in_scope_most_at_risk_first,
    |app| {
        let a = import_fixture(&app, "Alpha", 3);
        let b = import_fixture(&app, "=Bravo", 3);
        // A partnership without a closed wave is listed too, with nothing to show.
        let c = app.create_partnership("Charlie").await;
        // Open flags make Alpha the riskiest.
        app.cli(&["flags", "run", "--partnership", &a.to_string()])
            .assert_ok();

        let admin = app
            .signed_in("admin@example.com", Role::Admin, vec![])
            .await;
        let (status, _, html) = page(&admin, &app, "/portfolio").await;
        assert_eq!(status, StatusCode::OK, "{html}");
        let (pa, pb, pc) = (
            html.find("Alpha").expect("Alpha listed"),
            html.find("=Bravo").expect("Bravo listed"),
            html.find("Charlie").expect("Charlie listed"),
        );
        assert!(
            pa < pb && pb < pc,
            "most at risk first, nothing closed last"
        );
        assert!(html.contains("no closed wave yet"));
        assert!(html.contains(CUSTOMER_ESCAPED), "names are escaped");
        assert!(html.contains("open flag"), "the reasons are given");

        let rows: Value = admin
            .get(app.url("/portfolio.json"))
            .send()
            .await
            .unwrap()
            .json()
            .await
            .unwrap();
        let rows = rows.as_array().unwrap();
        assert_eq!(rows.len(), 3);
        assert_eq!(rows[0]["id"], a);
        let alpha = &rows[0];
        let risk = alpha["risk"].as_f64().unwrap();
        let flags = &alpha["open_flags"];
        let flag_points = 3 * flags["high"].as_u64().unwrap()
            + 2 * flags["medium"].as_u64().unwrap()
            + flags["low"].as_u64().unwrap();
        assert!(flag_points > 0 && risk >= flag_points as f64, "{alpha}");
        // The figures are the report's: the last wave and its health index.
        let report: Value = app
            .get(&format!("/api/partnerships/{a}/report?segment=all"))
            .send()
            .await
            .unwrap()
            .json()
            .await
            .unwrap();
        let last = report["health"].as_array().unwrap().last().unwrap();
        assert_eq!(alpha["summary"]["last_wave"], last["wave"]);
        assert_eq!(alpha["summary"]["health"], last["index"]);
        assert!(rows[2]["summary"].is_null(), "Charlie has no closed wave");
        assert_eq!(rows[2]["id"], c);

        let csv = admin
            .get(app.url("/portfolio.csv"))
            .send()
            .await
            .unwrap()
            .text()
            .await
            .unwrap();
        assert_eq!(csv.lines().count(), 4, "header and three partnerships");
        assert!(
            csv.contains(",'=Bravo,"),
            "a formula-like name is neutralised: {csv}"
        );

        let (_, _, by_name) = page(&admin, &app, "/portfolio?sort=name").await;
        assert!(by_name.find("=Bravo").unwrap() < by_name.find("Alpha").unwrap());
        assert!(by_name.contains("aria-current=\"true\">Partnership"));

        let api = app.get("/api/portfolio").send().await.unwrap();
        assert_eq!(api.status(), 200);
        assert_eq!(
            api.json::<Value>().await.unwrap().as_array().unwrap().len(),
            3
        );
        let _ = b;
    }
);

both_backends!(
    a_manager_sees_only_their_partnerships_and_their_side,
    |app| {
        let a = import_fixture(&app, "Alpha", 3);
        let b = import_fixture(&app, "Bravo", 3);
        let one_side = app
            .signed_in(
                "buyer@example.com",
                Role::Manager,
                vec![(a, Some(Side::Customer))],
            )
            .await;
        let rows: Value = one_side
            .get(app.url("/portfolio.json"))
            .send()
            .await
            .unwrap()
            .json()
            .await
            .unwrap();
        let rows = rows.as_array().unwrap();
        assert_eq!(rows.len(), 1, "Bravo is not in scope");
        let s = &rows[0]["summary"];
        assert!(s["health"].is_null(), "no index: it combines both firms");
        assert!(s["biggest_gap"].is_null(), "no gap: it combines both firms");
        assert!(
            s["response_supplier"].is_null(),
            "the other firm's rate is not shown"
        );
        assert!(s["response_customer"].is_number());
        assert_eq!(s["lowest_agreement"]["side"], "customer");
        let (status, _, html) = page(&one_side, &app, "/portfolio").await;
        assert_eq!(status, StatusCode::OK);
        assert!(!html.contains("Bravo"));
        assert!(
            !html.contains("href=\"/flags\""),
            "no inbox link for a manager"
        );

        let anonymous = reqwest::Client::builder()
            .redirect(reqwest::redirect::Policy::none())
            .build()
            .unwrap();
        let r = anonymous.get(app.url("/portfolio")).send().await.unwrap();
        assert_eq!(r.status(), StatusCode::SEE_OTHER);
        let r = anonymous
            .get(app.url("/portfolio.json"))
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), StatusCode::SEE_OTHER);
        let _ = b;
    }
);
