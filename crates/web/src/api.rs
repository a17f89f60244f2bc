//! The JSON API under `/api/v1/`, its wire types and its OpenAPI document. Money is
//! sent as integer fen (`*_fen`), codes as strings, so that no client rounds anything.

use std::collections::HashMap;

use axum::extract::{Path, Query, RawQuery, State};
use axum::routing::get;
use axum::{Json, Router};
use chainatlas_app::atlas::{tag_names, ChainDto, NodeDto};
use chainatlas_model::Region;
use chainatlas_store::{EnterpriseRef, NodeRef, Page, SupplyLink};
use serde::Serialize;
use utoipa::{OpenApi, ToSchema};

use crate::auth::Viewer;
use crate::diagnostics;
use crate::error::{ApiError, AppError};
use crate::view::{self, MAX_LIMIT};
use crate::AppState;
use chainatlas_auth::Permission;

type ApiResult<T> = Result<Json<T>, ApiError>;
type Params = Query<HashMap<String, String>>;

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/openapi.json", get(openapi))
        .route("/stats", get(stats))
        .route("/regions", get(regions))
        .route("/chains", get(chains))
        .route("/chains/{code}/map", get(chain_map))
        .route("/nodes/{id}", get(node))
        .route("/nodes/{id}/enterprises", get(node_enterprises))
        .route("/enterprises", get(enterprises))
        .route("/enterprises/{id}", get(enterprise))
        .route("/enterprises/{id}/suppliers", get(suppliers))
        .route("/enterprises/{id}/buyers", get(buyers))
        .route("/chains/{code}/diagnosis", get(diagnosis))
        .route("/chains/{code}/disruption", get(disruption))
        .route("/chains/{code}/chokepoints", get(chokepoints))
        .route("/chains/{code}/attraction", get(attraction))
        .route("/me", get(me))
        .route("/audit", get(audit))
        .merge(crate::api_listings::routes())
        .merge(crate::api_events::routes())
        .fallback(api_not_found)
}

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
        me,
        audit,
        crate::api_listings::search_listings,
        crate::api_listings::get_listing,
        crate::api_listings::create_listing,
        crate::api_listings::update_listing,
        crate::api_listings::close_listing,
        crate::api_listings::reopen_listing,
        crate::api_listings::listing_matches,
        crate::api_events::list_events,
        crate::api_events::get_event,
        crate::api_events::create_event,
        crate::api_events::register,
        crate::api_events::create_request,
        crate::api_events::respond,
        crate::api_events::run_schedule,
        crate::api_events::publish,
        crate::api_events::report,
        crate::api_events::list_agreements,
        crate::api_events::create_agreement
    ),
    modifiers(&BearerAuth),
    security(("bearer" = []), ("session" = [])),
    components(schemas(
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
        crate::listings::ListingDto,
        crate::listings::ListingPageDto,
        crate::listings::ListingInput,
        crate::listings::MatchesDto,
        crate::matchmaking::MatchDto,
        crate::matchmaking::BreakdownDto,
        crate::api_events::EventDto,
        crate::api_events::ParticipantDto,
        crate::api_events::RequestDto,
        crate::api_events::MeetingDto,
        crate::api_events::EventDetailDto,
        crate::api_events::StatusDto,
        crate::api_events::ScheduleInput,
        crate::api_events::PublishedDto,
        crate::api_events::ReportTableDto,
        crate::api_events::ReportDto,
        crate::api_events::AgreementDto,
        crate::events::EventInput,
        crate::events::RegisterInput,
        crate::events::RequestInput,
        crate::events::AgreementInput,
        crate::events::ScheduleSummary,
        crate::events::UnplacedDto
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
                crate::auth::SESSION_COOKIE,
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

async fn openapi() -> axum::response::Response {
    axum::response::IntoResponse::into_response((
        [(axum::http::header::CONTENT_TYPE, "application/json")],
        openapi_json(),
    ))
}

async fn api_not_found(uri: axum::http::Uri) -> ApiError {
    ApiError(AppError::NotFound(format!(
        "no API endpoint at {}",
        uri.path()
    )))
}

#[derive(Serialize, ToSchema)]
pub struct ErrorBody {
    pub error: ErrorDetail,
}

#[derive(Serialize, ToSchema)]
pub struct ErrorDetail {
    /// Stable machine-readable code: not_found, bad_request, internal.
    pub code: String,
    /// What went wrong, for people.
    pub message: String,
}

#[derive(Serialize, ToSchema)]
pub struct StatsDto {
    pub regions: u64,
    pub chains: u64,
    pub chain_nodes: u64,
    pub node_inputs: u64,
    pub enterprises: u64,
    pub enterprise_nodes: u64,
    pub supply_relations: u64,
    pub listings: u64,
}

#[derive(Serialize, ToSchema)]
pub struct RegionDto {
    /// 6-digit division code.
    pub code: String,
    pub name_zh: String,
    pub name_en: String,
    pub parent_code: Option<String>,
    /// province, city or district.
    pub level: String,
}

impl From<&Region> for RegionDto {
    fn from(r: &Region) -> Self {
        RegionDto {
            code: r.code.to_string(),
            name_zh: r.name_zh.clone(),
            name_en: r.name_en.clone(),
            parent_code: r.parent.map(|p| p.to_string()),
            level: r.level.to_string(),
        }
    }
}

#[derive(Serialize, ToSchema)]
pub struct ChainSummaryDto {
    pub chain: ChainDto,
    pub nodes: u64,
    /// Distinct enterprises in the chain (in the region, if one was given).
    pub enterprises: u64,
    /// Total output; null for roles that may not read business figures.
    pub output_fen: Option<i64>,
}

#[derive(Serialize, ToSchema)]
pub struct NodeRefDto {
    pub id: i64,
    pub chain_id: i64,
    pub code: String,
    pub name_zh: String,
    pub name_en: String,
}

impl From<&NodeRef> for NodeRefDto {
    fn from(n: &NodeRef) -> Self {
        NodeRefDto {
            id: n.id.0,
            chain_id: n.chain.0,
            code: n.code.clone(),
            name_zh: n.name_zh.clone(),
            name_en: n.name_en.clone(),
        }
    }
}

#[derive(Serialize, ToSchema)]
pub struct MapNodeDto {
    pub node: NodeDto,
    /// Enterprises operating in the node (in the region, if one was given).
    pub enterprises: u64,
    /// Null for roles that may not read business figures.
    pub output_fen: Option<i64>,
    pub capacity_fen: Option<i64>,
}

#[derive(Serialize, ToSchema)]
pub struct NodeInputDto {
    pub input_node_id: i64,
    pub output_node_id: i64,
}

#[derive(Serialize, ToSchema)]
pub struct ChainMapDto {
    pub chain: ChainDto,
    pub region: Option<RegionDto>,
    /// Nodes from upstream to downstream.
    pub nodes: Vec<MapNodeDto>,
    pub inputs: Vec<NodeInputDto>,
}

impl ChainMapDto {
    /// The map as a viewer may see it: output and capacity only for those who may read
    /// business figures (in a region with one producer, a node total is that firm's figure).
    pub fn for_viewer(map: &view::ChainMap, show_values: bool) -> Self {
        let value = |fen: i64| show_values.then_some(fen);
        ChainMapDto {
            chain: (&map.chain).into(),
            region: map.region.as_ref().map(Into::into),
            nodes: map
                .nodes
                .iter()
                .map(|(n, p)| MapNodeDto {
                    node: n.into(),
                    enterprises: p.enterprises,
                    output_fen: value(p.output.fen()),
                    capacity_fen: value(p.capacity.fen()),
                })
                .collect(),
            inputs: map
                .inputs
                .iter()
                .map(|i| NodeInputDto {
                    input_node_id: i.input.0,
                    output_node_id: i.output.0,
                })
                .collect(),
        }
    }
}

#[derive(Serialize, ToSchema)]
pub struct NodeDetailDto {
    pub node: NodeDto,
    pub chain: ChainDto,
    /// Nodes whose products this node buys.
    pub inputs: Vec<NodeRefDto>,
    /// Nodes that buy this node's products.
    pub outputs: Vec<NodeRefDto>,
}

#[derive(Serialize, ToSchema)]
pub struct EnterpriseRefDto {
    pub id: i64,
    pub name_zh: String,
    pub name_en: String,
    pub region_code: String,
    pub tags: Vec<String>,
}

impl From<&EnterpriseRef> for EnterpriseRefDto {
    fn from(e: &EnterpriseRef) -> Self {
        EnterpriseRefDto {
            id: e.id.0,
            name_zh: e.name_zh.clone(),
            name_en: e.name_en.clone(),
            region_code: e.region.to_string(),
            tags: tag_names(e.tags),
        }
    }
}

#[derive(Serialize, ToSchema)]
pub struct EnterpriseInNodeDto {
    pub enterprise: EnterpriseRefDto,
    /// Null unless the viewer may see this enterprise's figures.
    pub output_fen: Option<i64>,
    pub capacity_fen: Option<i64>,
}

#[derive(Serialize, ToSchema)]
pub struct EnterprisePageDto {
    pub total: u64,
    pub limit: u32,
    pub offset: u32,
    pub items: Vec<EnterpriseInNodeDto>,
}

#[derive(Serialize, ToSchema)]
pub struct EnterpriseSearchDto {
    pub total: u64,
    pub limit: u32,
    pub offset: u32,
    pub items: Vec<EnterpriseRefDto>,
}

#[derive(Serialize, ToSchema)]
pub struct EnterpriseNodeDto {
    pub node: NodeRefDto,
    /// Null unless the viewer may see this enterprise's figures.
    pub output_fen: Option<i64>,
    pub capacity_fen: Option<i64>,
}

#[derive(Serialize, ToSchema)]
pub struct EnterpriseDto {
    pub id: i64,
    pub credit_code: String,
    pub name_zh: String,
    pub name_en: String,
    pub region_code: String,
    /// large, medium, small or micro.
    pub size: String,
    pub tags: Vec<String>,
    /// Null unless the viewer may see this enterprise's figures.
    pub revenue_fen: Option<i64>,
    pub employees: u32,
    pub source: String,
    pub nodes: Vec<EnterpriseNodeDto>,
}

#[derive(Serialize, ToSchema)]
pub struct SupplyLinkDto {
    pub relation_id: i64,
    /// The enterprise on the other side of the relation.
    pub counterpart: EnterpriseRefDto,
    pub node: NodeRefDto,
    pub annual_value_fen: i64,
}

impl From<&SupplyLink> for SupplyLinkDto {
    fn from(l: &SupplyLink) -> Self {
        SupplyLinkDto {
            relation_id: l.relation.0,
            counterpart: (&l.counterpart).into(),
            node: (&l.node).into(),
            annual_value_fen: l.annual_value.fen(),
        }
    }
}

#[derive(Serialize, ToSchema)]
pub struct MeDto {
    pub username: String,
    /// admin, analyst or enterprise.
    pub role: String,
    pub enterprise_id: Option<i64>,
}

#[derive(Serialize, ToSchema)]
pub struct AuditEntryDto {
    pub id: i64,
    /// Unix seconds, UTC.
    pub at: i64,
    pub actor: String,
    pub user_id: Option<i64>,
    pub address: String,
    pub action: String,
    pub entity: String,
    pub entity_id: String,
    /// JSON of the record before the change.
    pub before: Option<String>,
    /// JSON of the record after the change.
    pub after: Option<String>,
}

#[derive(Serialize, ToSchema)]
pub struct AuditPageDto {
    pub total: u64,
    pub limit: u32,
    pub offset: u32,
    pub items: Vec<AuditEntryDto>,
}

#[derive(Serialize, ToSchema)]
pub struct SupplyLinkPageDto {
    pub total: u64,
    pub limit: u32,
    pub offset: u32,
    pub items: Vec<SupplyLinkDto>,
}

fn param<'a>(params: &'a Params, name: &str) -> Option<&'a str> {
    params.get(name).map(String::as_str)
}

