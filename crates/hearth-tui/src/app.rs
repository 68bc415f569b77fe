//! The client's state and what each key does. Everything drawn is read from the SDK's local
//! store in [`App::refresh`]; keys either change this state or call the SDK (which writes
//! the store). No rendering here (see `ui.rs`).

use std::collections::{HashMap, HashSet};
use std::path::PathBuf;
use std::sync::Arc;
use std::time::{Duration, Instant};

use crossterm::event::{Event, KeyCode, KeyEvent, KeyEventKind, KeyModifiers};
use hearth_sdk::Client;
use hearth_sdk::offline::{Change, LocalConversation, LocalMessage, LocalStore, Offline};
use tokio::sync::broadcast;
use uuid::Uuid;

/// How often "typing" is sent while the user types.
const TYPING_EVERY: Duration = Duration::from_secs(3);

/// Which part of the main screen takes the keys.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Focus {
    /// The conversation list: arrows move, Enter opens, `?` helps, `q` quits.
    List,
    /// The input line: text, Enter sends, Esc goes back to the list.
    Input,
}

/// The sign-in form.
#[derive(Debug, Default)]
pub struct SignIn {
    pub username: String,
    pub password: String,
    /// Whether the password field has the cursor.
    pub on_password: bool,
    pub error: Option<String>,
}

/// A running session: the SDK's engine and what was read from its store.
pub struct Session {
    pub offline: Offline,
    pub store: Arc<LocalStore>,
    pub me: Uuid,
    pub conversations: Vec<LocalConversation>,
    pub selected: usize,
    pub open: Option<Uuid>,
    pub messages: Vec<LocalMessage>,
    /// Lines scrolled up from the newest message.
    pub scroll: u16,
    pub input: String,
    pub focus: Focus,
    /// Local search results shown instead of the conversation, with their query.
    pub search: Option<(String, Vec<LocalMessage>)>,
    pub names: HashMap<Uuid, String>,
    asked_names: HashSet<Uuid>,
    last_typing: Option<Instant>,
}

/// The whole client.
pub struct App {
    pub server: String,
    data: PathBuf,
    pub sign_in: SignIn,
    pub session: Option<Session>,
    pub help: bool,
    /// A line for the status bar (the last error, a hint).
    pub status: String,
    pub quit: bool,
}

impl App {
    pub fn new(server: String, username: Option<String>, data: PathBuf) -> Self {
        let sign_in = SignIn {
            on_password: username.is_some(),
            username: username.unwrap_or_default(),
            ..SignIn::default()
        };
        Self {
            server,
            data,
            sign_in,
            session: None,
            help: false,
            status: "? for help".into(),
            quit: false,
        }
    }

    /// The store's change stream, once signed in.
    pub fn changes(&self) -> Option<broadcast::Receiver<Change>> {
        self.session.as_ref().map(|s| s.offline.subscribe())
    }

    /// Reads everything drawn from the store again.
    pub fn refresh(&mut self) {
        let Some(session) = &mut self.session else {
            return;
        };
        match session.reload() {
            Ok(()) => {}
            Err(error) => self.status = format!("store: {error}"),
        }
    }

    pub async fn on_terminal_event(&mut self, event: Event) {
        let Event::Key(key) = event else { return };
        if key.kind != KeyEventKind::Press {
            return;
        }
        if key.code == KeyCode::Char('c') && key.modifiers.contains(KeyModifiers::CONTROL) {
            self.quit = true;
            return;
        }
        if self.help {
            self.help = false;
            return;
        }
        if self.session.is_none() {
            self.on_sign_in_key(key).await;
        } else {
            self.on_main_key(key).await;
        }
    }

    async fn on_sign_in_key(&mut self, key: KeyEvent) {
        let form = &mut self.sign_in;
        let field = if form.on_password {
            &mut form.password
        } else {
            &mut form.username
        };
        match key.code {
            KeyCode::Tab | KeyCode::Down | KeyCode::Up => form.on_password = !form.on_password,
            KeyCode::Backspace => {
                field.pop();
            }
            KeyCode::Esc => self.quit = true,
            KeyCode::Enter if !form.on_password => form.on_password = true,
            KeyCode::Enter => self.sign_in().await,
            KeyCode::Char(c) => field.push(c),
            _ => {}
        }
    }

