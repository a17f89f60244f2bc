//! The JSON API under `/api/v1/`, its wire types and its OpenAPI document. Money is
//! sent as integer fen (`*_fen`), codes as strings, so that no client rounds anything.

use crate::core::api::*;

use axum::extract::{Path, State};
use axum::routing::get;
use axum::{Json, Router};
use chainatlas_app::atlas::{tag_names, ChainDto, ChainMapDto, NodeDto, RegionDto};
use chainatlas_store::{EnterpriseRef, NodeRef, Page, SupplyLink};
use serde::Serialize;
use utoipa::ToSchema;

use crate::core::auth::Viewer;
use crate::core::error::AppError;
use crate::core::AppState;
use chainatlas_app::view::{self};
use chainatlas_auth::Permission;

pub fn routes() -> Router<AppState> {
    Router::new()
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
    /// Short and former names it is known by.
    pub other_names: Vec<String>,
    /// Contact details: null unless the viewer may see this enterprise's private data.
    pub address: Option<String>,
    pub phone: Option<String>,
    pub legal_representative: Option<String>,
    /// National industry code (GB/T 4754-2017, 2 to 4 digits), null when not known.
    pub industry_code: Option<String>,
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
pub struct SupplyLinkPageDto {
    pub total: u64,
    pub limit: u32,
    pub offset: u32,
    pub items: Vec<SupplyLinkDto>,
}

#[utoipa::path(get, path = "/api/v1/stats", tag = "atlas",
    responses((status = 401, description = "Not signed in and no valid API token", body = ErrorBody),
        (status = 200, description = "Records of each kind", body = StatsDto)))]
pub(crate) async fn stats(State(state): State<AppState>) -> ApiResult<StatsDto> {
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

/// `?q=` for a region picker.
#[derive(serde::Deserialize)]
pub(crate) struct RegionSearch {
    q: Option<String>,
    limit: Option<String>,
}

#[utoipa::path(get, path = "/api/v1/regions", tag = "atlas",
    params(("q" = Option<String>, Query, max_length = 100, description = "For a picker: part of the Chinese or English name, the start of its pinyin or initials (zz finds 株洲市), or the start of the code; without it, every region"),
        ("limit" = Option<u32>, Query, minimum = 1, maximum = 50, description = "With q: at most this many, best first; default 20")),
    responses((status = 401, description = "Not signed in and no valid API token", body = ErrorBody),
        (status = 200, description = "All regions by code, or with q the best matches first", body = [RegionDto]),
        (status = 400, description = "Malformed parameter", body = ErrorBody)))]
pub(crate) async fn regions(
    State(state): State<AppState>,
    Params(params): Params<RegionSearch>,
) -> ApiResult<Vec<RegionDto>> {
    let max = chainatlas_app::atlas::MAX_REGION_MATCHES as u32;
    let limit = view::parse_count("limit", params.limit.as_deref(), 20, 1..=max)? as usize;
    if let Some(q) = &params.q {
        view::check_text_length("q", q, chainatlas_app::search::MAX_QUERY_CHARS)?;
    }
    let caches = state.app.caches.clone();
    let index = state.read(move |store| caches.region_search(store)).await?;
    Ok(Json(match params.q.as_deref() {
        Some(q) => index.find(q, limit).into_iter().map(Into::into).collect(),
        None => index.all().map(Into::into).collect(),
    }))
}

#[utoipa::path(get, path = "/api/v1/chains", tag = "atlas",
    params(("region" = Option<RegionParam>, Query, description = "6-digit division code: count only enterprises in this region; empty for all")),
    responses((status = 401, description = "Not signed in and no valid API token", body = ErrorBody),
        (status = 200, description = "Every chain with its size", body = [ChainSummaryDto]),
        (status = 400, description = "Malformed parameter", body = ErrorBody),
        (status = 404, description = "Unknown region", body = ErrorBody)))]
pub(crate) async fn chains(
    State(state): State<AppState>,
    viewer: Viewer,
    Params(params): Params<ListQuery>,
) -> ApiResult<Vec<ChainSummaryDto>> {
    let show_values = viewer.may(Permission::ReadAllPrivateData);
    let region = params.region()?;
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
        ("region" = Option<RegionParam>, Query, description = "6-digit division code; empty for all regions")),
    responses((status = 401, description = "Not signed in and no valid API token", body = ErrorBody),
        (status = 200, description = "The chain's nodes with enterprise counts and output, and its input links", body = ChainMapDto),
        (status = 400, description = "Malformed parameter", body = ErrorBody),
        (status = 404, description = "Unknown chain or region", body = ErrorBody)))]
