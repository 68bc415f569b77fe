// The stock socket.io-client, connected to a test server, and small helpers that wait for
// events instead of sleeping: a socket records every event it receives, and `next` resolves
// with the first recorded (or later) event that matches.
import { io } from "socket.io-client";

/** Every transport setting the tests cover. */
export const TRANSPORTS = {
  websocket: { transports: ["websocket"] },
  polling: { transports: ["polling"], upgrade: false },
};

/**
 * Connects `user` (or a raw `auth` object) and resolves once connected; rejects with the
 * `connect_error`.
 */
export async function connect(base, user, { transport = "websocket", auth, extraHeaders } = {}) {
  const socket = io(base, {
    ...TRANSPORTS[transport],
    auth: auth ?? (user ? { token: user.token } : undefined),
    extraHeaders,
    reconnection: false,
    forceNew: true,
  });
  record(socket);
  await new Promise((resolve, reject) => {
    socket.once("connect", resolve);
    socket.once("connect_error", (error) => {
      socket.close();
      reject(error);
    });
  });
  return socket;
}

function record(socket) {
  socket.received = [];
  socket.waiters = [];
  socket.onAny((event, payload) => {
    socket.received.push({ event, payload });
    for (const waiter of [...socket.waiters]) {
      if (waiter.matches(event, payload)) {
        socket.waiters.splice(socket.waiters.indexOf(waiter), 1);
        waiter.resolve(payload);
      }
    }
  });
}

/** The first event `event` (already received or still to come) whose payload passes `where`. */
export function next(socket, event, where = () => true, timeoutMs = 10_000) {
  const matches = (name, payload) => name === event && where(payload);
  const seen = socket.received.find((r) => matches(r.event, r.payload));
  if (seen) return Promise.resolve(seen.payload);
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`no ${event} within ${timeoutMs} ms; got ${JSON.stringify(socket.received)}`)), timeoutMs);
    socket.waiters.push({
      matches,
      resolve: (payload) => {
        clearTimeout(timer);
        resolve(payload);
      },
    });
  });
}

/** How many `event`s whose payload passes `where` the socket has received so far. */
export function count(socket, event, where = () => true) {
  return socket.received.filter((r) => r.event === event && where(r.payload)).length;
}

/** Emits with an ack callback and resolves with the ack. */
export function request(socket, event, payload, timeoutMs = 10_000) {
  return socket.timeout(timeoutMs).emitWithAck(event, payload);
}
