// Set-ups that several test files share.
import { randomUUID } from "node:crypto";

import { connect, next, request } from "./sio.mjs";

/**
 * An owner and Carol, both connected, and a group the owner adds Carol to after she
 * connected; resolves once Carol's socket has the owner's "welcome" — published after the
 * membership, so her socket has followed the group by then.
 */
export async function memberAddedAfterConnecting(hearth) {
  const owner = await hearth.rest.user("owner");
  const carol = await hearth.rest.user("carol");
  const group = await hearth.rest.group(owner, []);
  const [ownerSocket, carolSocket] = await Promise.all([connect(hearth.base, owner), connect(hearth.base, carol)]);
  await hearth.rest.addMember(owner, group, carol);
  const clientMsgId = randomUUID();
  await request(ownerSocket, "message:send", { conversationId: group, clientMsgId, body: "welcome" });
  const welcome = await next(carolSocket, "message:new", (m) => m.clientMsgId === clientMsgId);
  return { owner, carol, group, ownerSocket, carolSocket, welcome };
}
