//! `chainatlas`: the commands of `chainatlas-cli`, with the web server of `chainatlas-web`
//! behind `serve`. Nothing else lives here.

fn main() {
    chainatlas_cli::main(serve);
}

/// Serves the web app on `listener` on a multi-threaded Tokio runtime until Ctrl-C or
/// SIGTERM.
fn serve(
    listener: std::net::TcpListener,
    pool: chainatlas_store::Pool,
    secure_cookies: bool,
) -> std::io::Result<()> {
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()?;
    runtime.block_on(async move {
        listener.set_nonblocking(true)?;
        let listener = tokio::net::TcpListener::from_std(listener)?;
        chainatlas_web::serve(listener, pool, secure_cookies).await
    })
}
