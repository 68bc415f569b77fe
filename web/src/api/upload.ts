/**
 * Uploads a file to `POST /v1/media` with XMLHttpRequest, the one browser API that reports
 * upload progress. The bearer token comes from the session; a 401 refreshes it once (the
 * session's single-flight refresh) and sends again, as every other call does.
 */
import type { AuthSession } from "./auth";
import { ApiError, errorFromResponse } from "./errors";
import type { Media } from "./types";

/** Progress of an upload, 0–1. */
export type OnProgress = (fraction: number) => void;

function sendOnce(baseUrl: string, token: string | null, file: Blob, name: string, onProgress?: OnProgress, signal?: AbortSignal) {
  return new Promise<{ status: number; body: string }>((resolve, reject) => {
    const xhr = new XMLHttpRequest();
    xhr.open("POST", `${baseUrl}/v1/media`);
    if (token) xhr.setRequestHeader("authorization", `Bearer ${token}`);
    xhr.upload.onprogress = (event) => {
      if (event.lengthComputable) onProgress?.(event.loaded / event.total);
    };
    xhr.onload = () => resolve({ status: xhr.status, body: xhr.responseText });
    xhr.onerror = () => reject(ApiError.network(new Error("the upload could not reach the server")));
    xhr.onabort = () => reject(new DOMException("the upload was cancelled", "AbortError"));
    signal?.addEventListener("abort", () => xhr.abort(), { once: true });
    const form = new FormData();
    form.append("file", file, name);
    xhr.send(form);
  });
}

/** Uploads `file` as `name`; the stored, checked upload. */
export async function uploadMedia(
  baseUrl: string,
  auth: AuthSession,
  file: Blob,
  name: string,
  onProgress?: OnProgress,
  signal?: AbortSignal,
): Promise<Media> {
  const used = auth.accessToken;
  let answer = await sendOnce(baseUrl, used, file, name, onProgress, signal);
  if (answer.status === 401) answer = await sendOnce(baseUrl, await auth.refresh(used), file, name, onProgress, signal);
  if (answer.status >= 200 && answer.status < 300) return (JSON.parse(answer.body) as { data: Media }).data;
  throw await errorFromResponse(new Response(answer.body, { status: answer.status }));
}
