//! Enterprise services: appeals handled in a closed loop, visits and the officials
//! responsible for enterprises (包联), reminders and escalation of overdue appeals, in-app
//! notifications, and the working-day calendar deadlines are counted on.
//!
//! Who may make which move is the model's table ([`Move::parties`]); this module decides
//! who a viewer *is* towards an appeal ([`Party`]) and writes each step under the store's
//! write lock, so two people acting on one appeal at once cannot both build on the same
//! state. An enterprise sees its own appeals only; any other id is "not found".

use chainatlas_auth::{Permission, Role};
use chainatlas_model::services::{
    Appeal, AppealCategory, AppealChannel, AppealState, Attachment, Move, Party, Visit,
    MAX_APPEAL_ATTACHMENTS, MAX_APPEAL_TEXT_CHARS, MAX_APPEAL_TITLE_CHARS, MAX_VISIT_OFFICIALS,
};
use chainatlas_model::workdays::WorkCalendar;
use chainatlas_model::{text, Date, EnterpriseId, Explain, NodeId, Text};
use chainatlas_store::{AppealFilter, AppealStep, InsertError, Notification, Store, VisitFilter};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use crate::problems::{too_long, Problems};
use crate::{AppError, ErrorCode, Viewer};

/// The most bytes of a calendar file an admin loads (the embedded one, 23 years, is
/// about 30 KB; the API takes no larger body).
pub const MAX_CALENDAR_BYTES: usize = 64 * 1024;

/// The calendar deadlines are counted on: the official one built in, with every file
/// an admin loaded applied in order.
pub fn calendar(store: &Store) -> Result<WorkCalendar, AppError> {
    let mut calendar = WorkCalendar::official().clone();
    for file in store.calendar_files()? {
        calendar = calendar
            .with_file(&file)
            .map_err(|_| AppError::internal("a stored calendar file no longer reads"))?;
    }
    Ok(calendar)
}

/// Loads a calendar file (an admin's; the format of the built-in one) after checking
/// every line; answers the years the calendar now covers.
pub fn load_calendar(
    store: &mut Store,
    viewer: &Viewer,
    file: &str,
) -> Result<(u16, u16), AppError> {
    viewer.require(Permission::ManageUsers)?;
    if file.len() > MAX_CALENDAR_BYTES {
        let (n, max) = (file.len(), MAX_CALENDAR_BYTES);
        return Err(AppError::new(
            ErrorCode::InvalidCalendar,
            text!(
                "文件有 {n} 字节，最多 {max} 字节",
                "the file has {n} bytes, at most {max} allowed"
            ),
        ));
    }
    let current = calendar(store)?;
    let next = current.with_file(file).map_err(|problems| {
        let lines: Vec<Text> = problems
            .iter()
            .take(20)
            .map(|p| {
                let line = p.line;
                p.message.after(&text!("第 {line} 行", "line {line}"))
            })
            .collect();
        AppError::new(ErrorCode::InvalidCalendar, Text::join(&lines))
    })?;
    store
        .add_calendar_file(&viewer.actor(), file)
        .map_err(write_error)?;
    Ok(next.years().unwrap_or((0, 0)))
}

fn write_error(e: InsertError) -> AppError {
    match e {
        InsertError::Store(e) => e.into(),
        InsertError::Rejected(why) => AppError::new(ErrorCode::Conflict, Text::same(why)),
        other => AppError::new(ErrorCode::Conflict, other.explain()),
    }
}

fn not_found(id: i64) -> AppError {
    AppError::new(
        ErrorCode::AppealNotFound,
        text!("没有编号为 {id} 的诉求", "there is no appeal {id}"),
    )
}

fn is_staff(viewer: &Viewer) -> bool {
    viewer.may(Permission::Analyse)
}

/// Who `viewer` is towards `appeal`.
pub fn parties(viewer: &Viewer, appeal: &Appeal, supervisors: &[i64]) -> Vec<Party> {
    let Some(p) = viewer.principal.as_ref() else {
        return Vec::new();
    };
    let mut out = Vec::new();
    if p.enterprise == Some(appeal.enterprise) {
        out.push(Party::Owner);
    }
    if is_staff(viewer) {
        out.push(Party::Staff);
    }
    if appeal.handler == Some(p.user_id) {
        out.push(Party::Handler);
    }
    if supervisors.contains(&p.user_id) {
        out.push(Party::Supervisor);
    }
    out
}

/// The moves `viewer` may make on `appeal` now, in the table's order.
pub fn moves(viewer: &Viewer, appeal: &Appeal, supervisors: &[i64]) -> Vec<Move> {
    let parties = parties(viewer, appeal, supervisors);
    Move::ALL
        .iter()
        .copied()
        .filter(|m| m.apply(appeal.state, &parties).is_ok())
        .collect()
}

/// One appeal `viewer` may see: an enterprise its own, staff any.
pub fn visible_appeal(store: &Store, viewer: &Viewer, id: i64) -> Result<Appeal, AppError> {
    let principal = viewer.principal.as_ref().ok_or_else(unauthorized)?;
    let a = store.appeal(id)?.ok_or_else(|| not_found(id))?;
    if is_staff(viewer) || principal.enterprise == Some(a.enterprise) {
        Ok(a)
    } else {
        Err(not_found(id))
    }
}

fn unauthorized() -> AppError {
    AppError::new(ErrorCode::Unauthorized, ErrorCode::Unauthorized.title())
}

