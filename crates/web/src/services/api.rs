//! The enterprise-services API: appeals and their steps, notifications, supervisors,
//! the working-day calendar, visits and responsible officials.

use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::routing::{get, post, put};
use axum::{Json, Router};
use chainatlas_model::services::Visit;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use crate::core::api::{body, ApiResult, ErrorBody, Params};
use crate::core::auth::Viewer;
use crate::core::error::ApiError;
use crate::core::AppState;
use chainatlas_app::services::{
    self, AppealDetail, AppealInput, AppealPage, AppealQuery, AppealView, StepInput, VisitInput,
};
use chainatlas_app::view;

type Body<T> = Result<Json<T>, axum::extract::rejection::JsonRejection>;

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/appeals", get(list_appeals).post(create_appeal))
        .route("/appeals/escalate", post(run_escalation))
        .route("/appeals/{id}", get(get_appeal))
        .route("/appeals/{id}/steps", post(step_appeal))
        .route("/notifications", get(list_notifications))
        .route("/notifications/read", post(read_notifications))
        .route("/supervisors", get(get_supervisors).put(set_supervisors))
        .route("/calendar", get(get_calendar).post(load_calendar))
        .route("/visits", get(list_visits).post(create_visit))
        .route("/visits/{id}", get(get_visit).put(update_visit))
        .route("/visits/unvisited", get(unvisited))
        .route("/enterprises/{id}/official", put(assign_official))
        .route("/blocking-points", get(blocking_points))
        .route(
            "/assessments",
            get(list_assessments).post(create_assessment),
        )
        .route("/assessments/rollup", get(assessment_rollup))
        .route("/assessments/{id}", get(get_assessment))
        .route("/assessments/{id}/publish", post(publish_draft))
}

#[utoipa::path(get, path = "/api/v1/appeals", tag = "services",
    params(("state" = Option<String>, Query, description = "States, comma-separated (submitted, accepted, assigned, in_progress, replied, closed, reopened, declined); `open` for every open one"),
        ("category" = Option<String>, Query), ("node" = Option<i64>, Query), ("chain" = Option<String>, Query, description = "Chain code"),
        ("region" = Option<String>, Query, description = "Region code: enterprises in it"),
        ("handler" = Option<String>, Query, description = "`me` or a user id"),
        ("sort" = Option<String>, Query, description = "`due`: soonest deadline first; default `new`, newest first"),
        ("limit" = Option<u32>, Query, minimum = 1, maximum = 500), ("offset" = Option<u32>, Query)),
    responses((status = 200, description = "Appeals the viewer may see (staff: all; an enterprise: its own), newest first", body = AppealPage),
        (status = 400, description = "Malformed parameter", body = ErrorBody),
        (status = 401, description = "Not signed in and no valid API token", body = ErrorBody)))]
pub(crate) async fn list_appeals(
    State(state): State<AppState>,
    viewer: Viewer,
    Params(q): Params<AppealQuery>,
) -> ApiResult<AppealPage> {
    let page = state
        .read(move |store| {
            let filter = q.filter(store, &viewer)?;
            services::appeal_page(store, &viewer, filter)
        })
        .await?;
    Ok(Json(page))
}

#[utoipa::path(post, path = "/api/v1/appeals", tag = "services",
    request_body = AppealInput,
    responses((status = 201, description = "Submitted: the enterprise's responsible official (or the supervisors) is notified", body = AppealView),
        (status = 400, description = "Invalid appeal: every problem, field by field", body = ErrorBody),
        (status = 401, description = "Not signed in and no valid API token", body = ErrorBody),
        (status = 403, description = "An enterprise appealing for another", body = ErrorBody)))]
pub(crate) async fn create_appeal(
    State(state): State<AppState>,
    viewer: Viewer,
    payload: Body<AppealInput>,
) -> Result<(StatusCode, Json<AppealView>), ApiError> {
    let input = body(payload)?;
    let view = state
        .write(move |store| {
            let a = services::submit_appeal(store, &viewer, &input)?;
            services::appeal_detail(store, &viewer, a.id).map(|d| d.appeal)
        })
        .await?;
    Ok((StatusCode::CREATED, Json(view)))
}

