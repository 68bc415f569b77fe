/**
 * Profile and privacy: the user's display name (editable) and username, who may start a
 * direct conversation with them or add them to groups, the people they blocked, the linked
 * sign-in providers, the signed-in devices, and the account's data (export, deletion).
 */
import { useEffect, useState, type FormEvent } from "react";
import type { BlockedUser, Privacy, PrivacyChoice } from "../api/types";
import { changeAbout, changeAvatar, changeDisplayName, removeAvatar } from "../app/actions";
import { runtime, useSession } from "../app/runtime";
import { Avatar } from "./Avatar";
import { Dialog } from "./Dialog";
import { EmailAddressForm } from "./EmailAddressForm";
import { ErrorText } from "./ErrorText";
import { LinkedAccounts } from "./LinkedAccounts";
import { SignedInDevices } from "./SignedInDevices";
import { YourData } from "./YourData";

const CHOICES: { value: PrivacyChoice; label: string }[] = [
  { value: "everyone", label: "Everyone" },
  { value: "shared_conversations", label: "People I share a conversation with" },
  { value: "nobody", label: "Nobody" },
];

export function SettingsDialog({ onClose }: { onClose(): void }) {
  const me = useSession((s) => s.me);
  const [privacy, setPrivacy] = useState<Privacy | null>(null);
  const [blocked, setBlocked] = useState<BlockedUser[]>([]);
  const [error, setError] = useState<unknown>(null);
  const [saved, setSaved] = useState(false);
  const { api } = runtime();

  useEffect(() => {
    Promise.all([api.privacy(), api.blocks()])
      .then(([p, b]) => {
        setPrivacy(p);
        setBlocked(b);
      })
      .catch(setError);
  }, [api]);

  const change = (key: keyof Privacy, value: PrivacyChoice) => {
    const next = { ...privacy, [key]: value };
    setPrivacy(next);
    setSaved(false);
    api
      .setPrivacy({ [key]: value })
      .then((p) => {
        setPrivacy(p);
        setSaved(true);
      })
      .catch(setError);
  };

  const unblock = (userId: string) =>
    api
      .unblock(userId)
      .then(() => setBlocked((list) => list.filter((b) => b.user.id !== userId)))
      .catch(setError);

  return (
    <Dialog title="Profile and privacy" onClose={onClose}>
      <ProfileForm displayName={me?.display_name ?? ""} username={me?.username ?? ""} />
      <section className="stack">
        <h3>Privacy</h3>
        {privacy && (
          <>
            <label className="field">
              <span>Who can start a direct message with you</span>
              <select value={privacy.direct_messages ?? "everyone"} onChange={(e) => change("direct_messages", e.target.value as PrivacyChoice)}>
                {CHOICES.map((c) => (
                  <option key={c.value} value={c.value}>
                    {c.label}
                  </option>
                ))}
              </select>
            </label>
            <label className="field">
              <span>Who can add you to groups</span>
              <select value={privacy.group_invites ?? "everyone"} onChange={(e) => change("group_invites", e.target.value as PrivacyChoice)}>
                {CHOICES.map((c) => (
                  <option key={c.value} value={c.value}>
                    {c.label}
                  </option>
                ))}
              </select>
            </label>
            {saved && <p className="muted" aria-live="polite">Saved.</p>}
          </>
        )}
      </section>
      <section className="stack">
        <h3>Blocked people</h3>
        {blocked.length === 0 ? (
          <p className="muted">You have not blocked anyone.</p>
        ) : (
          <ul className="blocked">
            {blocked.map((b) => (
              <li key={b.user.id}>
                {b.user.display_name} <span className="muted">@{b.user.username}</span>{" "}
                <button type="button" className="button button--small" onClick={() => void unblock(b.user.id)}>
                  Unblock
                </button>
              </li>
            ))}
          </ul>
        )}
      </section>
      <EmailAddressForm />
      <LinkedAccounts />
      <SignedInDevices />
      <YourData />
      <ErrorText error={error} />
    </Dialog>
  );
}

