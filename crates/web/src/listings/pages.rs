//! The matchmaking pages: search listings with filters, a listing with its ranked
//! counterparts and their reasons, and the form to publish or edit a listing.

use askama::Template;
use axum::extract::{Path, State};
use axum::http::Uri;
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use axum::{Form, Router};
use chainatlas_model::{ListingKind, ListingSide, ListingStatus, Money};
use serde::Deserialize;

use crate::core::api::Params;
use crate::core::auth::Viewer;
use crate::core::download::{workbook, MAX_EXPORT_ROWS};
use crate::core::error::{AppError, ErrorCode};
use crate::core::i18n::{Lang, LangTexts, PageLang};
use crate::core::layout::{region_options, render, Layout, OrPage, PageError, RegionOption};
use crate::core::AppState;
use chainatlas_app::format::wan_exact;
use chainatlas_app::listings::{self, ListingInput, MatchParams, SearchParams, SearchQuery};
use chainatlas_app::matchmaking::MatchDto;
use chainatlas_app::problems::not_a_number;
use chainatlas_app::{Explain, Text};
use chainatlas_bundle::sheet::Sheet;

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/listings", get(search_page))
        .route("/listings/new", get(new_form).post(create))
        .route("/listings/{id}", get(listing_page))
        .route("/listings/{id}/edit", get(edit_form).post(update))
        .route("/listings/{id}/close", post(close))
        .route("/listings/{id}/reopen", post(reopen))
}

/// Words of these pages.
pub struct Words {
    pub title: &'static str,
    pub search: &'static str,
    pub query_hint: &'static str,
    pub side: &'static str,
    pub kind: &'static str,
    pub kinds: [&'static str; 5],
    pub status: &'static str,
    pub statuses: [&'static str; 2],
    pub any: &'static str,
    pub chain: &'static str,
    pub region: &'static str,
    pub valid_only: &'static str,
    pub results: &'static str,
    pub new_listing: &'static str,
    pub edit: &'static str,
    pub close: &'static str,
    pub reopen: &'static str,
    pub save: &'static str,
    pub listing_title: &'static str,
    pub description: &'static str,
    pub quantity: &'static str,
    pub unit: &'static str,
    pub price: &'static str,
    /// The price field of the form, which takes an amount as people write it.
    pub price_input: &'static str,
    pub valid_until: &'static str,
    pub tags: &'static str,
    pub tags_hint: &'static str,
    pub node: &'static str,
    pub node_hint: &'static str,
    pub enterprise: &'static str,
    /// On a listing's page, where the node and enterprise are shown by name.
    pub node_name: &'static str,
    pub enterprise_name: &'static str,
    pub matches: &'static str,
    pub score: &'static str,
    pub no_matches: &'static str,
    /// A listing closed or past its validity has no recommended counterparts.
    pub not_live: &'static str,
    pub expired: &'static str,
    pub hidden: &'static str,
    pub weights_hint: &'static str,
    pub api_json: &'static str,
    /// The listing's number, in an exported sheet.
    pub number: &'static str,
    pub score_parts: &'static str,
}

const ZH: Words = Words {
    title: "供需对接",
    search: "搜索",
    query_hint: "产品、设备、型号，中英文皆可",
    side: "类型",
    kind: "类别",
    kinds: ["产品", "设备", "技术", "产能", "服务"],
    status: "状态",
    statuses: ["有效", "已关闭"],
    any: "全部",
    chain: "产业链",
    region: "地区",
    valid_only: "仅显示在有效期内",
    results: "条结果",
    new_listing: "发布供需信息",
    edit: "编辑",
    close: "关闭",
    reopen: "重新开放",
    save: "保存",
    listing_title: "标题",
    description: "详细说明",
    quantity: "数量",
    unit: "单位",
    price: "单价（万元）",
    price_input: "单价",
    valid_until: "有效期至",
    tags: "资质要求 / 具备资质",
    tags_hint: "以逗号或分号分隔，如 ISO 9001；高新技术企业",
    node: "产业链环节编号",
    node_hint: "可选",
    enterprise: "发布企业编号",
    node_name: "产业链环节",
    enterprise_name: "发布企业",
    matches: "推荐对接",
    score: "匹配度",
    no_matches: "暂无匹配的供需信息。",
    not_live: "此供需信息已关闭或已过有效期，不再推荐对接；重新开放或延长有效期后可再匹配。",
    expired: "已过期",
    hidden: "不公开",
    weights_hint: "评分权重见 docs/matching.md",
    api_json: "JSON 数据",
    number: "编号",
    score_parts: "得分构成",
};

const EN: Words = Words {
    title: "Matchmaking",
    search: "Search",
    query_hint: "products, equipment, model numbers; Chinese or English",
    side: "Side",
    kind: "Kind",
    kinds: ["Product", "Equipment", "Technology", "Capacity", "Service"],
    status: "Status",
    statuses: ["Open", "Closed"],
    any: "Any",
    chain: "Chain",
    region: "Region",
    valid_only: "Only listings still valid",
    results: "results",
    new_listing: "Publish a listing",
    edit: "Edit",
    close: "Close",
    reopen: "Reopen",
    save: "Save",
    listing_title: "Title",
    description: "Description",
    quantity: "Quantity",
    unit: "Unit",
    price: "Unit price (10k yuan)",
    price_input: "Unit price",
    valid_until: "Valid until",
    tags: "Qualifications required / held",
    tags_hint: "separated by commas or semicolons, e.g. ISO 9001; high-tech enterprise",
    node: "Chain node id",
    node_hint: "optional",
    enterprise: "Enterprise id",
    node_name: "Chain node",
    enterprise_name: "Enterprise",
    matches: "Recommended counterparts",
    score: "Score",
    no_matches: "No matching listings yet.",
    not_live: "This listing is closed or past its validity, so no counterparts are recommended; reopen it or extend its validity to match again.",
    expired: "Expired",
    hidden: "private",
    weights_hint: "score weights: docs/matching.md",
    api_json: "JSON",
    number: "No.",
    score_parts: "Score parts",
};

fn words(lang: Lang) -> &'static Words {
    match lang {
        Lang::Zh => &ZH,
        Lang::En => &EN,
    }
}

fn kind_name(w: &Words, kind: &str) -> &'static str {
    ListingKind::ALL
        .iter()
        .position(|k| k.as_str() == kind)
        .map_or("", |i| w.kinds[i])
}

