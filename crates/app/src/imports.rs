//! Imports from the browser and the API: an uploaded workbook or zip of CSV files is
//! previewed or committed in the background, one import at a time, with its progress and
//! its report kept for whoever started it.

use std::collections::VecDeque;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};

use chainatlas_auth::Permission;
use chainatlas_bundle::{ImportError, ImportOptions, ImportSummary, Preview};
use chainatlas_model::{text, Explain, Lang};
use chainatlas_store::{Actor, Store};
use serde::Serialize;

use crate::{AppError, ErrorCode, Viewer};

/// The most an upload may hold, compressed: 1 GiB (a province's supply relations are a
/// few hundred MiB of zipped CSV). What it unpacks to is bounded by the bundle's limits.
pub const MAX_UPLOAD_BYTES: u64 = 1 << 30;

/// Finished imports kept with their uploads, for their reports and a commit after a
/// preview; older ones are forgotten and their files deleted.
const KEPT: usize = 8;

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, serde::Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "lowercase")]
pub enum Mode {
    /// Run every check and count the changes, then roll back.
    Preview,
    /// Write everything, or nothing when there is any problem.
    Commit,
}

/// One import: what was asked, how far it is, and how it ended.
pub struct Job {
    pub id: u64,
    pub user_id: i64,
    pub file_name: String,
    pub mode: Mode,
    pub replace: bool,
    /// Rows read so far.
    pub rows: AtomicU64,
    /// The upload, kept so that a preview can be committed without sending it again.
    upload: Mutex<Option<tempfile::TempDir>>,
    outcome: Mutex<Option<Result<Preview, AppError>>>,
}

impl Job {
    /// How it ended; `None` while it runs.
    pub fn outcome(&self) -> Option<Result<Preview, AppError>> {
        self.outcome
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .clone()
    }

    pub fn is_done(&self) -> bool {
        self.outcome
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .is_some()
    }
}

/// The imports of this server.
#[derive(Default)]
pub struct Imports {
    jobs: Mutex<VecDeque<Arc<Job>>>,
    next: AtomicU64,
}

impl Imports {
    /// The import `id`, if the viewer started it (admins see every import).
    pub fn get(&self, viewer: &Viewer, id: u64) -> Result<Arc<Job>, AppError> {
        viewer.require(Permission::Analyse)?;
        let jobs = self.jobs.lock().unwrap_or_else(|e| e.into_inner());
        jobs.iter()
            .find(|j| j.id == id && may_see(viewer, j))
            .cloned()
            .ok_or_else(|| {
                AppError::new(
                    ErrorCode::ImportNotFound,
                    text!(
                        "没有编号为 {id} 的导入（只保留最近 {KEPT} 次）",
                        "there is no import {id} (only the last {KEPT} are kept)"
                    ),
                )
            })
    }

    /// Starts importing the file at `upload` (a workbook or a zip of CSV files) into the
    /// database at `db`, on a thread of its own. Refused while another import runs: the
    /// database takes one writer at a time.
    pub fn start(
        &self,
        viewer: &Viewer,
        db: &Path,
        upload: tempfile::TempDir,
        file_name: String,
        mode: Mode,
        replace: bool,
    ) -> Result<Arc<Job>, AppError> {
        viewer.require(Permission::Analyse)?;
        let user_id = viewer.principal.as_ref().map_or(0, |p| p.user_id);
        let job = {
            let mut jobs = self.jobs.lock().unwrap_or_else(|e| e.into_inner());
            if let Some(running) = jobs.iter().find(|j| !j.is_done()) {
                let id = running.id;
                return Err(AppError::new(
                    ErrorCode::ImportRunning,
                    text!(
                        "导入 {id} 还在进行：请等它结束后再导入",
                        "import {id} is still running: wait for it to finish"
                    ),
                ));
            }
            let job = Arc::new(Job {
                id: self.next.fetch_add(1, Ordering::Relaxed) + 1,
                user_id,
                file_name,
                mode,
                replace,
                rows: AtomicU64::new(0),
                upload: Mutex::new(None),
                outcome: Mutex::new(None),
            });
            jobs.push_back(job.clone());
            while jobs.len() > KEPT {
                jobs.pop_front();
            }
            job
        };
        let dir = upload.path().to_path_buf();
        *job.upload.lock().unwrap_or_else(|e| e.into_inner()) = Some(upload);
        let (db, actor, running) = (db.to_path_buf(), viewer.actor(), job.clone());
        std::thread::Builder::new()
            .name(format!("import-{}", job.id))
            .spawn(move || {
                let outcome = run(&db, &dir, &running, &actor);
                if let Err(e) = &outcome {
                    e.log();
                }
                *running.outcome.lock().unwrap_or_else(|e| e.into_inner()) = Some(outcome);
            })
            .map_err(|e| AppError::internal(format!("cannot start the import: {e}")))?;
        Ok(job)
    }

