//! The docking events API: events, registration, meeting requests and answers, the
//! schedule, the report, and the agreements ledger. Rules in [`chainatlas_app::events`].

use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::routing::{get, post};
use axum::{Json, Router};
use chainatlas_model::{Agreement, EventData, MeetingRequest, MeetingStatus};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use crate::core::api::body;
use crate::core::api::ErrorBody;
use crate::core::auth::Viewer;
use crate::core::error::{ApiError, AppError, ErrorCode};
use crate::core::i18n::Lang;
use crate::core::AppState;
use chainatlas_app::events::{
    self as events, is_organiser, me, AgreementInput, EventInput, RegisterInput, RequestInput,
    ScheduleSummary,
};
use chainatlas_app::view;

type ApiResult<T> = Result<Json<T>, ApiError>;
type Body<T> = Result<Json<T>, axum::extract::rejection::JsonRejection>;

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/events", get(list_events).post(create_event))
        .route("/events/{id}", get(get_event).put(update_event))
        .route("/events/{id}/participants", post(register))
        .route("/events/{id}/requests", post(create_request))
        .route("/events/{id}/requests/{rid}/{action}", post(respond))
        .route("/events/{id}/schedule", post(run_schedule))
        .route("/events/{id}/publish", post(publish))
        .route("/events/{id}/report", get(report))
        .route("/agreements", get(list_agreements).post(create_agreement))
        .route("/agreements/{id}", axum::routing::put(update_agreement))
}

#[derive(Clone, Debug, Serialize, ToSchema)]
pub struct EventDto {
    pub id: i64,
    pub name: String,
    pub venue: String,
    #[schema(example = "2026-12-10")]
    pub starts_on: String,
    pub ends_on: String,
    pub days: u8,
    pub slots: usize,
    pub tables: u32,
    pub groups: Vec<String>,
    /// Pairs of groups that may meet, each `[group, group]`; empty: anyone.
    #[schema(value_type = Vec<Vec<String>>)]
    pub may_meet: Vec<(String, String)>,
    pub chain_ids: Vec<i64>,
    /// Chain nodes in focus.
    pub node_ids: Vec<i64>,
    pub request_cap: u32,
    pub meeting_cap: u32,
    pub request_days: u32,
}

fn event_dto(e: &chainatlas_model::Event) -> EventDto {
    EventDto {
        id: e.id.0,
        name: e.name.clone(),
        venue: e.venue.clone(),
        starts_on: e.starts_on.to_string(),
        ends_on: e.ends_on().to_string(),
        days: e.grid.days,
        slots: e.grid.slots().len(),
        tables: e.tables,
        groups: e.groups.clone(),
        may_meet: e.may_meet.clone(),
        chain_ids: e.chains.iter().map(|c| c.0).collect(),
        node_ids: e.nodes.iter().map(|n| n.0).collect(),
        request_cap: e.request_cap,
        meeting_cap: e.meeting_cap,
        request_days: e.request_days,
    }
}

#[derive(Clone, Debug, Serialize, ToSchema)]
pub struct ParticipantDto {
    pub id: i64,
    pub enterprise_id: i64,
    pub name: String,
    pub group: String,
}

#[derive(Clone, Debug, Serialize, ToSchema)]
pub struct RequestDto {
    pub id: i64,
    pub from: i64,
    pub to: i64,
    pub priority: u8,
    #[schema(example = "recommended")]
    pub origin: String,
    /// As of today: a pending request past its expiry reads `expired`.
    #[schema(example = "pending")]
    pub status: String,
    pub created_on: String,
    pub expires_on: String,
}

fn request_dto(r: &MeetingRequest, today: chainatlas_model::Date) -> RequestDto {
    RequestDto {
        id: r.id.0,
        from: r.from.0,
        to: r.to.0,
        priority: r.priority,
        origin: r.origin.to_string(),
        status: r.status_on(today).to_string(),
        created_on: r.created_on.to_string(),
        expires_on: r.expires_on.to_string(),
    }
}

#[derive(Clone, Debug, Serialize, ToSchema)]
pub struct MeetingDto {
    pub id: i64,
    pub request_id: Option<i64>,
    pub a: i64,
    pub b: i64,
    /// From 1, in the event's grid.
    pub slot: usize,
    #[schema(example = "2026-12-10 09:20–09:40")]
    pub time: String,
    pub table: u32,
    pub published: bool,
    #[schema(example = "scheduled")]
    pub status: String,
}