#[utoipa::path(get, path = "/api/v1/appeals/{id}", tag = "services",
    params(("id" = i64, Path, minimum = 1)),
    responses((status = 200, description = "The appeal with its steps (an enterprise does not see the office's reminders, escalations and supervision notes)", body = AppealDetail),
        (status = 401, description = "Not signed in and no valid API token", body = ErrorBody),
        (status = 404, description = "No such appeal the viewer may see", body = ErrorBody)))]
pub(crate) async fn get_appeal(
    State(state): State<AppState>,
    viewer: Viewer,
    Path(id): Path<String>,
) -> ApiResult<AppealDetail> {
    let id = view::parse_id("appeal", &id)?;
    let d = state
        .read(move |store| services::appeal_detail(store, &viewer, id))
        .await?;
    Ok(Json(d))
}

#[utoipa::path(post, path = "/api/v1/appeals/{id}/steps", tag = "services",
    params(("id" = i64, Path, minimum = 1)),
    request_body = StepInput,
    responses((status = 200, description = "The step was made: the appeal as it stands now, with its steps", body = AppealDetail),
        (status = 400, description = "Invalid step: every problem, field by field", body = ErrorBody),
        (status = 401, description = "Not signed in and no valid API token", body = ErrorBody),
        (status = 403, description = "The viewer may not make this move", body = ErrorBody),
        (status = 404, description = "No such appeal the viewer may see", body = ErrorBody),
        (status = 409, description = "The appeal's state does not allow this move (or someone moved it first)", body = ErrorBody)))]
pub(crate) async fn step_appeal(
    State(state): State<AppState>,
    viewer: Viewer,
    Path(id): Path<String>,
    payload: Body<StepInput>,
) -> ApiResult<AppealDetail> {
    let id = view::parse_id("appeal", &id)?;
    let input = body(payload)?;
    let d = state
        .write(move |store| {
            services::step_appeal(store, &viewer, id, &input)?;
            services::appeal_detail(store, &viewer, id)
        })
        .await?;
    Ok(Json(d))
}

/// What a run of reminders and escalation did.
#[derive(Clone, Debug, Serialize, ToSchema)]
pub struct EscalationDto {
    pub reminded: Vec<i64>,
    pub escalated: Vec<i64>,
}

#[utoipa::path(post, path = "/api/v1/appeals/escalate", tag = "services",
    responses((status = 200, description = "Reminders and escalations made now (the server also runs this every ten minutes)", body = EscalationDto),
        (status = 401, description = "Not signed in and no valid API token", body = ErrorBody),
        (status = 403, description = "Not an admin", body = ErrorBody)))]
pub(crate) async fn run_escalation(
    State(state): State<AppState>,
    viewer: Viewer,
) -> ApiResult<EscalationDto> {
    let done = state
        .write(move |store| {
            viewer.require(chainatlas_auth::Permission::ManageUsers)?;
            services::escalate(store, &viewer.actor())
        })
        .await?;
    Ok(Json(EscalationDto {
        reminded: done.reminded,
        escalated: done.escalated,
    }))
}

#[derive(Clone, Debug, Serialize, ToSchema)]
pub struct NotificationDto {
    pub id: i64,
    /// China Standard Time.
    pub at: String,
    pub appeal_id: Option<i64>,
    pub zh: String,
    pub en: String,
    pub read: bool,
}

#[derive(Clone, Debug, Serialize, ToSchema)]
pub struct NotificationsDto {
    pub unread: u64,
    /// The latest 50, newest first.
    pub notifications: Vec<NotificationDto>,
}