/// A numeric parameter, if given. Unlike pages (whose forms send empty fields), the API
/// treats `limit=` as a mistake, as its document says.
fn number<'a>(params: &'a Params, name: &str) -> Result<Option<&'a str>, AppError> {
    match param(params, name) {
        Some(v) if v.trim().is_empty() => Err(AppError::BadRequest(format!(
            "parameter {name} is empty, expected a whole number"
        ))),
        other => Ok(other),
    }
}

fn paging(params: &Params) -> Result<(u32, u32), AppError> {
    let limit = view::parse_count("limit", number(params, "limit")?, 50, 0..=MAX_LIMIT)?;
    let offset = view::parse_count("offset", number(params, "offset")?, 0, 0..=i32::MAX as u32)?;
    Ok((limit, offset))
}

#[utoipa::path(get, path = "/api/v1/stats", tag = "atlas",
    responses((status = 401, description = "Not signed in and no valid API token", body = ErrorBody),
        (status = 200, description = "Records of each kind", body = StatsDto)))]
async fn stats(State(state): State<AppState>) -> ApiResult<StatsDto> {
    let caches = state.app.caches.clone();
    let c = state
        .read(move |store| Ok(caches.overview(store)?.counts))
        .await?;
    Ok(Json(StatsDto {
        regions: c.regions,
        chains: c.chains,
        chain_nodes: c.chain_nodes,
        node_inputs: c.node_inputs,
        enterprises: c.enterprises,
        enterprise_nodes: c.enterprise_nodes,
        supply_relations: c.supply_relations,
        listings: c.listings,
    }))
}

