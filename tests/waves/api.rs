use serde_json::{json, Value};

use crate::{world_test, ITEMS};

fn answers(v: Value) -> Value {
    let mut m = serde_json::Map::new();
    for i in ITEMS {
        m.insert(i.into(), v.clone());
    }
    Value::Object(m)
}

world_test!(the_json_api_stores_and_updates_one_response_per_link, |w| {
    w.open_wave().await;
    w.mail(4).await;
    let token = w.token_for("ann@acme.com");
    let url = w.app.url(&format!("/api/responses/{token}"));
    let r = w
        .app
        .client
        .post(&url)
        .json(&json!({"answers": answers(json!(4)), "comments": {"changes": "ok"}}))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 200);
    assert_eq!(
        r.json::<Value>().await.unwrap(),
        json!({"status": "saved", "updated": false})
    );
    let r = w
        .app
        .client
        .post(&url)
        .json(&json!({"answers": answers(json!("dont_know"))}))
        .send()
        .await
        .unwrap();
    assert_eq!(r.json::<Value>().await.unwrap()["updated"], true);
    assert_eq!(w.app.db.count("responses"), 1);
    assert_eq!(w.app.db.count("answers WHERE value IS NULL"), 8);
    assert_eq!(w.app.db.count("answers"), 8);
    // The re-submission left the optional comment out: the earlier text is gone.
    assert_eq!(w.app.db.count("comments"), 0);
});

world_test!(
    concurrent_submissions_each_land_once_and_a_refused_one_stores_nothing,
    |w| {
        w.open_wave().await;
        w.mail(4).await;
        let emails = ["ann@acme.com", "bob@acme.com", "cy@bolt.com", "di@bolt.com"];
        let mut missing = answers(json!(2));
        missing.as_object_mut().unwrap().remove("trust");
        // Sent all at once, so on SQLite they meet in the same group transactions: valid
        // ones for three people (five each), refused ones for the fourth, unknown links.
        let mut sends = Vec::new();
        for (n, email) in emails.iter().enumerate() {
            let url = w.app.url(&format!("/api/responses/{}", w.token_for(email)));
            for round in 0..5 {
                let body = if n == 3 {
                    json!({"answers": missing})
                } else {
                    json!({"answers": answers(json!(1 + round)), "comments": {"changes": format!("round {round}")}})
                };
                sends.push((
                    w.app.client.post(&url).json(&body),
                    if n == 3 { 422 } else { 200 },
                ));
            }
        }
        for _ in 0..5 {
            let url = w.app.url(&format!("/api/responses/{}", "x".repeat(32)));
            sends.push((
                w.app
                    .client
                    .post(url)
                    .json(&json!({"answers": answers(json!(3))})),
                404,
            ));
        }
        let handles: Vec<_> = sends
            .into_iter()
            .map(|(req, want)| {
                tokio::spawn(async move { (req.send().await.unwrap().status().as_u16(), want) })
            })
            .collect();
        for h in handles {
            let (got, want) = h.await.unwrap();
            assert_eq!(got, want);
        }
        assert_eq!(w.app.db.count("responses"), 3);
        assert_eq!(w.app.db.count("answers"), 24);
        assert_eq!(w.app.db.count("comments"), 3);
        // Each stored response holds the answers of one submission, not a mix.
        assert_eq!(
            w.app
                .db
                .count("(SELECT response_id FROM answers GROUP BY response_id HAVING COUNT(DISTINCT value) > 1) x"),
            0
        );
    }
);