#[utoipa::path(get, path = "/api/v1/notifications", tag = "services",
    responses((status = 200, description = "The viewer's notifications", body = NotificationsDto),
        (status = 401, description = "Not signed in and no valid API token", body = ErrorBody)))]
pub(crate) async fn list_notifications(
    State(state): State<AppState>,
    viewer: Viewer,
) -> ApiResult<NotificationsDto> {
    let (rows, unread) = state
        .read(move |store| services::notifications(store, &viewer, 50))
        .await?;
    Ok(Json(NotificationsDto {
        unread,
        notifications: rows
            .into_iter()
            .map(|n| NotificationDto {
                id: n.id,
                at: chainatlas_app::clock::china_time(n.at),
                appeal_id: n.appeal,
                zh: n.text.zh,
                en: n.text.en,
                read: n.read_at.is_some(),
            })
            .collect(),
    }))
}

#[derive(Clone, Debug, Default, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ReadInput {
    /// One notification; none: all of the viewer's.
    #[serde(default)]
    pub id: Option<i64>,
}

#[derive(Clone, Debug, Serialize, ToSchema)]
pub struct CountDto {
    pub changed: u64,
}

#[utoipa::path(post, path = "/api/v1/notifications/read", tag = "services",
    request_body = ReadInput,
    responses((status = 200, description = "Marked read", body = CountDto),
        (status = 401, description = "Not signed in and no valid API token", body = ErrorBody)))]
pub(crate) async fn read_notifications(
    State(state): State<AppState>,
    viewer: Viewer,
    payload: Body<ReadInput>,
) -> ApiResult<CountDto> {
    let input = body(payload)?;
    let changed = state
        .write(move |store| services::mark_read(store, &viewer, input.id))
        .await?;
    Ok(Json(CountDto { changed }))
}

#[derive(Clone, Debug, Default, Deserialize, Serialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct SupervisorsDto {
    /// User ids of office staff; empty: every admin supervises.
    pub users: Vec<i64>,
}

#[utoipa::path(get, path = "/api/v1/supervisors", tag = "services",
    responses((status = 200, description = "The supervisor list escalations go to", body = SupervisorsDto),
        (status = 401, description = "Not signed in and no valid API token", body = ErrorBody),
        (status = 403, description = "Not office staff", body = ErrorBody)))]
pub(crate) async fn get_supervisors(
    State(state): State<AppState>,
    viewer: Viewer,
) -> ApiResult<SupervisorsDto> {
    let users = state
        .read(move |store| {
            viewer.require(chainatlas_auth::Permission::Analyse)?;
            Ok(store.supervisor_list()?)
        })
        .await?;
    Ok(Json(SupervisorsDto { users }))
}

#[utoipa::path(put, path = "/api/v1/supervisors", tag = "services",
    request_body = SupervisorsDto,
    responses((status = 200, description = "Set", body = SupervisorsDto),
        (status = 400, description = "An id that is not active office staff", body = ErrorBody),
        (status = 401, description = "Not signed in and no valid API token", body = ErrorBody),
        (status = 403, description = "Not an admin", body = ErrorBody)))]
pub(crate) async fn set_supervisors(
    State(state): State<AppState>,
    viewer: Viewer,
    payload: Body<SupervisorsDto>,
) -> ApiResult<SupervisorsDto> {
    let input = body(payload)?;
    let users = input.users.clone();
    state
        .write(move |store| services::set_supervisors(store, &viewer, &input.users))
        .await?;
    Ok(Json(SupervisorsDto { users }))
}

#[derive(Clone, Debug, Serialize, ToSchema)]
pub struct CalendarDto {
    /// The first and last year the official calendar (with loaded files) covers.
    pub first_year: u16,
    pub last_year: u16,
    /// The holidays and adjusted working days of `year`.
    pub days: Vec<CalendarDayDto>,
}

#[derive(Clone, Debug, Serialize, ToSchema)]
pub struct CalendarDayDto {
    pub date: String,
    /// `holiday` or `workday` (a weekend day worked in lieu, 调休).
    pub kind: String,
    pub zh: String,
    pub en: String,
}

