/**
 * What the user does, as calls to the server whose answers are written into the local
 * store (which the UI then re-reads). Sends go through the outbox; everything else is a
 * direct call, because it needs the server's verdict (permissions, conflicts) to mean
 * anything. Every function throws `ApiError` for the caller to show.
 */
import type { CreateConversationRequest, Media, Message, UpdateMemberRequest, UpdateProfile, UpdateSettingsRequest, User } from "../api/types";
import { accountChanged, runtime } from "./runtime";
import { navigate } from "./router";

const keep = async (message: Message) => {
  await runtime().store.putLoose(message.conversation_id, [message]);
  return message;
};

export const send = (cid: string, content: string, replyTo: string | null = null, attachments: Media[] = []) =>
  runtime().outbox.enqueue(cid, content, replyTo, attachments);

export const retrySend = (clientMessageId: string) => runtime().outbox.retry(clientMessageId);

/** Changes the signed-in user's display name; their name changes wherever it is shown. */
export async function changeDisplayName(displayName: string): Promise<void> {
  await changeProfile({ display_name: displayName });
}

/** Saves the about text (empty clears it). */
export async function changeAbout(about: string): Promise<void> {
  await changeProfile({ about });
}

async function changeProfile(change: UpdateProfile): Promise<void> {
  await remember(await runtime().api.updateProfile(change));
}

/** Uploads `file` and makes it my profile picture (the server crops and scales it). */
export async function changeAvatar(file: File): Promise<void> {
  const { api } = runtime();
  const media = await api.uploadMedia(file, file.name || "picture");
  await remember(await api.setAvatar(media.id));
}

export async function removeAvatar(): Promise<void> {
  await remember(await runtime().api.removeAvatar());
}

async function remember(me: User): Promise<void> {
  await runtime().store.putUsers([me]);
  accountChanged(me);
}

export const editMessage = async (cid: string, id: string, content: string) => keep(await runtime().api.edit(cid, id, content));

export const deleteMessage = async (cid: string, id: string) => keep(await runtime().api.remove(cid, id));

export async function toggleReaction(message: Message, emoji: string): Promise<void> {
  const { api } = runtime();
  const mine = message.reactions?.find((r) => r.emoji === emoji)?.reacted_by_me;
  await keep(mine ? await api.unreact(message.conversation_id, message.id, emoji) : await api.react(message.conversation_id, message.id, emoji));
}

/** Loads a thread from the server into the store (its root and replies). */
export async function loadThread(cid: string, rootId: string): Promise<void> {
  const { api, store } = runtime();
  const page = await api.thread(cid, rootId);
  await store.putLoose(cid, [page.root, ...page.messages]);
}

/** Opens (creating if need be) the direct conversation with a user. */
export async function openDirect(userId: string): Promise<void> {
  const { api, store } = runtime();
  const conversation = await api.direct(userId);
  await store.putConversation(conversation);
  navigate(`/c/${conversation.id}`);
}

export async function createConversation(body: CreateConversationRequest): Promise<void> {
  const { api, store } = runtime();
  const conversation = await api.create(body);
  await store.putConversation(conversation);
  navigate(`/c/${conversation.id}`);
}

/** Joins a public room; answers `false` when it only filed a request (approval needed). */
export async function joinRoom(cid: string): Promise<boolean> {
  const { api, engine } = runtime();
  const answer = await api.join(cid);
  if (!("id" in answer)) return false;
  await engine.adopt(cid);
  navigate(`/c/${cid}`);
  return true;
}

export async function leaveConversation(cid: string): Promise<void> {
  const { api, store } = runtime();
  await api.leave(cid);
  await store.dropConversation(cid);
  navigate("/");
}

export async function deleteConversation(cid: string): Promise<void> {
  const { api, store } = runtime();
  await api.deleteConversation(cid);
  await store.dropConversation(cid);
  navigate("/");
}

/** Re-reads a conversation and its members from the server into the store. */
export async function refreshConversation(cid: string): Promise<void> {
  const { api, store } = runtime();
  const conversation = await api.conversation(cid);
  await store.putConversation(conversation);
  if (!conversation.members) await store.putMembers(cid, await api.members(cid));
}

export async function updateSettings(cid: string, body: UpdateSettingsRequest): Promise<void> {
  await runtime().store.putConversation(await runtime().api.updateSettings(cid, body));
}

export async function addMember(cid: string, username: string): Promise<void> {
  await runtime().api.addMember(cid, username);
  await refreshConversation(cid);
}

export async function updateMember(cid: string, userId: string, body: UpdateMemberRequest): Promise<void> {
  await runtime().api.updateMember(cid, userId, body);
  await refreshConversation(cid);
}

export async function removeMember(cid: string, userId: string): Promise<void> {
  await runtime().api.removeMember(cid, userId);
  await refreshConversation(cid);
}

export async function transferOwnership(cid: string, userId: string): Promise<void> {
  await runtime().api.transfer(cid, userId);
  await refreshConversation(cid);
}

export async function answerJoinRequest(cid: string, userId: string, approve: boolean): Promise<void> {
  const { api } = runtime();
  await (approve ? api.approve(cid, userId) : api.deny(cid, userId));
  await refreshConversation(cid);
}