/// Steps an enterprise does not see: the office's own reminders, escalations and
/// supervision notes.
fn internal_step(step: &str) -> bool {
    matches!(step, "remind" | "escalate" | "supervise")
}

/// An appeal's steps as `viewer` may see them.
pub fn visible_steps(
    store: &Store,
    viewer: &Viewer,
    appeal: &Appeal,
) -> Result<Vec<AppealStep>, AppError> {
    let steps = store.appeal_steps(appeal.id)?;
    Ok(if is_staff(viewer) {
        steps
    } else {
        steps
            .into_iter()
            .filter(|s| !internal_step(&s.step))
            .collect()
    })
}

/// Appeals `viewer` may see within `filter`: an enterprise its own only.
pub fn visible_appeals(
    store: &Store,
    viewer: &Viewer,
    mut filter: AppealFilter,
) -> Result<(Vec<Appeal>, u64), AppError> {
    let principal = viewer.principal.as_ref().ok_or_else(unauthorized)?;
    if !is_staff(viewer) {
        let own = principal.enterprise.ok_or_else(AppError::not_bound)?;
        filter.enterprise = Some(own);
    }
    Ok(store.appeals(&filter)?)
}

/// An attachment's metadata, as a form or the API gives it.
#[derive(Clone, Debug, Default, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct AttachmentInput {
    #[schema(min_length = 1, max_length = 200)]
    pub name: String,
    /// Size in bytes.
    pub bytes: u64,
    #[serde(default)]
    #[schema(example = "application/pdf")]
    pub media_type: String,
}

/// A new appeal. An enterprise user appeals for its own enterprise; staff record one
/// for any enterprise (from a visit, a call or an event).
#[derive(Clone, Debug, Default, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct AppealInput {
    /// The enterprise it is from; staff only (an enterprise user's is its own).
    #[serde(default)]
    #[schema(pattern = r"^\s*([1-9][0-9]{0,17})?\s*$")]
    pub enterprise_id: String,
    #[schema(example = "utilities")]
    pub category: String,
    /// `online` (the default for enterprises), `visit`, `hotline` (the default for staff)
    /// or `event`.
    #[serde(default)]
    pub channel: String,
    /// The chain node it concerns, if any (its chain follows).
    #[serde(default)]
    #[schema(pattern = r"^\s*([1-9][0-9]{0,17})?\s*$")]
    pub node_id: String,
    /// The visit it was found on, if any.
    #[serde(default)]
    pub visit_id: String,
    #[schema(min_length = 1, max_length = 100)]
    pub title: String,
    #[schema(max_length = 4000)]
    #[serde(default)]
    pub description: String,
    #[serde(default)]
    pub attachments: Vec<AttachmentInput>,
}

fn text_field(p: &mut Problems, field: &str, raw: &str, max: usize, required: bool) -> String {
    let s = raw.trim().to_string();
    let n = s.chars().count();
    if required && n == 0 {
        p.bad(field, text!("为空，应填写文字", "is empty, expected text"));
    } else if n > max {
        p.bad(field, too_long(n, max));
    }
    s
}

fn opt_number(p: &mut Problems, field: &str, raw: &str) -> Option<i64> {
    if raw.trim().is_empty() {
        None
    } else {
        p.id(field, raw)
    }
}

fn category(p: &mut Problems, raw: &str) -> Option<AppealCategory> {
    match raw.trim().parse::<AppealCategory>() {
        Ok(c) => Some(c),
        Err(e) => {
            p.bad("category", e.explain());
            None
        }
    }
}

