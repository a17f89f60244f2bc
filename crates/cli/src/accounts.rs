//! `chainatlas user …`, `chainatlas token …`, `chainatlas audit`, and the demo accounts.

use std::io::BufRead;

use anyhow::{bail, Context, Result};
use chainatlas_auth::{
    check_password_policy, hash_password, new_password, new_secret, secret_hash, Role,
};
use chainatlas_model::EnterpriseId;
use chainatlas_store::Store;
use clap::Subcommand;

use crate::local_actor;
use crate::output::Format;

#[derive(Subcommand)]
pub enum UserCommand {
    /// Create an account. Without --password-stdin a random password is printed once.
    Add {
        username: String,
        #[arg(long)]
        role: Role,
        /// The enterprise an `enterprise` user acts for.
        #[arg(long)]
        enterprise: Option<i64>,
        /// Read the password from the first line of standard input.
        #[arg(long)]
        password_stdin: bool,
    },
    /// List accounts.
    List {
        #[arg(long, value_enum, default_value_t = Format::Table)]
        format: Format,
    },
    /// Set a new password (random and printed once, unless --password-stdin).
    Passwd {
        username: String,
        #[arg(long)]
        password_stdin: bool,
    },
    /// Disable an account and end its sessions; its API tokens stop working.
    Disable { username: String },
    /// Enable a disabled account again.
    Enable { username: String },
}

#[derive(Subcommand)]
pub enum TokenCommand {
    /// Create an API token for a user; it is printed once and stored only as a hash.
    Create {
        username: String,
        /// What the token is for, e.g. "nightly export".
        #[arg(long)]
        name: String,
    },
    /// List tokens (never the tokens themselves).
    List,
    /// Revoke a token by id.
    Revoke { id: i64 },
}

/// A password from standard input, or a new random one that the caller prints.
/// `username` is context the password must not be built from.
fn password(from_stdin: bool, username: &str) -> Result<(String, bool)> {
    if !from_stdin {
        return Ok((new_password(), true));
    }
    let mut line = String::new();
    std::io::stdin()
        .lock()
        .read_line(&mut line)
        .context("reading the password from standard input")?;
    let password = line.trim_end_matches(['\r', '\n']).to_string();
    check_password_policy(&password, &[username])
        .map_err(|e| anyhow::anyhow!("the password {e}"))?;
    Ok((password, false))
}

pub fn user(store: &mut Store, command: UserCommand) -> Result<()> {
    let actor = local_actor();
    match command {
        UserCommand::Add {
            username,
            role,
            enterprise,
            password_stdin,
        } => {
            let (password, generated) = password(password_stdin, &username)?;
            let user = store.create_user(
                &actor,
                &username,
                &hash_password(&password),
                role,
                enterprise.map(EnterpriseId),
                false,
            )?;
            println!("created user {} ({})", user.username, user.role);
            if generated {
                println!("password: {password}    (shown only now)");
            }
        }
        UserCommand::List { format } => {
            let users = store.users()?;
            match format {
                Format::Table => {
                    println!(
                        "{:<4} {:<24} {:<11} {:<10} {:<9} demo password",
                        "id", "username", "role", "enterprise", "disabled"
                    );
                    for u in users {
                        let enterprise = u.enterprise.map(|e| e.to_string()).unwrap_or_default();
                        println!(
                            "{:<4} {:<24} {:<11} {:<10} {:<9} {}",
                            u.id, u.username, u.role, enterprise, u.disabled, u.demo_password
                        );
                    }
                }
                Format::Json => {
                    let list: Vec<serde_json::Value> = users
                        .iter()
                        .map(|u| {
                            serde_json::json!({"id": u.id, "username": u.username, "role": u.role.as_str(),
                                "enterprise_id": u.enterprise.map(|e| e.0), "disabled": u.disabled,
                                "demo_password": u.demo_password})
                        })
                        .collect();
                    println!("{}", serde_json::Value::Array(list));
                }
            }
        }
        UserCommand::Passwd {
            username,
            password_stdin,
        } => {
            let (password, generated) = password(password_stdin, &username)?;
            store.set_password(&actor, &username, &hash_password(&password))?;
            println!("password of {username} changed");
            if generated {
                println!("password: {password}    (shown only now)");
            }
        }
        UserCommand::Disable { username } => {
            store.set_disabled(&actor, &username, true)?;
            println!(
                "{username} disabled; their sessions are ended and their tokens no longer work"
            );
        }
        UserCommand::Enable { username } => {
            store.set_disabled(&actor, &username, false)?;
            println!("{username} enabled");
        }
    }
    Ok(())
}

