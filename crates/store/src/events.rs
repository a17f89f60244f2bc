//! Docking events: events, participants, meeting requests, meetings and agreements.
//! Every write is one transaction with its audit entry, committed as activity so that
//! caches of atlas facts survive it.

use std::str::FromStr;

use crate::db::{params, Connection, OptionalExtension, Row};
use chainatlas_model::{
    Agreement, AgreementId, ChainId, Date, EnterpriseId, Event, EventData, EventId, ListingId,
    Meeting, MeetingId, MeetingRequest, MeetingStatus, NodeId, Participant, ParticipantId,
    RequestId, RequestStatus, SlotGrid,
};

use crate::audit::{json_object, Actor, Change, Json};
use crate::writer::InsertError;
use crate::{Result, Store};

fn join<T: ToString>(items: &[T], sep: &str) -> String {
    items
        .iter()
        .map(|i| i.to_string())
        .collect::<Vec<_>>()
        .join(sep)
}

fn conversion(idx: usize, message: String) -> crate::db::Error {
    crate::db::Error::conversion(idx, message)
}

fn numbers<T: FromStr>(row: &Row<'_>, idx: usize) -> crate::db::Result<Vec<T>> {
    let text: String = row.get(idx)?;
    text.split(',')
        .filter(|s| !s.is_empty())
        .map(|s| {
            s.parse()
                .map_err(|_| conversion(idx, format!("'{s}' is not a number")))
        })
        .collect()
}

