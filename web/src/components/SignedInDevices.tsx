/**
 * The settings' "Signed-in devices": every live session of this account, the most recently
 * used first, with its device name, when and from where it was last used, and **Sign out
 * <device>** for each other one; **Sign out all other devices** ends them all. This device is
 * marked and is signed out from the account menu instead.
 */
import { useEffect, useState } from "react";
import type { SignedInSession } from "../api/types";
import { runtime } from "../app/runtime";
import { fullTime } from "../format";
import { ErrorText } from "./ErrorText";

export function SignedInDevices() {
  const { api } = runtime();
  const [sessions, setSessions] = useState<SignedInSession[] | null>(null);
  const [notice, setNotice] = useState<string | null>(null);
  const [error, setError] = useState<unknown>(null);

  useEffect(() => {
    api.sessions().then(setSessions).catch(setError);
  }, [api]);

  const signOut = (session: SignedInSession) => {
    setError(null);
    api
      .endSession(session.id)
      .then(() => {
        setSessions((list) => list?.filter((s) => s.id !== session.id) ?? null);
        setNotice(`${session.device_name} is signed out.`);
      })
      .catch(setError);
  };
  const signOutOthers = () => {
    setError(null);
    api
      .endOtherSessions()
      .then((ended) => {
        setSessions((list) => list?.filter((s) => s.current) ?? null);
        setNotice(ended === 1 ? "1 other device is signed out." : `${ended} other devices are signed out.`);
      })
      .catch(setError);
  };

  const others = sessions?.filter((s) => !s.current) ?? [];
  return (
    <section className="stack" aria-labelledby="signed-in-devices">
      <h3 id="signed-in-devices">Signed-in devices</h3>
      {sessions && (
        <ul className="sessions" aria-label="Signed-in devices">
          {sessions.map((session) => (
            <li key={session.id}>
              <div>
                <strong>{session.device_name}</strong>
                {session.current && <span className="badge"> This device</span>}
                <div className="muted">
                  Last active {fullTime(session.last_used_at)} from {session.ip || "an unknown address"} · signed in{" "}
                  {fullTime(session.created_at)}
                </div>
              </div>
              {!session.current && (
                <button
                  type="button"
                  className="button button--small"
                  aria-label={`Sign out ${session.device_name}`}
                  onClick={() => signOut(session)}
                >
                  Sign out
                </button>
              )}
            </li>
          ))}
        </ul>
      )}
      {others.length > 0 && (
        <button type="button" className="button" onClick={signOutOthers}>
          Sign out all other devices
        </button>
      )}
      {notice && (
        <p className="muted" role="status">
          {notice}
        </p>
      )}
      <ErrorText error={error} />
    </section>
  );
}