/// An event as the viewer may see it: everyone sees who takes part; a participant sees
/// its own requests and published meetings; organisers see all.
#[derive(Clone, Debug, Serialize, ToSchema)]
pub struct EventDetailDto {
    pub event: EventDto,
    pub participants: Vec<ParticipantDto>,
    /// The viewer's own participant id, if its enterprise is registered.
    pub me: Option<i64>,
    pub requests: Vec<RequestDto>,
    pub meetings: Vec<MeetingDto>,
}

fn detail(
    store: &chainatlas_store::Store,
    data: &EventData,
    viewer: &Viewer,
) -> Result<EventDetailDto, AppError> {
    let names = events::participant_names(store, data, Lang::Zh)?;
    let organiser = is_organiser(viewer);
    let mine = me(data, viewer).map(|p| p.id);
    let sees = |involves: bool| organiser || involves;
    Ok(EventDetailDto {
        event: event_dto(&data.event),
        participants: data
            .participants
            .iter()
            .map(|p| ParticipantDto {
                id: p.id.0,
                enterprise_id: p.enterprise.0,
                name: names[&p.id].clone(),
                group: p.group.clone(),
            })
            .collect(),
        me: mine.map(|m| m.0),
        requests: data
            .requests
            .iter()
            .filter(|r| sees(mine.is_some_and(|m| r.involves(m))))
            .map(|r| request_dto(r, viewer.today()))
            .collect(),
        meetings: data
            .meetings
            .iter()
            .filter(|m| sees(mine.is_some_and(|p| m.involves(p) && m.published)))
            .filter(|m| m.status != MeetingStatus::Cancelled || organiser)
            .map(|m| MeetingDto {
                id: m.id.0,
                request_id: m.request.map(|r| r.0),
                a: m.a.0,
                b: m.b.0,
                slot: m.slot + 1,
                time: events::slot_label(&data.event, m.slot),
                table: m.table,
                published: m.published,
                status: m.status.to_string(),
            })
            .collect(),
    })
}

#[utoipa::path(get, path = "/api/v1/events", tag = "events",
    responses((status = 200, description = "Every event, latest first", body = Vec<EventDto>),
        (status = 401, description = "Not signed in and no valid API token", body = ErrorBody)))]
pub(crate) async fn list_events(State(state): State<AppState>) -> ApiResult<Vec<EventDto>> {
    let list = state.read(|store| Ok(store.events()?)).await?;
    Ok(Json(list.iter().map(event_dto).collect()))
}

#[utoipa::path(get, path = "/api/v1/events/{id}", tag = "events",
    params(("id" = i64, Path, minimum = 1)),
    responses((status = 200, description = "The event, its participants, and the requests and meetings the viewer may see", body = EventDetailDto),
        (status = 400, description = "Malformed id", body = ErrorBody),
        (status = 401, description = "Not signed in and no valid API token", body = ErrorBody),
        (status = 404, description = "No such event", body = ErrorBody)))]
pub(crate) async fn get_event(
    State(state): State<AppState>,
    viewer: Viewer,
    Path(id): Path<String>,
) -> ApiResult<EventDetailDto> {
    let id = view::parse_id("event", &id)?;
    let dto = state
        .read(move |store| {
            let data = events::load(store, id)?;
            detail(store, &data, &viewer)
        })
        .await?;
    Ok(Json(dto))
}

#[utoipa::path(post, path = "/api/v1/events", tag = "events",
    request_body = EventInput,
    responses((status = 201, description = "Created", body = EventDto),
        (status = 400, description = "Invalid event: every problem, field by field", body = ErrorBody),
        (status = 401, description = "Not signed in and no valid API token", body = ErrorBody),
        (status = 403, description = "Not an organiser", body = ErrorBody)))]
pub(crate) async fn create_event(
    State(state): State<AppState>,
    viewer: Viewer,
    payload: Body<EventInput>,
) -> Result<(StatusCode, Json<EventDto>), ApiError> {
    let input = body(payload)?;
    let e = state
        .write(move |store| events::create_event(store, &viewer, &input))
        .await?;
    Ok((StatusCode::CREATED, Json(event_dto(&e))))
}

#[utoipa::path(put, path = "/api/v1/events/{id}", tag = "events",
    params(("id" = i64, Path, minimum = 1)),
    request_body = EventInput,
    responses((status = 200, description = "Changed", body = EventDto),
        (status = 400, description = "Invalid event: every problem, field by field", body = ErrorBody),
        (status = 401, description = "Not signed in and no valid API token", body = ErrorBody),
        (status = 403, description = "Not an organiser", body = ErrorBody),
        (status = 404, description = "No such event", body = ErrorBody),
        (status = 409, description = "The slot grid cannot change once meetings or slot-limited registrations exist, nor can a group go that registrations name", body = ErrorBody)))]
