//! `hearth-tui`: a terminal client of Hearth, built on the offline-first SDK.
//!
//! It draws only what the SDK's local store holds (seed 000's rule): the sync engine and the
//! outbox write the store, and every change they announce makes the screen read it again.
//! So the client keeps working when the server goes away (sends wait as `pending`) and picks
//! up where it was when it returns. It must never read the network to draw.
//!
//! ```text
//! hearth-tui --server http://127.0.0.1:8080 [--username alice] [--data ~/.local/share/hearth-tui]
//! ```

mod app;
mod ui;

use std::path::PathBuf;
use std::time::Duration;

use clap::Parser;
use crossterm::event::EventStream;
use futures::StreamExt;

use crate::app::App;

/// A terminal client of Hearth.
#[derive(Debug, Parser)]
#[command(version)]
struct Args {
    /// The server's base URL.
    #[arg(long, env = "HEARTH_SERVER", default_value = "http://127.0.0.1:8080")]
    server: String,
    /// The username to sign in as (asked for when absent).
    #[arg(long, env = "HEARTH_USERNAME")]
    username: Option<String>,
    /// Where the local store lives (one SQLite file per user and server).
    #[arg(long, env = "HEARTH_TUI_DATA")]
    data: Option<PathBuf>,
}

fn default_data_dir() -> PathBuf {
    std::env::var_os("XDG_DATA_HOME")
        .map(PathBuf::from)
        .or_else(|| std::env::var_os("HOME").map(|home| PathBuf::from(home).join(".local/share")))
        .unwrap_or_else(|| PathBuf::from("."))
        .join("hearth-tui")
}

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    let args = Args::parse();
    let data = args.data.clone().unwrap_or_else(default_data_dir);
    std::fs::create_dir_all(&data)?;
    // Logs go to a file: the terminal belongs to the UI.
    let log = std::fs::File::create(data.join("hearth-tui.log"))?;
    tracing_subscriber::fmt()
        .with_writer(std::sync::Mutex::new(log))
        .with_ansi(false)
        .with_env_filter(
            tracing_subscriber::EnvFilter::try_from_default_env()
                .unwrap_or_else(|_| "hearth_tui=info,hearth_sdk=info".into()),
        )
        .init();

    let mut terminal = ratatui::init();
    let result = run(&mut terminal, App::new(args.server, args.username, data)).await;
    ratatui::restore();
    result
}

async fn run(terminal: &mut ratatui::DefaultTerminal, mut app: App) -> anyhow::Result<()> {
    let mut keys = EventStream::new();
    let mut tick = tokio::time::interval(Duration::from_millis(500));
    while !app.quit {
        terminal.draw(|frame| ui::draw(frame, &mut app))?;
        let mut changes = app.changes();
        tokio::select! {
            event = keys.next() => match event {
                Some(Ok(event)) => app.on_terminal_event(event).await,
                Some(Err(error)) => return Err(error.into()),
                None => return Ok(()),
            },
            change = async {
                match changes.as_mut() {
                    Some(changes) => changes.recv().await.ok(),
                    None => std::future::pending().await,
                }
            } => {
                if change.is_some() {
                    app.refresh();
                }
            }
            _ = tick.tick() => app.refresh(),
        }
    }
    Ok(())
}