pub fn token(store: &mut Store, command: TokenCommand) -> Result<()> {
    let actor = local_actor();
    match command {
        TokenCommand::Create { username, name } => {
            let secret = new_secret("ca_token_");
            let token = store.create_token(&actor, &username, &name, &secret_hash(&secret))?;
            println!("token {} for {username} ({name}):", token.id);
            println!("{secret}");
            println!("It is shown only now. Send it as: Authorization: Bearer <token>");
        }
        TokenCommand::List => {
            println!(
                "{:<4} {:<24} {:<24} {:<10} revoked",
                "id", "username", "name", "created"
            );
            for t in store.tokens()? {
                println!(
                    "{:<4} {:<24} {:<24} {:<10} {}",
                    t.id,
                    t.username,
                    t.name,
                    t.created_at,
                    t.revoked_at.is_some()
                );
            }
        }
        TokenCommand::Revoke { id } => {
            store.revoke_token(&actor, id)?;
            println!("token {id} revoked");
        }
    }
    Ok(())
}

pub fn audit(store: &Store, limit: u32, format: Format) -> Result<()> {
    let log = store.audit_log(limit, 0)?;
    match format {
        Format::Table => {
            println!(
                "{:<6} {:<19} {:<18} {:<15} {:<12} {:<10} {:<10} change",
                "id", "at (China time)", "actor", "address", "action", "entity", "id"
            );
            for e in &log.items {
                let change = match (&e.change.before, &e.change.after) {
                    (Some(b), Some(a)) => format!("{b} → {a}"),
                    (None, Some(a)) => a.clone(),
                    (Some(b), None) => format!("{b} → (deleted)"),
                    (None, None) => String::new(),
                };
                println!(
                    "{:<6} {:<19} {:<18} {:<15} {:<12} {:<10} {:<10} {change}",
                    e.id,
                    chainatlas_app::clock::china_time(e.actor.at),
                    e.actor.name,
                    e.actor.address,
                    e.change.action,
                    e.change.entity,
                    e.change.entity_id
                );
            }
            println!("({} of {} entries)", log.items.len(), log.total);
        }
        Format::Json => {
            let list: Vec<serde_json::Value> = log
                .items
                .iter()
                .map(|e| {
                    serde_json::json!({"id": e.id, "at": e.actor.at, "actor": e.actor.name, "user_id": e.actor.user_id,
                        "address": e.actor.address, "action": e.change.action, "entity": e.change.entity,
                        "entity_id": e.change.entity_id, "before": e.change.before, "after": e.change.after})
                })
                .collect();
            println!("{}", serde_json::Value::Array(list));
        }
    }
    Ok(())
}

/// Creates one account per role for the demo, if the database has no account yet, and
/// prints their random passwords once. `serve` refuses to listen beyond loopback while any
/// of them keeps this password.
pub fn create_demo_accounts(store: &mut Store, out: &mut dyn std::io::Write) -> Result<()> {
    if !store.users()?.is_empty() {
        return Ok(());
    }
    let Some(firm) = store.enterprise(EnterpriseId(1))? else {
        bail!("the demo atlas has no enterprise 1 to bind the enterprise account to");
    };
    let actor = local_actor();
    writeln!(out, "Demo accounts (passwords are shown only now; change them with `chainatlas user passwd NAME`):")?;
    for (username, role, enterprise) in [
        ("admin", Role::Admin, None),
        ("analyst", Role::Analyst, None),
        ("enterprise", Role::Enterprise, Some(firm.id)),
    ] {
        let password = new_password();
        store.create_user(
            &actor,
            username,
            &hash_password(&password),
            role,
            enterprise,
            true,
        )?;
        let acts_for = enterprise
            .map(|_| format!(", acts for {} (id {})", firm.name_zh, firm.id))
            .unwrap_or_default();
        writeln!(out, "  {username:<11} {password}   role {role}{acts_for}")?;
    }
    Ok(())
}