#[derive(Deserialize)]
pub(crate) struct YearParam {
    year: Option<String>,
}

#[utoipa::path(get, path = "/api/v1/calendar", tag = "services",
    params(("year" = Option<u16>, Query, description = "Default: this year in China")),
    responses((status = 200, description = "The working-day calendar deadlines are counted on", body = CalendarDto),
        (status = 400, description = "Malformed year", body = ErrorBody),
        (status = 401, description = "Not signed in and no valid API token", body = ErrorBody)))]
pub(crate) async fn get_calendar(
    State(state): State<AppState>,
    viewer: Viewer,
    Params(q): Params<YearParam>,
) -> ApiResult<CalendarDto> {
    let year = view::parse_count(
        "year",
        q.year.as_deref(),
        u32::from(viewer.today().year()),
        1990..=2100,
    )? as u16;
    let d = state
        .read(move |store| {
            let calendar = services::calendar(store)?;
            let (first_year, last_year) = calendar.years().unwrap_or((0, 0));
            Ok(CalendarDto {
                first_year,
                last_year,
                days: services::special_days(&calendar, year)
                    .into_iter()
                    .map(|(date, kind, name)| CalendarDayDto {
                        date: date.to_string(),
                        kind: kind.to_string(),
                        zh: name.zh,
                        en: name.en,
                    })
                    .collect(),
            })
        })
        .await?;
    Ok(Json(d))
}

#[utoipa::path(post, path = "/api/v1/calendar", tag = "services",
    request_body(content = String, content_type = "text/csv", description = "A calendar file: `date,kind,holiday` then one line per holiday or adjusted working day; a year it covers replaces the built-in one. At most 64 KiB"),
    responses((status = 200, description = "Loaded: the years now covered", body = CalendarDto),
        (status = 400, description = "Bad lines, each named", body = ErrorBody),
        (status = 401, description = "Not signed in and no valid API token", body = ErrorBody),
        (status = 403, description = "Not an admin", body = ErrorBody)))]
pub(crate) async fn load_calendar(
    State(state): State<AppState>,
    viewer: Viewer,
    file: String,
) -> ApiResult<CalendarDto> {
    let (first_year, last_year) = state
        .write(move |store| services::load_calendar(store, &viewer, &file))
        .await?;
    Ok(Json(CalendarDto {
        first_year,
        last_year,
        days: Vec::new(),
    }))
}

#[derive(Clone, Debug, Serialize, ToSchema)]
pub struct VisitDto {
    pub id: i64,
    pub enterprise_id: i64,
    pub planned_on: String,
    pub visited_on: Option<String>,
    pub officials: Vec<i64>,
    pub purpose: String,
    pub findings: String,
    pub finding: Option<String>,
}

pub(crate) fn visit_dto(v: &Visit) -> VisitDto {
    VisitDto {
        id: v.id,
        enterprise_id: v.enterprise.0,
        planned_on: v.planned_on.to_string(),
        visited_on: v.visited_on.map(|d| d.to_string()),
        officials: v.officials.clone(),
        purpose: v.purpose.clone(),
        findings: v.findings.clone(),
        finding: v.finding.map(|c| c.to_string()),
    }
}

/// The query of visit lists.
#[derive(Clone, Debug, Default, Deserialize)]
pub(crate) struct VisitQuery {
    pub enterprise: Option<String>,
    pub official: Option<String>,
    pub from: Option<String>,
    pub to: Option<String>,
    pub region: Option<String>,
    pub limit: Option<String>,
}