pub(crate) async fn update_event(
    State(state): State<AppState>,
    viewer: Viewer,
    Path(id): Path<String>,
    payload: Body<EventInput>,
) -> ApiResult<EventDto> {
    let id = view::parse_id("event", &id)?;
    let input = body(payload)?;
    let e = state
        .write(move |store| events::update_event(store, &viewer, id, &input))
        .await?;
    Ok(Json(event_dto(&e)))
}

#[utoipa::path(post, path = "/api/v1/events/{id}/participants", tag = "events",
    params(("id" = i64, Path, minimum = 1)),
    request_body = RegisterInput,
    responses((status = 200, description = "Registered (or registration updated)", body = ParticipantDto),
        (status = 400, description = "Invalid registration", body = ErrorBody),
        (status = 401, description = "Not signed in and no valid API token", body = ErrorBody),
        (status = 403, description = "Not this enterprise's account, nor an organiser", body = ErrorBody),
        (status = 404, description = "No such event", body = ErrorBody)))]
pub(crate) async fn register(
    State(state): State<AppState>,
    viewer: Viewer,
    Path(id): Path<String>,
    payload: Body<RegisterInput>,
) -> ApiResult<ParticipantDto> {
    let id = view::parse_id("event", &id)?;
    let input = body(payload)?;
    let dto = state
        .write(move |store| {
            let p = events::register(store, &viewer, id, &input)?;
            Ok(ParticipantDto {
                id: p.id.0,
                enterprise_id: p.enterprise.0,
                name: events::enterprise_name(store, p.enterprise, Lang::Zh)?,
                group: p.group,
            })
        })
        .await?;
    Ok(Json(dto))
}

#[utoipa::path(post, path = "/api/v1/events/{id}/requests", tag = "events",
    params(("id" = i64, Path, minimum = 1)),
    request_body = RequestInput,
    responses((status = 201, description = "Requested", body = RequestDto),
        (status = 400, description = "Invalid, or against the event's rules (groups, asking oneself)", body = ErrorBody),
        (status = 401, description = "Not signed in and no valid API token", body = ErrorBody),
        (status = 403, description = "The viewer's enterprise is not registered", body = ErrorBody),
        (status = 409, description = "Not allowed now: a live request between the pair, a veto, a request or meeting cap reached, the event over", body = ErrorBody),
        (status = 404, description = "No such event", body = ErrorBody)))]
pub(crate) async fn create_request(
    State(state): State<AppState>,
    viewer: Viewer,
    Path(id): Path<String>,
    payload: Body<RequestInput>,
) -> Result<(StatusCode, Json<RequestDto>), ApiError> {
    let id = view::parse_id("event", &id)?;
    let input = body(payload)?;
    let today = viewer.today();
    let r = state
        .write(move |store| events::request(store, &viewer, id, &input))
        .await?;
    Ok((StatusCode::CREATED, Json(request_dto(&r, today))))
}

#[derive(Clone, Debug, Serialize, ToSchema)]
pub struct StatusDto {
    pub status: String,
}

#[utoipa::path(post, path = "/api/v1/events/{id}/requests/{request_id}/{action}", tag = "events",
    params(("id" = i64, Path, minimum = 1), ("request_id" = i64, Path, minimum = 1),
        ("action" = String, Path, pattern = "^(accept|decline|not_interested|cancel)$")),
    responses((status = 200, description = "The request's new status", body = StatusDto),
        (status = 400, description = "Malformed id or unknown action", body = ErrorBody),
        (status = 401, description = "Not signed in and no valid API token", body = ErrorBody),
        (status = 403, description = "Not the recipient (answers) or the sender (cancel)", body = ErrorBody),
        (status = 409, description = "The request is no longer pending (answers) or live (cancel), or accepting would pass a meeting cap", body = ErrorBody),
        (status = 404, description = "No such event or request", body = ErrorBody)))]
pub(crate) async fn respond(
    State(state): State<AppState>,
    viewer: Viewer,
    Path((id, rid, action)): Path<(String, String, String)>,
) -> ApiResult<StatusDto> {
    let id = view::parse_id("event", &id)?;
    let rid = view::parse_id("request", &rid)?;
    let status = state
        .write(move |store| events::respond(store, &viewer, id, rid, &action))
        .await?;
    Ok(Json(StatusDto {
        status: status.to_string(),
    }))
}

#[derive(Clone, Debug, Default, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ScheduleInput {
    /// Also schedule recommended pairs nobody declined (weight 1).
    #[serde(default)]
    pub recommended: bool,
}

