//! Listings in the web app and the API: who may write which, how input is checked, how a
//! search query is read, and what a viewer sees of a listing and of its matches.
//!
//! Every signed-in user may browse listings: publishing them is the point. A listing's
//! price (budget or asking price) is private to its enterprise and to staff. Enterprise
//! users write listings of their own enterprise only; analysts and admins write any.

use std::collections::HashMap;
use std::sync::Arc;

use chainatlas_auth::{Permission, Principal};
use chainatlas_matching::{Config, Filter, QueryText};
use chainatlas_model::{
    Date, EnterpriseId, Listing, ListingId, ListingKind, ListingSide, ListingStatus, Money, NodeId,
    RegionCode,
};
use chainatlas_store::Store;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use crate::matchmaking::{self as mm, index_error, MatchDto, StoreAtlas};
use crate::App;
use crate::AppError;
use crate::Viewer;

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
    #[schema(example = "open")]
    pub status: String,
    pub tags: Vec<String>,
    /// Whether the viewer may edit and close it.
    pub editable: bool,
}

impl ListingDto {
    pub fn for_viewer(l: &Listing, viewer: Option<&Principal>) -> ListingDto {
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
            status: l.status.to_string(),
            tags: l.tags.clone(),
            editable: viewer.is_some_and(|p| may_write(p, l.enterprise)),
        }
    }
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
    viewer
        .principal
        .as_ref()
        .ok_or_else(|| AppError::Forbidden("sign in to publish listings".into()))
}

