/**
 * The settings' "E-mail address": a new address and the password, then **Send confirmation
 * link**; the account moves to the new address when the link mailed there is followed (the
 * old one stays until then).
 */
import { useState, type FormEvent } from "react";
import { runtime } from "../app/runtime";
import { ErrorText } from "./ErrorText";

export function EmailAddressForm() {
  const [email, setEmail] = useState("");
  const [password, setPassword] = useState("");
  const [sentTo, setSentTo] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<unknown>(null);

  const submit = (event: FormEvent) => {
    event.preventDefault();
    setError(null);
    setSentTo(null);
    setBusy(true);
    runtime()
      .api.changeEmail(email, password)
      .then(() => {
        setSentTo(email.trim());
        setPassword("");
      })
      .catch(setError)
      .finally(() => setBusy(false));
  };

  return (
    <section className="stack" aria-labelledby="email-address">
      <h3 id="email-address">E-mail address</h3>
      <form className="stack" onSubmit={submit}>
        <label className="field">
          <span>New e-mail address</span>
          <input type="email" value={email} required maxLength={254} autoComplete="email" onChange={(e) => setEmail(e.target.value)} />
        </label>
        <label className="field">
          <span>Current password</span>
          <input type="password" value={password} autoComplete="current-password" onChange={(e) => setPassword(e.target.value)} />
        </label>
        <button type="submit" className="button" disabled={busy}>
          Send confirmation link
        </button>
      </form>
      {sentTo && (
        <p className="muted" role="status">
          A confirmation link was sent to {sentTo}. Your address changes when you follow it.
        </p>
      )}
      <ErrorText error={error} />
    </section>
  );
}