#[utoipa::path(get, path = "/api/v1/regions", tag = "atlas",
    responses((status = 401, description = "Not signed in and no valid API token", body = ErrorBody),
        (status = 200, description = "All regions, by code", body = [RegionDto])))]
async fn regions(State(state): State<AppState>) -> ApiResult<Vec<RegionDto>> {
    let regions = state.read(|store| Ok(store.regions()?)).await?;
    Ok(Json(regions.iter().map(Into::into).collect()))
}

#[utoipa::path(get, path = "/api/v1/chains", tag = "atlas",
    params(("region" = Option<String>, Query, pattern = r"^((1[1-5]|2[1-3]|3[1-7]|4[1-6]|5[0-4]|6[1-5]|71|8[12])[0-9]{4})?$", description = "6-digit division code: count only enterprises in this region; empty for all")),
    responses((status = 401, description = "Not signed in and no valid API token", body = ErrorBody),
        (status = 200, description = "Every chain with its size", body = [ChainSummaryDto]),
        (status = 400, description = "Malformed parameter", body = ErrorBody),
        (status = 404, description = "Unknown region", body = ErrorBody)))]
async fn chains(
    State(state): State<AppState>,
    viewer: Viewer,
    params: Params,
) -> ApiResult<Vec<ChainSummaryDto>> {
    let show_values = viewer.may(Permission::ReadAllPrivateData);
    let region = view::parse_region(param(&params, "region"))?;
    let caches = state.app.caches.clone();
    let summaries = state
        .read(move |store| {
            view::region(store, region)?;
            caches.chain_summaries(store, region)
        })
        .await?;
    Ok(Json(
        summaries
            .iter()
            .map(|s| ChainSummaryDto {
                chain: (&s.chain).into(),
                nodes: s.nodes,
                enterprises: s.enterprises,
                output_fen: show_values.then_some(s.output.fen()),
            })
            .collect(),
    ))
}

