//! `/imports`: upload a workbook or a zip of CSV files; `/imports/{id}`: its progress, then
//! its report (every located problem, the changes per kind, changed fields old → new) and,
//! after a clean preview, the button that commits it.

use askama::Template;
use axum::extract::{Path, State};
use axum::http::Uri;
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use axum::Router;

use crate::core::auth::Viewer;
use crate::core::i18n::{Lang, PageLang};
use crate::core::layout::{render, Layout, OrPage, PageError};
use crate::core::AppState;
use chainatlas_app::imports::{ImportReport, Mode};
use chainatlas_auth::Permission;

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/imports", get(upload_page))
        .route("/imports/template.xlsx", get(template))
        .route("/imports/{id}", get(report_page))
        .route("/imports/{id}/commit", post(commit))
}

/// The words of the import pages.
pub struct Words {
    pub heading: &'static str,
    pub intro: &'static str,
    pub template: &'static str,
    pub file: &'static str,
    pub merge: &'static str,
    pub replace: &'static str,
    pub preview: &'static str,
    pub commit_now: &'static str,
    pub uploading: &'static str,
    pub running: &'static str,
    pub rows_read: &'static str,
    pub refused: &'static str,
    pub failed: &'static str,
    pub previewed: &'static str,
    pub committed: &'static str,
    pub nothing_to_do: &'static str,
    pub problems: &'static str,
    pub more_problems: &'static str,
    pub changes: &'static str,
    pub kind: &'static str,
    pub added: &'static str,
    pub changed: &'static str,
    pub unchanged: &'static str,
    pub removed: &'static str,
    pub samples: &'static str,
    pub column: &'static str,
    pub before: &'static str,
    pub after: &'static str,
    pub confirm: &'static str,
    pub again: &'static str,
    pub where_: &'static str,
    pub what: &'static str,
    pub mode_preview: &'static str,
    pub mode_commit: &'static str,
}

static ZH: Words = Words {
    heading: "导入数据",
    intro: "上传 Excel 工作簿（.xlsx），或把各 CSV 文件打包成的 .zip。先预览：每个问题都会指出所在的表、行和列；没有问题时，可查看新增、修改、未变和删除的记录，再确认导入。导入要么全部写入，要么什么都不写。",
    template: "下载模板工作簿",
    file: "文件",
    merge: "合并：新增记录，按编号（企业可按统一社会信用代码）更新已有记录，不删除任何记录",
    replace: "替换：数据库变为与数据包完全一致，数据包中没有的记录将被删除",
    preview: "上传并预览",
    commit_now: "上传并直接导入",
    uploading: "正在上传……",
    running: "正在处理",
    rows_read: "已读取行数",
    refused: "发现问题，没有写入任何数据。请改正后重新上传。",
    failed: "文件无法读取",
    previewed: "预览完成，数据库尚未改变。",
    committed: "导入完成。",
    nothing_to_do: "与数据库相比没有任何变化。",
    problems: "问题",
    more_problems: "另有未列出的问题：",
    changes: "变化",
    kind: "数据",
    added: "新增",
    changed: "修改",
    unchanged: "未变",
    removed: "删除",
    samples: "修改示例",
    column: "列",
    before: "原值",
    after: "新值",
    confirm: "确认导入",
    again: "再导入一个文件",
    where_: "位置",
    what: "问题",
    mode_preview: "预览",
    mode_commit: "导入",
};

static EN: Words = Words {
    heading: "Import data",
    intro: "Upload an Excel workbook (.xlsx), or a .zip of the CSV files. Preview first: every problem names its sheet, row and column; when there is none, see what would be added, changed, left unchanged and removed, then confirm. An import writes everything or nothing.",
    template: "Download the template workbook",
    file: "File",
    merge: "Merge: add records, update existing ones by id (enterprises also by credit code), remove nothing",
    replace: "Replace: the database becomes exactly the bundle; records it lacks are removed",
    preview: "Upload and preview",
    commit_now: "Upload and import",
    uploading: "Uploading…",
    running: "Working",
    rows_read: "Rows read",
    refused: "Problems found; nothing was written. Correct them and upload again.",
    failed: "The file cannot be read",
    previewed: "Preview done; the database is unchanged.",
    committed: "Imported.",
    nothing_to_do: "Nothing differs from the database.",
    problems: "Problems",
    more_problems: "More problems not listed:",
    changes: "Changes",
    kind: "Data",
    added: "Added",
    changed: "Changed",
    unchanged: "Unchanged",
    removed: "Removed",
    samples: "Changed rows",
    column: "Column",
    before: "Before",
    after: "After",
    confirm: "Confirm the import",
    again: "Import another file",
    where_: "Where",
    what: "Problem",
    mode_preview: "Preview",
    mode_commit: "Import",
};

fn words(lang: Lang) -> &'static Words {
    match lang {
        Lang::Zh => &ZH,
        Lang::En => &EN,
    }
}

#[derive(Template)]
#[template(path = "imports/upload.html")]
struct UploadPage {
    layout: Layout,
    w: &'static Words,
}

#[derive(Template)]
#[template(path = "imports/report.html")]
struct ReportPage {
    layout: Layout,
    w: &'static Words,
    r: ImportReport,
    running: bool,
    may_commit: bool,
    is_commit: bool,
}

async fn upload_page(
    PageLang(lang): PageLang,
    uri: Uri,
    viewer: Viewer,
) -> Result<Response, PageError> {
    viewer
        .require(Permission::Analyse)
        .or_page(lang, &uri, &viewer)?;
    let w = words(lang);
    let layout = Layout::new(lang, w.heading, &uri, &viewer);
    Ok(render(&UploadPage { layout, w }))
}

async fn report_page(
    State(state): State<AppState>,
    PageLang(lang): PageLang,
    uri: Uri,
    viewer: Viewer,
    Path(id): Path<u64>,
) -> Result<Response, PageError> {
    let job = state
        .imports
        .get(&viewer, id)
        .or_page(lang, &uri, &viewer)?;
    let r = ImportReport::of(&job, lang);
    let w = words(lang);
    let layout = Layout::new(
        lang,
        format!("{} · {}", w.heading, r.file_name),
        &uri,
        &viewer,
    );
    let page = ReportPage {
        layout,
        w,
        running: r.state == "running",
        may_commit: r.may_commit(),
        is_commit: r.mode == Mode::Commit,
        r,
    };
    Ok(render(&page))
}

async fn commit(
    State(state): State<AppState>,
    PageLang(lang): PageLang,
    uri: Uri,
    viewer: Viewer,
    Path(id): Path<u64>,
) -> Result<Response, PageError> {
    let job = state
        .imports
        .commit_preview(&viewer, state.pool.path(), id)
        .or_page(lang, &uri, &viewer)?;
    Ok(Redirect::to(&format!("/imports/{}", job.id)).into_response())
}

/// The template workbook: every sheet with its header, a 说明 sheet, drop-down lists.
async fn template(
    PageLang(lang): PageLang,
    uri: Uri,
    viewer: Viewer,
) -> Result<Response, PageError> {
    viewer
        .require(Permission::Analyse)
        .or_page(lang, &uri, &viewer)?;
    let bytes = chainatlas_bundle::template()
        .map_err(|e| crate::core::error::AppError::internal(format!("template workbook: {e}")))
        .or_page(lang, &uri, &viewer)?;
    Ok((
        [
            (
                axum::http::header::CONTENT_TYPE,
                "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
            ),
            (
                axum::http::header::CONTENT_DISPOSITION,
                "attachment; filename=\"chainatlas-template.xlsx\"",
            ),
        ],
        bytes,
    )
        .into_response())
}