/** The display name, changed with **Save name**; the username cannot change. */
function ProfileForm({ displayName, username }: { displayName: string; username: string }) {
  const [name, setName] = useState(displayName);
  const [state, setState] = useState<"idle" | "saving" | "saved">("idle");
  const [error, setError] = useState<unknown>(null);

  const save = (event: FormEvent) => {
    event.preventDefault();
    setError(null);
    setState("saving");
    changeDisplayName(name)
      .then(() => setState("saved"))
      .catch((e: unknown) => {
        setError(e);
        setState("idle");
      });
  };

  const unchanged = name.trim() === displayName;
  return (
    <section className="stack">
      <h3>Profile</h3>
      <form className="inline-form" onSubmit={save}>
        <label className="field">
          <span>Display name</span>
          <input
            value={name}
            maxLength={64}
            required
            onChange={(e) => {
              setName(e.target.value);
              setState("idle");
            }}
          />
        </label>
        <button type="submit" className="button" disabled={unchanged || state === "saving"}>
          Save name
        </button>
      </form>
      {state === "saved" && (
        <p className="muted" role="status">
          Name saved.
        </p>
      )}
      <dl className="profile">
        <dt>Username</dt>
        <dd>@{username}</dd>
      </dl>
      <ErrorText error={error} />
      <ProfilePicture />
      <AboutForm />
    </section>
  );
}

/**
 * The profile picture others see beside my name: chosen with **Profile picture** (a file
 * field; the server crops it to a square), removed with **Remove picture**.
 */
function ProfilePicture() {
  const me = useSession((s) => s.me);
  const [state, setState] = useState<"idle" | "saving" | "saved" | "removed">("idle");
  const [error, setError] = useState<unknown>(null);

  const run = (work: Promise<void>, done: "saved" | "removed") => {
    setError(null);
    setState("saving");
    work
      .then(() => setState(done))
      .catch((e: unknown) => {
        setError(e);
        setState("idle");
      });
  };

  return (
    <div className="stack">
      <div className="picture-field">
        <Avatar name={me?.display_name ?? "?"} url={me?.avatar_url} />
        <label className="field">
          <span>Profile picture</span>
          <input
            type="file"
            accept="image/jpeg,image/png,image/gif,image/webp"
            disabled={state === "saving"}
            onChange={(e) => {
              const file = e.currentTarget.files?.[0];
              e.currentTarget.value = "";
              if (file) run(changeAvatar(file), "saved");
            }}
          />
        </label>
        {me?.avatar_url && (
          <button type="button" className="button button--small" disabled={state === "saving"} onClick={() => run(removeAvatar(), "removed")}>
            Remove picture
          </button>
        )}
      </div>
      {state === "saving" && (
        <p className="muted" role="status">
          Saving picture…
        </p>
      )}
      {(state === "saved" || state === "removed") && (
        <p className="muted" role="status">
          {state === "saved" ? "Picture saved." : "Picture removed."}
        </p>
      )}
      <ErrorText error={error} />
    </div>
  );
}

/** The about text others see on the profile, changed with **Save about**. */
function AboutForm() {
  const saved = useSession((s) => s.me?.about ?? "");
  const [about, setAbout] = useState(saved);
  const [state, setState] = useState<"idle" | "saving" | "saved">("idle");
  const [error, setError] = useState<unknown>(null);

  const save = (event: FormEvent) => {
    event.preventDefault();
    setError(null);
    setState("saving");
    changeAbout(about)
      .then(() => setState("saved"))
      .catch((e: unknown) => {
        setError(e);
        setState("idle");
      });
  };

  return (
    <form className="stack" onSubmit={save}>
      <label className="field">
        <span>About you</span>
        <textarea
          value={about}
          maxLength={500}
          rows={3}
          onChange={(e) => {
            setAbout(e.target.value);
            setState("idle");
          }}
        />
      </label>
      <button type="submit" className="button" disabled={about.trim() === saved || state === "saving"}>
        Save about
      </button>
      {state === "saved" && (
        <p className="muted" role="status">
          About saved.
        </p>
      )}
      <ErrorText error={error} />
    </form>
  );
}
