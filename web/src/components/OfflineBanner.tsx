/** Shown while the server cannot be reached; gone once the socket is back. */
import { useLive } from "../store/live";

export function OfflineBanner() {
  const offline = useLive((s) => s.connection === "offline");
  if (!offline) return null;
  return (
    <div className="offline" role="status">
      Offline — reconnecting. Messages you send now are kept and go out when the connection is back.
    </div>
  );
}