impl VisitQuery {
    pub(crate) fn filter(
        &self,
        viewer: &chainatlas_app::Viewer,
    ) -> Result<chainatlas_store::VisitFilter, chainatlas_app::AppError> {
        let blank = |s: &Option<String>| {
            s.as_deref()
                .map(str::trim)
                .filter(|s| !s.is_empty())
                .map(str::to_string)
        };
        Ok(chainatlas_store::VisitFilter {
            enterprise: blank(&self.enterprise)
                .map(|e| view::parse_id("enterprise", &e))
                .transpose()?
                .map(chainatlas_model::EnterpriseId),
            official: match blank(&self.official).as_deref() {
                None => None,
                Some("me") => viewer.principal.as_ref().map(|p| p.user_id),
                Some(o) => Some(view::parse_id("official", o)?),
            },
            from: blank(&self.from)
                .map(|d| services::parse_day("from", &d))
                .transpose()?,
            to: blank(&self.to)
                .map(|d| services::parse_day("to", &d))
                .transpose()?,
            limit: view::parse_count("limit", self.limit.as_deref(), 200, 1..=1000)?,
        })
    }
}

#[utoipa::path(get, path = "/api/v1/visits", tag = "services",
    params(("enterprise" = Option<i64>, Query), ("official" = Option<String>, Query, description = "`me` or a user id"),
        ("from" = Option<String>, Query, description = "Planned or made on or after this day"), ("to" = Option<String>, Query),
        ("limit" = Option<u32>, Query, minimum = 1, maximum = 1000)),
    responses((status = 200, description = "Visits, latest first", body = Vec<VisitDto>),
        (status = 400, description = "Malformed parameter", body = ErrorBody),
        (status = 401, description = "Not signed in and no valid API token", body = ErrorBody),
        (status = 403, description = "Not office staff", body = ErrorBody)))]
pub(crate) async fn list_visits(
    State(state): State<AppState>,
    viewer: Viewer,
    Params(q): Params<VisitQuery>,
) -> ApiResult<Vec<VisitDto>> {
    let filter = q.filter(&viewer)?;
    let list = state
        .read(move |store| services::visits(store, &viewer, &filter))
        .await?;
    Ok(Json(list.iter().map(visit_dto).collect()))
}

#[utoipa::path(post, path = "/api/v1/visits", tag = "services",
    request_body = VisitInput,
    responses((status = 201, description = "Recorded", body = VisitDto),
        (status = 400, description = "Invalid visit: every problem, field by field", body = ErrorBody),
        (status = 401, description = "Not signed in and no valid API token", body = ErrorBody),
        (status = 403, description = "Not office staff", body = ErrorBody)))]
pub(crate) async fn create_visit(
    State(state): State<AppState>,
    viewer: Viewer,
    payload: Body<VisitInput>,
) -> Result<(StatusCode, Json<VisitDto>), ApiError> {
    let input = body(payload)?;
    let v = state
        .write(move |store| services::save_visit(store, &viewer, None, &input))
        .await?;
    Ok((StatusCode::CREATED, Json(visit_dto(&v))))
}

#[utoipa::path(get, path = "/api/v1/visits/{id}", tag = "services",
    params(("id" = i64, Path, minimum = 1)),
    responses((status = 200, description = "The visit", body = VisitDto),
        (status = 401, description = "Not signed in and no valid API token", body = ErrorBody),
        (status = 403, description = "Not office staff", body = ErrorBody),
        (status = 404, description = "No such visit", body = ErrorBody)))]
pub(crate) async fn get_visit(
    State(state): State<AppState>,
    viewer: Viewer,
    Path(id): Path<String>,
) -> ApiResult<VisitDto> {
    let id = view::parse_id("visit", &id)?;
    let v = state
        .read(move |store| services::visit(store, &viewer, id))
        .await?;
    Ok(Json(visit_dto(&v)))
}

#[utoipa::path(put, path = "/api/v1/visits/{id}", tag = "services",
    params(("id" = i64, Path, minimum = 1)),
    request_body = VisitInput,
    responses((status = 200, description = "Changed", body = VisitDto),
        (status = 400, description = "Invalid visit: every problem, field by field", body = ErrorBody),
        (status = 401, description = "Not signed in and no valid API token", body = ErrorBody),
        (status = 403, description = "Not office staff", body = ErrorBody),
        (status = 404, description = "No such visit", body = ErrorBody)))]