world_test!(
    bad_json_submissions_get_a_clear_4xx_and_store_nothing,
    |w| {
        w.open_wave().await;
        w.mail(4).await;
        let token = w.token_for("bob@acme.com");
        let url = w.app.url(&format!("/api/responses/{token}"));
        let send = |body: String, ct: &'static str| {
            let c = w.app.client.clone();
            let url = url.clone();
            async move {
                c.post(url)
                    .header("content-type", ct)
                    .body(body)
                    .send()
                    .await
                    .unwrap()
            }
        };
        // 12 is a point of no scale (2..11 points): a refused field, 422, named.
        let mut out_of_every_scale = answers(json!(4));
        out_of_every_scale["trust"] = json!(12);
        let r = send(
            json!({"answers": out_of_every_scale}).to_string(),
            "application/json",
        )
        .await;
        assert_eq!(r.status(), 422);
        let body: Value = r.json().await.unwrap();
        assert_eq!(body["fields"][0]["field"], "answers.trust", "{body}");
        assert!(body.to_string().contains("outside every scale"), "{body}");
        // 6 could be a point of another template's scale, not of this five-point one: a named
        // problem of the item, 422.
        let mut out_of_scale = answers(json!(4));
        out_of_scale["trust"] = json!(6);
        let r = send(
            json!({"answers": out_of_scale}).to_string(),
            "application/json",
        )
        .await;
        // A whole number off this template's scale is a problem of its item (422, named).
        assert_eq!(r.status(), 422);
        let body: Value = r.json().await.unwrap();
        assert_eq!(body["problems"][0]["item"], "trust");
        assert!(body.to_string().contains("outside the scale"), "{body}");

        let mut unknown = answers(json!(4));
        unknown["trsut"] = json!(3);
        let r = send(json!({"answers": unknown}).to_string(), "application/json").await;
        assert_eq!(r.status(), 422);
        let body: Value = r.json().await.unwrap();
        assert_eq!(body["problems"][0]["item"], "trsut");

        let dup = answers(json!(4))
            .to_string()
            .replacen('{', "{\"trust\": 2, ", 1);
        let r = send(format!("{{\"answers\": {dup}}}"), "application/json").await;
        assert_eq!(r.status(), 422);
        assert!(r.text().await.unwrap().contains("answered twice"));

        let mut missing = answers(json!(4));
        missing.as_object_mut().unwrap().remove("trust");
        let r = send(json!({"answers": missing}).to_string(), "application/json").await;
        assert_eq!(r.status(), 422);

        let r = send("{\"answers\": ".into(), "application/json").await;
        assert_eq!(r.status(), 400);
        let r = send(
            json!({"answers": answers(json!(4))}).to_string(),
            "text/plain",
        )
        .await;
        assert_eq!(r.status(), 415);
        let huge = format!(
            "{{\"answers\": {}, \"comments\": {{\"changes\": \"{}\"}}}}",
            answers(json!(4)),
            "x".repeat(400_000)
        );
        let r = send(huge, "application/json").await;
        assert_eq!(r.status(), 400);
        assert!(r.text().await.unwrap().contains("limit"));
        let r = w
            .app
            .client
            .post(&url)
            .header("content-type", "application/json")
            .body(vec![b'{', 0xff, 0xfe, b'}'])
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), 400);
        let r = w
            .app
            .client
            .post(w.app.url("/api/responses/not-a-token"))
            .json(&json!({"answers": answers(json!(4))}))
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), 404);
        assert_eq!(w.app.db.count("responses"), 0);
        assert_eq!(w.app.db.count("answers"), 0);
    }
);

/// The batched statement itself (PostgreSQL only: SQLite has no such statement, its group
/// writer runs the general path). Rows of an open wave are stored and report whether they
/// replaced an earlier response; once the wave has closed — after the batcher looked the
/// links up — the statement writes nothing and says so, so the caller goes the general
/// way and gets its 410.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
#[cfg_attr(tandem_skip_pg, ignore = "TANDEM_SKIP_PG=1: PostgreSQL skipped")]
async fn the_batched_statement_stores_many_and_nothing_for_a_closed_wave() {
    use tandem::db::responses::{store_many_on_postgres, BatchRow, Snapshot, Stored};
    use tandem::domain::{Answer, Likert, Side};
    let Some(w) = crate::World::new(crate::common::Backend::Postgres).await else {
        return;
    };
    w.open_wave().await;
    w.mail(4).await;
    let pool = w.app.db.pool();
    let targets: Vec<_> = ["ann@acme.com", "cy@bolt.com"]
        .iter()
        .map(|email| {
            let hash = tandem::secrets::hash(&w.token_for(email));
            tandem::db::invitations::find_by_token_hash(&mut pool.get().unwrap(), &hash)
                .unwrap()
                .expect("the link is known")
        })
        .collect();
    let store = |value: i64| {
        let at = tandem::db::now();
        let rows: Vec<BatchRow<'_>> = targets
            .iter()
            .map(|t| BatchRow {
                invitation_id: t.invitation.id,
                wave_id: t.wave.id,
                snapshot: Snapshot {
                    side: t.person.side.parse::<Side>().unwrap(),
                    level: &t.person.level,
                    function: &t.person.function,
                    region: &t.person.region,
                    business_unit: &t.person.business_unit,
                    language: "en",
                },
                at,
                answers: ITEMS
                    .iter()
                    .map(|i| (*i, Answer::Point(Likert::new(value).unwrap())))
                    .collect(),
                comments: vec![("changes", "batched")],
            })
            .collect();
        let mut conn = pool.get().unwrap();
        let tandem::db::Conn::Postgres(pg) = &mut *conn else {
            panic!("a PostgreSQL connection")
        };
        store_many_on_postgres(pg, &rows).unwrap()
    };

    assert_eq!(store(2), vec![Stored::Done { replaced: false }; 2]);
    assert_eq!(store(5), vec![Stored::Done { replaced: true }; 2]);
    assert_eq!(w.app.db.count("responses"), 2);
    assert_eq!(w.app.db.count("answers WHERE value = 5"), 16);
    assert_eq!(w.app.db.count("comments WHERE body = 'batched'"), 2);

    let r = w
        .app
        .post(&format!("/api/partnerships/{}/waves/close", w.partnership))
        .send()
        .await
        .unwrap();
    assert!(r.status().is_success(), "{}", r.status());
    assert_eq!(store(1), vec![Stored::NotWritten; 2]);
    assert_eq!(w.app.db.count("answers WHERE value = 5"), 16);
    assert_eq!(w.app.db.count("answers"), 16);
}