#[utoipa::path(post, path = "/api/v1/events/{id}/schedule", tag = "events",
    params(("id" = i64, Path, minimum = 1)),
    request_body(content = Option<ScheduleInput>, description = "Optional: no body schedules requested meetings only"),
    responses((status = 200, description = "Scheduled and saved (unpublished; published meetings kept where they fit)", body = ScheduleSummary),
        (status = 400, description = "Malformed id or body", body = ErrorBody),
        (status = 401, description = "Not signed in and no valid API token", body = ErrorBody),
        (status = 403, description = "Not an organiser", body = ErrorBody),
        (status = 404, description = "No such event", body = ErrorBody)))]
pub(crate) async fn run_schedule(
    State(state): State<AppState>,
    viewer: Viewer,
    Path(id): Path<String>,
    payload: axum::body::Bytes,
) -> ApiResult<ScheduleSummary> {
    let id = view::parse_id("event", &id)?;
    // The body is optional: nothing at all means the defaults.
    // The body is optional: nothing at all, or `null`, means the defaults.
    let input: ScheduleInput = if payload.iter().all(u8::is_ascii_whitespace) {
        ScheduleInput::default()
    } else {
        let bad = |e: serde_json::Error| {
            AppError::new(
                ErrorCode::InvalidBody,
                chainatlas_app::text!("请求内容有误：{e}", "request body: {e}"),
            )
        };
        match serde_json::from_slice::<serde_json::Value>(&payload).map_err(bad)? {
            serde_json::Value::Null => ScheduleInput::default(),
            v @ serde_json::Value::Object(_) => serde_json::from_value(v).map_err(bad)?,
            _ => {
                return Err(AppError::new(
                    ErrorCode::InvalidBody,
                    chainatlas_app::Text::new(
                        "请求内容应为 JSON 对象，如 {\"recommended\": true}",
                        "request body: expected a JSON object such as {\"recommended\": true}",
                    ),
                ))?
            }
        }
    };
    let st = state.clone();
    let summary = state
        .write(move |store| events::schedule(&st, store, &viewer, id, input.recommended))
        .await?;
    Ok(Json(summary))
}

#[derive(Clone, Debug, Serialize, ToSchema)]
pub struct PublishedDto {
    pub published: usize,
}

#[utoipa::path(post, path = "/api/v1/events/{id}/publish", tag = "events",
    params(("id" = i64, Path, minimum = 1)),
    responses((status = 200, description = "Scheduled meetings published to agendas", body = PublishedDto),
        (status = 400, description = "Malformed id", body = ErrorBody),
        (status = 401, description = "Not signed in and no valid API token", body = ErrorBody),
        (status = 403, description = "Not an organiser", body = ErrorBody),
        (status = 404, description = "No such event", body = ErrorBody)))]
pub(crate) async fn publish(
    State(state): State<AppState>,
    viewer: Viewer,
    Path(id): Path<String>,
) -> ApiResult<PublishedDto> {
    let id = view::parse_id("event", &id)?;
    let published = state
        .write(move |store| events::publish(store, &viewer, id))
        .await?;
    Ok(Json(PublishedDto { published }))
}

#[derive(Clone, Debug, Serialize, ToSchema)]
pub struct ReportTableDto {
    pub table: String,
    pub header: Vec<String>,
    pub rows: Vec<Vec<String>>,
}

#[derive(Clone, Debug, Serialize, ToSchema)]
pub struct ReportDto {
    pub event_id: i64,
    pub participants: u32,
    pub requested: u32,
    pub accepted: u32,
    pub scheduled: u32,
    pub held: u32,
    pub agreements: u32,
    pub value_fen: i64,
    /// Summary, by chain, by node, by region, agreements (names in English).
    pub tables: Vec<ReportTableDto>,
}

#[utoipa::path(get, path = "/api/v1/events/{id}/report", tag = "events",
    params(("id" = i64, Path, minimum = 1)),
    responses((status = 200, description = "The event report", body = ReportDto),
        (status = 400, description = "Malformed id", body = ErrorBody),
        (status = 401, description = "Not signed in and no valid API token", body = ErrorBody),
        (status = 403, description = "Not an organiser", body = ErrorBody),
        (status = 404, description = "No such event", body = ErrorBody)))]