pub(crate) async fn chain_map(
    State(state): State<AppState>,
    viewer: Viewer,
    Path(code): Path<String>,
    Params(params): Params<ListQuery>,
) -> ApiResult<ChainMapDto> {
    let region = params.region()?;
    let caches = state.app.caches.clone();
    let map = state
        .read(move |store| view::chain_map(store, caches.graph(store)?.as_ref(), &code, region))
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
pub(crate) async fn node(
    State(state): State<AppState>,
    Path(id): Path<String>,
) -> ApiResult<NodeDetailDto> {
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
        ("region" = Option<RegionParam>, Query, description = "6-digit division code; empty for all regions"),
        ("limit" = Option<u32>, Query, minimum = 0, maximum = 500, description = "At most 500; default 50"),
        ("offset" = Option<u32>, Query, minimum = 0, maximum = 2147483647, description = "Rows to skip")),
    responses((status = 401, description = "Not signed in and no valid API token", body = ErrorBody),
        (status = 200, description = "Enterprises in the node: largest output first for staff, by id for enterprise users", body = EnterprisePageDto),
        (status = 400, description = "Malformed parameter", body = ErrorBody),
        (status = 404, description = "Unknown node or region", body = ErrorBody)))]
pub(crate) async fn node_enterprises(
    State(state): State<AppState>,
    viewer: Viewer,
    Path(id): Path<String>,
    Params(params): Params<ListQuery>,
) -> ApiResult<EnterprisePageDto> {
    let id = view::parse_id("node", &id)?;
    let region = params.region()?;
    let (limit, offset) = params.paging()?;
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
        ("region" = Option<RegionParam>, Query, description = "6-digit division code; empty for all regions"),
        ("limit" = Option<u32>, Query, minimum = 0, maximum = 500, description = "At most 500; default 50"),
        ("offset" = Option<u32>, Query, minimum = 0, maximum = 2147483647, description = "Rows to skip")),
    responses((status = 401, description = "Not signed in and no valid API token", body = ErrorBody),
        (status = 200, description = "Matching enterprises by id", body = EnterpriseSearchDto),
        (status = 400, description = "Malformed parameter", body = ErrorBody),
        (status = 404, description = "Unknown region", body = ErrorBody)))]
pub(crate) async fn enterprises(
    State(state): State<AppState>,
    Params(params): Params<ListQuery>,
) -> ApiResult<EnterpriseSearchDto> {
    let region = params.region()?;
    let (limit, offset) = params.paging()?;
    let q = params.text();
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
pub(crate) async fn enterprise(
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
        other_names: e.other_names.clone(),
        address: private.then(|| e.address.clone()),
        phone: private.then(|| e.phone.clone()),
        legal_representative: private.then(|| e.legal_representative.clone()),
        industry_code: e.industry.map(|c| c.to_string()),
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

pub(crate) fn link_page(page: Page<SupplyLink>, limit: u32, offset: u32) -> SupplyLinkPageDto {
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
pub(crate) async fn suppliers(
    State(state): State<AppState>,
    viewer: Viewer,
    Path(id): Path<String>,
    Params(params): Params<ListQuery>,
) -> ApiResult<SupplyLinkPageDto> {
    links(state, viewer, id, &params, true).await
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
pub(crate) async fn buyers(
    State(state): State<AppState>,
    viewer: Viewer,
    Path(id): Path<String>,
    Params(params): Params<ListQuery>,
) -> ApiResult<SupplyLinkPageDto> {
    links(state, viewer, id, &params, false).await
}

pub(crate) async fn links(
    state: AppState,
    viewer: Viewer,
    id: String,
    params: &ListQuery,
    suppliers: bool,
) -> ApiResult<SupplyLinkPageDto> {
    let id = view::parse_id("enterprise", &id)?;
    let (limit, offset) = params.paging()?;
    if !viewer.may_see_private(chainatlas_model::EnterpriseId(id)) {
        return Err(AppError::forbidden(chainatlas_app::text!(
            "供需关系只对企业本身和产业链办公室工作人员可见",
            "supply relations are visible only to the enterprise itself and to chain office staff"
        ))
        .into());
    }
    let page = state
        .read(move |store| {
            let id = chainatlas_model::EnterpriseId(id);
            if store.enterprise(id)?.is_none() {
                return Err(view::enterprise_not_found(id.0));
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
