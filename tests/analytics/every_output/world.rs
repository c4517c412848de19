//! The world.

use super::*;

/// `n` .eml files in the test's mail folder (the embedded default), waiting for the outbox
/// worker; each read as the SMTP sink reads what it receives.
pub(super) async fn mails(app: &TestApp, n: usize) -> Vec<Received> {
    let dir = app.db.dir.path().join("data").join("mail");
    let deadline = Instant::now() + Duration::from_secs(30);
    loop {
        let got = read_mail(&dir);
        if got.len() >= n {
            return got;
        }
        assert!(
            Instant::now() < deadline,
            "only {} of {n} mails were written",
            got.len()
        );
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
}

pub(super) fn read_mail(dir: &Path) -> Vec<Received> {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return Vec::new();
    };
    let mut out: Vec<(std::time::SystemTime, Received)> = entries
        .filter_map(|e| e.ok())
        .map(|e| e.path())
        .filter(|p| p.extension().is_some_and(|x| x == "eml"))
        .filter_map(|p| {
            let m = Received {
                from: String::new(),
                to: Vec::new(),
                raw: std::fs::read_to_string(&p).ok()?,
            };
            // A file still being written lacks its closing boundary (every mail has a
            // text and an HTML part).
            let boundary = m
                .header("Content-Type")?
                .split(';')
                .find_map(|p| p.trim().strip_prefix("boundary="))?
                .trim_matches('"')
                .to_owned();
            m.raw.contains(&format!("--{boundary}--")).then_some(())?;
            let to = m.header("To")?;
            Some((
                std::fs::metadata(&p).ok()?.modified().ok()?,
                Received { to: vec![to], ..m },
            ))
        })
        .collect();
    out.sort_by_key(|(t, _)| *t);
    out.into_iter().map(|(_, m)| m).collect()
}

pub(super) fn token_in(text: &str) -> String {
    let at = text.find("/s/").expect("a survey link in the mail") + 3;
    text[at..]
        .chars()
        .take_while(|c| c.is_ascii_alphanumeric() || *c == '-' || *c == '_')
        .collect()
}

/// One person of the roster and what they answer (the same on every item).
pub(super) struct Person {
    pub(super) email: String,
    pub(super) side: &'static str,
    pub(super) level: &'static str,
    pub(super) function: &'static str,
    /// Business unit: one per level, under other names (a second breakdown whose groups
    /// must be withheld exactly as the levels are).
    pub(super) business_unit: &'static str,
    /// Language: one per function (the mails and pages in it; its groups shown as the
    /// functions are).
    pub(super) language: &'static str,
    pub(super) value: i64,
    pub(super) comment: Option<String>,
}

/// The roster of the main partnership.
pub(super) fn people() -> Vec<Person> {
    let mut out = Vec::new();
    let mut add = |prefix: &str, side, level, function, values: &[i64]| {
        for (i, v) in values.iter().enumerate() {
            let business_unit = match level {
                "Zenith" => "Summit",
                "Meridian" => "Equator",
                "Basecamp" => "Campsite",
                "Quasar" => "Comet",
                _ => "Galaxy",
            };
            let language = match function {
                "Foundry" => "de",
                "Ledger" => "fr",
                _ => "es",
            };
            out.push(Person {
                email: format!("{prefix}{i}@{side}.test"),
                side,
                level,
                function,
                business_unit,
                language,
                value: *v,
                comment: None,
            });
        }
    };
    add("zen", "customer", "Zenith", "Foundry", &[1, 1, 2, 1]);
    add(
        "mer",
        "customer",
        "Meridian",
        "Ledger",
        &[4, 5, 4, 5, 4, 5, 4, 5, 4, 5],
    );
    add(
        "bas",
        "customer",
        "Basecamp",
        "Foundry",
        &[2, 3, 3, 2, 3, 3, 2, 3, 3, 2, 3, 3],
    );
    add("qua", "supplier", "Quasar", "Harbor", &[2, 2, 3]);
    add("neb", "supplier", "Nebula", "Harbor", &[4, 5, 5, 5, 5]);
    for p in out.iter_mut() {
        if p.email == "qua0@supplier.test" {
            p.comment = Some(format!("{MARKER}: only the Quasars think this"));
        }
        if p.email == "mer0@customer.test" {
            p.comment = Some(format!("{SHOWN_COMMENT}: the whole of Acme may say this"));
        }
    }
    out
}

/// The main partnership through the real path (roster, wave, mailed links, answers,
/// close); the second one imported with the CLI; a manager and an ombudsman of both;
/// a goal on each; the digests queued.
/// The signed-in viewers: a manager of both firms, a manager of the customer only, an
/// ombudsman.
pub(super) struct Viewers {
    pub(super) manager: reqwest::Client,
    pub(super) customer_manager: reqwest::Client,
    pub(super) ombudsman: reqwest::Client,
}

