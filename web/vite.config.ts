/// <reference types="vitest/config" />
// Vite builds the client into web/dist, which `hearth serve` serves at `/`.
// Assets get content hashes (Vite's default `assets/[name]-[hash].js`), so the server can
// cache them for ever; index.html is the only unhashed file besides the service worker
// and the manifest, which must keep stable URLs.
import { defineConfig } from "vite";
import react from "@vitejs/plugin-react";

const server = process.env.HEARTH_URL ?? "http://127.0.0.1:8080";

export default defineConfig({
  plugins: [react()],
  build: {
    outDir: "dist",
    emptyOutDir: true,
    // No inline <script> or module-preload polyfill: the server's CSP is script-src 'self'.
    modulePreload: { polyfill: false },
    assetsInlineLimit: 0,
    sourcemap: false,
  },
  server: {
    proxy: {
      "/v1/ws": { target: server.replace(/^http/, "ws"), ws: true },
      "/v1": { target: server, changeOrigin: false },
    },
  },
  test: {
    environment: "node",
    include: ["src/**/*.test.ts"],
    setupFiles: ["src/test/setup.ts"],
  },
});
