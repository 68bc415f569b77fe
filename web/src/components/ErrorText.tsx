import { ApiError } from "../api/errors";

/** What to tell the user about a failed call. */
export function describeError(error: unknown): string {
  if (error instanceof ApiError) {
    if (error.code === "network") return "Cannot reach the server. Check your connection and try again.";
    const details = error.details && typeof error.details === "object" ? Object.values(error.details as Record<string, string>) : [];
    return details.length > 0 ? `${error.message}: ${details.join("; ")}` : error.message;
  }
  return error instanceof Error ? error.message : String(error);
}

/** A failure shown as an alert (announced at once). */
export function ErrorText({ error }: { error: unknown }) {
  if (!error) return null;
  return (
    <p className="error" role="alert">
      {describeError(error)}
    </p>
  );
}
