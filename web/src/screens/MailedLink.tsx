/**
 * The pages a mailed link opens, signed in or not: `/verify-email?token=…` confirms the
 * address at once; `/reset-password?token=…` asks for the new password. Each ends with a way
 * back to sign in. A failure is an alert; success is a status.
 */
import { useEffect, useRef, useState } from "react";
import { mailedLinks } from "../app/runtime";
import { ErrorText } from "../components/ErrorText";

/** Which mailed link the address is, if any. */
export function mailedLinkAt(pathname: string): "verify-email" | "reset-password" | null {
  if (pathname === "/verify-email") return "verify-email";
  if (pathname === "/reset-password") return "reset-password";
  return null;
}

const token = () => new URLSearchParams(window.location.search).get("token") ?? "";

/** Leaves the link's page for the client's start (which signs in or shows the chat). */
const backToStart = () => window.location.assign("/");

export function MailedLink({ kind }: { kind: "verify-email" | "reset-password" }) {
  return (
    <main className="sign-in">
      <div className="sign-in__card stack">
        <p className="brand brand--large" aria-hidden="true">
          Hearth
        </p>
        {kind === "verify-email" ? <VerifyEmail /> : <ResetPassword />}
        <button type="button" className="link-button" onClick={backToStart}>
          Back to sign in
        </button>
      </div>
    </main>
  );
}

function VerifyEmail() {
  const [state, setState] = useState<"checking" | "done" | "failed">("checking");
  const [error, setError] = useState<unknown>(null);
  const asked = useRef(false);

  useEffect(() => {
    // Once, even under StrictMode's double effects: a link works once.
    if (asked.current) return;
    asked.current = true;
    mailedLinks
      .verifyEmail(token())
      .then(() => setState("done"))
      .catch((e: unknown) => {
        setError(e);
        setState("failed");
      });
  }, []);

  return (
    <>
      <h1>Confirm your e-mail address</h1>
      {state === "checking" && <p className="muted">Checking the link…</p>}
      {state === "done" && (
        <p role="status">Your address is confirmed. You can sign in now.</p>
      )}
      <ErrorText error={error} />
    </>
  );
}

function ResetPassword() {
  const [password, setPassword] = useState("");
  const [done, setDone] = useState(false);
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<unknown>(null);

  const submit = async (event: React.FormEvent) => {
    event.preventDefault();
    setBusy(true);
    setError(null);
    try {
      await mailedLinks.resetPassword(token(), password);
      setDone(true);
    } catch (e) {
      setError(e);
    }
    setBusy(false);
  };

  return (
    <form className="stack" onSubmit={(e) => void submit(e)} aria-labelledby="reset-title">
      <h1 id="reset-title">Choose a new password</h1>
      {done ? (
        <p role="status">Your password is set, and every session was signed out. Sign in with it now.</p>
      ) : (
        <>
          <label className="field">
            <span>New password</span>
            <input
              type="password"
              value={password}
              onChange={(e) => setPassword(e.target.value)}
              autoComplete="new-password"
              required
              autoFocus
            />
          </label>
          <ErrorText error={error} />
          <button type="submit" className="button button--primary" disabled={busy}>
            Set password
          </button>
        </>
      )}
    </form>
  );
}
