/**
 * The way back from an identity provider: the server's callback redirects into the client
 * with the outcome in the URL's fragment (which never reaches a server, so never a log):
 * `#sign_in=<one-time code>`, `#linked=<provider>` or `#sign_in_error=<reason>`. This module
 * reads it once and says what to tell the person.
 */

export type ProviderReturn =
  | { kind: "signed_in"; code: string }
  | { kind: "linked"; provider: string }
  | { kind: "failed"; message: string };

const MESSAGES: Record<string, string> = {
  invalid_state: "That sign-in expired or was started in another browser. Please try again.",
  denied: "The provider did not sign you in.",
  rejected: "The provider's answer could not be accepted. Please try again.",
  provider_unavailable: "The sign-in provider cannot be reached right now. Try again later.",
  identity_in_use: "That account is already linked to another Hearth user.",
  account_disabled: "This account is disabled. Ask the server's operator.",
  unknown_provider: "That sign-in provider is not available.",
  rate_limited: "Too many attempts. Wait a minute and try again.",
};

/** Why a provider sign-in failed, in words. */
export function describeProviderError(reason: string): string {
  return MESSAGES[reason] ?? "Signing in with the provider failed. Please try again.";
}

/** The outcome the fragment `hash` carries, if it is one of ours. */
export function parseProviderReturn(hash: string): ProviderReturn | null {
  const fields = new URLSearchParams(hash.replace(/^#/, ""));
  const code = fields.get("sign_in");
  if (code) return { kind: "signed_in", code };
  const provider = fields.get("linked");
  if (provider) return { kind: "linked", provider };
  const reason = fields.get("sign_in_error");
  if (reason) return { kind: "failed", message: describeProviderError(reason) };
  return null;
}

/** Reads the outcome from the address bar and removes it, so a reload does not replay it. */
export function takeProviderReturn(): ProviderReturn | null {
  const outcome = parseProviderReturn(window.location.hash);
  if (outcome) {
    window.history.replaceState(null, "", window.location.pathname + window.location.search);
  }
  return outcome;
}
