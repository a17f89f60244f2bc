//! Request bodies that are files: streamed to a temporary folder within the upload limit.

use axum::body::Body;
use http_body_util::BodyExt;

use crate::core::error::AppError;
use chainatlas_app::imports::{upload_file, upload_too_large, MAX_UPLOAD_BYTES};

/// Streams a request body into a new temporary folder's `upload` file, refusing it once
/// it passes [`MAX_UPLOAD_BYTES`]: memory holds one chunk at a time.
pub(crate) async fn receive(body: Body) -> Result<tempfile::TempDir, AppError> {
    use std::io::Write;
    let dir = tempfile::Builder::new()
        .prefix("chainatlas-import-")
        .tempdir()
        .map_err(|e| AppError::internal(format!("cannot make a folder for the upload: {e}")))?;
    let path = upload_file(dir.path());
    let mut file = std::fs::File::create(&path)
        .map_err(|e| AppError::internal(format!("cannot store the upload: {e}")))?;
    let mut body = body;
    let mut size = 0u64;
    while let Some(frame) = body.frame().await {
        let frame = frame.map_err(|e| AppError::internal(format!("upload interrupted: {e}")))?;
        if let Some(data) = frame.data_ref() {
            size += data.len() as u64;
            if size > MAX_UPLOAD_BYTES {
                return Err(upload_too_large());
            }
            file.write_all(data)
                .map_err(|e| AppError::internal(format!("cannot store the upload: {e}")))?;
        }
    }
    file.flush()
        .map_err(|e| AppError::internal(format!("cannot store the upload: {e}")))?;
    Ok(dir)
}
