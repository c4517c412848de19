//! Tandem: periodic perception surveys across a customer–supplier partnership, turned into
//! leading indicators of the relationship's health.
//!
//! The binary (`src/main.rs`) only parses the command line; everything else lives here so
//! tests can reach it.

pub mod auth;
pub mod charts;
pub mod cli;
pub mod db;
pub mod demo;
pub mod domain;
pub mod flags;
pub mod goals;
pub mod import;
pub mod mail;
pub mod reports;
pub mod secrets;
pub mod services;
pub mod settings;
pub mod startup;
pub mod stats;
pub mod templates;
pub mod waves;
pub mod web;
