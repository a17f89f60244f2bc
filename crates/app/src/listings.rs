//! Listings in the web app and the API: who may write which, how input is checked, how a
//! search query is read, and what a viewer sees of a listing and of its matches.
//!
//! Every signed-in user may browse listings: publishing them is the point. A listing's
//! price (budget or asking price) is private to its enterprise and to staff. Enterprise
//! users write listings of their own enterprise only; analysts and admins write any.

use std::sync::Arc;

use chainatlas_auth::{Permission, Principal};
use chainatlas_matching::{Config, Filter, QueryText};
use chainatlas_model::{
    text, Date, EnterpriseId, Explain, Listing, ListingId, ListingKind, ListingSide, ListingStatus,
    Money, NodeId, RegionCode, Text,
};
use chainatlas_store::Store;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use crate::matchmaking::{self as mm, index_error, MatchDto, StoreAtlas};
use crate::problems::{too_long, Problems};
use crate::{App, AppError, ErrorCode, Viewer};

/// A listing as a viewer may see it.
#[derive(Clone, Debug, Serialize, ToSchema)]
pub struct ListingDto {
    pub id: i64,
    pub enterprise_id: i64,
    #[schema(example = "demand")]
    pub side: String,
    #[schema(example = "equipment")]
    pub kind: String,
    pub node_id: Option<i64>,
    pub title: String,
    pub description: String,
    pub quantity: Option<u64>,
    pub unit: String,
    /// Budget (demand) or asking price (supply) per unit, in fen; `null` unless the viewer
    /// belongs to the listing's enterprise or is staff.
    pub price_fen: Option<i64>,
    #[schema(example = "420100")]
    pub region_code: String,
    #[schema(example = "2026-12-31")]
    pub valid_until: Option<String>,
    /// `open`, `closed`, or `expired` (open, but past `valid_until`: no longer matched).
    #[schema(example = "open")]
    pub status: String,
    pub tags: Vec<String>,
    /// Whether the viewer may edit and close it.
    pub editable: bool,
}

impl ListingDto {
    /// The listing as `viewer` may see it on `today`: a listing still open past its
    /// validity reads `expired`.
    pub fn for_viewer(l: &Listing, viewer: Option<&Principal>, today: Date) -> ListingDto {
        let private = viewer.is_some_and(|p| p.may_see_private(l.enterprise));
        ListingDto {
            id: l.id.0,
            enterprise_id: l.enterprise.0,
            side: l.side.to_string(),
            kind: l.kind.to_string(),
            node_id: l.node.map(|n| n.0),
            title: l.title.clone(),
            description: l.description.clone(),
            quantity: l.quantity,
            unit: l.unit.clone(),
            price_fen: private.then(|| l.price.map(|p| p.fen())).flatten(),
            region_code: l.region.to_string(),
            valid_until: l.valid_until.map(|d| d.to_string()),
            status: if is_expired(l, today) {
                "expired".to_string()
            } else {
                l.status.to_string()
            },
            tags: l.tags.clone(),
            editable: viewer.is_some_and(|p| may_write(p, l.enterprise)),
        }
    }
}

/// Open, but past its validity: shown as expired and matched with nothing.
pub fn is_expired(l: &Listing, today: Date) -> bool {
    l.status == ListingStatus::Open && l.valid_until.is_some_and(|d| d < today)
}

/// One page of a listing search.
#[derive(Clone, Debug, Serialize, ToSchema)]
pub struct ListingPageDto {
    pub total: usize,
    pub limit: usize,
    pub offset: usize,
    pub items: Vec<ListingDto>,
}

/// Ranked counterparts of a listing.
#[derive(Clone, Debug, Serialize, ToSchema)]
pub struct MatchesDto {
    pub listing_id: i64,
    pub matches: Vec<MatchDto>,
}