/// Records a new appeal, submitted, and tells the enterprise's responsible official
/// (or, without one, the supervisors).
pub fn submit_appeal(
    store: &mut Store,
    viewer: &Viewer,
    input: &AppealInput,
) -> Result<Appeal, AppError> {
    let principal = viewer.principal.clone().ok_or_else(unauthorized)?;
    let staff = is_staff(viewer);
    let mut p = Problems::default();
    let enterprise = if staff {
        match p.id("enterprise_id", &input.enterprise_id) {
            Some(e) if !store.enterprise_exists(EnterpriseId(e))? => {
                p.bad(
                    "enterprise_id",
                    text!("没有编号为 {e} 的企业", "there is no enterprise {e}"),
                );
                None
            }
            e => e.map(EnterpriseId),
        }
    } else {
        let own = principal.enterprise.ok_or_else(AppError::not_bound)?;
        match opt_number(&mut p, "enterprise_id", &input.enterprise_id) {
            Some(e) if e != own.0 => {
                return Err(AppError::forbidden(text!(
                    "企业只能为本企业提出诉求",
                    "an enterprise appeals for itself only"
                )))
            }
            _ => Some(own),
        }
    };
    let category = category(&mut p, &input.category);
    let channel = match input.channel.trim() {
        "" if staff => Some(AppealChannel::Hotline),
        "" => Some(AppealChannel::Online),
        raw => match raw.parse::<AppealChannel>() {
            Ok(c) if !staff && c != AppealChannel::Online => {
                p.bad(
                    "channel",
                    text!(
                        "企业在线提交的诉求渠道为 online",
                        "an enterprise submits online"
                    ),
                );
                None
            }
            Ok(c) => Some(c),
            Err(e) => {
                p.bad("channel", e.explain());
                None
            }
        },
    };
    let node = match opt_number(&mut p, "node_id", &input.node_id) {
        None => None,
        Some(n) => match store.node(NodeId(n))? {
            Some(node) => Some(node),
            None => {
                p.bad(
                    "node_id",
                    text!("没有编号为 {n} 的环节", "there is no chain node {n}"),
                );
                None
            }
        },
    };
    let visit = opt_number(&mut p, "visit_id", &input.visit_id);
    if let Some(v) = visit {
        if !staff {
            p.bad(
                "visit_id",
                text!("只有工作人员可关联走访", "only staff link a visit"),
            );
        } else {
            match store.visit(v)? {
                Some(found) if Some(found.enterprise) == enterprise => {}
                Some(_) => p.bad(
                    "visit_id",
                    text!(
                        "走访 {v} 不是对这家企业的",
                        "visit {v} was not to this enterprise"
                    ),
                ),
                None => p.bad(
                    "visit_id",
                    text!("没有编号为 {v} 的走访", "there is no visit {v}"),
                ),
            }
        }
    }
    let title = text_field(&mut p, "title", &input.title, MAX_APPEAL_TITLE_CHARS, true);
    let description = text_field(
        &mut p,
        "description",
        &input.description,
        MAX_APPEAL_TEXT_CHARS,
        false,
    );
    if input.attachments.len() > MAX_APPEAL_ATTACHMENTS {
        let (n, max) = (input.attachments.len(), MAX_APPEAL_ATTACHMENTS);
        p.bad(
            "attachments",
            text!("有 {n} 个，最多 {max} 个", "has {n}, at most {max} allowed"),
        );
    }
    let mut attachments = Vec::new();
    for (i, a) in input
        .attachments
        .iter()
        .take(MAX_APPEAL_ATTACHMENTS)
        .enumerate()
    {
        let field = format!("attachments[{i}].name");
        let name = text_field(&mut p, &field, &a.name, 200, true);
        let media_type = text_field(
            &mut p,
            &format!("attachments[{i}].media_type"),
            &a.media_type,
            100,
            false,
        );
        attachments.push(Attachment {
            name,
            bytes: a.bytes,
            media_type,
        });
    }
    p.finish(ErrorCode::InvalidAppeal)?;
    let mut appeal = Appeal {
        id: 0,
        enterprise: enterprise.expect("checked"),
        category: category.expect("checked"),
        channel: channel.expect("checked"),
        chain: node.as_ref().map(|n| n.chain),
        node: node.map(|n| n.id),
        title,
        description,
        attachments,
        visit,
        state: AppealState::Submitted,
        submitted_at: viewer.at,
        accepted_on: None,
        reply_due: None,
        resolve_due: None,
        department: String::new(),
        handler: None,
        reply: String::new(),
        replied_on: None,
        closed_on: None,
        satisfaction: None,
        escalation: 0,
        reopened: 0,
    };
    store.exclusive(|store| {
        let to = match store.official_of(appeal.enterprise)? {
            Some(official) => vec![official],
            None => store.supervisors()?,
        };
        let title = &appeal.title;
        let message = text!("新诉求待受理：{title}", "new appeal to accept: {title}");
        let notify: Vec<(i64, Text)> = to
            .into_iter()
            .filter(|u| *u != principal.user_id)
            .map(|u| (u, message.clone()))
            .collect();
        appeal.id = store
            .create_appeal(&viewer.actor(), &appeal, &notify)
            .map_err(write_error)?;
        Ok(appeal)
    })
}

/// A step on an appeal: the move and what it needs.
#[derive(Clone, Debug, Default, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct StepInput {
    /// `accept`, `decline`, `assign`, `start`, `reply`, `close`, `reopen`, `rate` or
    /// `supervise`.
    #[schema(example = "assign")]
    pub step: String,
    /// The reply, the reason (decline, reopen, supervise), or the follow-up call's record
    /// (close); a comment with a rating.
    #[serde(default)]
    #[schema(max_length = 4000)]
    pub note: String,
    /// `assign`: the department that handles it.
    #[serde(default)]
    #[schema(max_length = 100)]
    pub department: String,
    /// `assign`: the official (a staff user's id) who handles it.
    #[serde(default)]
    pub handler_id: String,
    /// `rate`: 1 (very dissatisfied) to 5 (very satisfied).
    #[serde(default)]
    pub satisfaction: String,
}