pub(super) async fn build(app: &TestApp) -> (World, Viewers) {
    let r = app
        .post("/api/partnerships")
        .json(
            &json!({"name": "Acme / Bolt", "customer": "Acme", "supplier": "Bolt",
            "min_reporting_size": 5, "min_comment_size": 10}),
        )
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 201, "{}", r.text().await.unwrap());
    let p = r.json::<Value>().await.unwrap()["id"].as_i64().unwrap();

    // The second partnership: Cove (8 people) and Drift (4: 1, 2, 2, 2).
    let out = app.cli(&[
        "partnership",
        "create",
        "--name",
        "Cove / Drift",
        "--customer",
        "Cove",
        "--supplier",
        "Drift",
    ]);
    out.assert_ok();
    let q: i64 = out.last_line().parse().unwrap();
    let mut csv = String::from("wave,firm,respondent,level,function,item,value,region\n");
    // Three waves: Cove at 4.50, 3.50, 4.50; Drift at 1.75 every time.
    for (wave, cove) in [(1, [4, 5]), (2, [3, 4]), (3, [4, 5])] {
        let cove: Vec<i64> = (0..8).map(|i| cove[i % 2]).collect();
        for (firm, values) in [("customer", cove.as_slice()), ("supplier", &[1, 2, 2, 2])] {
            for (n, v) in values.iter().enumerate() {
                for item in ITEMS {
                    csv.push_str(&format!("{wave},{firm},{firm}{n},staff,ops,{item},{v},\n"));
                }
            }
        }
    }
    let file = write_file(&app.db, "history.csv", csv.as_bytes());
    app.cli(&[
        "responses",
        "import",
        "--partnership",
        &q.to_string(),
        file.to_str().unwrap(),
    ])
    .assert_ok();

    let manager = app
        .signed_in(
            "manager@acme.test",
            Role::Manager,
            vec![(p, None), (q, None)],
        )
        .await;
    let customer = Some(tandem::domain::Side::Customer);
    let customer_manager = app
        .signed_in(
            "customer-manager@acme.test",
            Role::Manager,
            vec![(p, customer), (q, customer)],
        )
        .await;
    let ombudsman = app
        .signed_in(
            "ombudsman@tandem.test",
            Role::Ombudsman,
            vec![(p, None), (q, None)],
        )
        .await;

    let mut roster =
        String::from("email,name,side,level,function,region,roles,business_unit,language\n");
    let everyone = people();
    for Person {
        email,
        side,
        level,
        function,
        business_unit,
        language,
        ..
    } in &everyone
    {
        roster.push_str(&format!(
            "{email},{email},{side},{level},{function},,,{business_unit},{language}\n"
        ));
    }
    let r = app
        .post(&format!("/api/partnerships/{p}/roster"))
        .header("content-type", "text/csv")
        .body(roster)
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 200, "{}", r.text().await.unwrap());
    let r = app
        .post(&format!("/api/partnerships/{p}/waves"))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 201, "{}", r.text().await.unwrap());
    let invitations = mails(app, everyone.len()).await;
    for Person {
        email,
        value,
        comment,
        ..
    } in &everyone
    {
        let m = invitations
            .iter()
            .find(|m| m.to.iter().any(|t| t.contains(email.as_str())))
            .unwrap_or_else(|| panic!("no invitation to {email}"));
        let token = token_in(&m.part("text/plain").expect("a text part"));
        let answers: serde_json::Map<String, Value> = ITEMS
            .iter()
            .map(|i| (i.to_string(), json!(value)))
            .collect();
        let mut body = json!({ "answers": answers });
        if let Some(c) = comment {
            body["comments"] = json!({ "changes": c });
        }
        let r = app
            .client
            .post(app.url(&format!("/api/responses/{token}")))
            .json(&body)
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), 200, "{}", r.text().await.unwrap());
    }
    let r = app
        .post(&format!("/api/partnerships/{p}/waves/close"))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 200, "{}", r.text().await.unwrap());

    // A goal on the gap between the firms of each partnership (the second one's gap needs
    // the withheld firm).
    let report: Value = app
        .get(&format!("/api/partnerships/{p}/report"))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let dimension = report["dimensions"][0]["dimension"]
        .as_str()
        .expect("a dimension")
        .to_owned();
    let dimensions = report["dimensions"]
        .as_array()
        .unwrap()
        .iter()
        .map(|d| d["dimension"].as_str().unwrap())
        .collect::<BTreeSet<_>>()
        .len();
    for id in [p, q] {
        for (metric, target) in [
            ("gap", 0.1),
            ("mean:supplier", 4.9),
            ("agreement:supplier", 0.9),
        ] {
            let r = app
                .post(&format!("/api/partnerships/{id}/goals"))
                .json(&json!({"metric": format!("{metric}:{dimension}"), "target": target, "due_on": "2031-01-31"}))
                .send()
                .await
                .unwrap();
            assert_eq!(r.status(), 201, "{metric}: {}", r.text().await.unwrap());
        }
    }

    // A relationship plan objective on every dimension of each partnership: the dashboard
    // and the review pack show each firm's latest mean beside it (Drift's 4 are withheld).
    // The second partnership gets two owners on its roster (it has only imported history).
    let r = app
        .post(&format!("/api/partnerships/{q}/roster"))
        .header("content-type", "text/csv")
        .body("email,name,side,level,function,region,roles\nolive@cove.test,Olive Owner,customer,staff,ops,,\nsam@drift.test,Sam Owner,supplier,staff,ops,,\n")
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 200, "{}", r.text().await.unwrap());
    let all_dimensions: BTreeSet<String> = report["dimensions"]
        .as_array()
        .unwrap()
        .iter()
        .map(|d| d["dimension"].as_str().unwrap().to_owned())
        .collect();
    for id in [p, q] {
        let owner = |side: &str| {
            use diesel::prelude::*;
            use tandem::db::schema::people;
            let mut conn = app.db.pool().get().unwrap();
            people::table
                .filter(people::partnership_id.eq(id))
                .filter(people::side.eq(side))
                .select(people::id)
                .order(people::id.asc())
                .first::<i64>(&mut conn)
                .unwrap()
        };
        let r = app
            .post(&format!("/api/partnerships/{id}/plan"))
            .json(&json!({
                "title": "Joint objective",
                "customer_owner": owner("customer"),
                "supplier_owner": owner("supplier"),
                "dimensions": all_dimensions,
                "milestones": [{"title": "First step", "due_on": "2026-01-31", "owner": owner("supplier")}]
            }))
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), 201, "{}", r.text().await.unwrap());
    }

    // A KPI for both (the second partnership's three waves give it a chart).
    for (id, kpis) in [(p, "1,97\n"), (q, "1,97\n2,90\n3,96\n")] {
        let r = app
            .post(&format!("/api/partnerships/{id}/kpis"))
            .header("content-type", "text/csv")
            .body(format!("wave,on_time\n{kpis}"))
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), 200, "{}", r.text().await.unwrap());
    }

    // The ombudsman's digest, now.
    app.cli(&["flags", "digest", "--now"]).assert_ok();

    let flags: Value = app
        .get("/api/flags")
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let flags: Vec<i64> = flags
        .as_array()
        .or_else(|| flags["flags"].as_array())
        .expect("a list of flags")
        .iter()
        .map(|f| f["id"].as_i64().unwrap())
        .collect();
    (
        World {
            p,
            q,
            flags,
            dimensions,
            charts: BTreeSet::new(),
        },
        Viewers {
            manager,
            customer_manager,
            ombudsman,
        },
    )
}

