//! The floor under the fan-out scenario: what one write per socket to M loopback sockets costs
//! on this machine with no server at all.
//!
//! A child process (this example, `send`) accepts M connections and, on each `go` line from
//! the parent, writes one event-sized text to every socket from two plain threads — a server
//! that does nothing but the writes. The parent holds the M sockets and reads them on a
//! two-worker tokio runtime, as `hearth-bench fanout` reads its devices. Reported: p50 / p99 /
//! max of the time from `go` until the last socket has its text. Everything runs on the same
//! cores, as the budget's load generator does.
//!
//! With `epoll` as a third argument the parent reads instead on two plain threads, each
//! waiting on its half of the sockets with one `epoll` set (mio) and pausing [`GATHER`] between
//! waits, as `hearth-bench fanout` now does: what the receiving side's own overhead costs the
//! floor.
//!
//! ```sh
//! cargo run --release -p hearth-bench --example loopback_floor -- 10000 50
//! cargo run --release -p hearth-bench --example loopback_floor -- 10000 50 epoll
//! ```

#![allow(
    clippy::print_stdout,
    reason = "an example: its result is what it prints"
)]

use std::io::{BufRead, Write};
use std::net::{TcpListener, TcpStream};
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::{Duration, Instant};

use anyhow::Context;
use tokio::sync::Notify;

/// About the size of a `new_message` event.
const TEXT_BYTES: usize = 420;
/// The sending threads, like the server's two tokio workers.
const SENDERS: usize = 2;
/// The epoll readers' pause between waits (`GATHER` in `src/scenarios/fanout/readers.rs`).
const GATHER: Duration = Duration::from_micros(500);
/// Readiness events taken per wait.
const EVENTS: usize = 1024;

fn main() -> anyhow::Result<()> {
    let args: Vec<String> = std::env::args().collect();
    if args.get(1).map(String::as_str) == Some("send") {
        return send(args.get(2).context("members")?.parse()?);
    }
    let members: usize = args.get(1).map_or(Ok(10_000), |n| n.parse())?;
    let rounds: usize = args.get(2).map_or(Ok(50), |n| n.parse())?;
    let epoll = args.get(3).map(String::as_str) == Some("epoll");
    let _ = rlimit::increase_nofile_limit(u64::MAX);
    tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()?
        .block_on(receive(members, rounds, epoll))
}

/// The child: accepts `members` connections, then writes to every one per `go` line.
fn send(members: usize) -> anyhow::Result<()> {
    let _ = rlimit::increase_nofile_limit(u64::MAX);
    let listener = TcpListener::bind("127.0.0.1:0")?;
    println!("{}", listener.local_addr()?.port());
    std::io::stdout().flush()?;
    let mut sockets: Vec<Vec<TcpStream>> = (0..SENDERS).map(|_| Vec::new()).collect();
    for i in 0..members {
        let (socket, _) = listener.accept()?;
        socket.set_nodelay(true)?;
        if let Some(share) = sockets.get_mut(i % SENDERS) {
            share.push(socket);
        }
    }
    let text = vec![b'x'; TEXT_BYTES];
    for line in std::io::stdin().lock().lines() {
        if line? != "go" {
            break;
        }
        std::thread::scope(|scope| {
            for share in &mut sockets {
                let text = &text;
                scope.spawn(move || {
                    for socket in share.iter_mut() {
                        let _ = socket.write_all(text);
                    }
                });
            }
        });
    }
    Ok(())
}