world_test!(
    many_links_sent_at_once_are_each_stored_with_their_own_answers,
    |w| {
        w.open_wave().await;
        w.mail(4).await;
        // Four people at once, twice each, with answers that tell them apart: on
        // PostgreSQL they meet in the same batches, on SQLite in the same group commits.
        let emails = ["ann@acme.com", "bob@acme.com", "cy@bolt.com", "di@bolt.com"];
        let mut sends = Vec::new();
        for round in 0..2 {
            for (n, email) in emails.iter().enumerate() {
                let url = w.app.url(&format!("/api/responses/{}", w.token_for(email)));
                let body = json!({"answers": answers(json!(n + 1)), "comments": {"changes": format!("{email} {round}")}});
                sends.push(w.app.client.post(url).json(&body));
            }
        }
        let handles: Vec<_> = sends
            .into_iter()
            .map(|req| tokio::spawn(async move { req.send().await.unwrap().status().as_u16() }))
            .collect();
        for h in handles {
            assert_eq!(h.await.unwrap(), 200);
        }
        assert_eq!(w.app.db.count("responses"), 4);
        for n in 1..=4 {
            assert_eq!(w.app.db.count(&format!("answers WHERE value = {n}")), 8);
        }
        assert_eq!(w.app.db.count("comments"), 4);
        // Each person's comment is on the response holding that person's answers.
        assert_eq!(
            w.app.db.count(
                "comments c JOIN responses r ON r.id = c.response_id \
                 JOIN invitations i ON i.id = r.invitation_id \
                 JOIN people p ON p.id = i.person_id \
                 WHERE c.body NOT LIKE p.email || ' %'"
            ),
            0
        );
    }
);

world_test!(
    answers_of_the_wrong_kind_are_refused_field_by_field_and_whole_floats_count,
    |w| {
        w.open_wave().await;
        w.mail(4).await;
        let url = w
            .app
            .url(&format!("/api/responses/{}", w.token_for("ann@acme.com")));
        // Found by schemathesis: a value of the wrong kind was a bare 400 for the first one
        // only; now 422 naming every refused field, and nothing stored.
        let mut wrong = answers(json!(3));
        wrong["trust"] = json!([1]);
        wrong["win_win"] = json!({"a": 1});
        let r = w
            .app
            .client
            .post(&url)
            .json(&json!({"answers": wrong, "comments": {"changes": 7}}))
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), 422);
        let body: Value = r.json().await.unwrap();
        let mut fields: Vec<&str> = body["fields"]
            .as_array()
            .unwrap()
            .iter()
            .map(|f| f["field"].as_str().unwrap())
            .collect();
        fields.sort();
        assert_eq!(
            fields,
            ["answers.trust", "answers.win_win", "comments.changes"]
        );
        assert_eq!(w.app.db.count("responses"), 0);
        // A body that is not an object is refused before it reaches a field: serde would
        // read an array as the struct's fields in order.
        let r = w
            .app
            .client
            .post(&url)
            .json(&json!([answers(json!(3))]))
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), 400);
        let body: Value = r.json().await.unwrap();
        assert!(
            body["error"]
                .as_str()
                .unwrap()
                .contains("must be an object"),
            "{body}"
        );
        // 4.0 is the whole number 4, as JSON Schema's `integer` says.
        let r = w
            .app
            .client
            .post(&url)
            .json(&json!({"answers": answers(json!(4.0))}))
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), 200, "{}", r.text().await.unwrap());
        assert_eq!(w.app.db.count("answers WHERE value = 4"), 8);
    }
);