#[utoipa::path(get, path = "/api/v1/chains/{code}/map", tag = "atlas",
    params(("code" = String, Path, description = "Chain code, e.g. rail"),
        ("region" = Option<String>, Query, pattern = r"^((1[1-5]|2[1-3]|3[1-7]|4[1-6]|5[0-4]|6[1-5]|71|8[12])[0-9]{4})?$", description = "6-digit division code; empty for all regions")),
    responses((status = 401, description = "Not signed in and no valid API token", body = ErrorBody),
        (status = 200, description = "The chain's nodes with enterprise counts and output, and its input links", body = ChainMapDto),
        (status = 400, description = "Malformed parameter", body = ErrorBody),
        (status = 404, description = "Unknown chain or region", body = ErrorBody)))]
async fn chain_map(
    State(state): State<AppState>,
    viewer: Viewer,
    Path(code): Path<String>,
    params: Params,
) -> ApiResult<ChainMapDto> {
    let region = view::parse_region(param(&params, "region"))?;
    let map = state
        .read(move |store| view::chain_map(store, &code, region))
        .await?;
    Ok(Json(ChainMapDto::for_viewer(
        &map,
        viewer.may(Permission::ReadAllPrivateData),
    )))
}

#[utoipa::path(get, path = "/api/v1/nodes/{id}", tag = "atlas",
    params(("id" = i64, Path, minimum = 1, description = "Node id")),
    responses((status = 401, description = "Not signed in and no valid API token", body = ErrorBody),
        (status = 200, description = "A chain node with its neighbours", body = NodeDetailDto),
        (status = 400, description = "Malformed id", body = ErrorBody),
        (status = 404, description = "Unknown node", body = ErrorBody)))]
async fn node(State(state): State<AppState>, Path(id): Path<String>) -> ApiResult<NodeDetailDto> {
    let id = view::parse_id("node", &id)?;
    let d = state
        .read(move |store| view::node_detail(store, id))
        .await?;
    Ok(Json(NodeDetailDto {
        node: (&d.node).into(),
        chain: (&d.chain).into(),
        inputs: d.inputs.iter().map(Into::into).collect(),
        outputs: d.outputs.iter().map(Into::into).collect(),
    }))
}

#[utoipa::path(get, path = "/api/v1/nodes/{id}/enterprises", tag = "atlas",
    params(("id" = i64, Path, minimum = 1, description = "Node id"),
        ("region" = Option<String>, Query, pattern = r"^((1[1-5]|2[1-3]|3[1-7]|4[1-6]|5[0-4]|6[1-5]|71|8[12])[0-9]{4})?$", description = "6-digit division code; empty for all regions"),
        ("limit" = Option<u32>, Query, minimum = 0, maximum = 500, description = "At most 500; default 50"),
        ("offset" = Option<u32>, Query, minimum = 0, maximum = 2147483647, description = "Rows to skip")),
    responses((status = 401, description = "Not signed in and no valid API token", body = ErrorBody),
        (status = 200, description = "Enterprises in the node: largest output first for staff, by id for enterprise users", body = EnterprisePageDto),
        (status = 400, description = "Malformed parameter", body = ErrorBody),
        (status = 404, description = "Unknown node or region", body = ErrorBody)))]
