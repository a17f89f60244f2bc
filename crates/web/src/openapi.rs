//! The OpenAPI document: every feature's endpoints and wire types, served at
//! `/api/v1/openapi.json`. Like the router, this file names every feature.

use utoipa::OpenApi;

use crate::accounts::api::*;
use crate::atlas::api::*;
use crate::core::api::{ErrorBody, ErrorDetail, RegionCodeParam, RegionParam};
use crate::diagnostics::api::*;
use chainatlas_app::atlas::{ChainDto, ChainMapDto, MapNodeDto, NodeDto, NodeInputDto, RegionDto};

#[derive(OpenApi)]
#[openapi(
    info(
        title = "Chain Atlas API",
        version = "1",
        description = "Industrial chains, nodes, enterprises and supply relations. Money is integer fen (0.01 yuan)."
    ),
    paths(
        stats,
        regions,
        chains,
        chain_map,
        node,
        node_enterprises,
        enterprises,
        enterprise,
        suppliers,
        buyers,
        diagnosis,
        disruption,
        chokepoints,
        attraction,
        crate::opportunities::api::opportunities,
        crate::opportunities::api::industry_opportunities,
        me,
        audit,
        crate::listings::api::search_listings,
        crate::listings::api::get_listing,
        crate::listings::api::create_listing,
        crate::listings::api::update_listing,
        crate::listings::api::close_listing,
        crate::listings::api::reopen_listing,
        crate::listings::api::listing_matches,
        crate::events::api::list_events,
        crate::events::api::get_event,
        crate::events::api::create_event,
        crate::events::api::register,
        crate::events::api::create_request,
        crate::events::api::respond,
        crate::events::api::run_schedule,
        crate::events::api::publish,
        crate::events::api::report,
        crate::events::api::list_agreements,
        crate::events::api::create_agreement,
        crate::events::api::update_agreement,
        crate::events::api::update_event,
        crate::search::api::search_all,
        crate::imports::api::start,
        crate::imports::api::report,
        crate::imports::api::commit,
        crate::imports::api::export,
        crate::editing::api::create,
        crate::editing::api::read,
        crate::editing::api::update,
        crate::editing::api::delete,
        crate::resolution::api::upload,
        crate::resolution::api::lists,
        crate::resolution::api::list,
        crate::resolution::api::map,
        crate::resolution::api::choose,
        crate::resolution::api::choose_all,
        crate::resolution::api::commit,
        crate::resolution::api::undo,
        crate::resolution::api::duplicates,
        crate::resolution::api::merge,
        crate::resolution::api::merge_view,
        crate::resolution::api::undo_merge,
        crate::accounts::users::list_users,
        crate::accounts::users::create_user,
        crate::accounts::users::update_user,
        crate::accounts::users::user_action,
        crate::accounts::users::list_tokens,
        crate::accounts::users::revoke_token,
        crate::services::api::list_appeals,
        crate::services::api::create_appeal,
        crate::services::api::get_appeal,
        crate::services::api::step_appeal,
        crate::services::api::run_escalation,
        crate::services::api::list_notifications,
        crate::services::api::read_notifications,
        crate::services::api::get_supervisors,
        crate::services::api::set_supervisors,
        crate::services::api::get_calendar,
        crate::services::api::load_calendar,
        crate::services::api::list_visits,
        crate::services::api::create_visit,
        crate::services::api::get_visit,
        crate::services::api::update_visit,
        crate::services::api::unvisited,
        crate::services::api::assign_official,
        crate::services::api::blocking_points,
        crate::services::api::list_assessments,
        crate::services::api::create_assessment,
        crate::services::api::get_assessment,
        crate::services::api::publish_draft,
        crate::services::api::assessment_rollup
    ),
    modifiers(&BearerAuth),
    security(("bearer" = []), ("session" = [])),
    components(schemas(
        chainatlas_app::services::AppealInput,
        chainatlas_app::blocking::BlockingReport,
        chainatlas_app::assessments::AssessmentInput,
        chainatlas_app::assessments::AssessmentDto,
        chainatlas_app::assessments::DimensionDto,
        chainatlas_app::assessments::GapDto,
        chainatlas_app::assessments::ProviderDto,
        chainatlas_app::assessments::DraftDto,
        chainatlas_app::assessments::RollupDto,
        chainatlas_app::assessments::LevelCountsDto,
        chainatlas_app::assessments::CommonGapDto,
        crate::services::api::AssessmentRefDto,
        crate::services::api::PublishInput,
        crate::services::api::PublishedDto,
        chainatlas_app::blocking::BlockingRow,
        chainatlas_app::blocking::ClusterDto,
        chainatlas_app::blocking::ClusterAppeal,
        chainatlas_app::diagnostics::NodeBlockageDto,
        chainatlas_app::services::AttachmentInput,
        chainatlas_app::services::StepInput,
        chainatlas_app::services::VisitInput,
        chainatlas_app::services::AppealView,
        chainatlas_app::services::AttachmentView,
        chainatlas_app::services::StepView,
        chainatlas_app::services::AppealDetail,
        chainatlas_app::services::AppealPage,
        crate::services::api::EscalationDto,
        crate::services::api::NotificationDto,
        crate::services::api::NotificationsDto,
        crate::services::api::ReadInput,
        crate::services::api::CountDto,
        crate::services::api::SupervisorsDto,
        crate::services::api::CalendarDto,
        crate::services::api::CalendarDayDto,
        crate::services::api::VisitDto,
        crate::services::api::UnvisitedDto,
        crate::services::api::UnvisitedRow,
        crate::services::api::OfficialDto,
        chainatlas_app::search::SearchResults,
        crate::editing::api::RecordDto,
        crate::resolution::api::MappingBody,
        crate::resolution::api::OneOrMany,
        crate::resolution::api::ChoiceBody,
        crate::resolution::api::ChoiceAllBody,
        crate::resolution::api::Chosen,
        crate::resolution::api::Done,
        crate::resolution::api::MergeBody,
        chainatlas_app::resolution::ListView,
        chainatlas_app::resolution::ListSummary,
        chainatlas_app::resolution::RowView,
        chainatlas_app::resolution::FieldView,
        chainatlas_app::resolution::ListCounts,
        chainatlas_app::resolution::CandidateView,
        chainatlas_app::resolution::EnterpriseSide,
        chainatlas_app::resolution::Action,
        chainatlas_app::resolution::DuplicatePair,
        chainatlas_app::resolution::MergeView,
        chainatlas_app::accounts::UserDto,
        chainatlas_app::accounts::TokenDto,
        chainatlas_app::accounts::UserInput,
        chainatlas_app::accounts::Secret,
        crate::accounts::users::TokenInput,
        chainatlas_app::search::SearchHit,
        chainatlas_app::imports::ImportReport,
        chainatlas_app::imports::KindReport,
        chainatlas_app::imports::SampleReport,
        chainatlas_app::imports::ProblemReport,
        chainatlas_app::imports::Mode,
        chainatlas_app::imports::ExportFormat,
        ErrorBody,
        ErrorDetail,
        StatsDto,
        RegionDto,
        ChainDto,
        ChainSummaryDto,
        NodeDto,
        NodeRefDto,
        MapNodeDto,
        NodeInputDto,
        ChainMapDto,
        NodeDetailDto,
        EnterpriseRefDto,
        EnterpriseInNodeDto,
        EnterprisePageDto,
        EnterpriseSearchDto,
        EnterpriseDto,
        EnterpriseNodeDto,
        SupplyLinkDto,
        SupplyLinkPageDto,
        MeDto,
        AuditEntryDto,
        AuditPageDto,
        RegionCodeParam,
        RegionParam,
        chainatlas_app::listings::ListingDto,
        chainatlas_app::listings::ListingPageDto,
        chainatlas_app::listings::ListingInput,
        chainatlas_app::listings::MatchesDto,
        chainatlas_app::matchmaking::MatchDto,
        chainatlas_app::matchmaking::BreakdownDto,
        crate::events::api::EventDto,
        crate::events::api::ParticipantDto,
        crate::events::api::RequestDto,
        crate::events::api::MeetingDto,
        crate::events::api::EventDetailDto,
        crate::events::api::StatusDto,
        crate::events::api::ScheduleInput,
        crate::events::api::PublishedDto,
        crate::events::api::ReportTableDto,
        crate::events::api::ReportDto,
        crate::events::api::AgreementDto,
        chainatlas_app::events::EventInput,
        chainatlas_app::events::RegisterInput,
        chainatlas_app::events::RequestInput,
        chainatlas_app::events::AgreementInput,
        chainatlas_app::events::ScheduleSummary,
        chainatlas_app::events::UnplacedDto
    ))
)]
struct ApiDoc;