/// Makes one move on appeal `id` as `viewer`, counting deadlines on `calendar`.
pub fn step_appeal(
    store: &mut Store,
    viewer: &Viewer,
    id: i64,
    input: &StepInput,
) -> Result<Appeal, AppError> {
    let principal = viewer.principal.clone().ok_or_else(unauthorized)?;
    let mut p = Problems::default();
    let step = match input.step.trim().parse::<Move>() {
        Ok(m) => Some(m),
        Err(e) => {
            p.bad("step", e.explain());
            None
        }
    };
    let note = text_field(&mut p, "note", &input.note, MAX_APPEAL_TEXT_CHARS, false);
    p.finish(ErrorCode::InvalidAppeal)?;
    let step = step.expect("checked");
    let calendar = calendar(store)?;
    store.exclusive(|store| {
        let before = visible_appeal(store, viewer, id)?;
        let supervisors = store.supervisors()?;
        let parties = parties(viewer, &before, &supervisors);
        let to = step.apply(before.state, &parties).map_err(|refused| {
            let code = match refused {
                chainatlas_model::services::MoveRefused::NotAllowed { .. } => ErrorCode::Forbidden,
                chainatlas_model::services::MoveRefused::WrongState { .. } => ErrorCode::Conflict,
            };
            AppError::new(code, refused.explain())
        })?;
        let mut p = Problems::default();
        if step.needs_note() && note.is_empty() {
            p.bad("note", text!("为空，应填写文字", "is empty, expected text"));
        }
        let today = viewer.today();
        let mut after = before.clone();
        after.state = to;
        let title = before.title.clone();
        let owners = store.enterprise_users(before.enterprise)?;
        let mut notify: Vec<(i64, Text)> = Vec::new();
        let tell = |users: &[i64], t: Text, notify: &mut Vec<(i64, Text)>| {
            for u in users {
                if *u != principal.user_id && !notify.iter().any(|(x, _)| x == u) {
                    notify.push((*u, t.clone()));
                }
            }
        };
        match step {
            Move::Accept => {
                let d = before.category.deadlines();
                after.accepted_on = Some(today);
                after.reply_due = Some(calendar.add_working_days(today, d.reply));
                after.resolve_due = Some(calendar.add_working_days(today, d.resolve));
                let due = after.resolve_due.expect("set");
                tell(
                    &owners,
                    text!(
                        "您的诉求已受理，办结时限 {due}：{title}",
                        "your appeal was accepted, to be resolved by {due}: {title}"
                    ),
                    &mut notify,
                );
            }
            Move::Decline => {
                after.reply = note.clone();
                after.closed_on = Some(today);
                tell(
                    &owners,
                    text!(
                        "您的诉求不予受理：{title}",
                        "your appeal was declined: {title}"
                    ),
                    &mut notify,
                );
            }
            Move::Assign => {
                let department = text_field(&mut p, "department", &input.department, 100, true);
                let handler = p.id("handler_id", &input.handler_id);
                if let Some(h) = handler {
                    match store.user(h)? {
                        Some(u) if !u.disabled && u.role != Role::Enterprise => {}
                        Some(_) => p.bad(
                            "handler_id",
                            text!(
                                "用户 {h} 不是在岗的工作人员",
                                "user {h} is not active office staff"
                            ),
                        ),
                        None => p.bad(
                            "handler_id",
                            text!("没有编号为 {h} 的用户", "there is no user {h}"),
                        ),
                    }
                }
                after.department = department;
                after.handler = handler;
                if let Some(h) = handler {
                    tell(
                        &[h],
                        text!(
                            "诉求已交办给您：{title}",
                            "an appeal was assigned to you: {title}"
                        ),
                        &mut notify,
                    );
                }
            }
            Move::Start => {}
            Move::Reply => {
                after.reply = note.clone();
                after.replied_on = Some(today);
                // the resolution deadline gets its own reminder and escalation
                after.escalation = 0;
                tell(
                    &owners,
                    text!(
                        "您的诉求已答复：{title}",
                        "your appeal has a reply: {title}"
                    ),
                    &mut notify,
                );
            }
            Move::Close => {
                after.closed_on = Some(today);
                tell(
                    &owners,
                    text!(
                        "您的诉求已办结，请评价：{title}",
                        "your appeal is closed; please rate it: {title}"
                    ),
                    &mut notify,
                );
            }
            Move::Reopen => {
                let d = before.category.deadlines();
                after.reopened += 1;
                after.accepted_on = Some(today);
                after.reply_due = Some(calendar.add_working_days(today, d.reply));
                after.resolve_due = Some(calendar.add_working_days(today, d.resolve));
                after.replied_on = None;
                after.closed_on = None;
                after.satisfaction = None;
                after.escalation = 0;
                let mut staff: Vec<i64> = before.handler.into_iter().collect();
                staff.extend(store.official_of(before.enterprise)?);
                tell(
                    &staff,
                    text!("诉求被重新办理：{title}", "an appeal was reopened: {title}"),
                    &mut notify,
                );
            }
            Move::Rate => {
                match input.satisfaction.trim().parse::<u8>() {
                    Ok(s @ 1..=5) => after.satisfaction = Some(s),
                    _ => {
                        let raw = input.satisfaction.trim();
                        p.bad(
                            "satisfaction",
                            text!(
                                "“{raw}”不是 1 到 5 的整数",
                                "'{raw}' is not a whole number from 1 to 5"
                            ),
                        )
                    }
                }
                let mut staff: Vec<i64> = before.handler.into_iter().collect();
                staff.extend(store.official_of(before.enterprise)?);
                if let Some(s) = after.satisfaction {
                    tell(
                        &staff,
                        text!(
                            "企业评价了诉求（{s} 分）：{title}",
                            "the enterprise rated an appeal ({s} of 5): {title}"
                        ),
                        &mut notify,
                    );
                }
            }
            Move::Supervise => {
                let to: Vec<i64> = before.handler.into_iter().collect();
                tell(
                    &to,
                    text!(
                        "诉求被督办：{title}",
                        "an appeal is under supervision: {title}"
                    ),
                    &mut notify,
                );
            }
        }
        p.finish(ErrorCode::InvalidAppeal)?;
        store
            .save_appeal_step(
                &viewer.actor(),
                before.state,
                &after,
                step.as_str(),
                &note,
                &notify,
            )
            .map_err(write_error)?;
        Ok(after)
    })
}

