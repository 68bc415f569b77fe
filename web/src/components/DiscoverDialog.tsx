/** "Discover rooms": public rooms and channels by name, each with Join (or Open once joined). */
import { useEffect, useState } from "react";
import type { PublicConversation } from "../api/types";
import { joinRoom } from "../app/actions";
import { navigate } from "../app/router";
import { runtime } from "../app/runtime";
import { Dialog } from "./Dialog";
import { ErrorText } from "./ErrorText";

export function DiscoverDialog({ onClose }: { onClose(): void }) {
  const [query, setQuery] = useState("");
  const [rooms, setRooms] = useState<PublicConversation[] | null>(null);
  const [error, setError] = useState<unknown>(null);
  const [requested, setRequested] = useState<ReadonlySet<string>>(new Set());

  useEffect(() => {
    let current = true;
    const timer = setTimeout(() => {
      runtime()
        .api.discover(query.trim())
        .then((list) => current && (setRooms(list), setError(null)))
        .catch((e: unknown) => current && setError(e));
    }, 150);
    return () => {
      current = false;
      clearTimeout(timer);
    };
  }, [query]);

  const join = async (room: PublicConversation) => {
    try {
      if (await joinRoom(room.id)) onClose();
      else setRequested((s) => new Set(s).add(room.id));
    } catch (e) {
      setError(e);
    }
  };

  return (
    <Dialog title="Discover rooms" onClose={onClose}>
      <label className="field">
        <span>Find rooms</span>
        <input type="search" value={query} onChange={(e) => setQuery(e.target.value)} autoFocus />
      </label>
      <ErrorText error={error} />
      <ul className="rooms" aria-label="Public rooms">
        {rooms?.map((room) => (
          <li key={room.id} className="room">
            <div>
              <strong>
                {room.type === "channel" ? "# " : ""}
                {room.title}
              </strong>
              <span className="muted">
                {" "}
                · {room.member_count} {room.member_count === 1 ? "member" : "members"}
                {room.require_approval ? " · approval needed" : ""}
              </span>
              {room.description && <p className="muted">{room.description}</p>}
            </div>
            {room.joined ? (
              <button
                type="button"
                className="button"
                onClick={() => {
                  navigate(`/c/${room.id}`);
                  onClose();
                }}
              >
                Open
              </button>
            ) : requested.has(room.id) ? (
              <span className="muted">Request sent</span>
            ) : (
              <button type="button" className="button button--primary" onClick={() => void join(room)}>
                Join
              </button>
            )}
          </li>
        ))}
        {rooms?.length === 0 && <li className="muted">No public rooms match.</li>}
      </ul>
    </Dialog>
  );
}
