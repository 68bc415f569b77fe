/**
 * The files being attached to the next message: each uploads at once (with progress) when
 * chosen, dropped or pasted, and the message may be sent once every one is stored. A file
 * removed while uploading is cancelled.
 */
import { useCallback, useRef, useState } from "react";
import type { Media } from "../api/types";
import { runtime } from "../app/runtime";

/** Most files one message may carry (the server's limit). */
export const MAX_ATTACHMENTS = 10;

export interface Upload {
  key: string;
  name: string;
  /** 0–1 while uploading. */
  progress: number;
  /** The stored file, once uploaded. */
  media?: Media;
  error?: unknown;
}

export function useUploads() {
  const [uploads, setUploads] = useState<Upload[]>([]);
  const aborts = useRef(new Map<string, AbortController>());

  const update = useCallback((key: string, change: Partial<Upload>) => {
    setUploads((list) => list.map((u) => (u.key === key ? { ...u, ...change } : u)));
  }, []);

  const add = useCallback(
    (files: File[]) => {
      setUploads((list) => {
        const room = Math.max(0, MAX_ATTACHMENTS - list.length);
        const added = files.slice(0, room).map((file) => {
          const key = crypto.randomUUID();
          const name = file.name || `pasted-${new Date().toISOString().slice(0, 19).replace(/[:T]/g, "-")}.png`;
          const abort = new AbortController();
          aborts.current.set(key, abort);
          runtime()
            .api.uploadMedia(file, name, (progress) => update(key, { progress }), abort.signal)
            .then((media) => update(key, { media, progress: 1 }))
            .catch((error: unknown) => {
              if (!abort.signal.aborted) update(key, { error });
            })
            .finally(() => aborts.current.delete(key));
          return { key, name, progress: 0 };
        });
        return [...list, ...added];
      });
    },
    [update],
  );

  const remove = useCallback((key: string) => {
    aborts.current.get(key)?.abort();
    setUploads((list) => list.filter((u) => u.key !== key));
  }, []);

  const clear = useCallback(() => setUploads([]), []);

  const ready = uploads.flatMap((u) => (u.media ? [u.media] : []));
  const busy = uploads.some((u) => !u.media && !u.error);
  return { uploads, add, remove, clear, ready, busy };
}