/// A listing to create or replace. Prices are fen; dates `YYYY-MM-DD`.
#[derive(Clone, Debug, Default, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ListingInput {
    /// The publishing enterprise: an enterprise user's own (may be left out); required
    /// for staff.
    #[schema(minimum = 1)]
    pub enterprise_id: Option<i64>,
    #[schema(example = "demand")]
    pub side: String,
    #[schema(example = "equipment")]
    pub kind: String,
    #[schema(minimum = 1)]
    pub node_id: Option<i64>,
    #[schema(min_length = 1, max_length = 200, pattern = r"\S")]
    pub title: String,
    #[serde(default)]
    #[schema(max_length = 4000)]
    pub description: String,
    pub quantity: Option<u64>,
    #[serde(default)]
    pub unit: String,
    /// Budget or asking price per unit in fen (0.01 yuan).
    #[schema(minimum = 0)]
    pub price_fen: Option<i64>,
    #[schema(example = "420100")]
    pub region_code: String,
    #[schema(example = "2026-12-31")]
    pub valid_until: Option<String>,
    #[serde(default)]
    pub tags: Vec<String>,
}

/// Longest title and description accepted.
pub const MAX_TITLE: usize = 200;
pub const MAX_DESCRIPTION: usize = 4000;

/// Whether `p` may write listings of `enterprise` (decided in `chainatlas-auth`).
pub fn may_write(p: &Principal, enterprise: EnterpriseId) -> bool {
    p.may_act_for(enterprise)
}

fn principal(viewer: &Viewer) -> Result<&Principal, AppError> {
    viewer.principal.as_ref().ok_or_else(|| {
        AppError::new(
            ErrorCode::Unauthorized,
            text!("请先登录再发布供需信息", "sign in to publish listings"),
        )
    })
}

impl ListingInput {
    /// The enterprise that publishes the listing: its own for an enterprise account (it may
    /// name no other), the one named for staff; a missing or unknown one goes to `bad`.
    fn publisher(
        &self,
        store: &Store,
        p: &Principal,
        bad: &mut Problems,
    ) -> Result<Option<EnterpriseId>, AppError> {
        let enterprise = match (self.enterprise_id, p.enterprise, p.may(Permission::Analyse)) {
            (Some(e), _, true) => Some(EnterpriseId(e)),
            (None, _, true) => {
                bad.bad(
                    "enterprise_id",
                    text!(
                        "未填写，应为发布企业的编号",
                        "is missing, expected the id of the publishing enterprise"
                    ),
                );
                None
            }
            (given, Some(own), false) => {
                if given.is_some_and(|g| g != own.0) {
                    return Err(AppError::forbidden(text!(
                        "企业账号只能发布本企业的供需信息",
                        "an enterprise account publishes listings of its own enterprise only"
                    )));
                }
                Some(own)
            }
            (_, None, false) => return Err(AppError::not_bound()),
        };
        if let Some(e) = enterprise {
            if !store.enterprise_exists(e)? {
                let id = e.0;
                bad.bad(
                    "enterprise_id",
                    text!("没有编号为 {id} 的企业", "there is no enterprise {id}"),
                );
            }
        }
        Ok(enterprise)
    }