pub struct Choice {
    pub value: String,
    pub label: String,
    pub selected: bool,
}

fn choices(values: &[&str], labels: &[&str], selected: &str) -> Vec<Choice> {
    values
        .iter()
        .zip(labels)
        .map(|(v, l)| Choice {
            value: v.to_string(),
            label: l.to_string(),
            selected: *v == selected,
        })
        .collect()
}

pub struct Row {
    pub id: i64,
    pub title: String,
    pub side: &'static str,
    pub side_class: &'static str,
    pub kind: &'static str,
    pub region: String,
    pub valid_until: String,
    pub status: &'static str,
}

#[derive(Template)]
#[template(path = "listings/listings.html")]
struct SearchPage {
    layout: Layout,
    w: &'static Words,
    q: String,
    sides: Vec<Choice>,
    kinds: Vec<Choice>,
    statuses: Vec<Choice>,
    chains: Vec<Choice>,
    regions: Vec<RegionOption>,
    valid: bool,
    total: usize,
    rows: Vec<Row>,
    prev_href: Option<String>,
    next_href: Option<String>,
    api_href: String,
    export_href: String,
}

/// A listing's status as shown on `today`: open, closed, or expired (open but past its
/// validity).
fn status_name(
    w: &Words,
    l: &chainatlas_model::Listing,
    today: chainatlas_model::Date,
) -> &'static str {
    if l.status == ListingStatus::Closed {
        w.statuses[1]
    } else if listings::is_expired(l, today) {
        w.expired
    } else {
        w.statuses[0]
    }
}

