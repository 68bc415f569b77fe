// Hearth's service worker: keeps the app shell so that a reload while offline still starts
// the client, which then shows what IndexedDB holds. It never touches the API: /v1 goes to
// the network as usual (and fails when offline, which the client handles).
//
// - Navigations: network first (a fresh index.html names the newest hashed assets), the
//   cached shell when the network fails.
// - /assets/*: content-hashed, so cache first; a new SHELL version starts an empty cache.
// - Bump SHELL when this file's logic changes.
const SHELL = "hearth-shell-v1";
const SHELL_FILES = ["/", "/manifest.webmanifest", "/icon.svg"];

// The page that registers this worker loaded its assets before the worker ran, so they are
// not in the cache yet: read them from index.html (Vite names them /assets/<name>-<hash>).
async function cacheShell() {
  const cache = await caches.open(SHELL);
  await cache.addAll(SHELL_FILES);
  const index = await cache.match("/");
  const html = index ? await index.text() : "";
  const assets = [...html.matchAll(/(?:src|href)="(\/assets\/[^"]+)"/g)].map((m) => m[1]);
  await cache.addAll(assets);
}

self.addEventListener("install", (event) => {
  event.waitUntil(cacheShell().then(() => self.skipWaiting()));
});

self.addEventListener("activate", (event) => {
  event.waitUntil(
    caches
      .keys()
      .then((keys) => Promise.all(keys.filter((key) => key !== SHELL).map((key) => caches.delete(key))))
      .then(() => self.clients.claim()),
  );
});

self.addEventListener("fetch", (event) => {
  const request = event.request;
  if (request.method !== "GET") return;
  const url = new URL(request.url);
  if (url.origin !== self.location.origin || url.pathname.startsWith("/v1/")) return;

  if (request.mode === "navigate") {
    event.respondWith(
      fetch(request)
        .then((response) => {
          if (response.ok) {
            const copy = response.clone();
            void caches.open(SHELL).then((cache) => cache.put("/", copy));
          }
          return response;
        })
        .catch(() => caches.match("/", { ignoreVary: true }).then((cached) => cached ?? Response.error())),
    );
    return;
  }

  if (url.pathname.startsWith("/assets/") || SHELL_FILES.includes(url.pathname)) {
    event.respondWith(
      // ignoreVary: a module script asks with an Origin header, the cached copy did not.
      caches.match(request, { ignoreVary: true }).then(
        (cached) =>
          cached ??
          fetch(request).then((response) => {
            if (response.ok) {
              const copy = response.clone();
              void caches.open(SHELL).then((cache) => cache.put(request, copy));
            }
            return response;
          }),
      ),
    );
  }
});