    /// Checks every field against the database; all problems in one message, each
    /// naming its field and what was expected.
    pub fn validate(
        &self,
        store: &Store,
        viewer: &Viewer,
        id: ListingId,
        status: ListingStatus,
    ) -> Result<Listing, AppError> {
        let p = principal(viewer)?;
        let mut problems = Problems::default();
        let enterprise = self.publisher(store, p, &mut problems)?;
        let side = self.side.parse::<ListingSide>();
        let kind = self.kind.parse::<ListingKind>();
        if let Err(e) = &side {
            problems.bad("side", e.explain());
        }
        if let Err(e) = &kind {
            problems.bad("kind", e.explain());
        }
        if let Some(n) = self.node_id {
            if store.node(NodeId(n))?.is_none() {
                problems.bad(
                    "node_id",
                    text!("没有编号为 {n} 的环节", "there is no chain node {n}"),
                );
            }
        }
        let title = self.title.trim().to_string();
        let title_chars = title.chars().count();
        if title.is_empty() {
            problems.bad(
                "title",
                text!("为空，应填写文字", "is empty, expected text"),
            );
        } else if title_chars > MAX_TITLE {
            problems.bad("title", too_long(title_chars, MAX_TITLE));
        }
        let description_chars = self.description.chars().count();
        if description_chars > MAX_DESCRIPTION {
            problems.bad("description", too_long(description_chars, MAX_DESCRIPTION));
        }
        if self.price_fen.is_some_and(|p| p < 0) {
            problems.bad(
                "price_fen",
                text!(
                    "为负数，应为 0 或以上的分（0.01 元）",
                    "is negative, expected fen (0.01 yuan), 0 or more"
                ),
            );
        }
        let region = match self.region_code.trim().parse::<RegionCode>() {
            Ok(r) => {
                if store.region(r)?.is_none() {
                    problems.bad(
                        "region_code",
                        text!("{r} 不是图谱中的地区", "{r} is not a region of the atlas"),
                    );
                }
                Some(r)
            }
            Err(e) => {
                problems.bad("region_code", e.explain());
                None
            }
        };
        let valid_until = match self
            .valid_until
            .as_deref()
            .map(str::trim)
            .filter(|s| !s.is_empty())
        {
            None => None,
            Some(s) => match s.parse::<Date>() {
                Ok(d) => Some(d),
                Err(e) => {
                    problems.bad("valid_until", e.explain());
                    None
                }
            },
        };
        let tags: Vec<String> = self
            .tags
            .iter()
            .map(|t| t.trim().to_string())
            .filter(|t| !t.is_empty())
            .collect();
        if tags.iter().any(|t| t.contains(';')) {
            problems.bad(
                "tags",
                text!("标签中不能含有“;”", "a tag may not contain ';'"),
            );
        }
        problems.finish(ErrorCode::InvalidListing)?;
        Ok(Listing {
            id,
            enterprise: enterprise.expect("checked"),
            side: side.expect("checked"),
            kind: kind.expect("checked"),
            node: self.node_id.map(NodeId),
            title,
            description: self.description.trim().to_string(),
            quantity: self.quantity,
            unit: self.unit.trim().to_string(),
            price: self.price_fen.map(Money::from_fen),
            region: region.expect("checked"),
            valid_until,
            status,
            tags,
        })
    }
}

/// What a listing search asks for, read from query parameters.
#[derive(Clone, Debug, Default)]
pub struct SearchQuery {
    pub text: String,
    pub side: Option<ListingSide>,
    pub kind: Option<ListingKind>,
    pub chain: Option<String>,
    pub node: Option<NodeId>,
    pub region: Option<RegionCode>,
    pub status: Option<ListingStatus>,
    /// Only listings still valid today.
    pub valid: bool,
    pub enterprise: Option<EnterpriseId>,
    pub limit: usize,
    pub offset: usize,
}

/// The query string of a listing search as sent, each parameter as text: read by
/// [`SearchQuery::parse`] with a precise message for each mistake, and written back for
/// the links of the next and previous pages.
#[derive(Clone, Debug, Default, Deserialize, Serialize)]
pub struct SearchParams {
    #[serde(default, skip_serializing_if = "blank")]
    pub q: Option<String>,
    #[serde(default, skip_serializing_if = "blank")]
    pub side: Option<String>,
    #[serde(default, skip_serializing_if = "blank")]
    pub kind: Option<String>,
    #[serde(default, skip_serializing_if = "blank")]
    pub chain: Option<String>,
    #[serde(default, skip_serializing_if = "blank")]
    pub node: Option<String>,
    #[serde(default, skip_serializing_if = "blank")]
    pub region: Option<String>,
    #[serde(default, skip_serializing_if = "blank")]
    pub status: Option<String>,
    #[serde(default, skip_serializing_if = "blank")]
    pub valid: Option<String>,
    #[serde(default, skip_serializing_if = "blank")]
    pub enterprise: Option<String>,
    #[serde(default, skip_serializing_if = "blank")]
    pub limit: Option<String>,
    #[serde(default, skip_serializing_if = "blank")]
    pub offset: Option<String>,
    /// `xlsx`: every listing found (up to the export limit) as a workbook.
    #[serde(default, skip_serializing_if = "blank")]
    pub format: Option<String>,
}

fn blank(value: &Option<String>) -> bool {
    value.as_deref().is_none_or(|v| v.trim().is_empty())
}

/// A parameter's text, trimmed, if not blank.
fn present(value: &Option<String>) -> Option<&str> {
    value.as_deref().map(str::trim).filter(|s| !s.is_empty())
}

fn parse_opt<T: std::str::FromStr>(
    name: &str,
    value: &Option<String>,
) -> Result<Option<T>, AppError>
where
    T::Err: Explain,
{
    match present(value) {
        None => Ok(None),
        Some(s) => s
            .parse()
            .map(Some)
            .map_err(|e: T::Err| AppError::parameter(e.explain().after(&Text::same(name)))),
    }
}