    async fn sign_in(&mut self) {
        self.sign_in.error = None;
        match self.start_session().await {
            Ok(session) => {
                self.session = Some(session);
                self.sign_in.password.clear();
                self.refresh();
            }
            Err(error) => self.sign_in.error = Some(error.to_string()),
        }
    }

    async fn start_session(&self) -> anyhow::Result<Session> {
        let anonymous = Client::new(&self.server)?;
        let username = self.sign_in.username.trim();
        let signed = anonymous.login(username, &self.sign_in.password).await?;
        let client = anonymous.signed_in(signed.tokens);
        let host = self
            .server
            .trim_start_matches("http://")
            .trim_start_matches("https://")
            .replace([':', '/'], "_");
        let store = Arc::new(LocalStore::open(
            self.data.join(format!("{username}@{host}.sqlite3")),
        )?);
        store.remember_user(&signed.user)?;
        let offline = Offline::start(client, store.clone());
        Ok(Session {
            offline,
            store,
            me: signed.user.id,
            conversations: Vec::new(),
            selected: 0,
            open: None,
            messages: Vec::new(),
            scroll: 0,
            input: String::new(),
            focus: Focus::List,
            search: None,
            names: HashMap::from([(signed.user.id, signed.user.username)]),
            asked_names: HashSet::new(),
            last_typing: None,
        })
    }

    async fn on_main_key(&mut self, key: KeyEvent) {
        let Some(session) = &mut self.session else {
            return;
        };
        match session.focus {
            Focus::List => match key.code {
                KeyCode::Char('?') => self.help = true,
                KeyCode::Char('q') => self.quit = true,
                KeyCode::Up | KeyCode::Char('k') => {
                    session.selected = session.selected.saturating_sub(1)
                }
                KeyCode::Down | KeyCode::Char('j') => {
                    session.selected =
                        (session.selected + 1).min(session.conversations.len().saturating_sub(1));
                }
                KeyCode::Enter | KeyCode::Right => session.open_selected(),
                KeyCode::Char('i') | KeyCode::Tab => session.focus = Focus::Input,
                KeyCode::Char('/') => {
                    session.focus = Focus::Input;
                    session.input = "/search ".into();
                }
                KeyCode::PageUp => session.scroll = session.scroll.saturating_add(10),
                KeyCode::PageDown => session.scroll = session.scroll.saturating_sub(10),
                _ => {}
            },
            Focus::Input => match key.code {
                KeyCode::Esc | KeyCode::Tab => session.focus = Focus::List,
                KeyCode::Enter => {
                    let line = std::mem::take(&mut session.input);
                    self.status = session.submit(line.trim()).await;
                }
                KeyCode::Backspace => {
                    session.input.pop();
                }
                KeyCode::PageUp => session.scroll = session.scroll.saturating_add(10),
                KeyCode::PageDown => session.scroll = session.scroll.saturating_sub(10),
                KeyCode::Char(c) => {
                    session.input.push(c);
                    session.typed();
                }
                _ => {}
            },
        }
        self.refresh();
    }
}

impl Session {
    fn reload(&mut self) -> Result<(), hearth_sdk::offline::StoreError> {
        self.conversations = self.store.conversations()?;
        self.selected = self
            .selected
            .min(self.conversations.len().saturating_sub(1));
        if let Some(open) = self.open {
            if !self.conversations.iter().any(|c| c.id == open) {
                self.open = None;
                self.messages.clear();
            } else {
                self.messages = self.store.messages(open, None, 500)?;
                let newest = self.messages.iter().filter_map(|m| m.server_seq).max();
                if let Some(seq) = newest {
                    self.offline.mark_read(open, seq)?;
                }
            }
        }
        let unknown: Vec<Uuid> = self
            .conversations
            .iter()
            .flat_map(|c| c.member_ids.iter().copied())
            .chain(self.messages.iter().map(|m| m.sender_id))
            .filter(|id| !self.names.contains_key(id))
            .collect();
        for id in unknown {
            if let Some(user) = self.store.user(id)? {
                self.names.insert(id, user.username);
            }
        }
        let nameless: Vec<Uuid> = self
            .conversations
            .iter()
            .filter(|c| c.title.is_none() && !self.asked_names.contains(&c.id))
            .map(|c| c.id)
            .collect();
        for conversation in nameless {
            self.asked_names.insert(conversation);
            let (client, store) = (self.offline.client().clone(), self.store.clone());
            tokio::spawn(async move {
                if let Ok(list) = client.members(conversation, 0, Some(50)).await {
                    for member in &list.members {
                        let _ = store.remember_user(&member.user);
                    }
                    let ids: Vec<Uuid> = list.members.iter().map(|m| m.user.id).collect();
                    let _ = store.remember_members(conversation, &ids);
                }
            });
        }
        Ok(())
    }