    /// Commits what import `id` previewed, from the same upload.
    pub fn commit_preview(
        &self,
        viewer: &Viewer,
        db: &Path,
        id: u64,
    ) -> Result<Arc<Job>, AppError> {
        let previewed = self.get(viewer, id)?;
        let upload = previewed
            .upload
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .take();
        let Some(upload) = upload.filter(|_| previewed.is_done()) else {
            return Err(AppError::new(
                ErrorCode::ImportRunning,
                text!(
                    "导入 {id} 还在进行，或已经提交过",
                    "import {id} is still running or was already committed"
                ),
            ));
        };
        let name = previewed.file_name.clone();
        self.start(viewer, db, upload, name, Mode::Commit, previewed.replace)
    }
}

fn may_see(viewer: &Viewer, job: &Job) -> bool {
    viewer
        .principal
        .as_ref()
        .is_some_and(|p| p.user_id == job.user_id || p.may(Permission::ManageUsers))
}

/// The upload's file inside its folder.
pub fn upload_file(dir: &Path) -> PathBuf {
    dir.join("upload")
}

fn run(db: &Path, dir: &Path, job: &Job, actor: &Actor) -> Result<Preview, AppError> {
    let file = upload_file(dir);
    let source = if file.exists() {
        chainatlas_bundle::upload::unpack(&file, dir).map_err(refused)?
    } else {
        // A committed preview: the upload was unpacked then.
        let workbook = dir.join("upload.xlsx");
        if workbook.exists() {
            workbook
        } else {
            dir.join("bundle")
        }
    };
    let mut store = Store::open(db)?;
    let options = ImportOptions {
        replace: job.replace,
        ..ImportOptions::default()
    };
    let mut progress =
        |p: chainatlas_bundle::Progress| job.rows.store(p.records, Ordering::Relaxed);
    match job.mode {
        Mode::Preview => {
            chainatlas_bundle::preview(&mut store, &source, options, &mut progress).map_err(refused)
        }
        Mode::Commit => {
            match chainatlas_bundle::import(&mut store, &source, options, actor, &mut progress) {
                Ok(summary) => Ok(Preview {
                    summary,
                    problems: Vec::new(),
                    omitted: 0,
                }),
                Err(ImportError::Invalid { problems, omitted }) => Ok(Preview {
                    summary: ImportSummary::default(),
                    problems,
                    omitted,
                }),
                Err(e) => Err(refused(e)),
            }
        }
    }
}

fn refused(e: ImportError) -> AppError {
    match e {
        ImportError::Store(e) => e.into(),
        e => AppError::new(ErrorCode::InvalidBundle, e.explain()),
    }
}

/// An import as the API answers it.
#[derive(Serialize, utoipa::ToSchema)]
pub struct ImportReport {
    pub id: u64,
    pub file_name: String,
    pub mode: Mode,
    pub replace: bool,
    /// `running`, `done` (previewed or committed), `refused` (problems; nothing written)
    /// or `failed` (the file could not be read).
    pub state: &'static str,
    /// Rows read so far.
    pub rows: u64,
    /// Per kind: rows added, changed and unchanged, records removed, changed fields.
    pub changes: Vec<KindReport>,
    /// Every located problem, in the answer's language.
    pub problems: Vec<ProblemReport>,
    /// Problems beyond the first 1,000, counted only.
    pub omitted: u64,
    /// Why the file could not be read at all.
    pub error: Option<String>,
}

#[derive(Serialize, utoipa::ToSchema)]
pub struct KindReport {
    /// The bundle file's name without `.csv`: `enterprises`.
    pub kind: &'static str,
    pub label: String,
    pub added: u64,
    pub changed: u64,
    pub unchanged: u64,
    pub removed: u64,
    pub samples: Vec<SampleReport>,
}

#[derive(Serialize, utoipa::ToSchema)]
pub struct SampleReport {
    pub location: String,
    pub key: String,
    /// (column, before, after)
    pub fields: Vec<(String, String, String)>,
}

#[derive(Serialize, utoipa::ToSchema)]
pub struct ProblemReport {
    /// `enterprises.csv` or `sheet enterprises`.
    pub file: String,
    pub row: u64,
    pub column: Option<String>,
    pub column_letter: Option<String>,
    /// Where and what, in one line.
    pub message: String,
}

