//! Sending a file the server wrote (an export) as a response body, a chunk at a time, and
//! deleting it once sent.

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