pub(crate) async fn update_visit(
    State(state): State<AppState>,
    viewer: Viewer,
    Path(id): Path<String>,
    payload: Body<VisitInput>,
) -> ApiResult<VisitDto> {
    let id = view::parse_id("visit", &id)?;
    let input = body(payload)?;
    let v = state
        .write(move |store| services::save_visit(store, &viewer, Some(id), &input))
        .await?;
    Ok(Json(visit_dto(&v)))
}

#[derive(Clone, Debug, Serialize, ToSchema)]
pub struct UnvisitedDto {
    /// Every enterprise that matches, beyond this page too.
    pub total: u64,
    pub enterprises: Vec<UnvisitedRow>,
}

#[derive(Clone, Debug, Serialize, ToSchema)]
pub struct UnvisitedRow {
    pub enterprise_id: i64,
    pub name: String,
    pub region_code: u32,
    pub official_id: Option<i64>,
    pub last_visit: Option<String>,
}

#[utoipa::path(get, path = "/api/v1/visits/unvisited", tag = "services",
    params(("from" = String, Query, description = "First day of the period"), ("to" = String, Query, description = "Last day of the period"),
        ("region" = Option<String>, Query), ("official" = Option<String>, Query, description = "`me` or a user id: enterprises this official is responsible for"),
        ("limit" = Option<u32>, Query, minimum = 1, maximum = 1000)),
    responses((status = 200, description = "Enterprises with no visit made in the period, those with a responsible official first", body = UnvisitedDto),
        (status = 400, description = "Malformed parameter", body = ErrorBody),
        (status = 401, description = "Not signed in and no valid API token", body = ErrorBody),
        (status = 403, description = "Not office staff", body = ErrorBody)))]
pub(crate) async fn unvisited(
    State(state): State<AppState>,
    viewer: Viewer,
    Params(q): Params<VisitQuery>,
) -> ApiResult<UnvisitedDto> {
    let filter = q.filter(&viewer)?;
    let region = view::parse_region_text(q.region.as_deref())?;
    let (rows, total) = state
        .read(move |store| services::unvisited(store, &viewer, region, &filter))
        .await?;
    Ok(Json(UnvisitedDto {
        total,
        enterprises: rows
            .into_iter()
            .map(|u| UnvisitedRow {
                enterprise_id: u.enterprise.0,
                name: u.name,
                region_code: u.region,
                official_id: u.official,
                last_visit: u.last_visit.map(|d| d.to_string()),
            })
            .collect(),
    }))
}

#[derive(Clone, Debug, Default, Deserialize, Serialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct OfficialDto {
    /// The responsible official's user id; none: nobody.
    pub official_id: Option<i64>,
}

#[utoipa::path(put, path = "/api/v1/enterprises/{id}/official", tag = "services",
    params(("id" = i64, Path, minimum = 1)),
    request_body = OfficialDto,
    responses((status = 200, description = "Assigned (the earlier assignment stays in the history)", body = OfficialDto),
        (status = 400, description = "Not the id of active office staff", body = ErrorBody),
        (status = 401, description = "Not signed in and no valid API token", body = ErrorBody),
        (status = 403, description = "Not office staff", body = ErrorBody),
        (status = 404, description = "No such enterprise", body = ErrorBody)))]
pub(crate) async fn assign_official(
    State(state): State<AppState>,
    viewer: Viewer,
    Path(id): Path<String>,
    payload: Body<OfficialDto>,
) -> ApiResult<OfficialDto> {
    let id = view::parse_id("enterprise", &id)?;
    let input = body(payload)?;
    let official = input.official_id;
    state
        .write(move |store| services::assign_official(store, &viewer, id, official))
        .await?;
    Ok(Json(OfficialDto {
        official_id: official,
    }))
}