/// The search's query string with another offset (none for the first page).
fn query_string(params: &SearchParams, offset: usize) -> String {
    let mut params = params.clone();
    params.offset = (offset > 0).then(|| offset.to_string());
    serde_urlencoded::to_string(&params).expect("text parameters encode")
}

async fn search_page(
    State(state): State<AppState>,
    PageLang(lang): PageLang,
    uri: Uri,
    viewer: Viewer,
    Params(params): Params<SearchParams>,
) -> Result<Response, PageError> {
    let mut q = SearchQuery::parse(&params).or_page(lang, &uri, &viewer)?;
    let export = params.workbook().or_page(lang, &uri, &viewer)?;
    if export {
        q.offset = 0;
        q.limit = MAX_EXPORT_ROWS as usize;
    }
    let st = state.clone();
    let query = q.clone();
    let (found, total, chains, regions) = state
        .read(move |store| {
            let (found, total) = listings::search(&st, store, &query)?;
            Ok((
                found,
                total,
                store.chains()?,
                st.caches.regions_in_use(store)?,
            ))
        })
        .await
        .or_page(lang, &uri, &viewer)?;
    let w = words(lang);
    let today = state.clock.today();
    let region_name = |code: chainatlas_model::RegionCode| {
        regions.iter().find(|r| r.code == code).map_or_else(
            || code.to_string(),
            |r| lang.pick(&r.name_zh, &r.name_en).to_string(),
        )
    };
    let rows = found
        .iter()
        .map(|l| Row {
            id: l.id.0,
            title: l.title.clone(),
            side: l.side.name(lang),
            side_class: l.side.as_str(),
            kind: kind_name(w, l.kind.as_str()),
            region: region_name(l.region),
            valid_until: l.valid_until.map(|d| d.to_string()).unwrap_or_default(),
            status: status_name(w, l, today),
        })
        .collect::<Vec<Row>>();
    if export {
        let sheet = Sheet {
            name: w.title.to_string(),
            header: [
                w.number,
                w.listing_title,
                w.side,
                w.kind,
                w.region,
                w.valid_until,
                w.status,
            ]
            .map(String::from)
            .to_vec(),
            rows: rows
                .iter()
                .map(|r| {
                    vec![
                        r.id.to_string(),
                        r.title.clone(),
                        r.side.to_string(),
                        r.kind.to_string(),
                        r.region.clone(),
                        r.valid_until.clone(),
                        r.status.to_string(),
                    ]
                })
                .collect(),
        };
        return workbook("listings", &[sheet]).or_page(lang, &uri, &viewer);
    }
    let any = |mut v: Vec<Choice>| {
        v.insert(
            0,
            Choice {
                value: String::new(),
                label: w.any.to_string(),
                selected: false,
            },
        );
        v
    };
    let side_values: Vec<&str> = ListingSide::ALL.iter().map(|s| s.as_str()).collect();
    let side_labels: Vec<&str> = ListingSide::ALL.iter().map(|s| s.name(lang)).collect();
    let kind_values: Vec<&str> = ListingKind::ALL.iter().map(|s| s.as_str()).collect();
    let status_values: Vec<&str> = ListingStatus::ALL.iter().map(|s| s.as_str()).collect();
    let chain_codes: Vec<&str> = chains.iter().map(|c| c.code.as_str()).collect();
    let chain_names: Vec<&str> = chains
        .iter()
        .map(|c| lang.pick(&c.name_zh, &c.name_en))
        .collect();
    let mut region_choices = region_options(lang, &regions, q.region);
    region_choices.retain(|r| r.code.ends_with("00"));
    let prev_href = (q.offset > 0).then(|| {
        format!(
            "/listings?{}",
            query_string(&params, q.offset.saturating_sub(q.limit))
        )
    });
    let next_href = (q.offset + q.limit < total)
        .then(|| format!("/listings?{}", query_string(&params, q.offset + q.limit)));
    Ok(render(&SearchPage {
        layout: Layout::new(lang, w.title, &uri, &viewer),
        w,
        q: q.text.clone(),
        sides: any(choices(
            &side_values,
            &side_labels,
            q.side.map_or("", |s| s.as_str()),
        )),
        kinds: any(choices(
            &kind_values,
            &w.kinds,
            q.kind.map_or("", |s| s.as_str()),
        )),
        statuses: any(choices(
            &status_values,
            &w.statuses,
            q.status.map_or("", |s| s.as_str()),
        )),
        chains: any(choices(
            &chain_codes,
            &chain_names,
            q.chain.as_deref().unwrap_or(""),
        )),
        regions: region_choices,
        valid: q.valid,
        total,
        rows,
        prev_href,
        next_href,
        api_href: format!("/api/v1/listings?{}", query_string(&params, q.offset)),
        export_href: {
            let mut all = params.clone();
            all.format = Some("xlsx".into());
            format!("/listings?{}", query_string(&all, 0))
        },
    }))
}

