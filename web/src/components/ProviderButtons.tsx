/**
 * "Sign in with …" buttons, one per identity provider the server is configured with; none
 * when it has none. A failed start (the provider unreachable) is an alert.
 */
import { useEffect, useState } from "react";
import type { Provider } from "../api/types";
import { providers as loadProviders, signInWithProvider } from "../app/runtime";
import { ErrorText } from "./ErrorText";

export function ProviderButtons() {
  const [providers, setProviders] = useState<Provider[]>([]);
  const [error, setError] = useState<unknown>(null);
  const [busy, setBusy] = useState(false);

  useEffect(() => {
    let live = true;
    loadProviders()
      .then((found) => live && setProviders(found))
      .catch(() => undefined); // No list, no buttons: the password form still works.
    return () => {
      live = false;
    };
  }, []);

  if (providers.length === 0) return null;
  const start = async (id: string) => {
    setBusy(true);
    setError(null);
    try {
      await signInWithProvider(id);
    } catch (e) {
      setError(e);
      setBusy(false);
    }
  };
  return (
    <div className="sign-in__providers stack" role="group" aria-label="Other ways to sign in">
      <p className="sign-in__or" aria-hidden="true">
        or
      </p>
      {providers.map((provider) => (
        <button key={provider.id} type="button" className="button" disabled={busy} onClick={() => void start(provider.id)}>
          Sign in with {provider.display_name}
        </button>
      ))}
      <ErrorText error={error} />
    </div>
  );
}
