//! Drawing: the sign-in form, the conversation list, the open conversation (or search
//! results), the input line, the status bar and the `?` help. Reads the [`App`] only; never
//! changes it beyond clamping the scroll.

use hearth_sdk::offline::{Connection, LocalMessage, LocalStatus};
use ratatui::Frame;
use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::style::{Modifier, Style, Stylize};
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Clear, List, ListItem, ListState, Paragraph, Wrap};

use crate::app::{App, Focus, Session};

const HELP: &[&str] = &[
    "Conversation list:  ↑/↓ or j/k select · Enter open · i or Tab write · / search · q quit",
    "Input line:         Enter send · Esc or Tab back to the list · PgUp/PgDn scroll",
    "Commands:           /reply <text>   answer the newest message of the others",
    "                    /react [emoji]  react to it (👍 when no emoji)",
    "                    /search <words> search what this device holds (works offline)",
    "                    /dm <username>  start a direct conversation",
    "                    /retry          send failed messages again",
    "Marks:              … pending (waits for the server) · ✓ sent · ✗ failed",
    "                    ● online · Ctrl-C quits anywhere · any key closes this help",
];

pub fn draw(frame: &mut Frame<'_>, app: &mut App) {
    let [main, status] =
        Layout::vertical([Constraint::Min(3), Constraint::Length(1)]).areas(frame.area());
    match &app.session {
        None => draw_sign_in(frame, main, app),
        Some(session) => draw_session(frame, main, session),
    }
    let connection = app.session.as_ref().map(|s| s.offline.connection());
    let state = match connection {
        Some(Connection::Online) => "online".green(),
        Some(Connection::Connecting) => "connecting…".yellow(),
        Some(Connection::Offline) => "offline (sends wait)".red(),
        None => "signed out".into(),
    };
    frame.render_widget(
        Paragraph::new(Line::from(vec![
            Span::raw(format!(" {} · ", app.server)),
            state,
            Span::raw(format!(" · {}", app.status)),
        ]))
        .reversed(),
        status,
    );
    if app.help {
        let area = centered(
            frame.area(),
            90,
            u16::try_from(HELP.len()).unwrap_or(10) + 2,
        );
        frame.render_widget(Clear, area);
        frame.render_widget(
            Paragraph::new(HELP.iter().map(|l| Line::from(*l)).collect::<Vec<_>>())
                .block(Block::bordered().title(" Help ")),
            area,
        );
    }
}

fn centered(area: Rect, width: u16, height: u16) -> Rect {
    let width = width.min(area.width);
    let height = height.min(area.height);
    Rect {
        x: area.x + (area.width - width) / 2,
        y: area.y + (area.height - height) / 2,
        width,
        height,
    }
}

fn draw_sign_in(frame: &mut Frame<'_>, area: Rect, app: &App) {
    let form = &app.sign_in;
    let marker = |on: bool| if on { "▶ " } else { "  " };
    let mut lines = vec![
        Line::from("Sign in to Hearth"),
        Line::from(""),
        Line::from(format!(
            "{}Username: {}",
            marker(!form.on_password),
            form.username
        )),
        Line::from(format!(
            "{}Password: {}",
            marker(form.on_password),
            "•".repeat(form.password.chars().count())
        )),
        Line::from(""),
        Line::from("Tab switches field · Enter signs in · Esc quits"),
    ];
    if let Some(error) = &form.error {
        lines.push(Line::from(error.clone().red()));
    }
    let area = centered(area, 60, 10);
    frame.render_widget(Paragraph::new(lines).block(Block::bordered()), area);
}