pub struct MatchRow {
    pub id: i64,
    pub title: String,
    pub score: String,
    pub parts: String,
    pub reasons: Vec<String>,
}

#[derive(Template)]
#[template(path = "listings/listing.html")]
struct ListingPage {
    layout: Layout,
    w: &'static Words,
    id: i64,
    title: String,
    side: &'static str,
    side_class: &'static str,
    kind: &'static str,
    status: &'static str,
    closed: bool,
    /// Open and within its validity: matched with counterparts.
    live: bool,
    description: String,
    enterprise: (i64, String),
    node: Option<(i64, String)>,
    region: String,
    quantity: String,
    price: String,
    valid_until: String,
    tags: Vec<String>,
    editable: bool,
    matches: Vec<MatchRow>,
    api_href: String,
}

fn percent(x: f64) -> String {
    format!("{:.0}", x * 100.0)
}

fn match_row(lang: Lang, m: &MatchDto) -> MatchRow {
    let s = &m.score;
    let parts = match lang {
        Lang::Zh => format!(
            "文本 {} · 环节 {} · 地区 {} · 资质 {} · 数量 {} · 价格 {} · 有效期 {}",
            percent(s.text),
            percent(s.node),
            percent(s.region),
            percent(s.tags),
            percent(s.quantity),
            s.price.map_or_else(|| "—".into(), percent),
            percent(s.validity)
        ),
        Lang::En => format!(
            "text {} · node {} · region {} · tags {} · quantity {} · price {} · validity {}",
            percent(s.text),
            percent(s.node),
            percent(s.region),
            percent(s.tags),
            percent(s.quantity),
            s.price.map_or_else(|| "—".into(), percent),
            percent(s.validity)
        ),
    };
    MatchRow {
        id: m.listing_id,
        title: m.title.clone(),
        score: format!("{:.0}", s.total * 100.0),
        parts,
        reasons: match lang {
            Lang::Zh => m.reasons_zh.clone(),
            Lang::En => m.reasons_en.clone(),
        },
    }
}

