import { describe, expect, it } from "vitest";
import { CONV, conversation, freshStore, message, newMessage } from "../test/fixtures";
import { bindViews, mergeMessages, prependPage, useTimeline } from "./views";

const seqs = (list: { seq: number }[]) => list.map((m) => m.seq);

describe("mergeMessages", () => {
  it("replaces a changed message in place", () => {
    const merged = mergeMessages([message(2), message(3)], [message(2, { content: "edited" })], 2);
    expect(merged.map((m) => m.content)).toEqual(["edited", "message 3"]);
  });

  it("adds a new message in seq order", () => {
    expect(seqs(mergeMessages([message(2), message(5)], [message(4)], 2))).toEqual([2, 4, 5]);
  });

  it("leaves out thread replies and messages below the window", () => {
    const merged = mergeMessages([message(10)], [message(11, { thread_root_id: "msg-10" }), message(3)], 10);
    expect(seqs(merged)).toEqual([10]);
  });
});

describe("prependPage", () => {
  it("puts an older page before the window without repeating the overlap", () => {
    expect(seqs(prependPage([message(5), message(6)], [message(3), message(4), message(5)]))).toEqual([3, 4, 5, 6]);
  });
});

describe("bindViews", () => {
  it("keeps every message that arrives while a conversation is being opened", async () => {
    const store = await freshStore();
    await store.putConversation(conversation());
    const views = bindViews(store, async () => {});
    const writes = [views.open(CONV), ...[2, 3, 4].map((seq) => store.applyLog(CONV, [newMessage(seq)]))];
    await Promise.all(writes);
    await views.settled();
    expect(seqs(useTimeline.getState().messages)).toEqual([2, 3, 4]);
    views.detach();
  });

  it("shows a message that arrives in the open conversation", async () => {
    const store = await freshStore();
    await store.putConversation(conversation());
    const views = bindViews(store, async () => {});
    await views.open(CONV);
    await store.applyLog(CONV, [newMessage(2)]);
    await store.applyLog(CONV, [newMessage(3)]);
    await views.settled();
    expect(seqs(useTimeline.getState().messages)).toEqual([2, 3]);
    views.detach();
  });
});
