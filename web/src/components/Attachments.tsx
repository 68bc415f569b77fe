/**
 * The files of a message: images as their medium thumbnail (the file itself until the
 * server has made thumbnails), opened large in a lightbox; documents with their name, size
 * and a Download button. Bytes are fetched with the session's token into object URLs — an
 * `<img src>` pointing at the API would carry no token — and released when unmounted.
 */
import { useEffect, useState } from "react";
import type { Media } from "../api/types";
import { runtime } from "../app/runtime";
import { fileSize } from "../format";
import { Dialog } from "./Dialog";

/** The file's bytes through Hearth: never the bucket's redirect, which the page's CSP forbids. */
const contentPath = (media: Media) => `/v1/media/${media.id}/content?redirect=false`;

function thumbnailPath(media: Media, size: "medium" | "large"): string {
  return media.thumbnails?.find((t) => t.size === size)?.url ?? contentPath(media);
}

/** An object URL of the bytes at `path`, or null while they load (or if they cannot). */
function useObjectUrl(path: string | null): string | null {
  const [url, setUrl] = useState<string | null>(null);
  useEffect(() => {
    if (!path) return;
    let made: string | null = null;
    let live = true;
    runtime()
      .api.fetchBlob(path)
      .then((blob) => {
        if (!live) return;
        made = URL.createObjectURL(blob);
        setUrl(made);
      })
      .catch(() => undefined);
    return () => {
      live = false;
      if (made) URL.revokeObjectURL(made);
      setUrl(null);
    };
  }, [path]);
  return url;
}

async function download(media: Media): Promise<void> {
  const blob = await runtime().api.fetchBlob(contentPath(media));
  const url = URL.createObjectURL(blob);
  const link = document.createElement("a");
  link.href = url;
  link.download = media.file_name;
  link.click();
  setTimeout(() => URL.revokeObjectURL(url), 10_000);
}

export function Attachments({ files }: { files: Media[] }) {
  if (files.length === 0) return null;
  return (
    <div className="attachments">
      {files.map((file) => (file.kind === "image" ? <ImageAttachment key={file.id} media={file} /> : <DocumentAttachment key={file.id} media={file} />))}
    </div>
  );
}

/**
 * `media` as it is now: a message read right after it was sent may carry an image whose
 * thumbnails the server makes moments later, so the record is re-read a few times until
 * they are listed (the whole file is shown meanwhile).
 */
function useWithThumbnails(media: Media): Media {
  const [current, setCurrent] = useState(media);
  useEffect(() => {
    setCurrent(media);
    if (media.kind !== "image" || (media.thumbnails?.length ?? 0) > 0) return;
    let tries = 0;
    let timer: ReturnType<typeof setTimeout>;
    const look = () => {
      tries += 1;
      runtime()
        .api.media(media.id)
        .then((now) => {
          if ((now.thumbnails?.length ?? 0) > 0) setCurrent(now);
          else if (tries < 5) timer = setTimeout(look, 400 * 2 ** tries);
        })
        .catch(() => undefined);
    };
    timer = setTimeout(look, 300);
    return () => clearTimeout(timer);
  }, [media]);
  return current;
}

function ImageAttachment({ media: sent }: { media: Media }) {
  const [open, setOpen] = useState(false);
  const media = useWithThumbnails(sent);
  const url = useObjectUrl(thumbnailPath(media, "medium"));
  const medium = media.thumbnails?.find((t) => t.size === "medium");
  return (
    <>
      <a
        className="attachment attachment--image"
        href={url ?? "#"}
        onClick={(e) => {
          e.preventDefault();
          setOpen(true);
        }}
      >
        {url ? (
          <img src={url} alt={media.file_name} width={medium?.width} height={medium?.height} />
        ) : (
          <span className="attachment__placeholder" role="img" aria-label={`${media.file_name} (loading)`} />
        )}
      </a>
      {open && <Lightbox media={media} onClose={() => setOpen(false)} />}
    </>
  );
}

function Lightbox({ media, onClose }: { media: Media; onClose(): void }) {
  const url = useObjectUrl(thumbnailPath(media, "large"));
  return (
    <Dialog title={media.file_name} onClose={onClose} className="lightbox">
      {url ? <img className="lightbox__image" src={url} alt={media.file_name} /> : <p className="muted">Loading…</p>}
      <button type="button" className="button" onClick={() => void download(media).catch(() => undefined)}>
        Download
      </button>
    </Dialog>
  );
}

function DocumentAttachment({ media }: { media: Media }) {
  const [error, setError] = useState(false);
  return (
    <div className="attachment attachment--document">
      <span className="attachment__icon" aria-hidden="true">
        📄
      </span>
      <span className="attachment__name">{media.file_name}</span>
      <span className="muted">{fileSize(media.size)}</span>
      <button
        type="button"
        className="button button--small"
        aria-label={`Download ${media.file_name}`}
        onClick={() => {
          setError(false);
          void download(media).catch(() => setError(true));
        }}
      >
        Download
      </button>
      {error && <span role="alert">Could not download {media.file_name}.</span>}
    </div>
  );
}