async fn listing_page(
    State(state): State<AppState>,
    PageLang(lang): PageLang,
    uri: Uri,
    viewer: Viewer,
    Path(id): Path<String>,
    Params(params): Params<MatchParams>,
) -> Result<Response, PageError> {
    let id = chainatlas_app::view::parse_id("listing", &id).or_page(lang, &uri, &viewer)?;
    let weights = params.weights();
    let export = params.workbook().or_page(lang, &uri, &viewer)?;
    let top = if export {
        params.top().or_page(lang, &uri, &viewer)?
    } else {
        20
    };
    let st = state.clone();
    let principal = viewer.principal.clone();
    let (l, enterprise, node, region, matches) = state
        .read(move |store| {
            let l = listings::listing(store, id)?;
            let enterprise = store.enterprise(l.enterprise)?;
            let node = match l.node {
                Some(n) => store.node(n)?,
                None => None,
            };
            let region = store.region(l.region)?;
            let matches = listings::matches(&st, store, &l, principal.as_ref(), top, &weights)?;
            Ok((l, enterprise, node, region, matches))
        })
        .await
        .or_page(lang, &uri, &viewer)?;
    let w = words(lang);
    let today = state.clock.today();
    let rows: Vec<MatchRow> = matches.iter().map(|m| match_row(lang, m)).collect();
    if export {
        let sheet = Sheet {
            name: w.matches.to_string(),
            header: [
                w.number,
                w.listing_title,
                w.score,
                w.score_parts,
                lang.texts().reasons,
            ]
            .map(String::from)
            .to_vec(),
            rows: rows
                .iter()
                .map(|m| {
                    vec![
                        m.id.to_string(),
                        m.title.clone(),
                        m.score.clone(),
                        m.parts.clone(),
                        m.reasons.join("；"),
                    ]
                })
                .collect(),
        };
        let file = format!("listing-{}-matches", l.id.0);
        return workbook(&file, &[sheet]).or_page(lang, &uri, &viewer);
    }
    let dto = listings::ListingDto::for_viewer(&l, viewer.principal.as_ref(), state.clock.today());
    Ok(render(&ListingPage {
        layout: Layout::new(lang, l.title.clone(), &uri, &viewer),
        w,
        id: l.id.0,
        title: l.title.clone(),
        side: l.side.name(lang),
        side_class: l.side.as_str(),
        kind: kind_name(w, l.kind.as_str()),
        status: status_name(w, &l, today),
        closed: l.status == ListingStatus::Closed,
        live: l.status == ListingStatus::Open && !listings::is_expired(&l, today),
        description: l.description.clone(),
        enterprise: (
            l.enterprise.0,
            enterprise.map_or_else(
                || l.enterprise.0.to_string(),
                |e| lang.pick(&e.name_zh, &e.name_en).to_string(),
            ),
        ),
        node: node.map(|n| (n.id.0, lang.pick(&n.name_zh, &n.name_en).to_string())),
        region: region.map_or_else(
            || l.region.to_string(),
            |r| lang.pick(&r.name_zh, &r.name_en).to_string(),
        ),
        quantity: l
            .quantity
            .map(|q| format!("{q} {}", l.unit))
            .unwrap_or_default(),
        price: match (dto.price_fen, l.price) {
            (Some(fen), _) => wan_exact(Money::from_fen(fen)),
            (None, Some(_)) => w.hidden.to_string(),
            (None, None) => String::new(),
        },
        valid_until: l.valid_until.map(|d| d.to_string()).unwrap_or_default(),
        tags: l.tags.clone(),
        editable: dto.editable,
        matches: rows,
        api_href: format!("/api/v1/listings/{}/matches", l.id.0),
    }))
}

#[derive(Template)]
#[template(path = "listings/listing_form.html")]
struct FormPage {
    layout: Layout,
    w: &'static Words,
    action: String,
    error: Option<String>,
    staff: bool,
    sides: Vec<Choice>,
    kinds: Vec<Choice>,
    f: ListingForm,
}

/// The listing form as the browser sent it: every field as typed, so that a form with a
/// problem comes back with what the user wrote. Fields it does not name (the CSRF token,
/// checked by the guard) are ignored.
#[derive(Clone, Debug, Default, Deserialize)]
#[serde(default)]
struct ListingForm {
    enterprise_id: String,
    side: String,
    kind: String,
    node_id: String,
    title: String,
    description: String,
    quantity: String,
    unit: String,
    price: String,
    region_code: String,
    valid_until: String,
    tags: String,
}

impl ListingForm {
    /// The form a listing fills in, for editing.
    fn of(l: &chainatlas_model::Listing) -> ListingForm {
        ListingForm {
            enterprise_id: l.enterprise.0.to_string(),
            side: l.side.to_string(),
            kind: l.kind.to_string(),
            node_id: l.node.map(|n| n.0.to_string()).unwrap_or_default(),
            title: l.title.clone(),
            description: l.description.clone(),
            quantity: l.quantity.map(|q| q.to_string()).unwrap_or_default(),
            unit: l.unit.clone(),
            price: l.price.map(|p| p.to_string()).unwrap_or_default(),
            region_code: l.region.to_string(),
            valid_until: l.valid_until.map(|d| d.to_string()).unwrap_or_default(),
            tags: l.tags.join("; "),
        }
    }

