//! Server-rendered HTML pages. Every visible word comes from `i18n::Texts`; every value
//! is escaped by the templates.

use askama::Template;
use axum::extract::Path;

use crate::core::api::Params;
use axum::http::{header, StatusCode, Uri};
use axum::response::{Html, IntoResponse, Redirect, Response};
use chainatlas_auth::Permission;
use chainatlas_model::{Region, RegionCode};

use crate::core::auth::Viewer;
use crate::core::error::{AppError, ErrorCode, HttpStatus};
use crate::core::i18n::{Lang, LangTexts, PageLang, Texts};

/// What the layout around every page needs.
pub struct Layout {
    pub lang: Lang,
    pub t: &'static Texts,
    pub title: String,
    pub switch_href: String,
    /// The signed-in user's name, if any.
    pub user: Option<String>,
    /// The session's CSRF token, for the sign-out form.
    pub csrf: String,
    pub is_admin: bool,
    /// Analysts and admins: the import link.
    pub may_analyse: bool,
    /// The enterprise an enterprise account acts for: its 我的企业 link.
    pub own_enterprise: Option<i64>,
    /// What the header's search box holds (the words of a search page).
    pub search: String,
}

impl Layout {
    pub fn new(lang: Lang, title: impl Into<String>, uri: &Uri, viewer: &Viewer) -> Layout {
        let here = uri.path_and_query().map(|p| p.as_str()).unwrap_or("/");
        Layout {
            lang,
            t: lang.texts(),
            title: title.into(),
            switch_href: format!(
                "/lang/{}?next={}",
                lang.other().param(),
                crate::core::url::percent_encode(here)
            ),
            user: viewer.principal.as_ref().map(|p| p.username.clone()),
            own_enterprise: viewer
                .principal
                .as_ref()
                .and_then(|p| p.enterprise)
                .map(|e| e.0),
            search: String::new(),
            csrf: viewer.csrf.clone().unwrap_or_default(),
            is_admin: viewer.may(Permission::ManageUsers),
            may_analyse: viewer.may(Permission::Analyse),
        }
    }
}

/// An option of the region picker.
pub struct RegionOption {
    pub code: String,
    pub selected: bool,
    /// What a type-ahead picker holds for it: the name, then the code.
    pub value: String,
}

pub(crate) fn region_options(
    lang: Lang,
    regions: &[Region],
    selected: Option<RegionCode>,
) -> Vec<RegionOption> {
    regions
        .iter()
        .map(|r| RegionOption {
            code: r.code.to_string(),
            value: format!("{} {}", lang.pick(&r.name_zh, &r.name_en), r.code),
            selected: Some(r.code) == selected,
        })
        .collect()
}

pub(crate) fn region_label(lang: Lang, region: &Option<Region>) -> String {
    match region {
        Some(r) => lang.pick(&r.name_zh, &r.name_en).to_string(),
        None => lang.texts().all_regions.to_string(),
    }
}

pub(crate) fn region_query(region: &Option<Region>) -> String {
    region
        .as_ref()
        .map(|r| format!("?region={}", r.code))
        .unwrap_or_default()
}

/// An error shown as a page, in the visitor's language.
/// An error shown as a page, in the visitor's language.
pub struct PageError {
    error: AppError,
    layout: Box<Layout>,
}

#[derive(Template)]
#[template(path = "core/error.html")]
struct ErrorPage<'a> {
    layout: &'a Layout,
    heading: &'a str,
    message: String,
}

impl IntoResponse for PageError {
    fn into_response(self) -> Response {
        self.error.log();
        let lang = self.layout.lang;
        let title = self.error.code().title();
        let page = ErrorPage {
            layout: &self.layout,
            heading: title.get(lang),
            message: self.error.public_message(lang).to_string(),
        };
        (self.error.status(), render(&page)).into_response()
    }
}

