//! A flag raised by hand on a group of a partnership's own attribute (issue 15's custom
//! attributes): through the API, the CLI and the page form, on both backends; an attribute
//! the partnership never declared is refused with the list of those it has.

use reqwest::StatusCode;
use serde_json::json;
use tandem::auth::Role;

use super::workbench::{get_json, page, post_json};
use crate::world_test;

world_test!(a_manual_flag_names_a_group_of_a_declared_attribute, |w| {
    let p = w.partnership.to_string();
    let path = format!("/api/partnerships/{p}/flags");
    let on = |attribute: &str, value: &str| {
        json!({"title": "Lyon feels left out", "side": "supplier",
               "segment_attribute": attribute, "segment_value": value})
    };

    // before the partnership declares it, "site" is no attribute of it
    let (status, body) = post_json(&w, &path, on("site", "Lyon")).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{body}");
    assert!(
        body.to_string().contains(
            "\\\"site\\\" is not an attribute of this partnership: level, function, region, \
             business_unit, language"
        ),
        "{body}"
    );

    w.app
        .cli(&[
            "attributes",
            "add",
            "--partnership",
            &p,
            "--key",
            "site",
            "--label",
            "Site",
        ])
        .assert_ok();
    let (status, flag) = post_json(&w, &path, on("site", "Lyon")).await;
    assert_eq!(status, StatusCode::CREATED, "{flag}");
    assert_eq!(flag["scope"], "side:supplier:site=Lyon");
    assert_eq!(flag["details"]["segment_attribute"], "site");
    assert_eq!(flag["details"]["segment_value"], "Lyon");
    let opened = flag["events"][0]["note"].as_str().unwrap();
    assert!(
        opened.contains("supplier, Site Lyon"),
        "the label: {opened}"
    );
    let id = flag["id"].as_i64().unwrap();
    assert_eq!(
        get_json(&w, &format!("/api/flags/{id}")).await["scope"],
        flag["scope"]
    );

    // another attribute is still refused, naming the built-in ones and the declared one
    let before = w.app.db.count("flags");
    let (status, body) = post_json(&w, &path, on("programme", "Alpha")).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{body}");
    assert_eq!(body["fields"][0]["field"], "segment_attribute", "{body}");
    assert_eq!(
        body["fields"][0]["message"],
        "\"programme\" is not an attribute of this partnership: level, function, region, \
         business_unit, language, site"
    );
    assert_eq!(w.app.db.count("flags"), before, "nothing written");

    // the CLI takes it too
    let out = w.app.cli(&[
        "flags",
        "raise",
        "--partnership",
        &p,
        "--title",
        "Paris answers less",
        "--segment-attribute",
        "site",
        "--segment-value",
        "Paris",
    ]);
    out.assert_ok();
    let id: i64 = out.last_line().parse().expect("the new flag's id");
    let flag = get_json(&w, &format!("/api/flags/{id}")).await;
    assert_eq!(flag["scope"], "segment:site=Paris");

    // the page form offers the declared attribute by its label, chosen when a link names it
    let om = w
        .app
        .signed_in(
            "om@example.com",
            Role::Ombudsman,
            vec![(w.partnership, None)],
        )
        .await;
    let (status, new) = page(
        &om,
        &w,
        &format!("/flags/new?partnership={p}&segment_attribute=site&segment_value=Lyon"),
    )
    .await;
    assert_eq!(status, StatusCode::OK, "{new}");
    assert!(
        new.contains("<option value=\"site\" selected>Site</option>"),
        "{new}"
    );
});