    fn open_selected(&mut self) {
        if let Some(conversation) = self.conversations.get(self.selected) {
            self.open = Some(conversation.id);
            self.search = None;
            self.scroll = 0;
            self.offline.view(conversation.id);
            self.focus = Focus::Input;
        }
    }

    fn typed(&mut self) {
        let Some(open) = self.open else { return };
        if self.input.starts_with('/') {
            return;
        }
        if self
            .last_typing
            .is_none_or(|at| at.elapsed() >= TYPING_EVERY)
        {
            self.last_typing = Some(Instant::now());
            self.offline.typing(open);
        }
    }

    /// The newest message of someone else in the open conversation that the server has.
    fn last_of_others(&self) -> Option<&LocalMessage> {
        self.messages
            .iter()
            .rev()
            .find(|m| m.sender_id != self.me && m.server_id.is_some() && !m.deleted)
    }

    /// Runs a line of the input: a command, or a message to send. Returns the status line.
    async fn submit(&mut self, line: &str) -> String {
        if line.is_empty() {
            return String::new();
        }
        let (command, rest) = line.split_once(' ').unwrap_or((line, ""));
        let rest = rest.trim();
        match command {
            "/search" => match self.store.search(rest, 50) {
                Ok(hits) => {
                    let found = format!(
                        "{} found for {rest:?} (Esc, then Enter to go back)",
                        hits.len()
                    );
                    self.search = Some((rest.to_owned(), hits));
                    found
                }
                Err(error) => error.to_string(),
            },
            "/react" => {
                let (Some(open), Some(target)) = (self.open, self.last_of_others()) else {
                    return "nothing to react to".into();
                };
                let Some(server_id) = target.server_id else {
                    return String::new();
                };
                let emoji = if rest.is_empty() { "👍" } else { rest };
                match self.offline.react(open, server_id, emoji).await {
                    Ok(()) => format!("reacted {emoji}"),
                    Err(error) => format!("reaction not sent: {error}"),
                }
            }
            "/reply" => {
                let (Some(open), Some(target)) = (self.open, self.last_of_others()) else {
                    return "nothing to reply to".into();
                };
                let parent = target.server_id;
                self.send(open, rest, parent)
            }
            "/retry" => {
                let failed: Vec<String> = self
                    .messages
                    .iter()
                    .filter(|m| m.status == hearth_sdk::offline::LocalStatus::Failed)
                    .map(|m| m.client_message_id.clone())
                    .collect();
                for key in &failed {
                    let _ = self.offline.retry(key);
                }
                format!("{} failed sends queued again", failed.len())
            }
            "/dm" => {
                let client = self.offline.client().clone();
                match client.search_users(rest, Some(5)).await {
                    Ok(users) => match users.into_iter().find(|u| u.username == rest) {
                        Some(user) => match client.direct(user.id).await {
                            Ok(_) => format!("conversation with {rest} started"),
                            Err(error) => error.to_string(),
                        },
                        None => format!("no user {rest}"),
                    },
                    Err(error) => format!("offline? {error}"),
                }
            }
            _ if command.starts_with('/') => format!("unknown command {command} (? for help)"),
            _ => match self.open {
                Some(open) => self.send(open, line, None),
                None => "open a conversation first (Esc, arrows, Enter)".into(),
            },
        }
    }

    fn send(&mut self, conversation: Uuid, text: &str, reply_to: Option<Uuid>) -> String {
        if text.is_empty() {
            return "nothing to send".into();
        }
        self.scroll = 0;
        match self.offline.send(conversation, text, reply_to) {
            Ok(_) => String::new(),
            Err(error) => format!("not sent: {error}"),
        }
    }

    /// A conversation's name: its title, or the other members' usernames.
    pub fn name_of(&self, conversation: &LocalConversation) -> String {
        if let Some(title) = &conversation.title {
            return title.clone();
        }
        let others: Vec<&str> = conversation
            .member_ids
            .iter()
            .filter(|id| **id != self.me)
            .filter_map(|id| self.names.get(id).map(String::as_str))
            .collect();
        if others.is_empty() {
            format!("{}…", &conversation.id.to_string()[..8])
        } else {
            others.join(", ")
        }
    }
}