/// What a run of reminders and escalation did.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Escalated {
    /// Appeals whose handler was reminded of a deadline on the next working day.
    pub reminded: Vec<i64>,
    /// Appeals past a deadline, escalated to the supervisors.
    pub escalated: Vec<i64>,
}

/// The deadline an open appeal is working towards now: its reply until it has one, then
/// its resolution.
pub fn next_due(a: &Appeal) -> Option<Date> {
    if !a.state.is_open() {
        None
    } else if a.state.has_reply() {
        a.resolve_due
    } else {
        a.reply_due
    }
}

/// Reminds handlers of deadlines on the next working day and escalates appeals past
/// theirs to the supervisors, each once per deadline; run by the server every few
/// minutes and by `chainatlas appeals escalate`, as `actor` (the system), on its day.
pub fn escalate(store: &mut Store, actor: &chainatlas_store::Actor) -> Result<Escalated, AppError> {
    let calendar = calendar(store)?;
    let today = crate::clock::china_date(actor.at);
    let mut done = Escalated::default();
    let open = store.open_appeals()?;
    for a in open {
        let Some(due) = next_due(&a) else { continue };
        let level = if today > due {
            2
        } else if calendar.working_days_between(today, due) <= 1 {
            1
        } else {
            0
        };
        if level <= a.escalation {
            continue;
        }
        store.exclusive(|store| -> Result<(), AppError> {
            // read again under the lock: someone may have moved it meanwhile
            let Some(now) = store.appeal(a.id)? else {
                return Ok(());
            };
            if now.state != a.state || now.escalation >= level {
                return Ok(());
            }
            let mut after = now.clone();
            after.escalation = level;
            let title = &now.title;
            let mut notify = Vec::new();
            let handler: Vec<i64> = match now.handler {
                Some(h) => vec![h],
                None => store.official_of(now.enterprise)?.into_iter().collect(),
            };
            let step = if level == 2 {
                let message = text!(
                    "诉求已超过时限 {due}，请督办：{title}",
                    "an appeal is past its deadline of {due}; please supervise: {title}"
                );
                for u in store.supervisors()?.into_iter().chain(handler) {
                    if !notify.iter().any(|(x, _)| *x == u) {
                        notify.push((u, message.clone()));
                    }
                }
                done.escalated.push(a.id);
                "escalate"
            } else {
                let message = text!(
                    "诉求将于 {due} 到期：{title}",
                    "an appeal is due on {due}: {title}"
                );
                notify.extend(handler.into_iter().map(|u| (u, message.clone())));
                done.reminded.push(a.id);
                "remind"
            };
            store
                .save_appeal_step(actor, now.state, &after, step, "", &notify)
                .map_err(write_error)
        })?;
    }
    Ok(done)
}

/// The viewer's notifications, newest first, at most `limit`, and the unread count.
pub fn notifications(
    store: &Store,
    viewer: &Viewer,
    limit: u32,
) -> Result<(Vec<Notification>, u64), AppError> {
    let p = viewer.principal.as_ref().ok_or_else(unauthorized)?;
    Ok(store.notifications(p.user_id, limit.min(200))?)
}

/// Marks one of the viewer's notifications read (or all, `None`).
pub fn mark_read(store: &mut Store, viewer: &Viewer, id: Option<i64>) -> Result<u64, AppError> {
    let p = viewer.principal.as_ref().ok_or_else(unauthorized)?;
    Ok(store.mark_read(p.user_id, id, viewer.at)?)
}

/// The supervisor list (user ids; empty: every admin). Admins set it.
pub fn set_supervisors(store: &mut Store, viewer: &Viewer, users: &[i64]) -> Result<(), AppError> {
    viewer.require(Permission::ManageUsers)?;
    let mut p = Problems::default();
    for &u in users {
        match store.user(u)? {
            Some(user) if user.role != Role::Enterprise && !user.disabled => {}
            _ => p.bad(
                "users",
                text!(
                    "{u} 不是在岗工作人员的用户编号",
                    "{u} is not the id of active office staff"
                ),
            ),
        }
    }
    p.finish(ErrorCode::InvalidParameter)?;
    store
        .set_supervisors(&viewer.actor(), users)
        .map_err(write_error)
}

/// Makes `official` (a staff user id, or nobody) responsible for `enterprise`.
pub fn assign_official(
    store: &mut Store,
    viewer: &Viewer,
    enterprise: i64,
    official: Option<i64>,
) -> Result<(), AppError> {
    viewer.require(Permission::Analyse)?;
    if !store.enterprise_exists(EnterpriseId(enterprise))? {
        return Err(AppError::new(
            ErrorCode::EnterpriseNotFound,
            text!(
                "没有编号为 {enterprise} 的企业",
                "there is no enterprise {enterprise}"
            ),
        ));
    }
    if let Some(u) = official {
        match store.user(u)? {
            Some(user) if user.role != Role::Enterprise && !user.disabled => {}
            _ => {
                return Err(AppError::new(
                    ErrorCode::InvalidParameter,
                    text!(
                        "official_id：{u} 不是在岗工作人员的用户编号",
                        "official_id: {u} is not the id of active office staff"
                    ),
                ))
            }
        }
    }
    store
        .assign_official(&viewer.actor(), EnterpriseId(enterprise), official)
        .map_err(write_error)
}

