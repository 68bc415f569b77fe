/**
 * Sign in, or create an account (which signs the new user in). A failure is an alert.
 */
import { useState } from "react";
import { register, signIn, useProviderNotice } from "../app/runtime";
import { ErrorText } from "../components/ErrorText";
import { ProviderButtons } from "../components/ProviderButtons";

export function SignIn() {
  const [mode, setMode] = useState<"sign-in" | "register">("sign-in");
  const [username, setUsername] = useState("");
  const [displayName, setDisplayName] = useState("");
  const [password, setPassword] = useState("");
  const [error, setError] = useState<unknown>(null);
  const [busy, setBusy] = useState(false);
  const registering = mode === "register";
  const providerError = useProviderNotice((s) => s.error);

  const submit = async (event: React.FormEvent) => {
    event.preventDefault();
    setBusy(true);
    setError(null);
    useProviderNotice.setState({ error: null });
    try {
      if (registering) await register(username.trim(), password, displayName.trim());
      else await signIn(username.trim(), password);
    } catch (e) {
      setError(e);
      setBusy(false);
    }
  };

  return (
    <main className="sign-in">
      <form className="sign-in__card stack" onSubmit={(e) => void submit(e)} aria-labelledby="sign-in-title">
        <p className="brand brand--large" aria-hidden="true">
          Hearth
        </p>
        <h1 id="sign-in-title">{registering ? "Create your account" : "Sign in to Hearth"}</h1>
        <label className="field">
          <span>Username</span>
          <input value={username} onChange={(e) => setUsername(e.target.value)} autoComplete="username" required autoFocus />
        </label>
        {registering && (
          <label className="field">
            <span>Display name</span>
            <input value={displayName} onChange={(e) => setDisplayName(e.target.value)} autoComplete="name" maxLength={64} />
          </label>
        )}
        <label className="field">
          <span>Password</span>
          <input
            type="password"
            value={password}
            onChange={(e) => setPassword(e.target.value)}
            autoComplete={registering ? "new-password" : "current-password"}
            required
          />
        </label>
        <ErrorText error={error ?? providerError} />
        <button type="submit" className="button button--primary" disabled={busy}>
          {registering ? "Create account" : "Sign in"}
        </button>
        <p className="sign-in__switch">
          {registering ? "Already have an account? " : "New here? "}
          <button
            type="button"
            className="link-button"
            onClick={() => {
              setMode(registering ? "sign-in" : "register");
              setError(null);
            }}
          >
            {registering ? "Back to sign in" : "Create account"}
          </button>
        </p>
        {!registering && <ProviderButtons />}
      </form>
    </main>
  );
}
