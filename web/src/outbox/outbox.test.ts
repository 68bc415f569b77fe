import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { ApiError } from "../api/errors";
import type { Message } from "../api/types";
import type { OutboxEntry } from "../store/db";
import type { LocalStore } from "../store/local";
import { CONV, conversation, freshStore, message, newMessage } from "../test/fixtures";
import { Outbox, type OutboxOptions } from "./outbox";

let ids = 0;
const sentMessage = (entry: OutboxEntry, seq = 2): Message =>
  message(seq, { client_message_id: entry.client_message_id, content: entry.content, sender_id: "me" });

/** An outbox over a real store whose `send` the test scripts. */
async function setup(send: OutboxOptions["send"], overrides: Partial<OutboxOptions> = {}, store?: LocalStore) {
  const local = store ?? (await freshStore());
  await local.putConversation(conversation());
  const outbox = new Outbox({
    store: local,
    send,
    isOnline: () => true,
    backoff: { baseMs: 1000, maxMs: 60_000 },
    random: () => 1, // no jitter: delays are exactly base * 2^(n-1)
    newId: () => `key-${++ids}`,
    ...overrides,
  });
  return { store: local, outbox };
}

const unavailable = () => new ApiError(503, "unavailable", "busy");

beforeEach(() => {
  vi.useFakeTimers({ toFake: ["setTimeout", "clearTimeout"] });
});
afterEach(() => {
  vi.useRealTimers();
});

describe("Outbox", () => {
  it("shows a send as pending before the server answers", async () => {
    const { store, outbox } = await setup(() => new Promise(() => {}));
    await outbox.enqueue(CONV, "hello");
    expect((await store.outbox(CONV)).map((e) => [e.content, e.state])).toEqual([["hello", "pending"]]);
  });

  it("removes the entry and stores the message once the server has it", async () => {
    const { store, outbox } = await setup(async (entry) => sentMessage(entry));
    await outbox.enqueue(CONV, "hello");
    await outbox.flush();
    expect(await store.outbox(CONV)).toEqual([]);
    expect((await store.timelineFrom(CONV, 0)).map((m) => m.content)).toEqual(["hello"]);
  });

  it("sends in the order the messages were written, one at a time", async () => {
    const order: string[] = [];
    const { outbox } = await setup(async (entry) => {
      order.push(entry.content);
      return sentMessage(entry, order.length + 1);
    });
    await outbox.enqueue(CONV, "one");
    await outbox.enqueue(CONV, "two");
    await outbox.enqueue(CONV, "three");
    await outbox.flush();
    expect(order).toEqual(["one", "two", "three"]);
  });

  it("retries a transient failure after an exponentially growing delay", async () => {
    let failures = 2;
    const send = vi.fn(async (entry: OutboxEntry) => {
      if (failures-- > 0) throw unavailable();
      return sentMessage(entry);
    });
    const { store, outbox } = await setup(send);
    const tick = async (ms: number) => {
      await vi.advanceTimersByTimeAsync(ms);
      await outbox.flush();
    };
    await outbox.enqueue(CONV, "hello");
    await outbox.flush();
    expect(send).toHaveBeenCalledTimes(1);
    await tick(999);
    expect(send).toHaveBeenCalledTimes(1);
    await tick(1);
    expect(send).toHaveBeenCalledTimes(2); // after 1 s
    await tick(1999);
    expect(send).toHaveBeenCalledTimes(2);
    await tick(1);
    expect(send).toHaveBeenCalledTimes(3); // after 2 s more
    expect(await store.outbox(CONV)).toEqual([]);
  });

  it("marks a send failed after the last of its bounded retries", async () => {
    const send = vi.fn(async () => {
      throw unavailable();
    });
    const { store, outbox } = await setup(send, { maxAttempts: 3 });
    await outbox.enqueue(CONV, "hello");
    for (let i = 0; i < 5; i += 1) {
      await vi.advanceTimersByTimeAsync(10_000);
      await outbox.flush();
    }
    expect(send).toHaveBeenCalledTimes(3);
    expect((await store.outbox(CONV))[0]).toMatchObject({ state: "failed", attempts: 3 });
  });

  it("fails at once on a permanent error without retrying", async () => {
    const send = vi.fn(async () => {
      throw new ApiError(422, "validation_failed", "too long");
    });
    const { store, outbox } = await setup(send);
    await outbox.enqueue(CONV, "x".repeat(5000));
    await outbox.flush();
    await vi.advanceTimersByTimeAsync(60_000);
    expect(send).toHaveBeenCalledTimes(1);
    expect((await store.outbox(CONV))[0]?.state).toBe("failed");
  });

  it("attempts nothing while the server is unreachable", async () => {
    const send = vi.fn(async (entry: OutboxEntry) => sentMessage(entry));
    let online = false;
    const { store, outbox } = await setup(send, { isOnline: () => online });
    await outbox.enqueue(CONV, "hello");
    await outbox.flush();
    expect(send).not.toHaveBeenCalled();
    expect((await store.outbox(CONV))[0]).toMatchObject({ state: "pending", attempts: 0 });
    online = true;
    await outbox.flush();
    expect(send).toHaveBeenCalledTimes(1);
  });

  it("sends again what was pending before a reload, with the same key", async () => {
    const before = await setup(() => new Promise(() => {}), { isOnline: () => false });
    const entry = await before.outbox.enqueue(CONV, "survivor");
    before.outbox.stop();
    const keys: string[] = [];
    const after = new Outbox({
      store: before.store,
      isOnline: () => true,
      send: async (e) => {
        keys.push(e.client_message_id);
        return sentMessage(e);
      },
    });
    await after.flush();
    expect(keys).toEqual([entry.client_message_id]);
    expect(await before.store.outbox(CONV)).toEqual([]);
  });

  it("sends a failed message again on retry", async () => {
    let refuse = true;
    const { store, outbox } = await setup(async (entry) => {
      if (refuse) throw new ApiError(403, "forbidden", "blocked");
      return sentMessage(entry);
    });
    const entry = await outbox.enqueue(CONV, "hello");
    await outbox.flush();
    refuse = false;
    await outbox.retry(entry.client_message_id);
    await outbox.flush();
    expect(await store.outbox(CONV)).toEqual([]);
  });

  it("is reconciled by the socket's copy of the message when it arrives first", async () => {
    const store = await freshStore("me");
    let answer: (m: Message) => void = () => {};
    const { outbox } = await setup(() => new Promise((resolve) => (answer = resolve)), {}, store);
    const entry = await outbox.enqueue(CONV, "hello");
    await store.applyLog(CONV, [newMessage(2, { sender_id: "me", client_message_id: entry.client_message_id, content: "hello" })]);
    answer(sentMessage(entry));
    await outbox.flush();
    expect(await store.outbox(CONV)).toEqual([]);
    expect((await store.timelineFrom(CONV, 0)).map((m) => m.content)).toEqual(["hello"]);
  });
});