/// A visit as a form or the API gives it.
#[derive(Clone, Debug, Default, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct VisitInput {
    #[schema(pattern = r"^\s*[1-9][0-9]{0,17}\s*$")]
    pub enterprise_id: String,
    #[schema(example = "2026-12-01")]
    pub planned_on: String,
    /// When it took place; empty while planned.
    #[serde(default)]
    pub visited_on: String,
    /// The officials' user ids, comma-separated.
    #[serde(default)]
    #[schema(example = "2,5")]
    pub officials: String,
    #[serde(default)]
    #[schema(max_length = 200)]
    pub purpose: String,
    #[serde(default)]
    #[schema(max_length = 4000)]
    pub findings: String,
    /// The category of a difficulty found (counted among blocking points), if any.
    #[serde(default)]
    pub finding: String,
}

impl VisitInput {
    fn read(&self, store: &Store) -> Result<Visit, AppError> {
        let mut p = Problems::default();
        let enterprise = p.id("enterprise_id", &self.enterprise_id);
        if let Some(e) = enterprise {
            if !store.enterprise_exists(EnterpriseId(e))? {
                p.bad(
                    "enterprise_id",
                    text!("没有编号为 {e} 的企业", "there is no enterprise {e}"),
                );
            }
        }
        let planned_on = p.date("planned_on", &self.planned_on);
        let visited_on = p.opt_date("visited_on", &self.visited_on);
        let mut officials = Vec::new();
        for raw in self
            .officials
            .split([',', '，', ' '])
            .filter(|s| !s.trim().is_empty())
        {
            if let Some(u) = p.id("officials", raw) {
                match store.user(u)? {
                    Some(user) if user.role != Role::Enterprise => {
                        if !officials.contains(&u) {
                            officials.push(u)
                        }
                    }
                    _ => p.bad(
                        "officials",
                        text!(
                            "{u} 不是工作人员的用户编号",
                            "{u} is not the id of office staff"
                        ),
                    ),
                }
            }
        }
        if officials.len() > MAX_VISIT_OFFICIALS {
            let (n, max) = (officials.len(), MAX_VISIT_OFFICIALS);
            p.bad(
                "officials",
                text!("有 {n} 位，最多 {max} 位", "has {n}, at most {max} allowed"),
            );
        }
        let purpose = text_field(&mut p, "purpose", &self.purpose, 200, false);
        let findings = text_field(
            &mut p,
            "findings",
            &self.findings,
            MAX_APPEAL_TEXT_CHARS,
            false,
        );
        let finding = match self.finding.trim() {
            "" => None,
            raw => match raw.parse::<AppealCategory>() {
                Ok(c) => Some(c),
                Err(e) => {
                    p.bad("finding", e.explain());
                    None
                }
            },
        };
        if let (Some(plan), Some(Some(done))) = (planned_on, visited_on) {
            if done.days_since_epoch() - plan.days_since_epoch() > 366 {
                p.bad(
                    "visited_on",
                    text!(
                        "比计划日期晚了一年以上",
                        "is more than a year after the planned day"
                    ),
                );
            }
        }
        p.finish(ErrorCode::InvalidVisit)?;
        Ok(Visit {
            id: 0,
            enterprise: EnterpriseId(enterprise.expect("checked")),
            planned_on: planned_on.expect("checked"),
            visited_on: visited_on.flatten(),
            officials,
            purpose,
            findings,
            finding,
        })
    }
}

/// Plans or records a visit (`id` none) or changes one; staff only.
pub fn save_visit(
    store: &mut Store,
    viewer: &Viewer,
    id: Option<i64>,
    input: &VisitInput,
) -> Result<Visit, AppError> {
    viewer.require(Permission::Analyse)?;
    store.exclusive(|store| {
        let mut v = input.read(store)?;
        if let Some(id) = id {
            store.visit(id)?.ok_or_else(|| visit_not_found(id))?;
        }
        v.id = store
            .save_visit(&viewer.actor(), id, &v)
            .map_err(write_error)?;
        Ok(v)
    })
}

pub fn visit_not_found(id: i64) -> AppError {
    AppError::new(
        ErrorCode::VisitNotFound,
        text!("没有编号为 {id} 的走访", "there is no visit {id}"),
    )
}

/// Visits within `filter`; staff only.
pub fn visits(
    store: &Store,
    viewer: &Viewer,
    filter: &VisitFilter,
) -> Result<Vec<Visit>, AppError> {
    viewer.require(Permission::Analyse)?;
    Ok(store.visits(filter)?)
}

/// A visit; staff only.
pub fn visit(store: &Store, viewer: &Viewer, id: i64) -> Result<Visit, AppError> {
    viewer.require(Permission::Analyse)?;
    store.visit(id)?.ok_or_else(|| visit_not_found(id))
}

/// An attachment's metadata on the wire.
#[derive(Clone, Debug, Serialize, ToSchema)]
pub struct AttachmentView {
    pub name: String,
    pub bytes: u64,
    pub media_type: String,
}

