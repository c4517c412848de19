use serde_json::{json, Value};

use crate::world_test;

fn answers(v: Value) -> Value {
    let mut m = serde_json::Map::new();
    for i in [
        "win_win",
        "shares_rewards",
        "trust",
        "dependable_people",
        "holds_up_end",
        "common_objectives",
        "does_homework",
        "decides_and_sticks",
    ] {
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
        let mut out_of_scale = answers(json!(4));
        out_of_scale["trust"] = json!(6);
        let r = send(
            json!({"answers": out_of_scale}).to_string(),
            "application/json",
        )
        .await;
        assert_eq!(r.status(), 400);
        assert!(r.text().await.unwrap().contains("outside the scale"));

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