fn parsed<T>(row: &Row<'_>, idx: usize) -> crate::db::Result<T>
where
    T: FromStr,
    T::Err: std::error::Error + Send + Sync + 'static,
{
    crate::rows::parsed(row, idx)
}

fn opt_date(row: &Row<'_>, idx: usize) -> crate::db::Result<Option<Date>> {
    match row.get::<Option<String>>(idx)? {
        None => Ok(None),
        Some(_) => parsed(row, idx).map(Some),
    }
}

pub(crate) const EVENT_COLUMNS: &str = "id, name, venue, starts_on, days, day_start, slot_minutes, slots_per_day, breaks, tables, request_cap, meeting_cap, request_days";

/// An event's own columns; its lists come from their tables ([`with_lists`]).
pub(crate) fn event(row: &Row<'_>) -> crate::db::Result<Event> {
    Ok(Event {
        id: EventId(row.get(0)?),
        name: row.get(1)?,
        venue: row.get(2)?,
        starts_on: parsed(row, 3)?,
        grid: SlotGrid {
            days: row.get(4)?,
            day_start: row.get(5)?,
            slot_minutes: row.get(6)?,
            slots_per_day: row.get(7)?,
            breaks: numbers(row, 8)?,
        },
        tables: row.get(9)?,
        groups: Vec::new(),
        may_meet: Vec::new(),
        chains: Vec::new(),
        nodes: Vec::new(),
        request_cap: row.get(10)?,
        meeting_cap: row.get(11)?,
        request_days: row.get(12)?,
    })
}

/// `e` with its groups, the pairs that may meet, and its chains and nodes, in order.
pub(crate) fn with_lists(conn: &Connection, mut e: Event) -> crate::db::Result<Event> {
    let id = e.id.0;
    let list = |sql: &str| -> crate::db::Result<Vec<(String, String)>> {
        conn.prepare_cached(sql)?
            .query_map([id], |r| Ok((r.get(0)?, r.get(1)?)))?
            .collect()
    };
    e.groups = list("SELECT name, '' FROM event_groups WHERE event_id = ?1 ORDER BY position")?
        .into_iter()
        .map(|(g, _)| g)
        .collect();
    e.may_meet =
        list("SELECT group_a, group_b FROM event_may_meet WHERE event_id = ?1 ORDER BY position")?;
    let ids = |sql: &str| -> crate::db::Result<Vec<i64>> {
        conn.prepare_cached(sql)?
            .query_map([id], |r| r.get(0))?
            .collect()
    };
    e.chains = ids("SELECT chain_id FROM event_chains WHERE event_id = ?1 ORDER BY position")?
        .into_iter()
        .map(ChainId)
        .collect();
    e.nodes = ids("SELECT node_id FROM event_nodes WHERE event_id = ?1 ORDER BY position")?
        .into_iter()
        .map(NodeId)
        .collect();
    Ok(e)
}

pub(crate) const PARTICIPANT_COLUMNS: &str =
    "id, event_id, enterprise_id, grp, people, slots_limited, max_meetings";

/// A participant's own columns; its slots and listings come from their tables.
pub(crate) fn participant(row: &Row<'_>) -> crate::db::Result<Participant> {
    let limited: bool = row.get(5)?;
    Ok(Participant {
        id: ParticipantId(row.get(0)?),
        event: EventId(row.get(1)?),
        enterprise: EnterpriseId(row.get(2)?),
        group: row.get(3)?,
        people: row.get(4)?,
        available: limited.then(Vec::new),
        max_meetings: row.get(6)?,
        listings: Vec::new(),
    })
}

/// The slots of the participants that are limited to some, in order.
pub(crate) fn with_slots(
    conn: &Connection,
    participants: &mut [Participant],
) -> crate::db::Result<()> {
    let mut stmt = conn.prepare_cached(
        "SELECT slot FROM event_participant_slots WHERE participant_id = ?1 ORDER BY slot",
    )?;
    for p in participants.iter_mut() {
        if let Some(slots) = &mut p.available {
            *slots = stmt
                .query_map([p.id.0], |r| r.get(0))?
                .collect::<crate::db::Result<_>>()?;
        }
    }
    Ok(())
}

pub(crate) const REQUEST_COLUMNS: &str = "id, event_id, from_id, to_id, priority, origin, status, message, created_on, expires_on, answered_on";

pub(crate) fn request(row: &Row<'_>) -> crate::db::Result<MeetingRequest> {
    Ok(MeetingRequest {
        id: RequestId(row.get(0)?),
        event: EventId(row.get(1)?),
        from: ParticipantId(row.get(2)?),
        to: ParticipantId(row.get(3)?),
        priority: row.get(4)?,
        origin: parsed(row, 5)?,
        status: parsed(row, 6)?,
        message: row.get(7)?,
        created_on: parsed(row, 8)?,
        expires_on: parsed(row, 9)?,
        answered_on: opt_date(row, 10)?,
    })
}

pub(crate) const MEETING_COLUMNS: &str =
    "id, event_id, request_id, a_id, b_id, slot, table_no, published, status";

pub(crate) fn meeting(row: &Row<'_>) -> crate::db::Result<Meeting> {
    Ok(Meeting {
        id: MeetingId(row.get(0)?),
        event: EventId(row.get(1)?),
        request: row.get::<Option<i64>>(2)?.map(RequestId),
        a: ParticipantId(row.get(3)?),
        b: ParticipantId(row.get(4)?),
        slot: row.get(5)?,
        table: row.get(6)?,
        published: row.get(7)?,
        status: parsed(row, 8)?,
    })
}

pub(crate) const AGREEMENT_COLUMNS: &str = "id, title, buyer_id, supplier_id, chain_id, node_id, value_fen, status, intended_on, signed_on, started_on, completed_on, event_id, meeting_id";

pub(crate) fn agreement(row: &Row<'_>) -> crate::db::Result<Agreement> {
    Ok(Agreement {
        id: AgreementId(row.get(0)?),
        title: row.get(1)?,
        buyer: EnterpriseId(row.get(2)?),
        supplier: EnterpriseId(row.get(3)?),
        chain: row.get::<Option<i64>>(4)?.map(ChainId),
        node: row.get::<Option<i64>>(5)?.map(NodeId),
        value: crate::rows::money(row, 6)?,
        status: parsed(row, 7)?,
        intended_on: opt_date(row, 8)?,
        signed_on: opt_date(row, 9)?,
        started_on: opt_date(row, 10)?,
        completed_on: opt_date(row, 11)?,
        event: row.get::<Option<i64>>(12)?.map(EventId),
        meeting: row.get::<Option<i64>>(13)?.map(MeetingId),
    })
}

fn event_json(e: &Event) -> String {
    json_object(&[
        ("name", Json::Str(&e.name)),
        ("venue", Json::Str(&e.venue)),
        ("starts_on", Json::Str(&e.starts_on.to_string())),
        ("days", Json::Int(e.grid.days.into())),
        ("slots_per_day", Json::Int(e.grid.slots_per_day.into())),
        ("tables", Json::Int(e.tables.into())),
        ("groups", Json::Str(&e.groups.join(";"))),
    ])
}

fn participant_json(p: &Participant) -> String {
    let available = p.available.as_ref().map(|a| join(a, ","));
    json_object(&[
        ("event_id", Json::Int(p.event.0)),
        ("enterprise_id", Json::Int(p.enterprise.0)),
        ("group", Json::Str(&p.group)),
        ("people", Json::Str(&p.people)),
        (
            "available",
            available.as_deref().map_or(Json::Null, Json::Str),
        ),
        (
            "listings",
            Json::Str(&join(
                &p.listings.iter().map(|l| l.0).collect::<Vec<_>>(),
                ",",
            )),
        ),
    ])
}

fn agreement_json(a: &Agreement) -> String {
    json_object(&[
        ("title", Json::Str(&a.title)),
        ("buyer_id", Json::Int(a.buyer.0)),
        ("supplier_id", Json::Int(a.supplier.0)),
        ("value_fen", Json::Int(a.value.fen())),
        ("status", Json::Str(a.status.as_str())),
        ("event_id", a.event.map_or(Json::Null, |e| Json::Int(e.0))),
        (
            "meeting_id",
            a.meeting.map_or(Json::Null, |m| Json::Int(m.0)),
        ),
    ])
}

/// Why an event write was refused.
pub type EventWriteError = InsertError;

impl Store {
    /// Every event, latest first.
    pub fn events(&self) -> Result<Vec<Event>> {
        let mut stmt = self.conn.prepare(&format!(
            "SELECT {EVENT_COLUMNS} FROM events ORDER BY starts_on DESC, id DESC"
        ))?;
        let events: Vec<Event> = stmt
            .query_map([], event)?
            .collect::<crate::db::Result<_>>()?;
        Ok(events
            .into_iter()
            .map(|e| with_lists(&self.conn, e))
            .collect::<crate::db::Result<_>>()?)
    }

    pub fn event(&self, id: EventId) -> Result<Option<Event>> {
        Ok(self
            .conn
            .query_row(
                &format!("SELECT {EVENT_COLUMNS} FROM events WHERE id = ?1"),
                [id.0],
                event,
            )
            .optional()?
            .map(|e| with_lists(&self.conn, e))
            .transpose()?)
    }

    /// The event with its participants, requests, meetings and agreements.
    pub fn event_data(&self, id: EventId) -> Result<Option<EventData>> {
        let Some(event) = self.event(id)? else {
            return Ok(None);
        };
        let all =
            |sql: String| -> Result<crate::db::Statement<'_>> { Ok(self.conn.prepare(&sql)?) };
        let mut participants: Vec<Participant> = all(format!(
            "SELECT {PARTICIPANT_COLUMNS} FROM event_participants WHERE event_id = ?1 ORDER BY id"
        ))?
        .query_map([id.0], participant)?
        .collect::<crate::db::Result<_>>()?;
        with_slots(&self.conn, &mut participants)?;
        let mut stmt = all(
            "SELECT l.participant_id, l.listing_id FROM event_participant_listings l
             JOIN event_participants p ON p.id = l.participant_id
             WHERE p.event_id = ?1 ORDER BY l.participant_id, l.listing_id"
                .into(),
        )?;
        let mut rows = stmt.query([id.0])?;
        while let Some(row) = rows.next()? {
            let p = ParticipantId(row.get(0)?);
            if let Some(part) = participants.iter_mut().find(|x| x.id == p) {
                part.listings.push(ListingId(row.get(1)?));
            }
        }
        let requests = all(format!(
            "SELECT {REQUEST_COLUMNS} FROM meeting_requests WHERE event_id = ?1 ORDER BY id"
        ))?
        .query_map([id.0], request)?
        .collect::<crate::db::Result<_>>()?;
        let meetings = all(format!(
            "SELECT {MEETING_COLUMNS} FROM meetings WHERE event_id = ?1 ORDER BY slot, table_no, id"
        ))?
        .query_map([id.0], meeting)?
        .collect::<crate::db::Result<_>>()?;
        let agreements = self.agreements(Some(id))?;
        Ok(Some(EventData {
            event,
            participants,
            requests,
            meetings,
            agreements,
        }))
    }

    /// Agreements of one event, or all of them; newest first.
    pub fn agreements(&self, event: Option<EventId>) -> Result<Vec<Agreement>> {
        let mut stmt = self.conn.prepare(&format!(
            "SELECT {AGREEMENT_COLUMNS} FROM agreements WHERE event_id = ?1 OR ?1 IS NULL ORDER BY id DESC"
        ))?;
        let rows = stmt
            .query_map([event.map(|e| e.0)], agreement)?
            .collect::<crate::db::Result<_>>()?;
        Ok(rows)
    }

    pub fn agreement(&self, id: AgreementId) -> Result<Option<Agreement>> {
        Ok(self
            .conn
            .query_row(
                &format!("SELECT {AGREEMENT_COLUMNS} FROM agreements WHERE id = ?1"),
                [id.0],
                agreement,
            )
            .optional()?)
    }

    /// Creates the event; the database gives it its id.
    pub fn create_event(&mut self, actor: &Actor, e: &Event) -> Result<EventId, EventWriteError> {
        let writer = self.writer()?;
        let id = EventId(insert_event(writer.tx(), None, e)?);
        let change = Change::new("create", "event", id.0).after(event_json(e));
        writer.commit_activity(actor, &change)?;
        Ok(id)
    }

    /// Changes an existing event (`e.id`): its own fields and its lists, audited with the
    /// event before and after. Whether the change fits the event's registrations and
    /// meetings (their groups and slots) is the caller's rule.
    pub fn update_event(&mut self, actor: &Actor, e: &Event) -> Result<(), EventWriteError> {
        let before = self
            .event_data(e.id)?
            .ok_or_else(|| InsertError::Rejected(format!("there is no event {}", e.id)))?
            .event;
        let writer = self.writer()?;
        let tx = writer.tx();
        tx.execute(
            "UPDATE events SET name = ?2, venue = ?3, starts_on = ?4, days = ?5, day_start = ?6,
                 slot_minutes = ?7, slots_per_day = ?8, breaks = ?9, tables = ?10,
                 request_cap = ?11, meeting_cap = ?12, request_days = ?13
             WHERE id = ?1",
            params![
                e.id.0,
                e.name,
                e.venue,
                e.starts_on.to_string(),
                e.grid.days,
                e.grid.day_start,
                e.grid.slot_minutes,
                e.grid.slots_per_day,
                join(&e.grid.breaks, ","),
                e.tables,
                e.request_cap,
                e.meeting_cap,
                e.request_days,
            ],
        )?;
        for table in [
            "event_may_meet",
            "event_groups",
            "event_chains",
            "event_nodes",
        ] {
            tx.execute(
                &format!("DELETE FROM {table} WHERE event_id = ?1"),
                [e.id.0],
            )?;
        }
        insert_event_lists(tx, e.id.0, e)?;
        let change = Change::new("update", "event", e.id.0)
            .before(event_json(&before))
            .after(event_json(e));
        writer.commit_activity(actor, &change)?;
        Ok(())
    }

    /// Registers the participant's enterprise for its event, or updates the enterprise's
    /// registration there (one per enterprise and event; `p.id` is not read). Its
    /// listings are replaced. Returns the registration's id.
    pub fn register_participant(
        &mut self,
        actor: &Actor,
        p: &Participant,
    ) -> Result<ParticipantId, EventWriteError> {
        let writer = self.writer()?;
        let tx = writer.tx();
        let before = tx
            .query_row(
                &format!("SELECT {PARTICIPANT_COLUMNS} FROM event_participants WHERE event_id = ?1 AND enterprise_id = ?2"),
                [p.event.0, p.enterprise.0],
                participant,
            )
            .optional()?
            .map(|b| {
                let mut one = [b];
                with_slots(tx, &mut one).map(|_| one.into_iter().next().expect("one"))
            })
            .transpose()?;
        let id = ParticipantId(upsert_participant(tx, None, p)?);
        let action = if before.is_some() {
            "update"
        } else {
            "register"
        };
        let mut change = Change::new(action, "participant", id.0).after(participant_json(p));
        if let Some(b) = &before {
            change = change.before(participant_json(b));
        }
        writer.commit_activity(actor, &change)?;
        Ok(id)
    }

    /// Records a new meeting request (`r.id` is not read); returns its id.
    pub fn insert_request(
        &mut self,
        actor: &Actor,
        r: &MeetingRequest,
    ) -> Result<RequestId, EventWriteError> {
        let writer = self.writer()?;
        let id = RequestId(insert_request(writer.tx(), None, r)?);
        let change = Change::new("request", "meeting_request", id.0).after(json_object(&[
            ("event_id", Json::Int(r.event.0)),
            ("from_id", Json::Int(r.from.0)),
            ("to_id", Json::Int(r.to.0)),
            ("priority", Json::Int(r.priority.into())),
            ("origin", Json::Str(r.origin.as_str())),
        ]));
        writer.commit_activity(actor, &change)?;
        Ok(id)
    }

    /// Sets a request's status (an answer, a cancellation). Cancelling or declining a
    /// request also cancels its meeting, if one was scheduled.
    pub fn set_request_status(
        &mut self,
        actor: &Actor,
        id: RequestId,
        status: RequestStatus,
        on: Date,
    ) -> Result<(), EventWriteError> {
        let writer = self.writer()?;
        let tx = writer.tx();
        let before: String = tx
            .query_row(
                "SELECT status FROM meeting_requests WHERE id = ?1",
                [id.0],
                |r| r.get(0),
            )
            .optional()?
            .ok_or_else(|| InsertError::Rejected(format!("there is no meeting request {id}")))?;
        tx.execute(
            "UPDATE meeting_requests SET status = ?2, answered_on = ?3 WHERE id = ?1",
            params![id.0, status.as_str(), on.to_string()],
        )?;
        if !status.is_live() {
            tx.execute(
                "UPDATE meetings SET status = 'cancelled' WHERE request_id = ?1 AND status = 'scheduled'",
                [id.0],
            )?;
        }
        let change = Change::new(status.as_str(), "meeting_request", id.0)
            .before(json_object(&[("status", Json::Str(&before))]))
            .after(json_object(&[("status", Json::Str(status.as_str()))]));
        writer.commit_activity(actor, &change)?;
        Ok(())
    }

    /// Writes `expired` on every pending request of the event past its expiry on `today`;
    /// returns how many.
    pub fn expire_requests(
        &mut self,
        actor: &Actor,
        event: EventId,
        today: Date,
    ) -> Result<usize, EventWriteError> {
        let writer = self.writer()?;
        let n = writer.tx().execute(
            "UPDATE meeting_requests SET status = 'expired' WHERE event_id = ?1 AND status = 'pending' AND expires_on < ?2",
            params![event.0, today.to_string()],
        )?;
        if n == 0 {
            return Ok(0);
        }
        let change = Change::new("expire", "event", event.0)
            .after(json_object(&[("expired_requests", Json::Int(n as i64))]));
        writer.commit_activity(actor, &change)?;
        Ok(n)
    }

    /// Replaces the event's scheduled meetings with `meetings` (a new schedule): meetings
    /// already held, missed or cancelled stay as they are; scheduled ones not in the new
    /// schedule are deleted. A meeting whose id is one of this event's is moved in place;
    /// any other is new and the database gives it its id. Returns `meetings` with the ids
    /// they are stored under.
    pub fn save_schedule(
        &mut self,
        actor: &Actor,
        event: EventId,
        meetings: &[Meeting],
        summary: &str,
    ) -> Result<Vec<Meeting>, EventWriteError> {
        let writer = self.writer()?;
        let tx = writer.tx();
        let mut stmt = tx.prepare("SELECT id, status FROM meetings WHERE event_id = ?1")?;
        let existing: Vec<(i64, String)> = stmt
            .query_map([event.0], |r| Ok((r.get(0)?, r.get(1)?)))?
            .collect::<crate::db::Result<_>>()?;
        drop(stmt);
        let ours = |id: MeetingId| existing.iter().any(|(e, _)| *e == id.0);
        let keep: Vec<i64> = meetings.iter().map(|m| m.id.0).collect();
        let mut stmt = tx.prepare(
            "SELECT id FROM meetings WHERE event_id = ?1 AND status = 'scheduled'
             AND id NOT IN (SELECT meeting_id FROM agreements WHERE meeting_id IS NOT NULL)",
        )?;
        let replaceable: Vec<i64> = stmt
            .query_map([event.0], |r| r.get(0))?
            .collect::<crate::db::Result<_>>()?;
        drop(stmt);
        for id in replaceable.iter().filter(|id| !keep.contains(id)) {
            tx.execute("DELETE FROM meetings WHERE id = ?1", [id])?;
        }
        let mut saved = Vec::with_capacity(meetings.len());
        for m in meetings {
            let mut m = m.clone();
            if ours(m.id) {
                move_meeting(tx, &m)?;
            } else {
                m.id = MeetingId(insert_meeting(tx, event, None, &m)?);
            }
            saved.push(m);
        }
        let change = Change::new("schedule", "event", event.0).after(summary.to_string());
        writer.commit_activity(actor, &change)?;
        Ok(saved)
    }

    /// Publishes every scheduled meeting of the event: they go on people's agendas.
    pub fn publish_schedule(
        &mut self,
        actor: &Actor,
        event: EventId,
    ) -> Result<usize, EventWriteError> {
        let writer = self.writer()?;
        let n = writer.tx().execute(
            "UPDATE meetings SET published = 1 WHERE event_id = ?1 AND status = 'scheduled' AND published = 0",
            [event.0],
        )?;
        let change = Change::new("publish", "event", event.0)
            .after(json_object(&[("published_meetings", Json::Int(n as i64))]));
        writer.commit_activity(actor, &change)?;
        Ok(n)
    }

    pub fn set_meeting_status(
        &mut self,
        actor: &Actor,
        id: MeetingId,
        status: MeetingStatus,
    ) -> Result<(), EventWriteError> {
        let writer = self.writer()?;
        let n = writer.tx().execute(
            "UPDATE meetings SET status = ?2 WHERE id = ?1",
            params![id.0, status.as_str()],
        )?;
        if n == 0 {
            return Err(InsertError::Rejected(format!("there is no meeting {id}")));
        }
        let change = Change::new(status.as_str(), "meeting", id.0)
            .after(json_object(&[("status", Json::Str(status.as_str()))]));
        writer.commit_activity(actor, &change)?;
        Ok(())
    }

    /// Records a new agreement (`a.id` is not read); returns its id.
    pub fn create_agreement(
        &mut self,
        actor: &Actor,
        a: &Agreement,
    ) -> Result<AgreementId, EventWriteError> {
        let writer = self.writer()?;
        let id = AgreementId(insert_agreement(writer.tx(), None, a)?);
        let change = Change::new("create", "agreement", id.0).after(agreement_json(a));
        writer.commit_activity(actor, &change)?;
        Ok(id)
    }

    /// Changes the agreement `a.id` names. Its parties never change: an agreement between
    /// other enterprises is another agreement.
    pub fn update_agreement(
        &mut self,
        actor: &Actor,
        a: &Agreement,
    ) -> Result<(), EventWriteError> {
        let writer = self.writer()?;
        let tx = writer.tx();
        let before = tx
            .query_row(
                &format!("SELECT {AGREEMENT_COLUMNS} FROM agreements WHERE id = ?1"),
                [a.id.0],
                agreement,
            )
            .optional()?
            .ok_or_else(|| InsertError::Rejected(format!("there is no agreement {}", a.id)))?;
        if (before.buyer, before.supplier) != (a.buyer, a.supplier) {
            return Err(InsertError::Rejected(format!(
                "agreement {} is between enterprises {} and {}; its parties do not change",
                a.id, before.buyer, before.supplier
            )));
        }
        let date = |d: Option<Date>| d.map(|d| d.to_string());
        tx.execute(
            "UPDATE agreements SET title = ?2, chain_id = ?3, node_id = ?4, value_fen = ?5,
             status = ?6, intended_on = ?7, signed_on = ?8, started_on = ?9, completed_on = ?10,
             event_id = ?11, meeting_id = ?12 WHERE id = ?1",
            params![
                a.id.0,
                a.title,
                a.chain.map(|c| c.0),
                a.node.map(|n| n.0),
                a.value.fen(),
                a.status.as_str(),
                date(a.intended_on),
                date(a.signed_on),
                date(a.started_on),
                date(a.completed_on),
                a.event.map(|e| e.0),
                a.meeting.map(|m| m.0),
            ],
        )?;
        let change = Change::new("update", "agreement", a.id.0)
            .before(agreement_json(&before))
            .after(agreement_json(a));
        writer.commit_activity(actor, &change)?;
        Ok(())
    }
}

impl Store {
    /// Writes a whole event at once (the demo generator, tests): the event, its
    /// participants, requests, meetings and agreements, in one transaction and one audit
    /// entry. Nothing of the event may exist yet.
    pub fn insert_event_data(
        &mut self,
        actor: &Actor,
        d: &EventData,
    ) -> Result<(), EventWriteError> {
        let writer = self.writer()?;
        let tx = writer.tx();
        insert_event(tx, Some(d.event.id), &d.event)?;
        for p in &d.participants {
            upsert_participant(tx, Some(p.id), p)?;
        }
        for r in &d.requests {
            insert_request(tx, Some(r.id), r)?;
        }
        for m in &d.meetings {
            insert_meeting(tx, d.event.id, Some(m.id), m)?;
        }
        for a in &d.agreements {
            insert_agreement(tx, Some(a.id), a)?;
        }
        let change = Change::new("import", "event", d.event.id.0).after(json_object(&[
            ("participants", Json::Int(d.participants.len() as i64)),
            ("requests", Json::Int(d.requests.len() as i64)),
            ("meetings", Json::Int(d.meetings.len() as i64)),
            ("agreements", Json::Int(d.agreements.len() as i64)),
        ]));
        writer.commit_activity(actor, &change)?;
        Ok(())
    }
}

/// Inserts the event with the id given (a whole event written at once), or with the
/// one the database assigns; returns the id.
pub(crate) fn insert_event(
    tx: &Connection,
    id: Option<EventId>,
    e: &Event,
) -> Result<i64, InsertError> {
    let id: i64 = tx.query_row(
        &format!(
            "{} RETURNING id",
            crate::db::insert_sql("events", EVENT_COLUMNS, id.is_some())
        ),
        params![
            id.map(|i| i.0),
            e.name,
            e.venue,
            e.starts_on.to_string(),
            e.grid.days,
            e.grid.day_start,
            e.grid.slot_minutes,
            e.grid.slots_per_day,
            join(&e.grid.breaks, ","),
            e.tables,
            e.request_cap,
            e.meeting_cap,
            e.request_days,
        ],
        |r| r.get(0),
    )?;
    insert_event_lists(tx, id, e)?;
    Ok(id)
}

/// The event's lists (groups, pairs that may meet, chains and nodes in focus) as rows.
fn insert_event_lists(tx: &Connection, id: i64, e: &Event) -> Result<(), InsertError> {
    for (position, name) in e.groups.iter().enumerate() {
        tx.prepare_cached(
            "INSERT INTO event_groups (event_id, position, name) VALUES (?1, ?2, ?3)",
        )?
        .execute(params![id, position, name])?;
    }
    for (position, (a, b)) in e.may_meet.iter().enumerate() {
        tx.prepare_cached(
            "INSERT INTO event_may_meet (event_id, position, group_a, group_b) VALUES (?1, ?2, ?3, ?4)",
        )?
        .execute(params![id, position, a, b])?;
    }
    for (position, chain) in e.chains.iter().enumerate() {
        tx.prepare_cached(
            "INSERT INTO event_chains (event_id, position, chain_id) VALUES (?1, ?2, ?3)",
        )?
        .execute(params![id, position, chain.0])?;
    }
    for (position, node) in e.nodes.iter().enumerate() {
        tx.prepare_cached(
            "INSERT INTO event_nodes (event_id, position, node_id) VALUES (?1, ?2, ?3)",
        )?
        .execute(params![id, position, node.0])?;
    }
    Ok(())
}

/// Registers `p`'s enterprise for `p`'s event, or updates its registration there (the
/// pair is unique); its listings are replaced. Returns the registration's id.
pub(crate) fn upsert_participant(
    tx: &Connection,
    id: Option<ParticipantId>,
    p: &Participant,
) -> Result<i64, InsertError> {
    let id: i64 = tx.query_row(
        &format!(
            "{} ON CONFLICT (event_id, enterprise_id) DO UPDATE SET grp = excluded.grp,
             people = excluded.people, slots_limited = excluded.slots_limited,
             max_meetings = excluded.max_meetings
             RETURNING id",
            crate::db::insert_sql("event_participants", PARTICIPANT_COLUMNS, id.is_some())
        ),
        participant_params(id.map(|i| i.0), p),
        |r| r.get(0),
    )?;
    participant_lists(tx, id, p)?;
    Ok(id)
}

/// Inserts a participant with its id (a bundle's row): a second registration of the
/// same enterprise for the same event is a duplicate, not an update.
pub(crate) fn insert_participant(tx: &Connection, p: &Participant) -> Result<(), InsertError> {
    tx.prepare_cached(&format!(
        "INSERT INTO event_participants ({PARTICIPANT_COLUMNS}) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)"
    ))?
    .execute(participant_params(Some(p.id.0), p))?;
    participant_lists(tx, p.id.0, p)
}

/// A participant's own columns in [`PARTICIPANT_COLUMNS`] order, with the id given.
fn participant_params(id: Option<i64>, p: &Participant) -> [crate::db::Value; 7] {
    [
        id.into(),
        p.event.0.into(),
        p.enterprise.0.into(),
        p.group.clone().into(),
        p.people.clone().into(),
        i64::from(p.available.is_some()).into(),
        p.max_meetings.map(i64::from).into(),
    ]
}

/// Replaces the slots and listings of participant `id` with `p`'s.
fn participant_lists(tx: &Connection, id: i64, p: &Participant) -> Result<(), InsertError> {
    tx.execute(
        "DELETE FROM event_participant_slots WHERE participant_id = ?1",
        [id],
    )?;
    for slot in p.available.iter().flatten() {
        tx.prepare_cached(
            "INSERT INTO event_participant_slots (participant_id, slot) VALUES (?1, ?2)",
        )?
        .execute(params![id, slot])?;
    }
    tx.execute(
        "DELETE FROM event_participant_listings WHERE participant_id = ?1",
        [id],
    )?;
    for l in &p.listings {
        tx.execute(
            "INSERT INTO event_participant_listings (participant_id, listing_id) VALUES (?1, ?2)",
            [id, l.0],
        )?;
    }
    Ok(())
}

/// The listings a participant brings, in id order.
pub(crate) fn with_listings(conn: &Connection, p: &mut Participant) -> crate::db::Result<()> {
    p.listings = conn
        .prepare_cached(
            "SELECT listing_id FROM event_participant_listings WHERE participant_id = ?1 ORDER BY listing_id",
        )?
        .query_map([p.id.0], |r| Ok(ListingId(r.get(0)?)))?
        .collect::<crate::db::Result<_>>()?;
    Ok(())
}

/// Places a new meeting of `event`, with the id given or one the database assigns.
pub(crate) fn insert_meeting(
    tx: &Connection,
    event: EventId,
    id: Option<MeetingId>,
    m: &Meeting,
) -> Result<i64, InsertError> {
    Ok(tx.query_row(
        &format!(
            "{} RETURNING id",
            crate::db::insert_sql("meetings", MEETING_COLUMNS, id.is_some())
        ),
        params![
            id.map(|i| i.0),
            event.0,
            m.request.map(|r| r.0),
            m.a.0,
            m.b.0,
            m.slot,
            m.table,
            m.published,
            m.status.as_str()
        ],
        |r| r.get(0),
    )?)
}

/// Moves an existing meeting (slot, table, publication, status); its pair stays.
fn move_meeting(tx: &Connection, m: &Meeting) -> Result<(), InsertError> {
    tx.execute(
        "UPDATE meetings SET slot = ?2, table_no = ?3, published = ?4, status = ?5 WHERE id = ?1",
        params![m.id.0, m.slot, m.table, m.published, m.status.as_str()],
    )?;
    Ok(())
}

pub(crate) fn insert_agreement(
    tx: &Connection,
    id: Option<AgreementId>,
    a: &Agreement,
) -> Result<i64, InsertError> {
    let date = |d: Option<Date>| d.map(|d| d.to_string());
    Ok(tx.query_row(
        &format!(
            "{} RETURNING id",
            crate::db::insert_sql("agreements", AGREEMENT_COLUMNS, id.is_some())
        ),
        params![
            id.map(|i| i.0),
            a.title,
            a.buyer.0,
            a.supplier.0,
            a.chain.map(|c| c.0),
            a.node.map(|n| n.0),
            a.value.fen(),
            a.status.as_str(),
            date(a.intended_on),
            date(a.signed_on),
            date(a.started_on),
            date(a.completed_on),
            a.event.map(|e| e.0),
            a.meeting.map(|m| m.0),
        ],
        |r| r.get(0),
    )?)
}

pub(crate) fn insert_request(
    tx: &Connection,
    id: Option<RequestId>,
    r: &MeetingRequest,
) -> Result<i64, InsertError> {
    Ok(tx.query_row(
        &format!(
            "{} RETURNING id",
            crate::db::insert_sql("meeting_requests", REQUEST_COLUMNS, id.is_some())
        ),
        params![
            id.map(|i| i.0),
            r.event.0,
            r.from.0,
            r.to.0,
            r.priority,
            r.origin.as_str(),
            r.status.as_str(),
            r.message,
            r.created_on.to_string(),
            r.expires_on.to_string(),
            r.answered_on.map(|d| d.to_string()),
        ],
        |r| r.get(0),
    )?)
}

impl Store {
    /// The listings of `ids` that exist, in the order given.
    pub fn listings_by_ids(&self, ids: &[ListingId]) -> Result<Vec<chainatlas_model::Listing>> {
        let mut out = Vec::with_capacity(ids.len());
        for id in ids {
            if let Some(l) = self.listing(*id)? {
                out.push(l);
            }
        }
        Ok(out)
    }
}