async fn node_enterprises(
    State(state): State<AppState>,
    viewer: Viewer,
    Path(id): Path<String>,
    params: Params,
) -> ApiResult<EnterprisePageDto> {
    let id = view::parse_id("node", &id)?;
    let region = view::parse_region(param(&params, "region"))?;
    let (limit, offset) = paging(&params)?;
    let order = view::enterprise_order(&viewer);
    let page = state
        .read(move |store| {
            view::node_detail(store, id)?;
            view::region(store, region)?;
            Ok(store.node_enterprises(
                chainatlas_model::NodeId(id),
                region,
                order,
                limit,
                offset,
            )?)
        })
        .await?;
    Ok(Json(EnterprisePageDto {
        total: page.total,
        limit,
        offset,
        items: page
            .items
            .iter()
            .map(|r| EnterpriseInNodeDto {
                enterprise: (&r.item).into(),
                output_fen: viewer.may_see_private(r.item.id).then_some(r.output.fen()),
                capacity_fen: viewer
                    .may_see_private(r.item.id)
                    .then_some(r.capacity.fen()),
            })
            .collect(),
    }))
}

#[utoipa::path(get, path = "/api/v1/enterprises", tag = "atlas",
    params(("q" = Option<String>, Query, description = "Part of the Chinese or English name, or a whole credit code"),
        ("region" = Option<String>, Query, pattern = r"^((1[1-5]|2[1-3]|3[1-7]|4[1-6]|5[0-4]|6[1-5]|71|8[12])[0-9]{4})?$", description = "6-digit division code; empty for all regions"),
        ("limit" = Option<u32>, Query, minimum = 0, maximum = 500, description = "At most 500; default 50"),
        ("offset" = Option<u32>, Query, minimum = 0, maximum = 2147483647, description = "Rows to skip")),
    responses((status = 401, description = "Not signed in and no valid API token", body = ErrorBody),
        (status = 200, description = "Matching enterprises by id", body = EnterpriseSearchDto),
        (status = 400, description = "Malformed parameter", body = ErrorBody),
        (status = 404, description = "Unknown region", body = ErrorBody)))]
async fn enterprises(
    State(state): State<AppState>,
    params: Params,
) -> ApiResult<EnterpriseSearchDto> {
    let region = view::parse_region(param(&params, "region"))?;
    let (limit, offset) = paging(&params)?;
    let q = param(&params, "q").unwrap_or("").trim().to_string();
    let page = state
        .read(move |store| {
            view::region(store, region)?;
            Ok(store.search_enterprises(&q, region, limit, offset)?)
        })
        .await?;
    Ok(Json(EnterpriseSearchDto {
        total: page.total,
        limit,
        offset,
        items: page.items.iter().map(Into::into).collect(),
    }))
}

#[utoipa::path(get, path = "/api/v1/enterprises/{id}", tag = "atlas",
    params(("id" = i64, Path, minimum = 1, description = "Enterprise id")),
    responses((status = 401, description = "Not signed in and no valid API token", body = ErrorBody),
        (status = 200, description = "An enterprise and the nodes it operates in", body = EnterpriseDto),
        (status = 400, description = "Malformed id", body = ErrorBody),
        (status = 404, description = "Unknown enterprise", body = ErrorBody)))]
async fn enterprise(
    State(state): State<AppState>,
    viewer: Viewer,
    Path(id): Path<String>,
) -> ApiResult<EnterpriseDto> {
    let id = view::parse_id("enterprise", &id)?;
    let d = state
        .read(move |store| view::enterprise_detail(store, id, 0))
        .await?;
    let e = &d.enterprise;
    let private = viewer.may_see_private(e.id);
    Ok(Json(EnterpriseDto {
        id: e.id.0,
        credit_code: e.credit_code.to_string(),
        name_zh: e.name_zh.clone(),
        name_en: e.name_en.clone(),
        region_code: e.region.to_string(),
        size: e.size.to_string(),
        tags: tag_names(e.tags),
        revenue_fen: private.then_some(e.revenue.fen()),
        employees: e.employees,
        source: e.source.clone(),
        nodes: d
            .nodes
            .iter()
            .map(|n| EnterpriseNodeDto {
                node: (&n.item).into(),
                output_fen: private.then_some(n.output.fen()),
                capacity_fen: private.then_some(n.capacity.fen()),
            })
            .collect(),
    }))
}

