// The stock graphql-ws client (the graphql-transport-ws protocol) on a test server's
// /graphql, and helpers that wait for what arrives instead of sleeping: a subscription records
// every value, and `next` resolves with the first recorded (or later) one that matches.
import { createClient } from "graphql-ws";
import WebSocket from "ws";

/** The websocket URL of `/graphql` on `base`. */
export function wsUrl(base) {
  return `${base.replace(/^http/, "ws")}/graphql`;
}

/**
 * A client connected eagerly with `connectionParams` (default: the user's token as
 * `{"Authorization": "Bearer …"}`); resolves once the server acknowledged it, rejects with
 * the close event when it refused. `client.closed` resolves with the close event.
 */
export async function connectGql(base, user, { connectionParams } = {}) {
  let closed;
  const closedPromise = new Promise((resolve) => (closed = resolve));
  let acked;
  const ackedPromise = new Promise((resolve, reject) => {
    acked = { resolve, reject };
  });
  const client = createClient({
    url: wsUrl(base),
    webSocketImpl: WebSocket,
    lazy: false,
    retryAttempts: 0,
    connectionParams: connectionParams ?? { Authorization: `Bearer ${user.token}` },
    onNonLazyError: () => {},
    on: {
      connected: () => acked.resolve(),
      closed: (event) => {
        closed({ code: event.code, reason: event.reason });
        acked.reject(Object.assign(new Error(`closed ${event.code} ${event.reason}`), { code: event.code }));
      },
    },
  });
  client.closed = closedPromise;
  await ackedPromise;
  return client;
}

/** Starts `query` on `client`; the returned recorder holds every value (and the error). */
export function subscribe(client, query, variables = {}) {
  const sub = { values: [], waiters: [], error: null, done: false };
  sub.dispose = client.subscribe(
    { query, variables },
    {
      next: (value) => {
        sub.values.push(value);
        for (const waiter of [...sub.waiters]) {
          if (waiter.matches(value)) {
            sub.waiters.splice(sub.waiters.indexOf(waiter), 1);
            waiter.resolve(value);
          }
        }
      },
      error: (error) => {
        sub.error = error;
        for (const waiter of sub.waiters.splice(0)) waiter.reject(new Error(JSON.stringify(error)));
      },
      complete: () => {
        sub.done = true;
      },
    },
  );
  return sub;
}

/** The first value of `sub` (already received or still to come) that passes `where`. */
export function next(sub, where = () => true, timeoutMs = 10_000) {
  const seen = sub.values.find(where);
  if (seen) return Promise.resolve(seen);
  return new Promise((resolve, reject) => {
    const timer = setTimeout(
      () => reject(new Error(`nothing matching within ${timeoutMs} ms; got ${JSON.stringify(sub.values)}`)),
      timeoutMs,
    );
    sub.waiters.push({
      matches: where,
      resolve: (value) => {
        clearTimeout(timer);
        resolve(value);
      },
      reject: (error) => {
        clearTimeout(timer);
        reject(error);
      },
    });
  });
}

/**
 * Resolves once `sub` is live on the server: the protocol does not acknowledge a subscription,
 * so `probe()` makes something it must deliver (e.g. a message sent over REST), up to
 * `attempts` times, until one arrives; returns the value that did.
 */
export async function live(sub, probe, where, { attempts = 20, waitMs = 500 } = {}) {
  for (let attempt = 1; attempt <= attempts; attempt += 1) {
    const marker = await probe(attempt);
    try {
      return await next(sub, (value) => where(value, marker), waitMs);
    } catch (error) {
      if (sub.error) throw error;
    }
  }
  throw new Error(`the subscription never went live: ${JSON.stringify(sub.values)}`);
}

/** POST /graphql as `user`; the parsed response. */
export async function gql(base, user, query, variables = {}) {
  const response = await fetch(`${base}/graphql`, {
    method: "POST",
    headers: { "content-type": "application/json", authorization: `Bearer ${user.token}` },
    body: JSON.stringify({ query, variables }),
  });
  return response.json();
}
