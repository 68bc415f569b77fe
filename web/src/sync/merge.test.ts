import { describe, expect, it } from "vitest";
import { admit, release } from "./merge";
import { newMessage } from "../test/fixtures";

const seqs = (events: { seq: number }[]) => events.map((e) => e.seq);

describe("admit", () => {
  it("readies the event right after the cursor", () => {
    const result = admit(4, [], [newMessage(5)]);
    expect(seqs(result.ready)).toEqual([5]);
    expect(result.gap).toBe(false);
  });

  it("holds an out-of-order event until the gap before it is filled", () => {
    const first = admit(4, [], [newMessage(7)]);
    expect(first.ready).toEqual([]);
    expect(first.gap).toBe(true);
    const second = admit(4, first.buffered, [newMessage(6), newMessage(5)]);
    expect(seqs(second.ready)).toEqual([5, 6, 7]);
    expect(second.buffered).toEqual([]);
  });

  it("drops an event at or below the cursor", () => {
    expect(admit(5, [], [newMessage(5), newMessage(3)]).ready).toEqual([]);
  });

  it("drops a duplicate of a buffered event", () => {
    const held = admit(1, [], [newMessage(3)]);
    const again = admit(1, held.buffered, [newMessage(3)]);
    expect(seqs(again.buffered)).toEqual([3]);
  });
});

describe("release", () => {
  it("readies everything past the synced cursor in order, even across an unseen gap", () => {
    expect(seqs(release(10, [newMessage(14), newMessage(12), newMessage(9)]))).toEqual([12, 14]);
  });
});