/// Where a posted form leads: on to a page, or back to its own page with why it was
/// refused, what was typed kept.
pub(crate) enum Posted<P> {
    Next(String),
    Again(StatusCode, P),
}

impl<P: Template> IntoResponse for Posted<P> {
    fn into_response(self) -> Response {
        match self {
            Posted::Next(next) => Redirect::to(&next).into_response(),
            Posted::Again(status, page) => (status, render(&page)).into_response(),
        }
    }
}

/// A form's write: on to `next` when it succeeds; when the input was refused (400, and a
/// conflict with the current state (409) where `conflicts` holds), the page `again`
/// builds from the reason, answered with the refusal's status; any other error as it is.
pub(crate) fn posted<T, P>(
    result: Result<T, AppError>,
    lang: Lang,
    conflicts: bool,
    next: impl FnOnce(&T) -> String,
    again: impl FnOnce(String) -> Result<P, AppError>,
) -> Result<Posted<P>, AppError> {
    match result {
        Ok(value) => Ok(Posted::Next(next(&value))),
        Err(e) if e.is_invalid_input() || (conflicts && e.code().status() == 409) => {
            let page = again(e.public_message(lang).to_string())?;
            Ok(Posted::Again(e.status(), page))
        }
        Err(e) => Err(e),
    }
}

pub(crate) fn render(template: &impl Template) -> Response {
    match template.render() {
        Ok(html) => Html(html).into_response(),
        Err(e) => {
            eprintln!("internal error: rendering a page: {e}");
            (StatusCode::INTERNAL_SERVER_ERROR, "internal error").into_response()
        }
    }
}

pub(crate) trait OrPage<T> {
    fn or_page(self, lang: Lang, uri: &Uri, viewer: &Viewer) -> Result<T, PageError>;
}

impl<T> OrPage<T> for Result<T, AppError> {
    fn or_page(self, lang: Lang, uri: &Uri, viewer: &Viewer) -> Result<T, PageError> {
        self.map_err(|error| PageError {
            error,
            layout: Box::new(Layout::new(lang, lang.texts().app_name, uri, viewer)),
        })
    }
}

pub async fn not_found(PageLang(lang): PageLang, uri: Uri, viewer: Viewer) -> PageError {
    let path = uri.path();
    let error = AppError::new(
        ErrorCode::NotFound,
        chainatlas_app::text!("此处没有页面：{path}", "there is no page at {path}"),
    );
    PageError {
        error,
        layout: Box::new(Layout::new(lang, lang.texts().not_found, &uri, &viewer)),
    }
}

/// `?next=`: where to go after switching language or signing in.
#[derive(serde::Deserialize)]
pub(crate) struct NextPage {
    pub(crate) next: Option<String>,
}

pub(crate) async fn switch_language(
    Path(lang): Path<String>,
    Params(params): Params<NextPage>,
) -> Response {
    let value = if lang == "en" { "en" } else { "zh" };
    // Only paths of this site: never an open redirect to another. The query string was
    // decoded once already, which gives back the path as the page had it.
    let next = match crate::core::auth::local_target(params.next.as_deref()) {
        Ok(next) => next,
        Err(refused) => return refused.into_response(),
    };
    let cookie = format!("lang={value}; Path=/; Max-Age=31536000; SameSite=Lax; HttpOnly");
    ([(header::SET_COOKIE, cookie)], Redirect::to(&next)).into_response()
}

pub(crate) fn script_json(value: &impl serde::Serialize) -> String {
    serde_json::to_string(value)
        .expect("serializable")
        .replace('<', "\\u003c")
}

/// This page's address asking for its Excel workbook (`format=xlsx`), its query kept.
pub(crate) fn export_href(uri: &Uri) -> String {
    match uri.query().filter(|q| !q.is_empty()) {
        Some(q) => format!("{}?{q}&format=xlsx", uri.path()),
        None => format!("{}?format=xlsx", uri.path()),
    }
}
