//! The devices' readers: two plain threads, each waiting on its half of the sockets through
//! one `epoll` set, scanning what arrives for the keys of the tracked messages.
//!
//! They share the two cores with the server they measure, so they are built to cost little per
//! delivery. Raw bytes, not WebSocket frames: the server's frames are unmasked, so each event's
//! JSON is in the stream as sent and a key never spans two frames (a tungstenite reader per
//! socket — zero-filling its buffer, decoding, copying each event into a `String` — cost ~7 µs
//! per delivery, a third of the two cores). Threads, not a tokio task per socket: a readiness
//! event is handled where `epoll` returns it, with no task to wake and schedule
//! (`examples/loopback_floor.rs` measures both readers with no server). Between waits a reader
//! pauses for [`GATHER`], so that the server's writes do not each wake it. Only `new_message`
//! events carry a `client_message_id` on a recipient's socket.

use std::io::{ErrorKind, Read};
use std::net::TcpStream;
use std::sync::Arc;
use std::sync::mpsc::{self, RecvTimeoutError};
use std::time::Duration;

use anyhow::bail;
use memchr::memchr;
use memchr::memmem::Finder;
use mio::{Events, Interest, Poll, Token};

use super::Arrivals;

/// Reader threads, one per core of the budget's machine.
const THREADS: usize = 2;

/// Readiness events taken per wait.
const EVENTS: usize = 1024;

/// How long a reader lets arrivals gather after a wait that did not fill [`EVENTS`], before it
/// waits again. A reader blocked in `epoll_wait` is woken by the server's `write` itself: on
/// loopback the writer runs the receiver's TCP path, wake-up included, and a cross-CPU wake-up
/// is dear in this VM — woken ~1,000 times per fan-out per reader, those wake-ups were 16 % of
/// the server's samples (3 % with the pause), a cost no remote client puts on a server.
/// Asleep here instead, a reader is not on the wait queue, so a `write` wakes nobody; the next
/// wait then takes all that gathered at once. A recorded arrival can only be late by this
/// much, never early.
const GATHER: Duration = Duration::from_micros(500);

/// The running readers.
pub(super) struct Readers {
    /// Every reader holds a sender of this channel and sends nothing: once all have ended, it
    /// is disconnected.
    ended: mpsc::Receiver<()>,
}

impl Readers {
    /// Waits until every reader has ended (each ends once all of its sockets are closed),
    /// at most `limit`: a scenario's sockets must be gone before the next run opens its own.
    pub(super) fn wait(self, limit: Duration) -> anyhow::Result<()> {
        match self.ended.recv_timeout(limit) {
            Err(RecvTimeoutError::Timeout) => {
                bail!("fan-out readers still running {limit:?} after their sockets closed")
            }
            Ok(()) | Err(RecvTimeoutError::Disconnected) => Ok(()),
        }
    }
}

/// Starts the readers of `streams`; each ends once all of its sockets are closed (when the
/// server stops).
pub(super) fn start(
    streams: Vec<TcpStream>,
    arrivals: Arc<Arrivals>,
    sends: usize,
) -> anyhow::Result<Readers> {
    let (running, ended) = mpsc::channel();
    let mut shares: Vec<Vec<Device>> = (0..THREADS).map(|_| Vec::new()).collect();
    for (i, stream) in streams.into_iter().enumerate() {
        stream.set_nonblocking(true)?;
        if let Some(share) = shares.get_mut(i % THREADS) {
            share.push(Device {
                socket: mio::net::TcpStream::from_std(stream),
                tail: Vec::new(),
                open: true,
            });
        }
    }
    for (i, mut devices) in shares.into_iter().enumerate() {
        let poll = Poll::new()?;
        for (token, device) in devices.iter_mut().enumerate() {
            poll.registry()
                .register(&mut device.socket, Token(token), Interest::READABLE)?;
        }
        let arrivals = arrivals.clone();
        let running = running.clone();
        std::thread::Builder::new()
            .name(format!("fanout-reader-{i}"))
            .spawn(move || {
                read(poll, devices, &arrivals, sends);
                drop(running);
            })?;
    }
    Ok(Readers { ended })
}

