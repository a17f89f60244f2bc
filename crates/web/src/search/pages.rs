//! `/search?q=`: what the header's search box finds, grouped by kind.

use askama::Template;
use axum::extract::State;
use axum::http::Uri;
use axum::response::Response;
use axum::routing::get;
use axum::Router;
use serde::Deserialize;

use crate::core::api::Params;
use crate::core::auth::Viewer;
use crate::core::i18n::{Lang, PageLang};
use crate::core::layout::{render, Layout, OrPage, PageError};
use crate::core::AppState;
use chainatlas_app::search::{self, SearchHit};

pub fn routes() -> Router<AppState> {
    Router::new().route("/search", get(results_page))
}

/// The words of the results page.
pub struct Words {
    pub heading: &'static str,
    pub none: &'static str,
    pub enterprises_in_all: &'static str,
    pub kinds: [(&'static str, &'static str); 5],
}

static ZH: Words = Words {
    heading: "搜索",
    none: "没有找到。可输入企业全称、简称（如 马钢）、统一社会信用代码，或产业链、环节、供需信息、对接活动的名称。",
    enterprises_in_all: "匹配的企业共",
    kinds: [
        ("enterprise", "企业"),
        ("chain", "产业链"),
        ("node", "环节"),
        ("listing", "供需信息"),
        ("event", "对接活动"),
    ],
};

static EN: Words = Words {
    heading: "Search",
    none: "Nothing found. Try an enterprise's full name, Chinese short name (马钢), credit code, or the name of a chain, node, listing or event.",
    enterprises_in_all: "Enterprises matching in all:",
    kinds: [
        ("enterprise", "Enterprises"),
        ("chain", "Chains"),
        ("node", "Nodes"),
        ("listing", "Listings"),
        ("event", "Events"),
    ],
};

fn words(lang: Lang) -> &'static Words {
    match lang {
        Lang::Zh => &ZH,
        Lang::En => &EN,
    }
}

pub struct Group {
    pub kind: &'static str,
    pub label: &'static str,
    pub hits: Vec<Hit>,
}

pub struct Hit {
    pub name: String,
    pub detail: String,
    pub href: String,
}

#[derive(Template)]
#[template(path = "search/results.html")]
struct ResultsPage {
    layout: Layout,
    w: &'static Words,
    query: String,
    enterprise_total: u64,
    groups: Vec<Group>,
}

#[derive(Deserialize)]
struct SearchParams {
    q: Option<String>,
}

fn groups(lang: Lang, hits: &[SearchHit]) -> Vec<Group> {
    words(lang)
        .kinds
        .iter()
        .map(|(kind, label)| Group {
            kind,
            label,
            hits: hits
                .iter()
                .filter(|h| h.kind == *kind)
                .map(|h| Hit {
                    name: lang.pick(&h.name_zh, &h.name_en).to_string(),
                    detail: lang.pick(&h.detail_zh, &h.detail_en).to_string(),
                    href: h.href.clone(),
                })
                .collect(),
        })
        .filter(|g| !g.hits.is_empty())
        .collect()
}

async fn results_page(
    State(state): State<AppState>,
    PageLang(lang): PageLang,
    uri: Uri,
    viewer: Viewer,
    Params(params): Params<SearchParams>,
) -> Result<Response, PageError> {
    let q = params.q.unwrap_or_default();
    let app = state.app.clone();
    let found = state
        .read(move |store| search::search(&app, store, &q))
        .await
        .or_page(lang, &uri, &viewer)?;
    let w = words(lang);
    let title = format!("{} · {}", w.heading, found.query);
    let mut layout = Layout::new(lang, title, &uri, &viewer);
    layout.search = found.query.clone();
    let page = ResultsPage {
        layout,
        w,
        enterprise_total: found.enterprise_total,
        groups: groups(lang, &found.hits),
        query: found.query,
    };
    Ok(render(&page))
}