/// Declares how clients authenticate: a bearer API token, or the web app's session cookie.
struct BearerAuth;

impl utoipa::Modify for BearerAuth {
    fn modify(&self, openapi: &mut utoipa::openapi::OpenApi) {
        use utoipa::openapi::security::{
            ApiKey, ApiKeyValue, HttpAuthScheme, HttpBuilder, SecurityScheme,
        };
        let components = openapi.components.get_or_insert_with(Default::default);
        components.add_security_scheme(
            "bearer",
            SecurityScheme::Http(
                HttpBuilder::new()
                    .scheme(HttpAuthScheme::Bearer)
                    .description(Some("API token from `chainatlas token create`"))
                    .build(),
            ),
        );
        components.add_security_scheme(
            "session",
            SecurityScheme::ApiKey(ApiKey::Cookie(ApiKeyValue::new(
                crate::core::auth::SESSION_COOKIE,
            ))),
        );
    }
}

/// The OpenAPI document, as served at `/api/v1/openapi.json`.
pub fn openapi_json() -> String {
    ApiDoc::openapi()
        .to_pretty_json()
        .expect("the OpenAPI document serializes")
}

pub(crate) async fn openapi() -> axum::response::Response {
    axum::response::IntoResponse::into_response((
        [(axum::http::header::CONTENT_TYPE, "application/json")],
        openapi_json(),
    ))
}

#[cfg(test)]
mod tests {
    /// The API document states the same region rule as the model's parser.
    #[test]
    fn the_documented_region_pattern_is_the_models() {
        let pattern = chainatlas_model::REGION_CODE_PATTERN;
        let documented = format!(
            "^({})?$",
            pattern.trim_start_matches('^').trim_end_matches('$')
        );
        assert!(
            super::openapi_json().contains(&documented.replace('\\', "\\\\")),
            "{documented}"
        );
    }
}
