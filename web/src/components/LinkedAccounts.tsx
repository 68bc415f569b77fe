/**
 * The settings' "Linked accounts": the identity providers linked to this account, each with
 * **Unlink**, and a **Link <provider>** button for each configured provider not linked yet
 * (the browser goes to the provider and comes back here). Shows what the last return from a
 * provider said.
 */
import { useEffect, useState } from "react";
import type { LinkedIdentity, Provider } from "../api/types";
import { linkProvider, runtime, useProviderNotice } from "../app/runtime";
import { ErrorText } from "./ErrorText";

export function LinkedAccounts() {
  const { api } = runtime();
  const [providers, setProviders] = useState<Provider[]>([]);
  const [linked, setLinked] = useState<LinkedIdentity[]>([]);
  const [error, setError] = useState<unknown>(null);
  const notice = useProviderNotice();

  useEffect(() => {
    Promise.all([api.providers(), api.identities()])
      .then(([p, l]) => {
        setProviders(p);
        setLinked(l);
      })
      .catch(setError);
  }, [api]);

  if (providers.length === 0 && linked.length === 0) return null;
  const unlink = (provider: string) => {
    setError(null);
    useProviderNotice.setState({ linked: null, error: null });
    api
      .unlink(provider)
      .then(() => setLinked((list) => list.filter((i) => i.provider !== provider)))
      .catch(setError);
  };
  const link = (provider: string) => {
    setError(null);
    linkProvider(provider).catch(setError);
  };
  const unlinked = providers.filter((p) => !linked.some((i) => i.provider === p.id));
  const justLinked = providers.find((p) => p.id === notice.linked);

  return (
    <section className="stack" aria-labelledby="linked-accounts">
      <h3 id="linked-accounts">Linked accounts</h3>
      {justLinked && (
        <p className="muted" role="status">
          {justLinked.display_name} is linked: you can sign in with it.
        </p>
      )}
      {linked.length === 0 ? (
        <p className="muted">No account is linked.</p>
      ) : (
        <ul className="blocked">
          {linked.map((identity) => (
            <li key={identity.provider}>
              {identity.display_name} {identity.email && <span className="muted">{identity.email}</span>}{" "}
              <button
                type="button"
                className="button button--small"
                aria-label={`Unlink ${identity.display_name}`}
                onClick={() => unlink(identity.provider)}
              >
                Unlink
              </button>
            </li>
          ))}
        </ul>
      )}
      {unlinked.map((provider) => (
        <button key={provider.id} type="button" className="button" onClick={() => link(provider.id)}>
          Link {provider.display_name}
        </button>
      ))}
      <ErrorText error={error ?? notice.error} />
    </section>
  );
}