impl SearchParams {
    /// Whether the search is asked for as a workbook.
    pub fn workbook(&self) -> Result<bool, AppError> {
        crate::view::wants_workbook(self.format.as_deref())
    }
}

impl SearchQuery {
    pub fn parse(params: &SearchParams) -> Result<SearchQuery, AppError> {
        let count = |name: &str, value: &Option<String>, default: u32, max: u32| {
            crate::view::parse_count(name, value.as_deref(), default, 0..=max).map(|n| n as usize)
        };
        let id = |name: &str, value: &Option<String>| -> Result<Option<i64>, AppError> {
            present(value)
                .map(|s| crate::view::parse_id(name, s))
                .transpose()
        };
        let valid = match present(&params.valid) {
            None | Some("false") | Some("0") => false,
            Some("true") | Some("1") => true,
            Some(other) => {
                return Err(AppError::parameter(text!(
                    "参数 valid：“{other}”应为 true 或 false",
                    "parameter valid: '{other}' is not true or false"
                )))
            }
        };
        Ok(SearchQuery {
            text: present(&params.q).unwrap_or_default().to_string(),
            side: parse_opt("side", &params.side)?,
            kind: parse_opt("kind", &params.kind)?,
            chain: present(&params.chain).map(str::to_string),
            node: id("node", &params.node)?.map(NodeId),
            region: crate::view::parse_region_text(params.region.as_deref())?,
            status: parse_opt("status", &params.status)?,
            valid,
            enterprise: id("enterprise", &params.enterprise)?.map(EnterpriseId),
            limit: count("limit", &params.limit, 20, 100)?.max(1),
            offset: count("offset", &params.offset, 0, 100_000)?,
        })
    }
}

/// The query string of a listing's matches: how many, and score settings.
#[derive(Clone, Debug, Default, Deserialize)]
pub struct MatchParams {
    #[serde(default)]
    pub top: Option<String>,
    #[serde(default)]
    pub weights: Option<String>,
    /// `xlsx`: the matches as a workbook.
    #[serde(default)]
    pub format: Option<String>,
}

impl MatchParams {
    /// `top`: 1 to 100, default 20.
    pub fn top(&self) -> Result<usize, AppError> {
        Ok(crate::view::parse_count("top", self.top.as_deref(), 20, 1..=100)? as usize)
    }

    /// Whether the matches are asked for as a workbook.
    pub fn workbook(&self) -> Result<bool, AppError> {
        crate::view::wants_workbook(self.format.as_deref())
    }

    pub fn weights(&self) -> String {
        self.weights.clone().unwrap_or_default()
    }
}

/// Searches listings.
pub fn search(
    state: &App,
    store: &Store,
    q: &SearchQuery,
) -> Result<(Vec<Listing>, usize), AppError> {
    let m = state.matchmaker(store)?;
    let mut nodes = Vec::new();
    if let Some(code) = &q.chain {
        let chain = store
            .chain_by_code(code)?
            .ok_or_else(|| crate::view::chain_not_found(code))?;
        nodes = store
            .chain_nodes(chain.id)?
            .iter()
            .map(|n| n.id.0 as u64)
            .collect();
        if let Some(n) = q.node {
            nodes.retain(|id| *id == n.0 as u64);
            if nodes.is_empty() {
                nodes.push(u64::MAX); // a node outside the chain: nothing matches
            }
        }
    } else if let Some(n) = q.node {
        nodes.push(n.0 as u64);
    }
    let filter = Filter {
        side: q.side,
        kinds: q.kind.into_iter().collect(),
        nodes,
        region: q.region,
        status: q.status,
        // `open` means open today: an open listing past its validity is expired.
        valid_on: (q.valid || q.status == Some(ListingStatus::Open)).then(|| state.clock.today()),
        enterprise: q.enterprise.map(|e| e.0 as u64),
        exclude_enterprise: None,
    };
    let text = QueryText::typed(m.index().analysis(), &q.text);
    let (hits, total) = m
        .index()
        .search(&text, &filter, q.offset, q.limit)
        .map_err(index_error)?;
    // The database is the record: show the stored listing, not the index's copy.
    let mut listings = Vec::with_capacity(hits.len());
    for h in hits {
        if let Some(l) = store.listing(ListingId(h.entry.id as i64))? {
            listings.push(l);
        }
    }
    Ok((listings, total))
}