fn link_page(page: Page<SupplyLink>, limit: u32, offset: u32) -> SupplyLinkPageDto {
    SupplyLinkPageDto {
        total: page.total,
        limit,
        offset,
        items: page.items.iter().map(Into::into).collect(),
    }
}

#[utoipa::path(get, path = "/api/v1/enterprises/{id}/suppliers", tag = "atlas",
    params(("id" = i64, Path, minimum = 1, description = "Enterprise id"),
        ("limit" = Option<u32>, Query, minimum = 0, maximum = 500, description = "At most 500; default 50"),
        ("offset" = Option<u32>, Query, minimum = 0, maximum = 2147483647, description = "Rows to skip")),
    responses((status = 401, description = "Not signed in and no valid API token", body = ErrorBody),
        (status = 200, description = "Who supplies the enterprise, largest value first", body = SupplyLinkPageDto),
        (status = 403, description = "Another enterprise's relations", body = ErrorBody),
        (status = 400, description = "Malformed parameter", body = ErrorBody),
        (status = 404, description = "Unknown enterprise", body = ErrorBody)))]
async fn suppliers(
    State(state): State<AppState>,
    viewer: Viewer,
    Path(id): Path<String>,
    params: Params,
) -> ApiResult<SupplyLinkPageDto> {
    links(state, viewer, id, params, true).await
}

#[utoipa::path(get, path = "/api/v1/enterprises/{id}/buyers", tag = "atlas",
    params(("id" = i64, Path, minimum = 1, description = "Enterprise id"),
        ("limit" = Option<u32>, Query, minimum = 0, maximum = 500, description = "At most 500; default 50"),
        ("offset" = Option<u32>, Query, minimum = 0, maximum = 2147483647, description = "Rows to skip")),
    responses((status = 401, description = "Not signed in and no valid API token", body = ErrorBody),
        (status = 200, description = "Whom the enterprise supplies, largest value first", body = SupplyLinkPageDto),
        (status = 403, description = "Another enterprise's relations", body = ErrorBody),
        (status = 400, description = "Malformed parameter", body = ErrorBody),
        (status = 404, description = "Unknown enterprise", body = ErrorBody)))]
async fn buyers(
    State(state): State<AppState>,
    viewer: Viewer,
    Path(id): Path<String>,
    params: Params,
) -> ApiResult<SupplyLinkPageDto> {
    links(state, viewer, id, params, false).await
}

async fn links(
    state: AppState,
    viewer: Viewer,
    id: String,
    params: Params,
    suppliers: bool,
) -> ApiResult<SupplyLinkPageDto> {
    let id = view::parse_id("enterprise", &id)?;
    let (limit, offset) = paging(&params)?;
    if !viewer.may_see_private(chainatlas_model::EnterpriseId(id)) {
        return Err(AppError::Forbidden(
            "supply relations are visible only to the enterprise itself and to chain office staff"
                .into(),
        )
        .into());
    }
    let page = state
        .read(move |store| {
            let id = chainatlas_model::EnterpriseId(id);
            if store.enterprise(id)?.is_none() {
                return Err(AppError::NotFound(format!("no enterprise with id {id}")));
            }
            Ok(if suppliers {
                store.suppliers_of(id, limit, offset)?
            } else {
                store.buyers_of(id, limit, offset)?
            })
        })
        .await?;
    Ok(Json(link_page(page, limit, offset)))
}

#[utoipa::path(get, path = "/api/v1/me", tag = "accounts",
    responses((status = 401, description = "Not signed in and no valid API token", body = ErrorBody),
        (status = 200, description = "Who is asking", body = MeDto)))]
async fn me(viewer: Viewer) -> ApiResult<MeDto> {
    let p = viewer
        .viewer
        .principal
        .ok_or_else(|| AppError::Internal("the guard let an anonymous request through".into()))?;
    Ok(Json(MeDto {
        username: p.username,
        role: p.role.as_str().into(),
        enterprise_id: p.enterprise.map(|e| e.0),
    }))
}

/// Runs a diagnostics request for an analyst: parse, load the cached graph, analyse.
async fn analyse<T: Send + 'static>(
    state: &AppState,
    viewer: &Viewer,
    raw: Option<String>,
    run: impl FnOnce(
            &chainatlas_store::Store,
            &chainatlas_app::cache::Caches,
            &diagnostics::DiagnosticsQuery,
        ) -> Result<T, AppError>
        + Send
        + 'static,
) -> ApiResult<T> {
    viewer.require(Permission::Analyse)?;
    let caches = state.app.caches.clone();
    let result = state
        .read(move |store| {
            let query = diagnostics::DiagnosticsQuery::parse(raw.as_deref(), false);
            run(store, &caches, &query)
        })
        .await?;
    Ok(Json(result))
}