impl ListingInput {
    /// The enterprise that publishes the listing: its own for an enterprise account (it may
    /// name no other), the one named for staff; a missing or unknown one goes to `bad`.
    fn publisher(
        &self,
        store: &Store,
        p: &Principal,
        bad: &mut impl FnMut(&str, String),
    ) -> Result<Option<EnterpriseId>, AppError> {
        let enterprise = match (self.enterprise_id, p.enterprise, p.may(Permission::Analyse)) {
            (Some(e), _, true) => Some(EnterpriseId(e)),
            (None, _, true) => {
                bad(
                    "enterprise_id",
                    "is missing, expected the id of the publishing enterprise".into(),
                );
                None
            }
            (given, Some(own), false) => {
                if given.is_some_and(|g| g != own.0) {
                    return Err(AppError::Forbidden(
                        "an enterprise account publishes listings of its own enterprise only"
                            .into(),
                    ));
                }
                Some(own)
            }
            (_, None, false) => {
                return Err(AppError::Forbidden(
                    "your account is not bound to an enterprise".into(),
                ))
            }
        };
        if let Some(e) = enterprise {
            if !store.enterprise_exists(e)? {
                bad("enterprise_id", format!("there is no enterprise {}", e.0));
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
        let mut problems: Vec<String> = Vec::new();
        let mut bad = |field: &str, message: String| problems.push(format!("{field}: {message}"));
        let enterprise = self.publisher(store, p, &mut bad)?;
        let side = self.side.parse::<ListingSide>().map_err(|e| e.to_string());
        let kind = self.kind.parse::<ListingKind>().map_err(|e| e.to_string());
        if let Err(e) = &side {
            bad("side", e.clone());
        }
        if let Err(e) = &kind {
            bad("kind", e.clone());
        }
        if let Some(n) = self.node_id {
            if store.node(NodeId(n))?.is_none() {
                bad("node_id", format!("there is no chain node {n}"));
            }
        }
        let title = self.title.trim().to_string();
        if title.is_empty() {
            bad("title", "is empty, expected text".into());
        } else if title.chars().count() > MAX_TITLE {
            bad(
                "title",
                format!(
                    "has {} characters, at most {MAX_TITLE} allowed",
                    title.chars().count()
                ),
            );
        }
        if self.description.chars().count() > MAX_DESCRIPTION {
            bad(
                "description",
                format!(
                    "has {} characters, at most {MAX_DESCRIPTION} allowed",
                    self.description.chars().count()
                ),
            );
        }
        if self.price_fen.is_some_and(|p| p < 0) {
            bad(
                "price_fen",
                "is negative, expected fen (0.01 yuan), 0 or more".into(),
            );
        }
        let region = match self.region_code.trim().parse::<RegionCode>() {
            Ok(r) => {
                if store.region(r)?.is_none() {
                    bad("region_code", format!("{r} is not a region of the atlas"));
                }
                Some(r)
            }
            Err(e) => {
                bad("region_code", e.to_string());
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
                    bad("valid_until", e.to_string());
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
            bad("tags", "a tag may not contain ';'".into());
        }
        if !problems.is_empty() {
            return Err(AppError::BadRequest(problems.join("; ")));
        }
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

fn parse_opt<T: std::str::FromStr>(
    params: &HashMap<String, String>,
    name: &str,
) -> Result<Option<T>, AppError>
where
    T::Err: std::fmt::Display,
{
    match params.get(name).map(|s| s.trim()).filter(|s| !s.is_empty()) {
        None => Ok(None),
        Some(s) => s
            .parse()
            .map(Some)
            .map_err(|e| AppError::BadRequest(format!("parameter {name}: {e}"))),
    }
}

impl SearchQuery {
    pub fn parse(params: &HashMap<String, String>) -> Result<SearchQuery, AppError> {
        let count = |name: &str, default: u32, max: u32| {
            crate::view::parse_count(name, params.get(name).map(String::as_str), default, 0..=max)
                .map(|n| n as usize)
        };
        let id = |name: &str| -> Result<Option<i64>, AppError> {
            match params.get(name).map(|s| s.trim()).filter(|s| !s.is_empty()) {
                None => Ok(None),
                Some(s) => crate::view::parse_id(name, s).map(Some),
            }
        };
        let valid = match params.get("valid").map(|s| s.trim()) {
            None | Some("") | Some("false") | Some("0") => false,
            Some("true") | Some("1") => true,
            Some(other) => {
                return Err(AppError::BadRequest(format!(
                    "parameter valid: '{other}' is not true or false"
                )))
            }
        };
        Ok(SearchQuery {
            text: params
                .get("q")
                .map(|s| s.trim().to_string())
                .unwrap_or_default(),
            side: parse_opt(params, "side")?,
            kind: parse_opt(params, "kind")?,
            chain: params
                .get("chain")
                .map(|s| s.trim().to_string())
                .filter(|s| !s.is_empty()),
            node: id("node")?.map(NodeId),
            region: crate::view::parse_region(params.get("region").map(String::as_str))?,
            status: parse_opt(params, "status")?,
            valid,
            enterprise: id("enterprise")?.map(EnterpriseId),
            limit: count("limit", 20, 100)?.max(1),
            offset: count("offset", 0, 100_000)?,
        })
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
            .ok_or_else(|| AppError::NotFound(format!("there is no chain '{code}'")))?;
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
        valid_on: q.valid.then(|| state.clock.today()),
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
    store
        .listing(ListingId(id))?
        .ok_or_else(|| AppError::NotFound(format!("there is no listing {id}")))
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
    let mut config = Config::new(state.clock.today());
    config
        .apply(weights)
        .map_err(|e| AppError::BadRequest(format!("parameter weights: {e}")))?;
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
        other => AppError::BadRequest(other.to_string()),
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
        return Err(AppError::BadRequest(format!(
            "enterprise_id: listing {id} belongs to enterprise {}; a listing's enterprise does not change",
            old.enterprise.0
        )));
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

fn require_write(viewer: &Viewer, l: &Listing) -> Result<(), AppError> {
    let p = principal(viewer)?;
    if may_write(p, l.enterprise) {
        Ok(())
    } else {
        Err(AppError::Forbidden(
            "only the listing's enterprise and staff may change it".into(),
        ))
    }
}
