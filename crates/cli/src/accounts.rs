//! `chainatlas user …`, `chainatlas token …`, `chainatlas audit`, and the demo accounts.

use std::io::BufRead;

use anyhow::{bail, Context, Result};
use chainatlas_auth::{
    check_password_policy, hash_password, new_password, new_secret, secret_hash, Role,
};
use chainatlas_model::{text, EnterpriseId};
use chainatlas_store::Store;
use clap::Subcommand;

use crate::output::Format;
use crate::{local_actor, say};

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
        .with_context(|| {
            say(&text!(
                "从标准输入读取密码",
                "reading the password from standard input"
            ))
            .to_string()
        })?;
    let password = line.trim_end_matches(['\r', '\n']).to_string();
    check_password_policy(&password, &[username])
        .map_err(|e| anyhow::anyhow!("{}", say(&text!("密码{e}", "the password {e}"))))?;
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
            let (name, role) = (&user.username, user.role);
            println!(
                "{}",
                say(&text!(
                    "已创建用户 {name}（{role}）",
                    "created user {name} ({role})"
                ))
            );
            if generated {
                println!("{}", shown_once(&password));
            }
        }
        UserCommand::List { format } => {
            let users = store.users()?;
            match format {
                Format::Table => {
                    let head = text!(
                        "编号 用户名                   角色        企业       已停用    演示密码",
                        "id   username                 role        enterprise disabled  demo password"
                    );
                    println!("{}", say(&head));
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
            println!(
                "{}",
                say(&text!(
                    "{username} 的密码已修改",
                    "password of {username} changed"
                ))
            );
            if generated {
                println!("{}", shown_once(&password));
            }
        }
        UserCommand::Disable { username } => {
            store.set_disabled(&actor, &username, true)?;
            println!(
                "{}",
                say(&text!(
                    "{username} 已停用；其会话已结束，其令牌不再有效",
                    "{username} disabled; their sessions are ended and their tokens no longer work"
                ))
            );
        }
        UserCommand::Enable { username } => {
            store.set_disabled(&actor, &username, false)?;
            println!("{}", say(&text!("{username} 已启用", "{username} enabled")));
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
            let id = token.id;
            println!(
                "{}",
                say(&text!(
                    "{username} 的令牌 {id}（{name}）：",
                    "token {id} for {username} ({name}):"
                ))
            );
            println!("{secret}");
            println!(
                "{}",
                say(&text!(
                    "它只显示这一次。请这样发送：Authorization: Bearer <令牌>",
                    "It is shown only now. Send it as: Authorization: Bearer <token>"
                ))
            );
        }
        TokenCommand::List => {
            let head = text!(
                "编号 用户名                   名称                     创建于     已吊销",
                "id   username                 name                     created    revoked"
            );
            println!("{}", say(&head));
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
            println!("{}", say(&text!("令牌 {id} 已吊销", "token {id} revoked")));
        }
    }
    Ok(())
}

pub fn audit(store: &Store, limit: u32, format: Format) -> Result<()> {
    let log = store.audit_log(limit, 0)?;
    match format {
        Format::Table => {
            let head = text!(
                "编号   时间（北京时间）    操作者             地址            动作         对象       对象编号   变化",
                "id     at (China time)     actor              address         action       entity     id         change"
            );
            println!("{}", say(&head));
            for e in &log.items {
                let change = match (&e.change.before, &e.change.after) {
                    (Some(b), Some(a)) => format!("{b} → {a}"),
                    (None, Some(a)) => a.clone(),
                    (Some(b), None) => format!("{b} → {}", say(&text!("（已删除）", "(deleted)"))),
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
            let (shown, total) = (log.items.len(), log.total);
            println!(
                "{}",
                say(&text!(
                    "（共 {total} 条，显示 {shown} 条）",
                    "({shown} of {total} entries)"
                ))
            );
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
        bail!(
            "{}",
            say(&text!(
                "演示图谱没有编号为 1 的企业，无法绑定企业账户",
                "the demo atlas has no enterprise 1 to bind the enterprise account to"
            ))
        );
    };
    let actor = local_actor();
    let head = text!(
        "演示账户（密码只显示这一次；用 `chainatlas user passwd 用户名` 修改）：",
        "Demo accounts (passwords are shown only now; change them with `chainatlas user passwd NAME`):"
    );
    writeln!(out, "{}", say(&head))?;
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
        let (name, id) = (&firm.name_zh, firm.id);
        let acts_for = enterprise
            .map(|_| {
                say(&text!(
                    "，代表 {name}（编号 {id}）",
                    ", acts for {name} (id {id})"
                ))
                .to_string()
            })
            .unwrap_or_default();
        let line = text!(
            "  {username:<11} {password}   角色 {role}{acts_for}",
            "  {username:<11} {password}   role {role}{acts_for}"
        );
        writeln!(out, "{}", say(&line))?;
    }
    Ok(())
}

/// A new password, printed once.
fn shown_once(password: &str) -> String {
    say(&text!(
        "密码：{password}    （只显示这一次）",
        "password: {password}    (shown only now)"
    ))
    .to_string()
}