#[utoipa::path(get, path = "/api/v1/chains/{code}/diagnosis", tag = "diagnostics",
    params(("code" = String, Path, description = "Chain code, e.g. rail"),
        ("region" = String, Query, pattern = r"^(1[1-5]|2[1-3]|3[1-7]|4[1-6]|5[0-4]|6[1-5]|71|8[12])[0-9]{4}$", description = "6-digit division code of a province, city or district"),
        ("weak_below" = Option<f64>, Query, minimum = 0, description = "Location quotient below which a node is weak; default 0.5"),
        ("strong_from" = Option<f64>, Query, minimum = 0, description = "Location quotient from which a node is strong; default 1.5"),
        ("limit" = Option<u32>, Query, minimum = 0, maximum = 500, description = "Rows of each enterprise list; default 20")),
    responses((status = 401, description = "Not signed in and no valid API token", body = ErrorBody),
        (status = 200, description = "Node coverage, short boards, supporting rates and dependencies", body = diagnostics::DiagnosisDto),
        (status = 400, description = "Malformed or missing parameter", body = ErrorBody),
        (status = 403, description = "Role may not run analyses (enterprise accounts)", body = ErrorBody),
        (status = 404, description = "Unknown chain or region", body = ErrorBody)))]
async fn diagnosis(
    State(state): State<AppState>,
    viewer: Viewer,
    Path(code): Path<String>,
    RawQuery(raw): RawQuery,
) -> ApiResult<diagnostics::DiagnosisDto> {
    analyse(&state, &viewer, raw, move |store, caches, q| {
        let region = q.required_region()?;
        let (thresholds, limit) = (q.thresholds()?, q.count("limit", 20, MAX_LIMIT)?);
        let graph = caches.graph(store)?;
        diagnostics::diagnosis(store, &graph, &code, region, thresholds, limit)
    })
    .await
}

/// A 6-digit division code, as a list item of a query parameter.
struct RegionCodeParam;

impl utoipa::PartialSchema for RegionCodeParam {
    fn schema() -> utoipa::openapi::RefOr<utoipa::openapi::schema::Schema> {
        utoipa::openapi::ObjectBuilder::new()
            .schema_type(utoipa::openapi::schema::Type::String)
            .pattern(Some(
                r"^(1[1-5]|2[1-3]|3[1-7]|4[1-6]|5[0-4]|6[1-5]|71|8[12])[0-9]{4}$",
            ))
            .into()
    }
}

impl ToSchema for RegionCodeParam {}

#[utoipa::path(get, path = "/api/v1/chains/{code}/disruption", tag = "diagnostics",
    params(("code" = String, Path, description = "Chain code, e.g. rail"),
        ("enterprise" = Option<Vec<i64>>, Query, explode = true, description = "Enterprise ids to remove (repeat the key or separate with commas)"),
        ("region" = Option<Vec<RegionCodeParam>>, Query, explode = true, description = "Division codes whose enterprises to remove"),
        ("node" = Option<Vec<i64>>, Query, explode = true, description = "Node ids of the chain to remove"),
        ("fraction" = Option<f64>, Query, minimum = 0, exclusive_minimum = 0, maximum = 1, description = "Share of the selected capacity removed; default 1"),
        ("limit" = Option<u32>, Query, minimum = 0, maximum = 500, description = "Rows of the enterprise and alternative lists; default 20")),
    responses((status = 401, description = "Not signed in and no valid API token", body = ErrorBody),
        (status = 200, description = "The loss, where it fell, how far it travelled, and alternatives; removing nothing loses nothing", body = diagnostics::DisruptionDto),
        (status = 400, description = "Malformed parameter", body = ErrorBody),
        (status = 403, description = "Role may not run analyses (enterprise accounts)", body = ErrorBody),
        (status = 404, description = "Unknown chain, node, region or enterprise", body = ErrorBody)))]
async fn disruption(
    State(state): State<AppState>,
    viewer: Viewer,
    Path(code): Path<String>,
    RawQuery(raw): RawQuery,
) -> ApiResult<diagnostics::DisruptionDto> {
    analyse(&state, &viewer, raw, move |store, caches, q| {
        let (shock, limit) = (q.shock()?, q.count("limit", 20, MAX_LIMIT)?);
        let graph = caches.graph(store)?;
        diagnostics::disruption(store, &graph, &code, &shock, limit)
    })
    .await
}

