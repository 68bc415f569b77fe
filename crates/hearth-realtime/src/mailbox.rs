//! Each connection's queue of frames, and the pacing of the wake-ups that tell connections to
//! write them.
//!
//! Why not a channel: a channel wakes its receiver on every send. One delivery to 10,000
//! connections then makes 10,000 tasks runnable at once, and every other task of the node —
//! the sender's next commit, a reply — waits behind all of them: the next delivery is published
//! only after every socket has written the previous one, so each socket pays a wake-up and a
//! `write` per frame, however fast messages come.
//!
//! Here a push only marks a mailbox *ready*. A delivery that makes at most [`WAKE_CHUNK`]
//! connections ready wakes them at once (a direct conversation costs no extra hop). A larger
//! one hands them to the hub's pacer task, which wakes [`WAKE_CHUNK`] at a time and yields
//! between chunks. The rest of the node keeps running during a large fan-out; deliveries
//! published meanwhile land in the mailboxes of connections not woken yet, and those write
//! everything queued with one flush. The busier the node, the larger the batches.
//!
//! The mailbox also tells its connection when to close — it fell behind, or the node is
//! shutting down — so that a connection waits on one thing for everything the hub has for it:
//! a wake-up costs one check, not a poll of a cancellation token per reason.

use std::collections::VecDeque;
use std::sync::atomic::{AtomicBool, AtomicU8, Ordering};
use std::sync::{Arc, Mutex, MutexGuard};

use tokio::sync::Notify;
use tokio_util::sync::CancellationToken;

use crate::Frame;

/// Most connections woken in one go; a larger set is woken by the pacer, this many at a time.
pub(crate) const WAKE_CHUNK: usize = 256;

/// Most times the pacer yields waiting for a chunk to have run.
const MAX_YIELDS: usize = 64;

/// A mailbox that held more than this many frames gives the memory back once drained.
const SHRINK_ABOVE: usize = 16;

fn lock<T>(mutex: &Mutex<T>) -> MutexGuard<'_, T> {
    mutex.lock().unwrap_or_else(|e| e.into_inner())
}

/// Why a connection must close, as its mailbox tells it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Closing {
    /// Its queue overflowed: it fell behind, and catches up by sync after reconnecting.
    TooSlow = 1,
    /// The node is shutting down: reconnect (to another node).
    ShuttingDown = 2,
    /// The connection's session ended (signed out, revoked, a new password, a disabled or
    /// deleted account): sign in again.
    SessionEnded = 3,
}

impl Closing {
    fn from_u8(value: u8) -> Option<Self> {
        match value {
            1 => Some(Self::TooSlow),
            2 => Some(Self::ShuttingDown),
            3 => Some(Self::SessionEnded),
            _ => None,
        }
    }
}

/// What a connection's mailbox has for it next.
#[derive(Debug)]
pub enum Next {
    /// A frame to write.
    Frame(Arc<Frame>),
    /// Close, for this reason; frames still queued are not written.
    Close(Closing),
}

/// One connection's frames, in the order they were published.
#[derive(Debug, Default)]
pub(crate) struct Mailbox {
    frames: Mutex<VecDeque<Arc<Frame>>>,
    /// Rung for a frame that made the mailbox ready, and for a close.
    wake: Notify,
    /// Rung (for every waiter) when the connection must close: a connection busy writing
    /// waits on this alone, so that it never takes a wake-up meant for its frames.
    close_notice: Notify,
    /// `Closing as u8` once the connection must close; 0 until then. The first reason stays.
    closing: AtomicU8,
    /// Set from the push that made the mailbox non-empty until its connection is woken, so
    /// that it is listed for waking once.
    listed: AtomicBool,
    /// Woken and not yet run: the pacer waits for its chunk to have run before the next.
    woken: AtomicBool,
    /// The connection stopped reading its events.
    closed: AtomicBool,
}

/// What a push did.
#[derive(Debug, PartialEq, Eq)]
pub(crate) enum Push {
    /// Queued; the connection is already woken or listed for waking.
    Queued,
    /// Queued, and the connection must be woken (see [`Mailbox::wake`]).
    Ready,
    /// Not queued: the mailbox holds `capacity` frames already.
    Full,
    /// Not queued: the connection has stopped reading.
    Closed,
}

impl Mailbox {
    /// Queues `frame` unless `capacity` frames are waiting.
    pub(crate) fn push(&self, frame: &Arc<Frame>, capacity: usize) -> Push {
        if self.closed.load(Ordering::Acquire) {
            return Push::Closed;
        }
        let mut frames = lock(&self.frames);
        if frames.len() >= capacity {
            return Push::Full;
        }
        let was_empty = frames.is_empty();
        frames.push_back(frame.clone());
        drop(frames);
        if was_empty && !self.listed.swap(true, Ordering::AcqRel) {
            Push::Ready
        } else {
            Push::Queued
        }
    }

    /// Wakes the connection's task (or lets its next wait return at once).
    pub(crate) fn wake(&self) {
        self.woken.store(true, Ordering::Release);
        self.listed.store(false, Ordering::Release);
        self.wake.notify_one();
    }

