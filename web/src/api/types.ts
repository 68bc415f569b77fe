/**
 * Names for the generated API shapes. Every type here is an alias of `schema.d.ts`, which
 * `npm run gen:api` makes from the server's OpenAPI document: never write an API shape by
 * hand, alias it here so the rest of the client reads `Message` instead of a schema path.
 */
import type { components, paths } from "./schema";

type Schemas = components["schemas"];

export type { paths };
export type User = Schemas["UserDto"];
export type Tokens = Schemas["Tokens"];
export type Session = Schemas["SessionResponse"];
export type Conversation = Schemas["ConversationDto"];
export type Member = Schemas["MemberDto"];
export type Permissions = Schemas["PermissionsDto"];
export type Message = Schemas["MessageDto"];
export type Media = Schemas["MediaDto"];
export type Thumbnail = Schemas["ThumbnailDto"];
export type Reaction = Schemas["ReactionDto"];
export type Thread = Schemas["ThreadDto"];
export type ThreadPage = Schemas["ThreadPage"];
export type ChangeEvent = Schemas["ChangeEvent"];
export type Changes = Schemas["Changes"];
export type ConversationChanges = Schemas["ConversationChanges"];
export type Bootstrap = Schemas["Bootstrap"];
export type Settings = Schemas["SettingsDto"];
export type PublicConversation = Schemas["PublicConversationDto"];
export type JoinRequest = Schemas["JoinRequestDto"];
export type SearchResult = Schemas["SearchResult"];
export type SnippetPart = Schemas["SnippetPart"];
export type Privacy = Schemas["PrivacyDto"];
export type UpdatePrivacy = Schemas["UpdatePrivacyRequest"];
export type UpdateProfile = Schemas["UpdateProfileRequest"];
export type BlockedUser = Schemas["BlockedUserDto"];
export type ErrorBody = Schemas["ErrorBody"];
export type CreateConversationRequest = Schemas["CreateConversationRequest"];
export type UpdateSettingsRequest = Schemas["UpdateSettingsRequest"];
export type UpdateMemberRequest = Schemas["UpdateMemberRequest"];

/** The four kinds of conversation (`ConversationDto.type`). */
export type ConversationKind = "direct" | "group" | "room" | "channel";
/** History visibility settings (docs/conversations.md). */
export type HistoryVisibility = "all" | "member_join_date" | "none";
/** Privacy choices for `direct_messages` and `group_invites`. */
export type PrivacyChoice = "everyone" | "shared_conversations" | "nobody";
export type Provider = Schemas["ProviderDto"];
export type LinkedIdentity = Schemas["IdentityDto"];
export type SignedInSession = Schemas["SessionDto"];
export type RegistrationPending = Schemas["RegistrationPending"];
