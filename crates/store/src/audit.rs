//! The audit log: who changed what, when, from where, with the record before and after.
//! Every committed write carries exactly one entry, written in the same transaction, so
//! there is no write without its entry and no entry without its write.

use crate::db::{params, Connection, OptionalExtension, Row};

use crate::atlas::Page;
use crate::{Result, Store};

/// Who is writing, and when.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Actor {
    /// The signed-in user, if the write comes from one.
    pub user_id: Option<i64>,
    /// A username, or `cli:<account>` for the command line.
    pub name: String,
    /// The client's address, or `local`.
    pub address: String,
    /// Unix seconds, UTC.
    pub at: i64,
}

impl Actor {
    /// Someone at this machine's command line.
    pub fn local(name: impl Into<String>, at: i64) -> Actor {
        Actor {
            user_id: None,
            name: name.into(),
            address: "local".into(),
            at,
        }
    }
}

/// One change, as it is recorded.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Change {
    pub action: String,
    pub entity: String,
    pub entity_id: String,
    /// JSON of the record before the change, if it existed.
    pub before: Option<String>,
    /// JSON of the record after the change, if it still exists.
    pub after: Option<String>,
}

impl Change {
    pub fn new(action: &str, entity: &str, entity_id: impl ToString) -> Change {
        Change {
            action: action.into(),
            entity: entity.into(),
            entity_id: entity_id.to_string(),
            before: None,
            after: None,
        }
    }

    pub fn before(mut self, json: String) -> Change {
        self.before = Some(json);
        self
    }

    pub fn after(mut self, json: String) -> Change {
        self.after = Some(json);
        self
    }
}

/// A recorded entry.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct AuditEntry {
    pub id: i64,
    pub actor: Actor,
    pub change: Change,
}

pub(crate) fn record(conn: &Connection, actor: &Actor, change: &Change) -> crate::db::Result<()> {
    conn.prepare_cached(
        "INSERT INTO audit_log (at, actor, user_id, address, action, entity, entity_id, before_json, after_json)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9)",
    )?
    .execute(params![
        actor.at,
        actor.name,
        actor.user_id,
        actor.address,
        change.action,
        change.entity,
        change.entity_id,
        change.before,
        change.after
    ])?;
    Ok(())
}

fn entry(row: &Row<'_>) -> crate::db::Result<AuditEntry> {
    Ok(AuditEntry {
        id: row.get(0)?,
        actor: Actor {
            at: row.get(1)?,
            name: row.get(2)?,
            user_id: row.get(3)?,
            address: row.get(4)?,
        },
        change: Change {
            action: row.get(5)?,
            entity: row.get(6)?,
            entity_id: row.get(7)?,
            before: row.get(8)?,
            after: row.get(9)?,
        },
    })
}

impl Store {
    /// The audit log, newest first.
    pub fn audit_log(&self, limit: u32, offset: u32) -> Result<Page<AuditEntry>> {
        let total: i64 = self
            .conn
            .query_row("SELECT COUNT(*) FROM audit_log", [], |r| r.get(0))?;
        let mut stmt = self.conn.prepare_cached(
            "SELECT id, at, actor, user_id, address, action, entity, entity_id, before_json, after_json
             FROM audit_log ORDER BY id DESC LIMIT ?1 OFFSET ?2",
        )?;
        let items = stmt
            .query_map(params![limit, offset], entry)?
            .collect::<crate::db::Result<_>>()?;
        Ok(Page {
            items,
            total: total as u64,
        })
    }

    /// The newest audited `action` on one record (`entity`, `entity_id`).
    pub fn last_change(
        &self,
        action: &str,
        entity: &str,
        entity_id: &str,
    ) -> Result<Option<AuditEntry>> {
        let mut stmt = self.conn.prepare_cached(
            "SELECT id, at, actor, user_id, address, action, entity, entity_id, before_json, after_json
             FROM audit_log WHERE entity = ?1 AND entity_id = ?2 AND action = ?3
             ORDER BY id DESC LIMIT 1",
        )?;
        Ok(stmt
            .query_row(params![entity, entity_id, action], entry)
            .optional()?)
    }
}

/// A tiny JSON writer for audit snapshots, so that the store needs no serializer.
pub(crate) enum Json<'a> {
    Str(&'a str),
    /// A string made for the snapshot (a date, a list).
    Owned(String),
    Int(i64),
    Bool(bool),
    Null,
}

pub(crate) fn json_object(fields: &[(&str, Json<'_>)]) -> String {
    let mut out = String::from("{");
    for (i, (key, value)) in fields.iter().enumerate() {
        if i > 0 {
            out.push(',');
        }
        push_json_string(&mut out, key);
        out.push(':');
        match value {
            Json::Str(s) => push_json_string(&mut out, s),
            Json::Owned(s) => push_json_string(&mut out, s),
            Json::Int(n) => out.push_str(&n.to_string()),
            Json::Bool(b) => out.push_str(if *b { "true" } else { "false" }),
            Json::Null => out.push_str("null"),
        }
    }
    out.push('}');
    out
}

fn push_json_string(out: &mut String, s: &str) {
    out.push('"');
    for c in s.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            '\t' => out.push_str("\\t"),
            c if (c as u32) < 0x20 => out.push_str(&format!("\\u{:04x}", c as u32)),
            c => out.push(c),
        }
    }
    out.push('"');
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn json_snapshots_escape_strings() {
        assert_eq!(
            json_object(&[
                ("name", Json::Str("a\"b\\c\n")),
                ("n", Json::Int(-3)),
                ("ok", Json::Bool(true)),
                ("x", Json::Null)
            ]),
            r#"{"name":"a\"b\\c\n","n":-3,"ok":true,"x":null}"#
        );
    }
}