/// An appeal as the viewer sees it, with names resolved and the moves the viewer may
/// make now.
#[derive(Clone, Debug, Serialize, ToSchema)]
pub struct AppealView {
    pub id: i64,
    pub enterprise_id: i64,
    pub enterprise_name: String,
    #[schema(example = "utilities")]
    pub category: String,
    #[schema(example = "online")]
    pub channel: String,
    pub chain_id: Option<i64>,
    pub node_id: Option<i64>,
    pub node_name: Option<String>,
    pub title: String,
    pub description: String,
    pub attachments: Vec<AttachmentView>,
    pub visit_id: Option<i64>,
    #[schema(example = "assigned")]
    pub state: String,
    /// China Standard Time, `YYYY-MM-DD HH:MM:SS`.
    pub submitted_at: String,
    pub accepted_on: Option<String>,
    pub reply_due: Option<String>,
    pub resolve_due: Option<String>,
    /// The deadline it works towards now: the reply's until replied, then the resolution's.
    pub next_due: Option<String>,
    /// A deadline has passed without what it asks for (or it was closed late).
    pub overdue: bool,
    pub department: String,
    pub handler_id: Option<i64>,
    pub handler_name: Option<String>,
    pub reply: String,
    pub replied_on: Option<String>,
    pub closed_on: Option<String>,
    /// 1–5, the enterprise's rating.
    pub satisfaction: Option<u8>,
    /// 0 on time, 1 reminded, 2 escalated to the supervisors.
    pub escalation: u8,
    pub reopened: u32,
    /// The moves the viewer may make now.
    pub moves: Vec<String>,
}

/// A step of an appeal on the wire.
#[derive(Clone, Debug, Serialize, ToSchema)]
pub struct StepView {
    /// China Standard Time, `YYYY-MM-DD HH:MM:SS`.
    pub at: String,
    pub actor: String,
    /// `submit`, a move, `remind` or `escalate`.
    pub step: String,
    pub from: Option<String>,
    pub to: String,
    pub note: String,
}

/// An appeal with its steps.
#[derive(Clone, Debug, Serialize, ToSchema)]
pub struct AppealDetail {
    pub appeal: AppealView,
    pub steps: Vec<StepView>,
}

/// Appeals, one page of them, with the count of all that match.
#[derive(Clone, Debug, Serialize, ToSchema)]
pub struct AppealPage {
    pub total: u64,
    pub appeals: Vec<AppealView>,
}

/// Names for views: enterprises, nodes and users, looked up once per page.
pub struct Names {
    users: std::collections::HashMap<i64, String>,
}

impl Names {
    pub fn load(store: &Store) -> Result<Names, AppError> {
        Ok(Names {
            users: store
                .users()?
                .into_iter()
                .map(|u| (u.id, u.username))
                .collect(),
        })
    }

    pub fn user(&self, id: i64) -> String {
        self.users
            .get(&id)
            .cloned()
            .unwrap_or_else(|| format!("#{id}"))
    }
}

pub fn appeal_view(
    store: &Store,
    viewer: &Viewer,
    names: &Names,
    supervisors: &[i64],
    a: &Appeal,
) -> Result<AppealView, AppError> {
    let day = |d: Option<Date>| d.map(|d| d.to_string());
    let enterprise_name = store
        .enterprise(a.enterprise)?
        .map_or_else(|| format!("#{}", a.enterprise.0), |e| e.name_zh);
    let node_name = match a.node {
        Some(n) => store.node(n)?.map(|n| n.name_zh),
        None => None,
    };
    Ok(AppealView {
        id: a.id,
        enterprise_id: a.enterprise.0,
        enterprise_name,
        category: a.category.to_string(),
        channel: a.channel.to_string(),
        chain_id: a.chain.map(|c| c.0),
        node_id: a.node.map(|n| n.0),
        node_name,
        title: a.title.clone(),
        description: a.description.clone(),
        attachments: a
            .attachments
            .iter()
            .map(|f| AttachmentView {
                name: f.name.clone(),
                bytes: f.bytes,
                media_type: f.media_type.clone(),
            })
            .collect(),
        visit_id: a.visit,
        state: a.state.to_string(),
        submitted_at: crate::clock::china_time(a.submitted_at),
        accepted_on: day(a.accepted_on),
        reply_due: day(a.reply_due),
        resolve_due: day(a.resolve_due),
        next_due: day(next_due(a)),
        overdue: a.overdue(viewer.today()),
        department: a.department.clone(),
        handler_id: a.handler,
        handler_name: a.handler.map(|h| names.user(h)),
        reply: a.reply.clone(),
        replied_on: day(a.replied_on),
        closed_on: day(a.closed_on),
        satisfaction: a.satisfaction,
        escalation: a.escalation,
        reopened: a.reopened,
        moves: moves(viewer, a, supervisors)
            .into_iter()
            .map(|m| m.to_string())
            .collect(),
    })
}

/// One appeal with its steps, as `viewer` may see it.
pub fn appeal_detail(store: &Store, viewer: &Viewer, id: i64) -> Result<AppealDetail, AppError> {
    let a = visible_appeal(store, viewer, id)?;
    let names = Names::load(store)?;
    let supervisors = store.supervisors()?;
    let steps = visible_steps(store, viewer, &a)?
        .into_iter()
        .map(|s| StepView {
            at: crate::clock::china_time(s.at),
            actor: s.actor,
            step: s.step,
            from: s.from.map(|f| f.to_string()),
            to: s.to.to_string(),
            note: s.note,
        })
        .collect();
    Ok(AppealDetail {
        appeal: appeal_view(store, viewer, &names, &supervisors, &a)?,
        steps,
    })
}