/// What a reader looks for in what it reads, and where it records it.
struct Scan<'a> {
    finder: &'a Finder<'a>,
    arrivals: &'a Arrivals,
    sends: usize,
}

/// One device's socket.
struct Device {
    socket: mio::net::TcpStream,
    /// What the last read left unscanned: possibly the start of a key cut by its end.
    tail: Vec<u8>,
    open: bool,
}

/// Reads `devices` until every one is closed.
fn read(mut poll: Poll, mut devices: Vec<Device>, arrivals: &Arrivals, sends: usize) {
    let finder = Finder::new(KEY_FIELD);
    let scan = Scan {
        finder: &finder,
        arrivals,
        sends,
    };
    let mut events = Events::with_capacity(EVENTS);
    let mut buffer = vec![0_u8; SCAN_BUFFER];
    let mut open = devices.len();
    while open > 0 {
        if let Err(err) = poll.poll(&mut events, None) {
            if err.kind() == ErrorKind::Interrupted {
                continue;
            }
            return;
        }
        for event in &events {
            let Some(device) = devices.get_mut(event.token().0) else {
                continue;
            };
            // The peer's FIN can come with the last bytes in one event: then read on to the end,
            // since no later event will say so.
            let to_the_end = event.is_read_closed();
            if device.open && !device.drain(&mut buffer, &scan, to_the_end) {
                device.open = false;
                open -= 1;
                let _ = poll.registry().deregister(&mut device.socket);
            }
        }
        if events.iter().count() < EVENTS {
            std::thread::sleep(GATHER);
        }
    }
}

impl Device {
    /// Reads and scans until the socket has nothing more for now (or, `to_the_end`, until it
    /// reports its end); `false` once it is closed.
    fn drain(&mut self, buffer: &mut [u8], scan: &Scan<'_>, to_the_end: bool) -> bool {
        loop {
            if self.tail.len() >= buffer.len() {
                // No key is this long: nothing left over can be the start of one.
                self.tail.clear();
            }
            let kept = self.tail.len();
            let (head, free) = buffer.split_at_mut(kept);
            head.copy_from_slice(&self.tail);
            let room = free.len();
            let read = match self.socket.read(free) {
                Ok(0) => return false,
                Ok(read) => read,
                Err(err) if err.kind() == ErrorKind::WouldBlock => return true,
                Err(err) if err.kind() == ErrorKind::Interrupted => continue,
                Err(_) => return false,
            };
            let Some(bytes) = buffer.get(..kept + read) else {
                return false;
            };
            let done = scan_keys(bytes, scan.finder, |key| {
                if let Some(slot) = std::str::from_utf8(key)
                    .ok()
                    .and_then(|key| slot_of(key, scan.sends))
                {
                    scan.arrivals.record(slot);
                }
            });
            self.tail.clear();
            self.tail
                .extend_from_slice(bytes.get(done..).unwrap_or_default());
            if read < room && !to_the_end {
                // A short read emptied the socket: no second `read` only to hear `WouldBlock`
                // (as tokio does). Bytes arriving after it raise a new edge-triggered event.
                return true;
            }
        }
    }
}

/// The slot of a tracked message: `one-{i}` is timed send `i`, `burst-{i}` comes after the
/// `sends` timed ones.
fn slot_of(key: &str, sends: usize) -> Option<usize> {
    if let Some(i) = key.strip_prefix("one-") {
        return i.parse().ok();
    }
    let i: usize = key.strip_prefix("burst-")?.parse().ok()?;
    Some(sends + i)
}

/// What precedes a message's key in its JSON.
const KEY_FIELD: &[u8] = br#""client_message_id":""#;

/// Bytes read per `read`: a few events' worth.
const SCAN_BUFFER: usize = 16 * 1024;

