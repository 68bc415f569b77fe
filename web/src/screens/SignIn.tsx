/**
 * Sign in, create an account (which signs the new user in, or — on a server that confirms
 * addresses — mails a link first), or ask for a password-reset link. A failure is an alert; a
 * mail on its way is a status.
 */
import { useState } from "react";
import { ApiError } from "../api/errors";
import { mailedLinks, register, signIn, useProviderNotice } from "../app/runtime";
import { ErrorText } from "../components/ErrorText";
import { ProviderButtons } from "../components/ProviderButtons";

type Mode = "sign-in" | "register" | "forgot";

const TITLES: Record<Mode, string> = {
  "sign-in": "Sign in to Hearth",
  register: "Create your account",
  forgot: "Reset your password",
};

export function SignIn() {
  const [mode, setMode] = useState<Mode>("sign-in");
  const [username, setUsername] = useState("");
  const [displayName, setDisplayName] = useState("");
  const [email, setEmail] = useState("");
  const [password, setPassword] = useState("");
  const [error, setError] = useState<unknown>(null);
  const [notice, setNotice] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const providerError = useProviderNotice((s) => s.error);
  const unverified = error instanceof ApiError && error.code === "email_not_verified";

  const switchTo = (next: Mode) => {
    setMode(next);
    setError(null);
    setNotice(null);
  };

  const submit = async (event: React.FormEvent) => {
    event.preventDefault();
    setBusy(true);
    setError(null);
    setNotice(null);
    useProviderNotice.setState({ error: null });
    try {
      if (mode === "register") {
        const outcome = await register(username.trim(), password, displayName.trim(), email.trim());
        if (outcome === "pending") {
          setMode("sign-in");
          setNotice(`We mailed a confirmation link to ${email.trim()}. Follow it, then sign in.`);
        }
      } else if (mode === "forgot") {
        await mailedLinks.requestPasswordReset(username.trim());
        setNotice("If that account has an e-mail address, a reset link is on its way to it.");
      } else {
        await signIn(username.trim(), password);
      }
    } catch (e) {
      setError(e);
    }
    setBusy(false);
  };

  const resend = async () => {
    setError(null);
    try {
      await mailedLinks.resendVerification(username.trim());
      setNotice("A new confirmation link is on its way to your address.");
    } catch (e) {
      setError(e);
    }
  };

  return (
    <main className="sign-in">
      <form className="sign-in__card stack" onSubmit={(e) => void submit(e)} aria-labelledby="sign-in-title">
        <p className="brand brand--large" aria-hidden="true">
          Hearth
        </p>
        <h1 id="sign-in-title">{TITLES[mode]}</h1>
        <label className="field">
          <span>{mode === "forgot" ? "Username or e-mail" : "Username"}</span>
          <input value={username} onChange={(e) => setUsername(e.target.value)} autoComplete="username" required autoFocus />
        </label>
        {mode === "register" && (
          <>
            <label className="field">
              <span>Display name</span>
              <input value={displayName} onChange={(e) => setDisplayName(e.target.value)} autoComplete="name" maxLength={64} />
            </label>
            <label className="field">
              <span>E-mail</span>
              <input type="email" value={email} onChange={(e) => setEmail(e.target.value)} autoComplete="email" />
            </label>
          </>
        )}
        {mode !== "forgot" && (
          <label className="field">
            <span>Password</span>
            <input
              type="password"
              value={password}
              onChange={(e) => setPassword(e.target.value)}
              autoComplete={mode === "register" ? "new-password" : "current-password"}
              required
            />
          </label>
        )}
        {notice && (
          <p className="muted" role="status">
            {notice}
          </p>
        )}
        <ErrorText error={error ?? providerError} />
        {unverified && (
          <button type="button" className="link-button" onClick={() => void resend()}>
            Send a new confirmation link
          </button>
        )}
        <button type="submit" className="button button--primary" disabled={busy}>
          {mode === "register" ? "Create account" : mode === "forgot" ? "Send reset link" : "Sign in"}
        </button>
        {mode === "sign-in" && (
          <button type="button" className="link-button" onClick={() => switchTo("forgot")}>
            Forgot password?
          </button>
        )}
        <p className="sign-in__switch">
          {mode === "register" ? "Already have an account? " : mode === "forgot" ? "" : "New here? "}
          <button type="button" className="link-button" onClick={() => switchTo(mode === "sign-in" ? "register" : "sign-in")}>
            {mode === "sign-in" ? "Create account" : "Back to sign in"}
          </button>
        </p>
        {mode === "sign-in" && <ProviderButtons />}
      </form>
    </main>
  );
}
