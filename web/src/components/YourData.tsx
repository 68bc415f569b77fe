/**
 * The settings' "Your data": **Download my data** saves everything the server keeps about
 * the account as one JSON file; **Delete account** asks for the password and, with **Delete
 * my account permanently**, deletes it: every session ends and the messages sent become
 * tombstones from "Deleted user".
 */
import { useState, type FormEvent } from "react";
import { deleteAccount, runtime, useSession } from "../app/runtime";
import { ErrorText } from "./ErrorText";

export function YourData() {
  const me = useSession((s) => s.me);
  const [confirming, setConfirming] = useState(false);
  const [password, setPassword] = useState("");
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<unknown>(null);

  const download = () => {
    setError(null);
    runtime()
      .api.exportData()
      .then((archive) => {
        const blob = new Blob([JSON.stringify(archive, null, 2)], { type: "application/json" });
        const url = URL.createObjectURL(blob);
        const link = document.createElement("a");
        link.href = url;
        link.download = `hearth-${me?.username ?? "account"}-export.json`;
        link.click();
        setTimeout(() => URL.revokeObjectURL(url), 60_000);
      })
      .catch(setError);
  };

  const remove = (event: FormEvent) => {
    event.preventDefault();
    setError(null);
    setBusy(true);
    deleteAccount(password).catch((e: unknown) => {
      setError(e);
      setBusy(false);
    });
  };

  return (
    <section className="stack" aria-labelledby="your-data">
      <h3 id="your-data">Your data</h3>
      <button type="button" className="button" onClick={download}>
        Download my data
      </button>
      {!confirming ? (
        <button type="button" className="button button--danger" onClick={() => setConfirming(true)}>
          Delete account
        </button>
      ) : (
        <form className="stack" onSubmit={remove}>
          <p>
            Deleting your account signs you out everywhere and removes your name, address and the text of every
            message you sent. It cannot be undone.
          </p>
          <label className="field">
            <span>Password</span>
            <input type="password" value={password} autoComplete="current-password" onChange={(e) => setPassword(e.target.value)} />
          </label>
          <div className="inline-form">
            <button type="submit" className="button button--danger" disabled={busy}>
              Delete my account permanently
            </button>
            <button type="button" className="button" onClick={() => setConfirming(false)}>
              Keep my account
            </button>
          </div>
        </form>
      )}
      <ErrorText error={error} />
    </section>
  );
}