#[utoipa::path(get, path = "/api/v1/blocking-points", tag = "services",
    params(("by" = Option<String>, Query, description = "category (default), chain, node, region (the enterprise's city) or month"),
        ("region" = Option<String>, Query, description = "Region code: its enterprises"), ("chain" = Option<String>, Query, description = "Chain code"),
        ("category" = Option<String>, Query), ("from" = Option<String>, Query, description = "First day; default 364 days before `to`"),
        ("to" = Option<String>, Query, description = "Last day; default today in China")),
    responses((status = 200, description = "Appeals and visit findings counted, with classes of similar appeals", body = chainatlas_app::blocking::BlockingReport),
        (status = 400, description = "Malformed parameter", body = ErrorBody),
        (status = 401, description = "Not signed in and no valid API token", body = ErrorBody),
        (status = 403, description = "Not office staff", body = ErrorBody)))]
pub(crate) async fn blocking_points(
    State(state): State<AppState>,
    viewer: Viewer,
    Params(q): Params<chainatlas_app::blocking::BlockingQuery>,
) -> ApiResult<chainatlas_app::blocking::BlockingReport> {
    let caches = state.app.caches.clone();
    let report = state
        .read(move |store| {
            viewer.require(chainatlas_auth::Permission::Analyse)?;
            let scope = q.scope(store, viewer.today())?;
            caches.blocking(store, &scope, viewer.today())
        })
        .await?;
    Ok(Json(report.as_ref().clone()))
}

#[derive(Clone, Debug, Serialize, ToSchema)]
pub struct AssessmentRefDto {
    pub id: i64,
    pub enterprise_id: i64,
    pub questionnaire: String,
    /// China Standard Time.
    pub taken_at: String,
}

#[utoipa::path(get, path = "/api/v1/assessments", tag = "services",
    responses((status = 200, description = "Assessments the viewer may see (staff: all, latest 200; an enterprise: its own), newest first", body = Vec<AssessmentRefDto>),
        (status = 401, description = "Not signed in and no valid API token", body = ErrorBody)))]
pub(crate) async fn list_assessments(
    State(state): State<AppState>,
    viewer: Viewer,
) -> ApiResult<Vec<AssessmentRefDto>> {
    let rows = state
        .read(move |store| chainatlas_app::assessments::list(store, &viewer, 200))
        .await?;
    Ok(Json(
        rows.into_iter()
            .map(|a| AssessmentRefDto {
                id: a.id,
                enterprise_id: a.enterprise.0,
                questionnaire: a.questionnaire,
                taken_at: chainatlas_app::clock::china_time(a.taken_at),
            })
            .collect(),
    ))
}

#[utoipa::path(post, path = "/api/v1/assessments", tag = "services",
    request_body = chainatlas_app::assessments::AssessmentInput,
    responses((status = 201, description = "Recorded: levels, gaps, recommended providers and drafted demands", body = chainatlas_app::assessments::AssessmentDto),
        (status = 400, description = "Invalid answers: every problem, question by question", body = ErrorBody),
        (status = 401, description = "Not signed in and no valid API token", body = ErrorBody),
        (status = 403, description = "An enterprise assessing another", body = ErrorBody)))]
pub(crate) async fn create_assessment(
    State(state): State<AppState>,
    viewer: Viewer,
    payload: Body<chainatlas_app::assessments::AssessmentInput>,
) -> Result<(StatusCode, Json<chainatlas_app::assessments::AssessmentDto>), ApiError> {
    let input = body(payload)?;
    let app = state.app.clone();
    let dto = state
        .write(move |store| {
            let pairs: Vec<(String, String)> = input
                .answers
                .iter()
                .map(|(q, p)| (q.clone(), p.to_string()))
                .collect();
            let a =
                chainatlas_app::assessments::take(store, &viewer, &input.enterprise_id, &pairs)?;
            chainatlas_app::assessments::result(&app, store, &viewer, a.id)
        })
        .await?;
    Ok((StatusCode::CREATED, Json(dto)))
}