#[utoipa::path(get, path = "/api/v1/chains/{code}/chokepoints", tag = "diagnostics",
    params(("code" = String, Path, description = "Chain code, e.g. rail"),
        ("region" = Option<String>, Query, pattern = r"^(1[1-5]|2[1-3]|3[1-7]|4[1-6]|5[0-4]|6[1-5]|71|8[12])[0-9]{4}$", description = "Only candidates in this region; leave out for all"),
        ("top" = Option<u32>, Query, minimum = 0, maximum = 500, description = "Enterprises to rank; default 20")),
    responses((status = 401, description = "Not signed in and no valid API token", body = ErrorBody),
        (status = 200, description = "Enterprises and nodes whose failure alone loses the most output downstream", body = diagnostics::ChokepointsDto),
        (status = 400, description = "Malformed parameter", body = ErrorBody),
        (status = 403, description = "Role may not run analyses (enterprise accounts)", body = ErrorBody),
        (status = 404, description = "Unknown chain or region", body = ErrorBody)))]
async fn chokepoints(
    State(state): State<AppState>,
    viewer: Viewer,
    Path(code): Path<String>,
    RawQuery(raw): RawQuery,
) -> ApiResult<diagnostics::ChokepointsDto> {
    analyse(&state, &viewer, raw, move |store, caches, q| {
        let (region, top) = (q.region()?, q.count("top", 20, MAX_LIMIT)?);
        let ranking = caches.chokepoints(store, &code, region, top)?;
        Ok(std::sync::Arc::unwrap_or_clone(ranking))
    })
    .await
}

#[utoipa::path(get, path = "/api/v1/chains/{code}/attraction", tag = "diagnostics",
    params(("code" = String, Path, description = "Chain code, e.g. rail"),
        ("region" = String, Query, pattern = r"^(1[1-5]|2[1-3]|3[1-7]|4[1-6]|5[0-4]|6[1-5]|71|8[12])[0-9]{4}$", description = "6-digit division code"),
        ("weak_below" = Option<f64>, Query, minimum = 0, description = "As for the diagnosis"),
        ("strong_from" = Option<f64>, Query, minimum = 0, description = "As for the diagnosis"),
        ("limit" = Option<u32>, Query, minimum = 0, maximum = 500, description = "Targets per short board; default 10")),
    responses((status = 401, description = "Not signed in and no valid API token", body = ErrorBody),
        (status = 200, description = "For each short board, outside enterprises that could fill it, with reasons", body = diagnostics::AttractionDto),
        (status = 400, description = "Malformed or missing parameter", body = ErrorBody),
        (status = 403, description = "Role may not run analyses (enterprise accounts)", body = ErrorBody),
        (status = 404, description = "Unknown chain or region", body = ErrorBody)))]
async fn attraction(
    State(state): State<AppState>,
    viewer: Viewer,
    Path(code): Path<String>,
    RawQuery(raw): RawQuery,
) -> ApiResult<diagnostics::AttractionDto> {
    analyse(&state, &viewer, raw, move |store, caches, q| {
        let region = q.required_region()?;
        let (thresholds, limit) = (q.thresholds()?, q.count("limit", 10, MAX_LIMIT)?);
        let graph = caches.graph(store)?;
        diagnostics::attraction(store, &graph, &code, region, thresholds, limit)
    })
    .await
}

#[utoipa::path(get, path = "/api/v1/audit", tag = "accounts",
    params(("limit" = Option<u32>, Query, minimum = 0, maximum = 500, description = "At most 500; default 50"),
        ("offset" = Option<u32>, Query, minimum = 0, maximum = 2147483647, description = "Rows to skip")),
    responses((status = 401, description = "Not signed in and no valid API token", body = ErrorBody),
        (status = 200, description = "The audit log, newest first", body = AuditPageDto),
        (status = 400, description = "Malformed parameter", body = ErrorBody),
        (status = 403, description = "Not an administrator", body = ErrorBody)))]
async fn audit(
    State(state): State<AppState>,
    viewer: Viewer,
    params: Params,
) -> ApiResult<AuditPageDto> {
    viewer.require(Permission::ManageUsers)?;
    let (limit, offset) = paging(&params)?;
    let log = state
        .read(move |store| Ok(store.audit_log(limit, offset)?))
        .await?;
    Ok(Json(AuditPageDto {
        total: log.total,
        limit,
        offset,
        items: log
            .items
            .into_iter()
            .map(|e| AuditEntryDto {
                id: e.id,
                at: e.actor.at,
                actor: e.actor.name,
                user_id: e.actor.user_id,
                address: e.actor.address,
                action: e.change.action,
                entity: e.change.entity,
                entity_id: e.change.entity_id,
                before: e.change.before,
                after: e.change.after,
            })
            .collect(),
    }))
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