    /// The API's input: yuan to fen, tags split at commas and semicolons.
    fn input(&self) -> Result<ListingInput, AppError> {
        // Ids come as typed or as a picker fills them (`name #12`).
        let number = |name: &str, raw: &str| -> Result<Option<i64>, AppError> {
            match chainatlas_app::problems::picked_id(raw) {
                "" => Ok(None),
                raw => raw.parse::<i64>().map(Some).map_err(|_| {
                    AppError::new(
                        ErrorCode::InvalidListing,
                        not_a_number(raw).after(&Text::same(name)),
                    )
                }),
            }
        };
        let price = match self.price.trim() {
            "" => None,
            raw => Some(
                Money::parse_written(raw)
                    .map_err(|e| {
                        AppError::new(
                            ErrorCode::InvalidListing,
                            e.explain().after(&Text::same("price")),
                        )
                    })?
                    .fen(),
            ),
        };
        let quantity = match number("quantity", &self.quantity)? {
            Some(q) if q < 0 => {
                return Err(AppError::new(
                    ErrorCode::InvalidListing,
                    chainatlas_app::text!(
                        "quantity：为负数，应为 0 或以上",
                        "quantity: is negative, expected 0 or more"
                    ),
                ))
            }
            q => q.map(|q| q as u64),
        };
        Ok(ListingInput {
            enterprise_id: number("enterprise_id", &self.enterprise_id)?,
            side: self.side.trim().to_string(),
            kind: self.kind.trim().to_string(),
            node_id: number("node_id", &self.node_id)?,
            title: self.title.trim().to_string(),
            description: self.description.trim().to_string(),
            quantity,
            unit: self.unit.trim().to_string(),
            price_fen: price,
            // A picker sends `株洲市 430200`; a name alone names one division.
            region_code: match chainatlas_app::view::parse_region_text(Some(&self.region_code)) {
                Ok(Some(code)) => code.to_string(),
                _ => self.region_code.trim().to_string(),
            },
            valid_until: Some(self.valid_until.trim().to_string()).filter(|s| !s.is_empty()),
            // The form also takes commas, which people type between tags.
            tags: chainatlas_model::split_tags(&self.tags.replace([',', '，'], ";")),
        })
    }
}

fn form_page(
    lang: Lang,
    uri: &Uri,
    viewer: &Viewer,
    action: String,
    f: ListingForm,
    error: Option<String>,
) -> Response {
    let w = words(lang);
    let side_values: Vec<&str> = ListingSide::ALL.iter().map(|s| s.as_str()).collect();
    let side_labels: Vec<&str> = ListingSide::ALL.iter().map(|s| s.name(lang)).collect();
    let kind_values: Vec<&str> = ListingKind::ALL.iter().map(|s| s.as_str()).collect();
    let status = if error.is_some() {
        axum::http::StatusCode::BAD_REQUEST
    } else {
        axum::http::StatusCode::OK
    };
    let page = FormPage {
        layout: Layout::new(lang, w.new_listing, uri, viewer),
        w,
        action,
        error,
        staff: viewer.may(chainatlas_auth::Permission::Analyse),
        sides: choices(
            &side_values,
            &side_labels,
            Some(f.side.as_str())
                .filter(|s| !s.is_empty())
                .unwrap_or("demand"),
        ),
        kinds: choices(
            &kind_values,
            &w.kinds,
            Some(f.kind.as_str())
                .filter(|s| !s.is_empty())
                .unwrap_or("product"),
        ),
        f,
    };
    (status, render(&page)).into_response()
}

async fn new_form(PageLang(lang): PageLang, uri: Uri, viewer: Viewer) -> Response {
    form_page(
        lang,
        &uri,
        &viewer,
        "/listings/new".into(),
        ListingForm::default(),
        None,
    )
}

