import { describe, expect, it } from "vitest";
import type { HearthApi } from "../api/client";
import type { Changes } from "../api/types";
import type { IncomingFrame } from "../api/ws";
import { Outbox } from "../outbox/outbox";
import type { LocalStore } from "../store/local";
import { CONV, conversation, freshStore, message, newMessage } from "../test/fixtures";
import { SyncEngine, cursorsAfter, type LiveSink } from "./engine";

const quiet: LiveSink = {
  connection: () => {},
  presence: () => {},
  viewers: () => {},
  viewerJoined: () => {},
  viewerLeft: () => {},
  typing: () => {},
  joinRequested: () => {},
};

/** An engine over a real store whose server answers `changes` from a script. */
async function engineWith(pages: Changes[]) {
  const store = await freshStore();
  await store.putConversation(conversation({ last_seq: 1 }));
  await store.setMeta("bootstrapped", true);
  const asked: Record<string, number>[] = [];
  const api = {
    changes: async (cursors: Record<string, number>) => {
      asked.push(cursors);
      return pages.shift() ?? { changes: [], has_more: false, gone: [] };
    },
    markDelivered: async () => ({}),
  } as unknown as HearthApi;
  const outbox = new Outbox({ store, send: () => new Promise(() => {}), isOnline: () => false });
  return { store, asked, engine: new SyncEngine(api, store, outbox, quiet) };
}

const live = (seq: number): IncomingFrame => ({ ...newMessage(seq), conversation_id: CONV });
const timeline = async (store: LocalStore) => (await store.timelineFrom(CONV, 0)).map((m) => m.seq);

describe("SyncEngine", () => {
  it("applies live events that arrive out of order in seq order once the gap fills", async () => {
    const { store, engine } = await engineWith([]);
    engine.receive(live(3));
    await engine.settled();
    expect(await timeline(store)).toEqual([]);
    engine.receive(live(2));
    await engine.settled();
    expect(await timeline(store)).toEqual([2, 3]);
    expect((await store.cursor(CONV))?.seq).toBe(3);
  });

  it("shows a live event delivered twice once", async () => {
    const { store, engine } = await engineWith([]);
    engine.receive(live(2));
    engine.receive(live(2));
    await engine.settled();
    expect(await timeline(store)).toEqual([2]);
    expect((await store.conversation(CONV))?.unread_count).toBe(1);
  });

  it("releases events held behind a gap when a complete sync shows the gap is not visible", async () => {
    const { store, engine } = await engineWith([]);
    engine.receive(live(5));
    engine.receive({ type: "sync_batch", conversation_id: CONV, events: [newMessage(2)], has_more: false, history_from: 0 });
    await engine.settled();
    expect(await timeline(store)).toEqual([2, 5]);
  });

  it("catches up from the store's cursors until the server has no more", async () => {
    const { store, engine, asked } = await engineWith([
      { changes: [{ conversation_id: CONV, events: [newMessage(2)], has_more: true, history_from: 0 }], has_more: true, gone: [] },
      { changes: [{ conversation_id: CONV, events: [newMessage(3)], has_more: false, history_from: 0 }], has_more: false, gone: [] },
    ]);
    await engine.catchUp();
    expect(asked).toEqual([{ [CONV]: 1 }, { [CONV]: 2 }]);
    expect(await timeline(store)).toEqual([2, 3]);
  });

  it("asks for the next page of a catch-up before it writes this one", async () => {
    const store = await freshStore();
    await store.putConversation(conversation({ last_seq: 1 }));
    await store.setMeta("bootstrapped", true);
    const pages: Changes[] = [
      { changes: [{ conversation_id: CONV, events: [newMessage(2)], has_more: true, history_from: 0 }], has_more: true, gone: [] },
      { changes: [{ conversation_id: CONV, events: [newMessage(3)], has_more: false, history_from: 0 }], has_more: false, gone: [] },
    ];
    const storedWhenAsked: number[][] = [];
    const api = {
      changes: async () => {
        storedWhenAsked.push(await timeline(store));
        return pages.shift() ?? { changes: [], has_more: false, gone: [] };
      },
      markDelivered: async () => ({}),
    } as unknown as HearthApi;
    const outbox = new Outbox({ store, send: () => new Promise(() => {}), isOnline: () => false });
    await new SyncEngine(api, store, outbox, quiet).catchUp();
    expect(storedWhenAsked).toEqual([[], []]);
    expect(await timeline(store)).toEqual([2, 3]);
  });

  it("drops copies before a catch-up's history_from", async () => {
    const { store, engine } = await engineWith([
      { changes: [{ conversation_id: CONV, events: [newMessage(12)], has_more: false, history_from: 10 }], has_more: false, gone: [] },
    ]);
    await store.putLoose(CONV, [message(4)]);
    await engine.catchUp();
    expect(await timeline(store)).toEqual([12]);
  });

  it("moves each cursor to the last seq of its page, never back, and forgets gone ones", () => {
    const other = "00000000-0000-7000-8000-0000000000c2";
    const page: Changes = {
      changes: [
        { conversation_id: CONV, events: [newMessage(5), newMessage(6)], has_more: true, history_from: 0 },
        { conversation_id: "00000000-0000-7000-8000-0000000000c3", events: [newMessage(1)], has_more: false, history_from: 0 },
      ],
      has_more: true,
      gone: [other],
    };
    expect(cursorsAfter({ [CONV]: 4, [other]: 9 }, page)).toEqual({ [CONV]: 6, "00000000-0000-7000-8000-0000000000c3": 1 });
    expect(cursorsAfter({ [CONV]: 8 }, { ...page, gone: [] })[CONV]).toBe(8);
  });

  it("forgets the conversations a catch-up lists as gone", async () => {
    const { store, engine } = await engineWith([{ changes: [], has_more: false, gone: [CONV] }]);
    await engine.catchUp();
    expect(await store.conversation(CONV)).toBeUndefined();
  });
});