/// A page of the appeals `viewer` may see.
pub fn appeal_page(
    store: &Store,
    viewer: &Viewer,
    filter: AppealFilter,
) -> Result<AppealPage, AppError> {
    let (rows, total) = visible_appeals(store, viewer, filter)?;
    let names = Names::load(store)?;
    let supervisors = store.supervisors()?;
    let appeals = rows
        .iter()
        .map(|a| appeal_view(store, viewer, &names, &supervisors, a))
        .collect::<Result<_, _>>()?;
    Ok(AppealPage { total, appeals })
}

/// The query of an appeal list, as sent: every field text, read by [`AppealQuery::filter`].
#[derive(Clone, Debug, Default, Deserialize)]
pub struct AppealQuery {
    /// States, comma-separated; `open` for every open one.
    pub state: Option<String>,
    pub category: Option<String>,
    pub node: Option<String>,
    pub chain: Option<String>,
    /// A region code (or what a region picker sends): the enterprises in it.
    pub region: Option<String>,
    /// `me`: assigned to the viewer; or a user id.
    pub handler: Option<String>,
    /// `due`: soonest deadline first; default newest first.
    pub sort: Option<String>,
    pub limit: Option<String>,
    pub offset: Option<String>,
}

impl AppealQuery {
    pub fn filter(&self, store: &Store, viewer: &Viewer) -> Result<AppealFilter, AppError> {
        let mut f = AppealFilter {
            limit: crate::view::parse_count("limit", self.limit.as_deref(), 50, 1..=500)?,
            offset: crate::view::parse_count("offset", self.offset.as_deref(), 0, 0..=1_000_000)?,
            ..AppealFilter::default()
        };
        let blank = |s: &Option<String>| {
            s.as_deref()
                .map(str::trim)
                .filter(|s| !s.is_empty())
                .map(str::to_string)
        };
        if let Some(states) = blank(&self.state) {
            for s in states.split(',').map(str::trim).filter(|s| !s.is_empty()) {
                if s == "open" {
                    f.states
                        .extend(AppealState::ALL.iter().filter(|s| s.is_open()));
                    continue;
                }
                let state = s
                    .parse::<AppealState>()
                    .map_err(|e| AppError::parameter(e.explain().after(&Text::same("state"))))?;
                f.states.push(state);
            }
        }
        if let Some(c) = blank(&self.category) {
            f.category =
                Some(c.parse::<AppealCategory>().map_err(|e| {
                    AppError::parameter(e.explain().after(&Text::same("category")))
                })?);
        }
        if let Some(n) = blank(&self.node) {
            f.node = Some(NodeId(crate::view::parse_id("node", &n)?));
        }
        if let Some(c) = blank(&self.chain) {
            f.chain = Some(crate::view::chain(store, &c)?.id);
        }
        if let Some(code) = crate::view::parse_region_text(self.region.as_deref())? {
            crate::view::known_region(store, code)?;
            let r = code.descendants();
            f.regions = Some((*r.start(), *r.end()));
        }
        match blank(&self.sort).as_deref() {
            None | Some("new") => {}
            Some("due") => f.by_due = true,
            Some(other) => {
                return Err(AppError::parameter(text!(
                    "sort：“{other}”应为 due 或 new",
                    "sort: '{other}' is not due or new"
                )))
            }
        }
        match blank(&self.handler).as_deref() {
            None => {}
            Some("me") => f.handler = viewer.principal.as_ref().map(|p| p.user_id),
            Some(h) => f.handler = Some(crate::view::parse_id("handler", h)?),
        }
        Ok(f)
    }
}

/// A day parameter (`YYYY-MM-DD`).
pub fn parse_day(name: &str, raw: &str) -> Result<Date, AppError> {
    raw.trim()
        .parse::<Date>()
        .map_err(|e| AppError::parameter(e.explain().after(&Text::same(name))))
}

/// The holidays and adjusted working days of `year`, in order.
pub fn special_days(calendar: &WorkCalendar, year: u16) -> Vec<(Date, &'static str, Text)> {
    let (Some(first), Some(last)) = (Date::new(year, 1, 1), Date::new(year, 12, 31)) else {
        return Vec::new();
    };
    let mut out = Vec::new();
    let mut d = first;
    while d <= last {
        match calendar.special(d) {
            Some(chainatlas_model::workdays::Special::Holiday(f)) => {
                out.push((d, "holiday", f.name()))
            }
            Some(chainatlas_model::workdays::Special::Workday(f)) => {
                out.push((d, "workday", f.name()))
            }
            None => {}
        }
        d = d.add_days(1);
    }
    out
}

/// Enterprises in `region` with no visit made in `filter`'s period (default: this
/// year so far); staff only.
pub fn unvisited(
    store: &Store,
    viewer: &Viewer,
    region: Option<chainatlas_model::RegionCode>,
    filter: &VisitFilter,
) -> Result<(Vec<chainatlas_store::Unvisited>, u64), AppError> {
    viewer.require(Permission::Analyse)?;
    let today = viewer.today();
    let from = filter
        .from
        .unwrap_or_else(|| Date::new(today.year(), 1, 1).expect("1 January"));
    let to = filter.to.unwrap_or(today);
    let range = match region {
        Some(code) => {
            crate::view::known_region(store, code)?;
            let r = code.descendants();
            Some((*r.start(), *r.end()))
        }
        None => None,
    };
    Ok(store.unvisited(range, filter.official, from, to, filter.limit)?)
}
