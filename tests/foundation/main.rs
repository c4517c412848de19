//! Foundation: storage on both backends, partnerships, rosters, templates, historic
//! import, health and the OpenAPI document — through the real HTTP API and the real CLI.

#[path = "../common/mod.rs"]
mod common;

mod demo;
mod health;
mod history;
mod openapi;
mod partnership_life;
mod partnerships;
mod readme;
mod roster;
mod templates;