pub(crate) async fn report(
    State(state): State<AppState>,
    viewer: Viewer,
    Path(id): Path<String>,
) -> ApiResult<ReportDto> {
    let id = view::parse_id("event", &id)?;
    let dto = state
        .read(move |store| {
            events::require_organiser(&viewer)?;
            let data = events::load(store, id)?;
            let (r, sheets) = events::report_sheets(store, &data, Lang::En, viewer.today())?;
            Ok(ReportDto {
                event_id: id,
                participants: r.participants,
                requested: r.requested,
                accepted: r.accepted,
                scheduled: r.scheduled,
                held: r.held,
                agreements: r.agreements,
                value_fen: r.value.fen(),
                tables: sheets
                    .into_iter()
                    .map(|s| ReportTableDto {
                        table: s.name,
                        header: s.header,
                        rows: s.rows,
                    })
                    .collect(),
            })
        })
        .await?;
    Ok(Json(dto))
}

#[derive(Clone, Debug, Serialize, ToSchema)]
pub struct AgreementDto {
    pub id: i64,
    pub title: String,
    pub buyer_id: i64,
    pub supplier_id: i64,
    pub chain_id: Option<i64>,
    pub node_id: Option<i64>,
    pub value_fen: i64,
    #[schema(example = "signed")]
    pub status: String,
    pub intended_on: Option<String>,
    pub signed_on: Option<String>,
    pub started_on: Option<String>,
    pub completed_on: Option<String>,
    pub event_id: Option<i64>,
    pub meeting_id: Option<i64>,
}

fn agreement_dto(a: &Agreement) -> AgreementDto {
    let d = |d: Option<chainatlas_model::Date>| d.map(|d| d.to_string());
    AgreementDto {
        id: a.id.0,
        title: a.title.clone(),
        buyer_id: a.buyer.0,
        supplier_id: a.supplier.0,
        chain_id: a.chain.map(|c| c.0),
        node_id: a.node.map(|n| n.0),
        value_fen: a.value.fen(),
        status: a.status.to_string(),
        intended_on: d(a.intended_on),
        signed_on: d(a.signed_on),
        started_on: d(a.started_on),
        completed_on: d(a.completed_on),
        event_id: a.event.map(|e| e.0),
        meeting_id: a.meeting.map(|m| m.0),
    }
}

#[utoipa::path(get, path = "/api/v1/agreements", tag = "events",
    responses((status = 200, description = "Agreements the viewer may see (organisers: all; an enterprise: its own), newest first", body = Vec<AgreementDto>),
        (status = 401, description = "Not signed in and no valid API token", body = ErrorBody)))]
pub(crate) async fn list_agreements(
    State(state): State<AppState>,
    viewer: Viewer,
) -> ApiResult<Vec<AgreementDto>> {
    let list = state
        .read(move |store| {
            let visible = events::visible_agreements(store, &viewer)?;
            Ok(visible.iter().map(agreement_dto).collect())
        })
        .await?;
    Ok(Json(list))
}

#[utoipa::path(put, path = "/api/v1/agreements/{id}", tag = "events",
    params(("id" = i64, Path, minimum = 1, description = "Agreement id")),
    request_body = AgreementInput,
    responses((status = 200, description = "Changed: its status moves on with its dates (intended, signed, started, completed)", body = AgreementDto),
        (status = 400, description = "Invalid agreement: every problem, field by field", body = ErrorBody),
        (status = 401, description = "Not signed in and no valid API token", body = ErrorBody),
        (status = 403, description = "Not a party to it, nor an organiser", body = ErrorBody),
        (status = 404, description = "No such agreement the viewer may see", body = ErrorBody)))]
pub(crate) async fn update_agreement(
    State(state): State<AppState>,
    viewer: Viewer,
    Path(id): Path<String>,
    payload: Body<AgreementInput>,
) -> ApiResult<AgreementDto> {
    let id = view::parse_id("agreement", &id)?;
    let input = body(payload)?;
    let a = state
        .write(move |store| {
            events::visible_agreement(store, &viewer, id)?;
            events::save_agreement(store, &viewer, Some(id), &input)
        })
        .await?;
    Ok(Json(agreement_dto(&a)))
}

#[utoipa::path(post, path = "/api/v1/agreements", tag = "events",
    request_body = AgreementInput,
    responses((status = 201, description = "Recorded", body = AgreementDto),
        (status = 400, description = "Invalid agreement: every problem, field by field", body = ErrorBody),
        (status = 401, description = "Not signed in and no valid API token", body = ErrorBody),
        (status = 403, description = "Not a party to it, nor an organiser", body = ErrorBody)))]
pub(crate) async fn create_agreement(
    State(state): State<AppState>,
    viewer: Viewer,
    payload: Body<AgreementInput>,
) -> Result<(StatusCode, Json<AgreementDto>), ApiError> {
    let input = body(payload)?;
    let a = state
        .write(move |store| events::save_agreement(store, &viewer, None, &input))
        .await?;
    Ok((StatusCode::CREATED, Json(agreement_dto(&a))))
}
