//! `tandem user …`: add sign-in users and list them; disable, enable, change their role and
//! scope, mail them a password reset; make, list and revoke their personal
//! API tokens. Adding prints a one-time set-password
//! link on its last line (or, with `--password-stdin`, reads the password from standard
//! input, for scripts). Every change is written to the audit log with actor `cli`.

use std::io::{BufRead, Write};

use anyhow::Context;
use clap::{Args, Subcommand};

use crate::app::now;
use crate::app::Settings;
use crate::auth::passwords::Password;
use crate::auth::Role;
use crate::domain::{Email, Side};
use crate::services::{accounts, users};

#[derive(Debug, Subcommand)]
pub enum UserCommand {
    /// Add a user; prints a one-time set-password link (valid 48 hours) on the last line
    Add(AddUserArgs),
    /// List users with their role and partnerships
    List {
        #[arg(long)]
        json: bool,
    },
    /// Personal API tokens of a user: create (prints the secret once, on the last line),
    /// list, revoke
    #[command(subcommand)]
    Token(TokenCommand),
    /// Disable a user: they cannot sign in, their sessions end and their API tokens are
    /// revoked
    Disable {
        #[arg(long)]
        email: String,
    },
    /// Enable a disabled user again (they sign in anew)
    Enable {
        #[arg(long)]
        email: String,
    },
    /// Change a user's role and the partnerships they see (replaces both)
    Role(RoleArgs),
    /// Mail the user a one-time link to set a new password (valid 24 hours), through the
    /// outbox
    Reset {
        #[arg(long)]
        email: String,
    },
    /// Turn a user's weekly flag digest on or off
    Digest {
        #[arg(long)]
        email: String,
        #[arg(long, conflicts_with = "off", required_unless_present = "off")]
        on: bool,
        #[arg(long)]
        off: bool,
    },
    /// Turn a manager's summary mail after each wave close on or off
    Summary {
        #[arg(long)]
        email: String,
        #[arg(long, conflicts_with = "off", required_unless_present = "off")]
        on: bool,
        #[arg(long)]
        off: bool,
    },
}