fn draw_session(frame: &mut Frame<'_>, area: Rect, session: &Session) {
    let [list_area, right] =
        Layout::horizontal([Constraint::Length(30), Constraint::Min(20)]).areas(area);
    let online = session.offline.ephemeral().online;
    let items: Vec<ListItem<'_>> = session
        .conversations
        .iter()
        .map(|c| {
            let dot = if c
                .member_ids
                .iter()
                .any(|id| *id != session.me && online.contains(id))
            {
                "● ".green()
            } else {
                "  ".into()
            };
            let unread = if c.unread > 0 {
                format!(" ({})", c.unread).bold()
            } else {
                "".into()
            };
            ListItem::new(Line::from(vec![dot, Span::raw(session.name_of(c)), unread]))
        })
        .collect();
    let mut state = ListState::default().with_selected(Some(session.selected));
    let list_block = Block::bordered().title(" Conversations ");
    let list_block = if session.focus == Focus::List {
        list_block.border_style(Style::new().cyan())
    } else {
        list_block
    };
    frame.render_stateful_widget(
        List::new(items)
            .block(list_block)
            .highlight_style(Style::new().add_modifier(Modifier::REVERSED)),
        list_area,
        &mut state,
    );

    let [messages_area, typing_area, input_area] = Layout::vertical([
        Constraint::Min(3),
        Constraint::Length(1),
        Constraint::Length(3),
    ])
    .areas(right);
    let (title, lines) = match &session.search {
        Some((query, hits)) => (
            format!(" Search: {query} "),
            hits.iter()
                .map(|m| message_line(session, m, true))
                .collect::<Vec<_>>(),
        ),
        None => {
            let title = session
                .open
                .and_then(|id| session.conversations.iter().find(|c| c.id == id))
                .map_or_else(
                    || " No conversation open ".to_owned(),
                    |c| format!(" {} ", session.name_of(c)),
                );
            (
                title,
                session
                    .messages
                    .iter()
                    .map(|m| message_line(session, m, false))
                    .collect(),
            )
        }
    };
    // Bottom-anchored with scrollback: skip from the end by `scroll` lines.
    let height = usize::from(messages_area.height.saturating_sub(2));
    let end = lines.len().saturating_sub(usize::from(session.scroll));
    let start = end.saturating_sub(height);
    let visible: Vec<Line<'_>> = lines.into_iter().skip(start).take(end - start).collect();
    frame.render_widget(
        Paragraph::new(visible)
            .block(Block::bordered().title(title))
            .wrap(Wrap { trim: false }),
        messages_area,
    );
    let typing = session
        .open
        .map(|open| session.offline.ephemeral().typing_in(open))
        .unwrap_or_default();
    if !typing.is_empty() {
        frame.render_widget(
            Paragraph::new(format!(" {} typing…", typing.join(", "))).italic(),
            typing_area,
        );
    }
    let input_block = Block::bordered().title(" Message (Enter sends, ? on the list for help) ");
    let input_block = if session.focus == Focus::Input {
        input_block.border_style(Style::new().cyan())
    } else {
        input_block
    };
    frame.render_widget(
        Paragraph::new(format!("{}▏", session.input)).block(input_block),
        input_area,
    );
}

/// ` (3.4 MB)`: a file's size as people read it.
fn file_size(bytes: u64) -> String {
    const UNITS: [&str; 4] = ["KB", "MB", "GB", "TB"];
    if bytes < 1000 {
        return format!(" ({bytes} B)");
    }
    let mut value = bytes as f64 / 1000.0;
    let mut unit = 0;
    while value >= 1000.0 && unit + 1 < UNITS.len() {
        value /= 1000.0;
        unit += 1;
    }
    format!(" ({value:.1} {})", UNITS.get(unit).copied().unwrap_or("TB"))
}

fn message_line<'a>(session: &Session, message: &LocalMessage, with_place: bool) -> Line<'a> {
    let sender = session
        .names
        .get(&message.sender_id)
        .cloned()
        .unwrap_or_else(|| "someone".into());
    let mark = match message.status {
        LocalStatus::Pending => "…".yellow(),
        LocalStatus::Sent => "✓".green(),
        LocalStatus::Failed => "✗".red(),
    };
    let mut spans = vec![mark, Span::raw(" ")];
    if with_place {
        let place = session
            .conversations
            .iter()
            .find(|c| c.id == message.conversation_id)
            .map(|c| session.name_of(c))
            .unwrap_or_default();
        spans.push(Span::raw(format!("[{place}] ")));
    }
    if message.reply_to.is_some() {
        spans.push("↪ ".dim());
    }
    spans.push(format!("{sender}: ").bold());
    spans.push(match (&message.content, message.deleted) {
        (_, true) | (None, _) => "(deleted)".dim(),
        (Some(text), false) => Span::raw(text.clone()),
    });
    if !message.deleted {
        for file in &message.attachments {
            let size = file.size.map(file_size).unwrap_or_default();
            spans.push(format!(" [file: {}{size}]", file.file_name).cyan());
        }
    }
    if message.edited {
        spans.push(" (edited)".dim());
    }
    for reaction in &message.reactions {
        spans.push(format!(" [{} {}]", reaction.emoji, reaction.count).into());
    }
    if message.reply_count > 0 {
        spans.push(format!(" · {} replies", message.reply_count).dim());
    }
    if let Some(reason) = &message.failure {
        spans.push(format!(" — failed: {reason} (/retry)").red());
    }
    Line::from(spans)
}

#[cfg(test)]
mod tests {
    use super::file_size;

    #[test]
    fn file_sizes_read_as_people_write_them() {
        assert_eq!(file_size(999), " (999 B)");
        assert_eq!(file_size(1_500), " (1.5 KB)");
        assert_eq!(file_size(3_400_000), " (3.4 MB)");
        assert_eq!(file_size(2_000_000_000_000_000), " (2000.0 TB)");
    }
}