impl ImportReport {
    pub fn of(job: &Job, lang: Lang) -> ImportReport {
        let mut report = ImportReport {
            id: job.id,
            file_name: job.file_name.clone(),
            mode: job.mode,
            replace: job.replace,
            state: "running",
            rows: job.rows.load(Ordering::Relaxed),
            changes: Vec::new(),
            problems: Vec::new(),
            omitted: 0,
            error: None,
        };
        match job.outcome() {
            None => {}
            Some(Err(e)) => {
                report.state = "failed";
                report.error = Some(e.public_message(lang).to_string());
            }
            Some(Ok(preview)) => {
                let refused = !preview.problems.is_empty() || preview.omitted > 0;
                report.state = if refused { "refused" } else { "done" };
                report.omitted = preview.omitted;
                report.problems = preview
                    .problems
                    .iter()
                    .map(|p| ProblemReport {
                        file: p.location.file.clone(),
                        row: p.location.row,
                        column: p.location.column.clone(),
                        column_letter: p.location.column_letter.clone(),
                        message: p.text().get(lang).to_string(),
                    })
                    .collect();
                report.changes = preview
                    .summary
                    .kinds
                    .iter()
                    .map(|k| KindReport {
                        kind: k.kind.as_str(),
                        label: k.kind.label().get(lang).to_string(),
                        added: k.added,
                        changed: k.changed,
                        unchanged: k.unchanged,
                        removed: k.removed,
                        samples: k
                            .samples
                            .iter()
                            .map(|s| SampleReport {
                                location: s.location.text().get(lang).to_string(),
                                key: s.key.clone(),
                                fields: s
                                    .fields
                                    .iter()
                                    .map(|f| {
                                        (f.column.to_string(), f.before.clone(), f.after.clone())
                                    })
                                    .collect(),
                            })
                            .collect(),
                    })
                    .collect();
            }
        }
        report
    }

    /// Whether a finished preview found nothing wrong and would change something.
    pub fn may_commit(&self) -> bool {
        self.mode == Mode::Preview
            && self.state == "done"
            && self
                .changes
                .iter()
                .any(|k| k.added + k.changed + k.removed > 0)
    }
}

/// The refusal of an upload over [`MAX_UPLOAD_BYTES`].
pub fn upload_too_large() -> AppError {
    let mib = MAX_UPLOAD_BYTES >> 20;
    AppError::new(
        ErrorCode::TooLarge,
        text!(
            "上传的文件超过 {mib} MiB 上限：请把 CSV 文件打包成 .zip，或分批导入",
            "the upload is over the limit of {mib} MiB: zip the CSV files, or import in parts"
        ),
    )
}

/// The format of a whole-atlas export.
#[derive(Clone, Copy, Debug, PartialEq, Eq, serde::Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "lowercase")]
pub enum ExportFormat {
    /// One workbook, a sheet per file (at most 1,048,575 rows a sheet).
    Xlsx,
    /// The CSV files in a `.zip`: any size.
    Zip,
}

/// Writes the whole database as a bundle (the atlas, listings, events and agreements)
/// into a new temporary folder, for staff only: it holds every firm's private figures.
/// Returns the folder (delete it when sent) and the file in it.
pub fn export_all(
    store: &Store,
    viewer: &Viewer,
    format: ExportFormat,
) -> Result<(tempfile::TempDir, PathBuf), AppError> {
    viewer.require(Permission::ReadAllPrivateData)?;
    let dir = tempfile::Builder::new()
        .prefix("chainatlas-export-")
        .tempdir()
        .map_err(|e| AppError::internal(format!("cannot make a folder for the export: {e}")))?;
    let failed = |e: chainatlas_bundle::ExportError| match e {
        chainatlas_bundle::ExportError::TooManyRows { kind, rows } => AppError::new(
            ErrorCode::TooLarge,
            text!(
                "{kind} 有 {rows} 行，超过一张工作表的上限：请导出为 zip",
                "{kind} has {rows} rows, more than a sheet holds: export as zip"
            ),
        ),
        e => AppError::internal(e.to_string()),
    };
    let file = match format {
        ExportFormat::Xlsx => {
            let file = dir.path().join("chainatlas.xlsx");
            chainatlas_bundle::export(store, &file, &mut |_| {}).map_err(failed)?;
            file
        }
        ExportFormat::Zip => {
            let folder = dir.path().join("bundle");
            chainatlas_bundle::export(store, &folder, &mut |_| {}).map_err(failed)?;
            let file = dir.path().join("chainatlas.zip");
            chainatlas_bundle::upload::zip_folder(&folder, &file)
                .map_err(|e| AppError::internal(format!("cannot zip the export: {e}")))?;
            file
        }
    };
    Ok((dir, file))
}
