//! Sending a file the server wrote (an export) as a response body, a chunk at a time, and
//! deleting it once sent; and a page's tables as an Excel workbook.

use std::io::Read;
use std::path::PathBuf;
use std::pin::Pin;
use std::task::{Context, Poll};

use axum::body::{Body, Bytes};
use http_body::Frame;

/// A body fed by a reader thread through a small channel: memory holds a few chunks.
struct ChannelBody(tokio::sync::mpsc::Receiver<std::io::Result<Bytes>>);

impl http_body::Body for ChannelBody {
    type Data = Bytes;
    type Error = std::io::Error;

    fn poll_frame(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
    ) -> Poll<Option<Result<Frame<Bytes>, std::io::Error>>> {
        self.0
            .poll_recv(cx)
            .map(|chunk| chunk.map(|r| r.map(Frame::data)))
    }
}

/// Streams `file` (inside `dir`, which is deleted when the file is sent or the client
/// goes away).
pub fn stream_file(dir: tempfile::TempDir, file: PathBuf) -> std::io::Result<Body> {
    let mut reader = std::fs::File::open(&file)?;
    let (tx, rx) = tokio::sync::mpsc::channel(4);
    std::thread::Builder::new()
        .name("download".into())
        .spawn(move || {
            let _dir = dir;
            let mut buffer = vec![0u8; 256 * 1024];
            loop {
                match reader.read(&mut buffer) {
                    Ok(0) => break,
                    Ok(n) => {
                        if tx
                            .blocking_send(Ok(Bytes::copy_from_slice(&buffer[..n])))
                            .is_err()
                        {
                            break;
                        }
                    }
                    Err(e) => {
                        let _ = tx.blocking_send(Err(e));
                        break;
                    }
                }
            }
        })?;
    Ok(Body::new(ChannelBody(rx)))
}

/// The most rows a page's table exports to a workbook.
pub const MAX_EXPORT_ROWS: u32 = 100_000;

/// Tables as an `.xlsx` download named `file` (ASCII, without the extension): the same
/// rows the page shows, in the viewer's language, numbers as numbers.
pub fn workbook(
    file: &str,
    sheets: &[chainatlas_bundle::sheet::Sheet],
) -> Result<axum::response::Response, chainatlas_app::AppError> {
    use axum::http::header;
    use axum::response::IntoResponse;
    let bytes = chainatlas_bundle::sheet::to_xlsx(sheets)
        .map_err(|e| chainatlas_app::AppError::internal(format!("workbook {file}: {e}")))?;
    Ok((
        [
            (
                header::CONTENT_TYPE,
                "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet".to_string(),
            ),
            (
                header::CONTENT_DISPOSITION,
                format!("attachment; filename=\"{file}.xlsx\""),
            ),
        ],
        bytes,
    )
        .into_response())
}
