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
});

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