#[derive(Debug, Subcommand)]
pub enum TokenCommand {
    /// Make a token for the user; the secret is printed once, on the last line
    Create {
        #[arg(long)]
        email: String,
        /// What the token is for (unique per user)
        #[arg(long)]
        name: String,
        /// The last day (YYYY-MM-DD, UTC) the token works; default no expiry
        #[arg(long)]
        expires_on: Option<String>,
    },
    /// List the user's tokens (never their secrets)
    List {
        #[arg(long)]
        email: String,
    },
    /// Revoke the user's token of this name
    Revoke {
        #[arg(long)]
        email: String,
        #[arg(long)]
        name: String,
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

#[derive(Debug, Args)]
pub struct RoleArgs {
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
        UserCommand::Token(cmd) => token(settings, cmd, out),
        UserCommand::Disable { email } => {
            let context = crate::app::prepare(settings)?;
            let done = context.run(|conn, _| {
                let user = accounts::user_by_email(conn, &email)?;
                accounts::disable(conn, &accounts::Actor::cli(), user.id)
            })?;
            if done.changed {
                writeln!(
                    out,
                    "disabled {}: their sessions have ended and their API tokens are revoked",
                    done.user.email
                )?;
            } else {
                writeln!(out, "{} was already disabled", done.user.email)?;
            }
            Ok(())
        }
        UserCommand::Enable { email } => {
            let context = crate::app::prepare(settings)?;
            let done = context.run(|conn, _| {
                let user = accounts::user_by_email(conn, &email)?;
                accounts::enable(conn, &accounts::Actor::cli(), user.id)
            })?;
            if done.changed {
                writeln!(out, "enabled {}: they can sign in again", done.user.email)?;
            } else {
                writeln!(out, "{} was not disabled", done.user.email)?;
            }
            Ok(())
        }
        UserCommand::Role(args) => {
            let context = crate::app::prepare(settings)?;
            let request = accounts::AccessRequest {
                role: args.role,
                all_partnerships: args.all_partnerships,
                partnerships: args.partnerships,
                side: args.side,
            };
            let email = args.email;
            let done = context.run(|conn, _| {
                let user = accounts::user_by_email(conn, &email)?;
                accounts::change_access(conn, &accounts::Actor::cli(), user.id, &request)
            })?;
            writeln!(
                out,
                "{} {} {} ({})",
                done.user.email,
                if done.changed { "is now" } else { "stays" },
                done.user.role.label(),
                accounts::reach(&done.user, &done.scopes)
            )?;
            Ok(())
        }
        UserCommand::Reset { email } => {
            let context = crate::app::prepare(settings)?;
            let links = context.links();
            let sent = context.run(|conn, _| {
                let user = accounts::user_by_email(conn, &email)?;
                accounts::send_reset(conn, &accounts::Actor::cli(), user.id, &links, now())
            })?;
            writeln!(
                out,
                "password reset mail queued for {} (the link works once, until {} UTC)",
                sent.user.email,
                sent.expires_at.format("%Y-%m-%d %H:%M")
            )?;
            Ok(())
        }
        UserCommand::Digest { email, on, off } => {
            let context = crate::app::prepare(settings)?;
            let on = on && !off;
            context.run(|conn, _| crate::services::flags::set_digest(conn, &email, on, "cli"))?;
            writeln!(
                out,
                "weekly digest {} for {email}",
                if on { "on" } else { "off" }
            )?;
            Ok(())
        }
        UserCommand::Summary { email, on, off } => {
            let context = crate::app::prepare(settings)?;
            let on = on && !off;
            context
                .run(|conn, _| crate::services::summary::set_summary(conn, &email, on, "cli"))?;
            writeln!(
                out,
                "wave summary {} for {email}",
                if on { "on" } else { "off" }
            )?;
            Ok(())
        }
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
    let hash = password.as_ref().map(users::hash_password).transpose()?;
    let scopes: Vec<(i64, Option<Side>)> = args.partnerships.iter().map(|p| (*p, side)).collect();
    let context = crate::app::prepare(settings)?;
    let new = users::NewUser {
        email,
        role,
        scopes,
        all_partnerships: args.all_partnerships,
        password_hash: hash,
    };
    let created = context.run(|conn, _| users::create(conn, "cli", new, now()))?;
    let (user, token) = (created.user, created.set_password_token);
    writeln!(
        out,
        "user {} added: {} ({}; {})",
        user.id,
        user.email,
        role.label(),
        created.reach
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

#[derive(serde::Serialize)]
struct Listed {
    #[serde(flatten)]
    user: crate::auth::users::User,
    scopes: Vec<crate::auth::users::Scope>,
}

/// `tandem user token …`; audited with actor `cli`.
fn token(settings: &Settings, cmd: TokenCommand, out: &mut dyn Write) -> anyhow::Result<()> {
    use crate::services::api_tokens::{self, TokenRequest};
    let context = crate::app::prepare(settings)?;
    match cmd {
        TokenCommand::Create {
            email,
            name,
            expires_on,
        } => {
            let request = TokenRequest {
                name,
                expires_on: expires_on.unwrap_or_default(),
            };
            let created = context
                .run(|conn, _| api_tokens::create_for_email(conn, &email, &request, now()))?;
            writeln!(
                out,
                "API token {:?} for {email} ({}); the secret, shown only now:",
                created.token.name,
                created.token.expires_at.map_or_else(
                    || "no expiry".to_owned(),
                    |e| format!("works until {e} UTC")
                )
            )?;
            writeln!(out, "{}", created.secret)?;
        }
        TokenCommand::List { email } => {
            let tokens = context.run(|conn, _| api_tokens::list_for_email(conn, &email))?;
            if tokens.is_empty() {
                writeln!(out, "{email} has no API tokens")?;
            }
            let stamp = |t: Option<chrono::NaiveDateTime>| {
                t.map_or_else(
                    || "never".to_owned(),
                    |t| t.format("%Y-%m-%d %H:%M").to_string(),
                )
            };
            for t in tokens {
                writeln!(
                    out,
                    "{:<24}  {}…  created {}  last used {}  expires {}",
                    t.name,
                    t.prefix,
                    t.created_at.format("%Y-%m-%d %H:%M"),
                    stamp(t.last_used_at),
                    stamp(t.expires_at)
                )?;
            }
        }
        TokenCommand::Revoke { email, name } => {
            let revoked = context.run(|conn, _| api_tokens::revoke_by_name(conn, &email, &name))?;
            writeln!(out, "revoked API token {:?} of {email}", revoked.name)?;
        }
    }
    Ok(())
}

fn list(settings: &Settings, json: bool, out: &mut dyn Write) -> anyhow::Result<()> {
    let context = crate::app::prepare(settings)?;
    let rows: Vec<Listed> = context
        .run(|conn, _| users::list(conn))?
        .into_iter()
        .map(|(user, scopes)| Listed { user, scopes })
        .collect();
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
            users::describe_reach(&r.user, &scopes)
        )?;
    }
    Ok(())
}