/// Chart names linked from a page of partnership `id`.
pub(super) fn chart_links(id: i64, html: &str, out: &mut BTreeSet<(i64, String)>) {
    let prefix = format!("/partnerships/{id}/charts/");
    for e in parse(html).all() {
        if let Some(href) = e.attribute("href") {
            if let Some(name) = href
                .strip_prefix(&prefix)
                .and_then(|n| n.strip_suffix(".svg"))
            {
                out.insert((id, name.to_owned()));
            }
        }
    }
}

pub(super) async fn fetch(
    app: &TestApp,
    client: Option<&reqwest::Client>,
    f: &Fetch,
) -> (u16, String, String) {
    let url = app.url(&f.url);
    let r = match client {
        Some(c) => c.get(url),
        None => app.get(&f.url),
    }
    .send()
    .await
    .unwrap();
    let status = r.status().as_u16();
    let ct = r
        .headers()
        .get("content-type")
        .map(|v| v.to_str().unwrap().to_owned())
        .unwrap_or_default();
    (status, ct, r.text().await.unwrap())
}

pub(super) fn check_body(where_: &str, kind: Kind, body: &str, problems: &mut Vec<String>) -> Seen {
    match kind {
        Kind::Html | Kind::Svg => check_markup(where_, &parse(body), problems),
        Kind::Csv => check_csv(where_, body, problems),
        Kind::Json => {
            let v: Value = serde_json::from_str(body)
                .unwrap_or_else(|e| panic!("{where_}: not JSON ({e}): {body}"));
            let mut seen = Seen::default();
            check_json(where_, &v, problems, &mut seen);
            seen.text_len = body.len();
            seen
        }
    }
}