    /// Tells the connection to close; `true` when this is the first reason it is given.
    pub(crate) fn close(&self, reason: Closing) -> bool {
        let first = self
            .closing
            .compare_exchange(0, reason as u8, Ordering::AcqRel, Ordering::Acquire)
            .is_ok();
        if first {
            self.wake.notify_one();
            self.close_notice.notify_waiters();
        }
        first
    }

    /// Why the connection must close, once it must.
    pub(crate) fn closing(&self) -> Option<Closing> {
        Closing::from_u8(self.closing.load(Ordering::Acquire))
    }

    /// Whether the connection was woken and has not looked at its mailbox since.
    fn waking(&self) -> bool {
        self.woken.load(Ordering::Acquire)
    }
}

/// The receiving end of a connection's mailbox.
#[derive(Debug)]
pub struct Events {
    mailbox: Arc<Mailbox>,
}

impl Events {
    pub(crate) fn new(mailbox: Arc<Mailbox>) -> Self {
        Self { mailbox }
    }

    /// The next frame, or the reason to close, waiting until the hub has either. A close
    /// comes before frames still queued. Cancel-safe: a frame is taken only when it is
    /// returned.
    pub async fn recv(&self) -> Next {
        loop {
            if let Some(reason) = self.mailbox.closing() {
                return Next::Close(reason);
            }
            if let Some(frame) = self.try_recv() {
                return Next::Frame(frame);
            }
            // A wake-up given between the checks above and this wait is kept as a permit.
            self.mailbox.wake.notified().await;
        }
    }

    /// Waits until the connection must close, and says why. For a connection busy writing
    /// (a peer that stopped reading blocks the write until the hub gives up on it); made once
    /// and polled again for every write, it registers its waiter once.
    pub async fn closed(&self) -> Closing {
        loop {
            let notice = self.mailbox.close_notice.notified();
            tokio::pin!(notice);
            // Registered before the check, so a close in between is not missed.
            notice.as_mut().enable();
            if let Some(reason) = self.mailbox.closing() {
                return reason;
            }
            notice.await;
        }
    }

    /// The next frame, if one is queued.
    pub fn try_recv(&self) -> Option<Arc<Frame>> {
        self.mailbox.woken.store(false, Ordering::Release);
        let mut frames = lock(&self.mailbox.frames);
        let frame = frames.pop_front();
        if frames.is_empty() && frames.capacity() > SHRINK_ABOVE {
            // A burst is over; an idle connection keeps no large buffer.
            frames.shrink_to_fit();
        }
        frame
    }
}

impl Drop for Events {
    fn drop(&mut self) {
        self.mailbox.closed.store(true, Ordering::Release);
        // Nobody will run for this wake-up: the pacer must not wait for it.
        self.mailbox.woken.store(false, Ordering::Release);
        lock(&self.mailbox.frames).clear();
    }
}

/// Wakes large sets of ready connections a chunk at a time.
#[derive(Debug, Default)]
pub(crate) struct Pacer {
    state: Mutex<PacerState>,
    more: Notify,
}

#[derive(Debug, Default)]
struct PacerState {
    ready: VecDeque<Arc<Mailbox>>,
    running: bool,
}

impl Pacer {
    /// Wakes every mailbox of `ready`: at once when there are few, else through the pacer task
    /// (started on first use; without a runtime, or after shutdown, all at once).
    pub(crate) fn wake(self: &Arc<Self>, ready: Vec<Arc<Mailbox>>, shutdown: &CancellationToken) {
        if ready.len() <= WAKE_CHUNK {
            ready.iter().for_each(|mailbox| mailbox.wake());
            return;
        }
        let mut state = lock(&self.state);
        if !state.running
            && !shutdown.is_cancelled()
            && let Ok(runtime) = tokio::runtime::Handle::try_current()
        {
            state.running = true;
            runtime.spawn(self.clone().run(shutdown.clone()));
        }
        if !state.running {
            drop(state);
            ready.iter().for_each(|mailbox| mailbox.wake());
            return;
        }
        state.ready.extend(ready);
        drop(state);
        self.more.notify_one();
    }

    async fn run(self: Arc<Self>, shutdown: CancellationToken) {
        loop {
            let chunk: Vec<Arc<Mailbox>> = {
                let mut state = lock(&self.state);
                let take = state.ready.len().min(WAKE_CHUNK);
                state.ready.drain(..take).collect()
            };
            if chunk.is_empty() {
                tokio::select! {
                    () = self.more.notified() => continue,
                    () = shutdown.cancelled() => break,
                }
            }
            chunk.iter().for_each(|mailbox| mailbox.wake());
            // Behind the connections just woken, and whatever else the node has to do: the next
            // chunk is woken once this one has run (or after a bounded wait, for connections
            // stuck on a full socket).
            for _ in 0..MAX_YIELDS {
                tokio::task::yield_now().await;
                if !chunk.iter().any(|mailbox| mailbox.waking()) {
                    break;
                }
            }
        }
        let left = {
            let mut state = lock(&self.state);
            state.running = false;
            std::mem::take(&mut state.ready)
        };
        left.iter().for_each(|mailbox| mailbox.wake());
    }
}