async fn create(
    State(state): State<AppState>,
    PageLang(lang): PageLang,
    uri: Uri,
    viewer: Viewer,
    Form(f): Form<ListingForm>,
) -> Response {
    let st = state.clone();
    let v = viewer.clone();
    let fields = f.clone();
    let result = state
        .write(move |store| {
            let input = fields.input()?;
            listings::create(&st, store, &v, &input)
        })
        .await;
    match result {
        Ok(l) => Redirect::to(&format!("/listings/{}", l.id.0)).into_response(),
        Err(e) if e.is_invalid_input() => {
            let message = e.public_message(lang).to_string();
            form_page(
                lang,
                &uri,
                &viewer,
                "/listings/new".into(),
                f,
                Some(message),
            )
        }
        Err(e) => Err::<(), _>(e)
            .or_page(lang, &uri, &viewer)
            .unwrap_err()
            .into_response(),
    }
}

async fn edit_form(
    State(state): State<AppState>,
    PageLang(lang): PageLang,
    uri: Uri,
    viewer: Viewer,
    Path(id): Path<String>,
) -> Result<Response, PageError> {
    let id = chainatlas_app::view::parse_id("listing", &id).or_page(lang, &uri, &viewer)?;
    let l = state
        .read(move |store| listings::listing(store, id))
        .await
        .or_page(lang, &uri, &viewer)?;
    let dto = listings::ListingDto::for_viewer(&l, viewer.principal.as_ref(), state.clock.today());
    if !dto.editable {
        return Err(listings::not_editable()).or_page(lang, &uri, &viewer);
    }
    let f = ListingForm::of(&l);
    Ok(form_page(
        lang,
        &uri,
        &viewer,
        format!("/listings/{id}/edit"),
        f,
        None,
    ))
}

async fn update(
    State(state): State<AppState>,
    PageLang(lang): PageLang,
    uri: Uri,
    viewer: Viewer,
    Path(id): Path<String>,
    Form(f): Form<ListingForm>,
) -> Result<Response, PageError> {
    let id = chainatlas_app::view::parse_id("listing", &id).or_page(lang, &uri, &viewer)?;
    let st = state.clone();
    let v = viewer.clone();
    let fields = f.clone();
    let result = state
        .write(move |store| {
            let input = fields.input()?;
            listings::update(&st, store, &v, id, &input)
        })
        .await;
    match result {
        Ok(l) => Ok(Redirect::to(&format!("/listings/{}", l.id.0)).into_response()),
        Err(e) if e.is_invalid_input() => Ok(form_page(
            lang,
            &uri,
            &viewer,
            format!("/listings/{id}/edit"),
            f,
            Some(e.public_message(lang).to_string()),
        )),
        Err(e) => Err(e).or_page(lang, &uri, &viewer),
    }
}

async fn set_status(
    state: AppState,
    lang: Lang,
    uri: Uri,
    viewer: Viewer,
    id: String,
    status: ListingStatus,
) -> Result<Response, PageError> {
    let id = chainatlas_app::view::parse_id("listing", &id).or_page(lang, &uri, &viewer)?;
    let st = state.clone();
    let v = viewer.clone();
    state
        .write(move |store| listings::set_status(&st, store, &v, id, status))
        .await
        .or_page(lang, &uri, &viewer)?;
    Ok(Redirect::to(&format!("/listings/{id}")).into_response())
}

async fn close(
    State(state): State<AppState>,
    PageLang(lang): PageLang,
    uri: Uri,
    viewer: Viewer,
    Path(id): Path<String>,
) -> Result<Response, PageError> {
    set_status(state, lang, uri, viewer, id, ListingStatus::Closed).await
}

async fn reopen(
    State(state): State<AppState>,
    PageLang(lang): PageLang,
    uri: Uri,
    viewer: Viewer,
    Path(id): Path<String>,
) -> Result<Response, PageError> {
    set_status(state, lang, uri, viewer, id, ListingStatus::Open).await
}
