import { describe, expect, it } from "vitest";
import type { StoreChange } from "./local";
import { BOB, CONV, conversation, event, freshStore, message, newMessage, outboxEntry, user } from "../test/fixtures";

async function storeWithConversation(lastSeq = 1) {
  const store = await freshStore();
  await store.putConversation(conversation({ last_seq: lastSeq }));
  return store;
}

describe("LocalStore", () => {
  it("shows a user's new display name in every conversation they are a member of", async () => {
    const store = await storeWithConversation();
    const changes: StoreChange[] = [];
    store.subscribe((change) => changes.push(change));
    await store.putUsers([{ ...user(BOB, "bob"), display_name: "Robert" }]);
    const bob = (await store.members(CONV)).find((m) => m.user.id === BOB);
    expect(bob?.user.display_name).toBe("Robert");
    expect(changes).toContainEqual({ kind: "members", conversationId: CONV });
    expect(changes).toContainEqual({ kind: "conversations" });
  });

  it("starts a new conversation's cursor at its last_seq", async () => {
    const store = await storeWithConversation(7);
    expect((await store.cursor(CONV))?.seq).toBe(7);
  });

  it("applies a message event once even when it arrives twice", async () => {
    const store = await storeWithConversation();
    await store.applyLog(CONV, [newMessage(2)]);
    const again = await store.applyLog(CONV, [newMessage(2)]);
    expect(again.applied).toBe(0);
    expect((await store.timelineFrom(CONV, 0)).map((m) => m.seq)).toEqual([2]);
    expect((await store.conversation(CONV))?.unread_count).toBe(1);
  });

  it("replaces a message in place when a later event carries it", async () => {
    const store = await storeWithConversation();
    await store.applyLog(CONV, [newMessage(2)]);
    await store.applyLog(CONV, [event(3, "message_updated", { message: message(2, { content: "edited", edit_count: 1 }) })]);
    const [only] = await store.timelineFrom(CONV, 0);
    expect(only?.content).toBe("edited");
    expect((await store.cursor(CONV))?.seq).toBe(3);
  });

  it("never counts the user's own messages as unread", async () => {
    const store = await freshStore("me-unread");
    await store.putConversation(conversation({}, "me-unread"));
    await store.applyLog(CONV, [newMessage(2, { sender_id: "me-unread" })]);
    expect((await store.conversation(CONV))?.unread_count).toBe(0);
  });

  it("drops copies before history_from and moves the cursor up to it", async () => {
    const store = await storeWithConversation();
    await store.applyLog(CONV, [newMessage(2), newMessage(3)]);
    await store.applyLog(CONV, [newMessage(11)], 10);
    expect((await store.timelineFrom(CONV, 0)).map((m) => m.seq)).toEqual([11]);
    const cursor = await store.cursor(CONV);
    expect(cursor).toMatchObject({ seq: 11, history_from: 10 });
  });

  it("forgets a conversation when the user is removed from it", async () => {
    const store = await storeWithConversation();
    await store.applyLog(CONV, [event(2, "member_removed", { user_id: store.userId })]);
    expect(await store.conversation(CONV)).toBeUndefined();
    expect(await store.cursor(CONV)).toBeUndefined();
  });

  it("forgets a deleted conversation", async () => {
    const store = await storeWithConversation();
    const result = await store.applyLog(CONV, [event(2, "conversation_deleted")]);
    expect(result.dropped).toBe(true);
    expect(await store.conversations()).toEqual([]);
  });

  it("reports an unknown conversation instead of applying its events", async () => {
    const store = await freshStore();
    expect((await store.applyLog(CONV, [newMessage(2)])).unknown).toBe(true);
  });

  it("pages the timeline back from a seq, oldest first, without thread replies", async () => {
    const store = await storeWithConversation();
    await store.applyLog(CONV, [
      newMessage(2),
      newMessage(3, { thread_root_id: "msg-2", reply_to: "msg-2" }),
      newMessage(4),
      newMessage(5),
    ]);
    const page = await store.timelineBefore(CONV, 5, 10);
    expect(page.messages.map((m) => m.seq)).toEqual([2, 4]);
    expect(page.beyondFloor).toBe(false);
  });

  it("says older history lies beyond the floor when only recent messages are held", async () => {
    const store = await freshStore();
    const recent = Array.from({ length: 20 }, (_, i) => message(100 + i));
    await store.putConversation(conversation({ last_seq: 119 }), recent, true);
    const page = await store.timelineBefore(CONV, 105, 10);
    expect(page.messages.map((m) => m.seq)).toEqual([100, 101, 102, 103, 104]);
    expect(page.beyondFloor).toBe(true);
  });

  it("answers an empty page, not an error, when asked for what lies below the floor", async () => {
    const store = await freshStore();
    await store.putConversation(conversation({ last_seq: 119 }), [message(100), message(101)], true);
    expect(await store.timelineBefore(CONV, 100, 10)).toEqual({ messages: [], beyondFloor: true });
  });

  it("lowers the floor to the oldest page fetched, and to 0 at the start of history", async () => {
    const store = await freshStore();
    await store.putConversation(conversation({ last_seq: 119 }), [message(100)], true);
    await store.putHistory(CONV, [message(50), message(60)], true);
    expect((await store.cursor(CONV))?.floor).toBe(50);
    await store.putHistory(CONV, [message(2)], false);
    expect((await store.cursor(CONV))?.floor).toBe(0);
  });

  it("puts a reply's thread counters on its root", async () => {
    const store = await storeWithConversation();
    await store.applyLog(CONV, [newMessage(2)]);
    const thread = { root_id: "msg-2", reply_count: 1, last_reply_at: "2026-01-01T00:00:03Z" };
    await store.applyLog(CONV, [{ ...newMessage(3, { thread_root_id: "msg-2" }), thread }]);
    expect((await store.messageById("msg-2"))?.thread).toEqual(thread);
  });

  it("removes an outbox entry when its message arrives from the server", async () => {
    const store = await freshStore("me-reconcile");
    await store.putConversation(conversation({}, "me-reconcile"));
    await store.putOutbox(outboxEntry("key-1"));
    await store.applyLog(CONV, [newMessage(2, { sender_id: "me-reconcile", client_message_id: "key-1" })]);
    expect(await store.outbox(CONV)).toEqual([]);
  });

  it("moves a member's read marker on a receipt and never back", async () => {
    const store = await storeWithConversation();
    await store.applyReceipt(CONV, BOB, "read", 5);
    await store.applyReceipt(CONV, BOB, "delivered", 3);
    const bob = (await store.members(CONV)).find((m) => m.user.id === BOB);
    expect(bob).toMatchObject({ last_read_seq: 5, last_delivered_seq: 5 });
  });
});
