//! `tandem user …`: add sign-in users and list them. Adding prints a one-time set-password
//! link on its last line (or, with `--password-stdin`, reads the password from standard
//! input, for scripts). Every change is written to the audit log with actor `cli`.

use std::io::{BufRead, Write};

use anyhow::Context;
use clap::{Args, Subcommand};

use crate::auth::passwords::{self, Password};
use crate::auth::{audit, tokens, users, Role};
use crate::domain::{Email, Side};
use crate::app::Settings;

#[derive(Debug, Subcommand)]
pub enum UserCommand {
    /// Add a user; prints a one-time set-password link (valid 48 hours) on the last line
    Add(AddUserArgs),
    /// List users with their role and partnerships
    List {
        #[arg(long)]
        json: bool,
    },
}

#[derive(Debug, Args)]
pub struct AddUserArgs {
    #[arg(long)]
    pub email: String,
    /// admin, manager (relationship manager) or ombudsman
    #[arg(long)]
    pub role: String,
    /// A partnership the user may see (repeat for several)
    #[arg(long = "partnership")]
    pub partnerships: Vec<i64>,
    /// For a manager: only this side (customer or supplier) of the partnerships given
    #[arg(long)]
    pub side: Option<String>,
    /// For an ombudsman: every partnership, present and future
    #[arg(long)]
    pub all_partnerships: bool,
    /// Read the password from the first line of standard input instead of printing a link
    #[arg(long)]
    pub password_stdin: bool,
}

/// Runs `tandem user …` against the database of `settings`.
pub fn user_command(
    settings: &Settings,
    cmd: UserCommand,
    stdin: &mut dyn BufRead,
    out: &mut dyn Write,
) -> anyhow::Result<()> {
    match cmd {
        UserCommand::Add(args) => add(settings, args, stdin, out),
        UserCommand::List { json } => list(settings, json, out),
    }
}

fn add(
    settings: &Settings,
    args: AddUserArgs,
    stdin: &mut dyn BufRead,
    out: &mut dyn Write,
) -> anyhow::Result<()> {
    let email = Email::parse(&args.email).map_err(anyhow::Error::msg)?;
    let role: Role = args.role.parse().map_err(anyhow::Error::msg)?;
    let side = args
        .side
        .as_deref()
        .map(str::parse::<Side>)
        .transpose()
        .map_err(anyhow::Error::msg)?;
    if side.is_some() && args.partnerships.is_empty() {
        anyhow::bail!("--side applies to the partnerships given with --partnership");
    }
    let password = if args.password_stdin {
        let mut line = String::new();
        stdin
            .read_line(&mut line)
            .context("reading the password from standard input")?;
        let line = line.trim_end_matches(['\r', '\n']);
        Some(Password::parse(line).map_err(anyhow::Error::msg)?)
    } else {
        None
    };
    // Hash before taking a connection: it is slow on purpose.
    let hash = password.as_ref().map(passwords::hash).transpose()?;
    let scopes: Vec<(i64, Option<Side>)> = args.partnerships.iter().map(|p| (*p, side)).collect();
    let state = crate::app::prepare(settings)?;
    let mut conn = state.pool.get().context("taking a database connection")?;
    let now = crate::db::now();
    let (user, token) = conn.write_transaction(|conn| {
        let user = users::create_user(conn, &email, role, scopes.clone(), args.all_partnerships)?;
        let reach = describe_reach(&user, &scopes);
        audit::audit(
            conn,
            "cli",
            "user.created",
            user.email.as_str(),
            &format!("{}; {reach}", role.as_str()),
        )?;
        let token = match &hash {
            Some(h) => {
                users::set_password_hash(conn, user.id, h)?;
                audit::audit(
                    conn,
                    "cli",
                    "user.password_set",
                    user.email.as_str(),
                    "read from standard input",
                )?;
                None
            }
            None => Some(tokens::issue(conn, user.id, now)?),
        };
        Ok::<_, crate::auth::AuthError>((user, token))
    })?;
    writeln!(
        out,
        "user {} added: {} ({}; {})",
        user.id,
        user.email,
        role.label(),
        describe_reach(&user, &scopes)
    )?;
    match token {
        Some(token) => {
            writeln!(
                out,
                "send this one-time link to {} to set a password (valid 48 hours, usable once):",
                user.email
            )?;
            writeln!(out, "{}/set-password/{token}", base_url(settings))?;
        }
        None => writeln!(
            out,
            "password set; {} can sign in at {}/login",
            user.email,
            base_url(settings)
        )?,
    }
    Ok(())
}

fn base_url(settings: &Settings) -> String {
    settings
        .public_base_url
        .clone()
        .unwrap_or_else(|| format!("http://{}", settings.bind))
        .trim_end_matches('/')
        .to_owned()
}

fn describe_reach(user: &users::User, scopes: &[(i64, Option<Side>)]) -> String {
    if user.role == Role::Admin || user.all_partnerships {
        return "all partnerships".into();
    }
    let list: Vec<String> = scopes
        .iter()
        .map(|(p, s)| match s {
            Some(side) => format!("{p} ({side} side)"),
            None => p.to_string(),
        })
        .collect();
    format!("partnerships {}", list.join(", "))
}

#[derive(serde::Serialize)]
struct Listed {
    #[serde(flatten)]
    user: users::User,
    scopes: Vec<users::Scope>,
}

fn list(settings: &Settings, json: bool, out: &mut dyn Write) -> anyhow::Result<()> {
    let state = crate::app::prepare(settings)?;
    let mut conn = state.pool.get().context("taking a database connection")?;
    let mut rows = Vec::new();
    for user in users::list(&mut conn)? {
        let scopes = users::scopes(&mut conn, user.id)?;
        rows.push(Listed { user, scopes });
    }
    if json {
        writeln!(out, "{}", serde_json::to_string_pretty(&rows)?)?;
        return Ok(());
    }
    if rows.is_empty() {
        writeln!(
            out,
            "no users yet: add one with `tandem user add --email … --role admin`"
        )?;
        return Ok(());
    }
    writeln!(
        out,
        "{:>5}  {:<32}  {:<10}  {:<8}  reach",
        "id", "email", "role", "status"
    )?;
    for r in rows {
        let scopes: Vec<(i64, Option<Side>)> = r
            .scopes
            .iter()
            .map(|s| (s.partnership_id, s.side))
            .collect();
        let status = if r.user.disabled {
            "disabled"
        } else if r.user.has_password {
            "active"
        } else {
            "invited"
        };
        writeln!(
            out,
            "{:>5}  {:<32}  {:<10}  {:<8}  {}",
            r.user.id,
            r.user.email,
            r.user.role.as_str(),
            status,
            describe_reach(&r.user, &scopes)
        )?;
    }
    Ok(())
}