#[utoipa::path(get, path = "/api/v1/assessments/{id}", tag = "services",
    params(("id" = i64, Path, minimum = 1)),
    responses((status = 200, description = "Levels, gaps, recommended providers and drafted demands", body = chainatlas_app::assessments::AssessmentDto),
        (status = 401, description = "Not signed in and no valid API token", body = ErrorBody),
        (status = 404, description = "No such assessment the viewer may see", body = ErrorBody)))]
pub(crate) async fn get_assessment(
    State(state): State<AppState>,
    viewer: Viewer,
    Path(id): Path<String>,
) -> ApiResult<chainatlas_app::assessments::AssessmentDto> {
    let id = view::parse_id("assessment", &id)?;
    let app = state.app.clone();
    let dto = state
        .read(move |store| chainatlas_app::assessments::result(&app, store, &viewer, id))
        .await?;
    Ok(Json(dto))
}

#[derive(Clone, Debug, Default, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct PublishInput {
    /// The gap's question, e.g. `o2`.
    pub question: String,
}

#[derive(Clone, Debug, Serialize, ToSchema)]
pub struct PublishedDto {
    pub listing_id: i64,
}

#[utoipa::path(post, path = "/api/v1/assessments/{id}/publish", tag = "services",
    params(("id" = i64, Path, minimum = 1)),
    request_body = PublishInput,
    responses((status = 201, description = "The drafted demand, published as an open listing of the enterprise (valid 90 days)", body = PublishedDto),
        (status = 400, description = "No such gap in this assessment", body = ErrorBody),
        (status = 401, description = "Not signed in and no valid API token", body = ErrorBody),
        (status = 404, description = "No such assessment the viewer may see", body = ErrorBody)))]
pub(crate) async fn publish_draft(
    State(state): State<AppState>,
    viewer: Viewer,
    Path(id): Path<String>,
    payload: Body<PublishInput>,
) -> Result<(StatusCode, Json<PublishedDto>), ApiError> {
    let id = view::parse_id("assessment", &id)?;
    let input = body(payload)?;
    let app = state.app.clone();
    let listing = state
        .write(move |store| {
            chainatlas_app::assessments::publish_draft(&app, store, &viewer, id, &input.question)
        })
        .await?;
    Ok((
        StatusCode::CREATED,
        Json(PublishedDto {
            listing_id: listing.id.0,
        }),
    ))
}

#[derive(Deserialize)]
pub(crate) struct RollupQuery {
    region: Option<String>,
    chain: Option<String>,
}

#[utoipa::path(get, path = "/api/v1/assessments/rollup", tag = "services",
    params(("region" = Option<String>, Query), ("chain" = Option<String>, Query, description = "Chain code: its enterprises")),
    responses((status = 200, description = "Each enterprise's latest assessment rolled up: level distribution per dimension and the most common gaps", body = chainatlas_app::assessments::RollupDto),
        (status = 400, description = "Malformed parameter", body = ErrorBody),
        (status = 401, description = "Not signed in and no valid API token", body = ErrorBody),
        (status = 403, description = "Not office staff", body = ErrorBody)))]
pub(crate) async fn assessment_rollup(
    State(state): State<AppState>,
    viewer: Viewer,
    Params(q): Params<RollupQuery>,
) -> ApiResult<chainatlas_app::assessments::RollupDto> {
    let region = view::parse_region_text(q.region.as_deref())?;
    let dto = state
        .read(move |store| {
            let chain = q
                .chain
                .as_deref()
                .filter(|c| !c.trim().is_empty())
                .map(|c| view::chain(store, c.trim()))
                .transpose()?;
            if let Some(code) = region {
                view::known_region(store, code)?;
            }
            chainatlas_app::assessments::rollup(store, &viewer, region, chain.map(|c| c.id))
        })
        .await?;
    Ok(Json(dto))
}