/// The parent: connects `members` sockets to the child and times `rounds` writes to all.
async fn receive(members: usize, rounds: usize, epoll: bool) -> anyhow::Result<()> {
    let mut child = std::process::Command::new(std::env::current_exe()?)
        .args(["send", &members.to_string()])
        .stdin(std::process::Stdio::piped())
        .stdout(std::process::Stdio::piped())
        .spawn()?;
    let mut port = String::new();
    std::io::BufReader::new(child.stdout.take().context("child stdout")?).read_line(&mut port)?;
    let port: u16 = port.trim().parse()?;
    let mut go = child.stdin.take().context("child stdin")?;

    let bytes = Arc::new(AtomicUsize::new(0));
    let all_in = Arc::new(Notify::new());
    let mut streams = Vec::with_capacity(members);
    for _ in 0..members {
        let stream = tokio::net::TcpStream::connect(("127.0.0.1", port)).await?;
        stream.set_nodelay(true)?;
        streams.push(stream);
    }
    let counted = {
        let (bytes, all_in) = (bytes.clone(), all_in.clone());
        move |read: usize| {
            let total = bytes.fetch_add(read, Ordering::AcqRel) + read;
            if total.is_multiple_of(members * TEXT_BYTES) {
                all_in.notify_one();
            }
        }
    };
    if epoll {
        let mut shares: Vec<Vec<std::net::TcpStream>> = (0..SENDERS).map(|_| Vec::new()).collect();
        for (i, stream) in streams.into_iter().enumerate() {
            if let Some(share) = shares.get_mut(i % SENDERS) {
                share.push(stream.into_std()?);
            }
        }
        for share in shares {
            let counted = counted.clone();
            std::thread::spawn(move || read_with_epoll(share, counted));
        }
    } else {
        for stream in streams {
            let counted = counted.clone();
            tokio::spawn(async move {
                let mut buffer = vec![0_u8; 16 * 1024];
                while stream.readable().await.is_ok() {
                    match stream.try_read(&mut buffer) {
                        Ok(0) => return,
                        Ok(read) => counted(read),
                        Err(err) if err.kind() == std::io::ErrorKind::WouldBlock => {}
                        Err(_) => return,
                    }
                }
            });
        }
    }
    tokio::time::sleep(Duration::from_millis(500)).await;

    let mut times = Vec::with_capacity(rounds);
    for round in 1..=rounds {
        let started = Instant::now();
        writeln!(go, "go")?;
        go.flush()?;
        tokio::time::timeout(Duration::from_secs(30), async {
            while bytes.load(Ordering::Acquire) < round * members * TEXT_BYTES {
                all_in.notified().await;
            }
        })
        .await
        .context("sockets still missing their text")?;
        times.push(started.elapsed());
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    drop(go);
    child.wait()?;
    times.sort();
    let at = |p: f64| {
        let rank = ((p / 100.0) * times.len() as f64).ceil() as usize;
        times
            .get(rank.saturating_sub(1).min(times.len() - 1))
            .map_or(0.0, |t| t.as_secs_f64() * 1e3)
    };
    println!(
        "{members} sockets, {rounds} rounds, {SENDERS} sending threads: write to every socket → last has it: p50 {:.1} ms, p99 {:.1} ms, max {:.1} ms",
        at(50.0),
        at(99.0),
        at(100.0)
    );
    Ok(())
}

/// Reads `sockets` on this thread until they close, through one `epoll` set.
fn read_with_epoll(
    sockets: Vec<std::net::TcpStream>,
    counted: impl Fn(usize),
) -> anyhow::Result<()> {
    use mio::{Events, Interest, Poll, Token};
    let mut poll = Poll::new()?;
    let mut sockets: Vec<mio::net::TcpStream> = sockets
        .into_iter()
        .map(mio::net::TcpStream::from_std)
        .collect();
    for (i, socket) in sockets.iter_mut().enumerate() {
        poll.registry()
            .register(socket, Token(i), Interest::READABLE)?;
    }
    let mut events = Events::with_capacity(EVENTS);
    let mut buffer = vec![0_u8; 16 * 1024];
    loop {
        poll.poll(&mut events, None)?;
        let taken = events.iter().count();
        for event in &events {
            let Some(socket) = sockets.get_mut(event.token().0) else {
                continue;
            };
            // The peer's FIN can come with the last bytes in one event: read on to the end.
            let to_the_end = event.is_read_closed();
            loop {
                match std::io::Read::read(socket, &mut buffer) {
                    Ok(0) => return Ok(()),
                    Ok(read) => {
                        counted(read);
                        if read < buffer.len() && !to_the_end {
                            break;
                        }
                    }
                    Err(err) if err.kind() == std::io::ErrorKind::WouldBlock => break,
                    Err(err) => return Err(err.into()),
                }
            }
        }
        if taken < EVENTS {
            std::thread::sleep(GATHER);
        }
    }
}