/// A listing, or 404.
pub fn listing(store: &Store, id: i64) -> Result<Listing, AppError> {
    store.listing(ListingId(id))?.ok_or_else(|| {
        AppError::new(
            ErrorCode::ListingNotFound,
            text!("没有编号为 {id} 的供需信息", "there is no listing {id}"),
        )
    })
}

/// Ranked counterparts of a listing, as `viewer` may see them.
pub fn matches(
    state: &App,
    store: &Store,
    listing: &Listing,
    viewer: Option<&Principal>,
    top: usize,
    weights: &str,
) -> Result<Vec<MatchDto>, AppError> {
    // A closed or expired listing gets no counterparts: `rank` refuses such a query.
    let mut config = Config::new(state.clock.today());
    config
        .apply(weights)
        .map_err(|e| AppError::parameter(e.after(&Text::same("weights"))))?;
    config.prices = mm::price_visibility(viewer);
    let m = state.matchmaker(store)?;
    let atlas: Arc<StoreAtlas> = state.caches.match_atlas(store)?;
    let ranked = m.matches(listing, atlas.as_ref(), &config, top)?;
    Ok(mm::match_dtos(
        &ranked,
        Some(listing.enterprise.0),
        viewer,
        atlas.as_ref(),
    ))
}

fn write_error(e: chainatlas_store::InsertError) -> AppError {
    match e {
        chainatlas_store::InsertError::Store(s) => AppError::from(s),
        other => AppError::new(ErrorCode::InvalidListing, other.explain()),
    }
}

/// Saves a changed listing, then brings the index up to the database.
fn save(
    state: &App,
    store: &mut Store,
    viewer: &Viewer,
    listing: &Listing,
) -> Result<(), AppError> {
    store
        .update_listing(&viewer.actor(), listing)
        .map_err(write_error)?;
    state.matchmaker(store)?;
    Ok(())
}

/// Creates a listing from input; the database gives it its id.
pub fn create(
    state: &App,
    store: &mut Store,
    viewer: &Viewer,
    input: &ListingInput,
) -> Result<Listing, AppError> {
    let mut listing = input.validate(store, viewer, ListingId(0), ListingStatus::Open)?;
    listing.id = store
        .create_listing(&viewer.actor(), &listing)
        .map_err(write_error)?;
    state.matchmaker(store)?;
    Ok(listing)
}

/// Replaces a listing with input, keeping its status and its enterprise.
pub fn update(
    state: &App,
    store: &mut Store,
    viewer: &Viewer,
    id: i64,
    input: &ListingInput,
) -> Result<Listing, AppError> {
    let old = listing(store, id)?;
    require_write(viewer, &old)?;
    if input.enterprise_id.is_some_and(|e| e != old.enterprise.0) {
        let owner = old.enterprise.0;
        return Err(AppError::new(
            ErrorCode::InvalidListing,
            text!(
                "enterprise_id：供需信息 {id} 属于企业 {owner}，其所属企业不能更改",
                "enterprise_id: listing {id} belongs to enterprise {owner}; a listing's enterprise does not change"
            ),
        ));
    }
    let mut input = input.clone();
    input.enterprise_id = Some(old.enterprise.0);
    let new = input.validate(store, viewer, old.id, old.status)?;
    save(state, store, viewer, &new)?;
    Ok(new)
}

/// Closes (or reopens) a listing.
pub fn set_status(
    state: &App,
    store: &mut Store,
    viewer: &Viewer,
    id: i64,
    status: ListingStatus,
) -> Result<Listing, AppError> {
    let mut l = listing(store, id)?;
    require_write(viewer, &l)?;
    l.status = status;
    save(state, store, viewer, &l)?;
    Ok(l)
}

/// The refusal of a change to another enterprise's listing.
pub fn not_editable() -> AppError {
    AppError::forbidden(text!(
        "只有发布企业和工作人员可以修改这条供需信息",
        "only the listing's enterprise and staff may change it"
    ))
}

fn require_write(viewer: &Viewer, l: &Listing) -> Result<(), AppError> {
    let p = principal(viewer)?;
    if may_write(p, l.enterprise) {
        Ok(())
    } else {
        Err(not_editable())
    }
}