/// Calls `found` with every complete key in `bytes`; returns how many leading bytes are done
/// with (the rest may hold the start of a key and must be scanned again with what follows).
fn scan_keys(bytes: &[u8], finder: &Finder<'_>, mut found: impl FnMut(&[u8])) -> usize {
    let mut at = 0;
    while let Some(field) = bytes.get(at..).and_then(|rest| finder.find(rest)) {
        let start = at + field + KEY_FIELD.len();
        let Some(end) = bytes.get(start..).and_then(|rest| memchr(b'"', rest)) else {
            return at + field;
        };
        if let Some(key) = bytes.get(start..start + end) {
            found(key);
        }
        at = start + end;
    }
    // The tail could be the start of the next field.
    bytes.len().saturating_sub(KEY_FIELD.len() - 1).max(at)
}

#[cfg(test)]
#[allow(clippy::unwrap_used, reason = "test code")]
mod tests {
    use std::io::Write;
    use std::net::{TcpListener, TcpStream};
    use std::sync::Arc;
    use std::time::Duration;

    use memchr::memmem::Finder;

    use super::super::Arrivals;
    use super::{KEY_FIELD, scan_keys, slot_of, start};

    #[test]
    fn readers_end_when_sockets_close_right_behind_their_last_bytes() {
        let listener = TcpListener::bind("127.0.0.1:0").unwrap();
        let address = listener.local_addr().unwrap();
        let devices: Vec<TcpStream> = (0..4)
            .map(|_| TcpStream::connect(address).unwrap())
            .collect();
        for _ in &devices {
            let (mut server_side, _) = listener.accept().unwrap();
            server_side
                .write_all(br#"{"message":{"client_message_id":"one-0"}}"#)
                .unwrap();
            // Dropped here: the FIN is queued behind the bytes before any reader looks, so
            // one event brings both.
        }
        let arrivals = Arc::new(Arrivals::new(1, devices.len()));

        let readers = start(devices, arrivals.clone(), 1).unwrap();

        readers.wait(Duration::from_secs(10)).unwrap();
        assert!(arrivals.complete(0), "every device read its message");
    }

    #[test]
    fn timed_sends_come_first_then_the_burst() {
        assert_eq!(slot_of("one-0", 50), Some(0));
        assert_eq!(slot_of("one-49", 50), Some(49));
        assert_eq!(slot_of("burst-0", 50), Some(50));
        assert_eq!(slot_of("burst-x", 50), None);
        assert_eq!(slot_of("other-1", 50), None);
    }

    #[test]
    fn finds_every_key_in_a_run_of_events() {
        let events = br#"{"seq":2,"type":"new_message","message":{"client_message_id":"one-7","content":"x"}}{"type":"presence"}{"message":{"client_message_id":"burst-0"}}"#;
        let mut keys = Vec::new();
        let done = scan_keys(events, &Finder::new(KEY_FIELD), |key| {
            keys.push(String::from_utf8_lossy(key).into_owned());
        });
        assert_eq!(keys, ["one-7", "burst-0"]);
        assert!(done > events.len() - KEY_FIELD.len());
    }

    #[test]
    fn a_key_cut_by_a_read_is_found_once_with_the_next() {
        let events = br#"{"message":{"client_message_id":"one-12","content":"x"}}{"message":{"client_message_id":"one-13"}}"#;
        let finder = Finder::new(KEY_FIELD);
        // Every cut point: what is not done is scanned again with the rest.
        for cut in 1..events.len() {
            let mut keys = Vec::new();
            let (first, rest) = events.split_at(cut);
            let done = scan_keys(first, &finder, |key| keys.push(key.to_vec()));
            let mut again = first[done..].to_vec();
            again.extend_from_slice(rest);
            scan_keys(&again, &finder, |key| keys.push(key.to_vec()));
            assert_eq!(
                keys,
                [b"one-12".to_vec(), b"one-13".to_vec()],
                "cut at {cut}"
            );
        }
    }
}
