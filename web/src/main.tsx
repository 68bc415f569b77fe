import { StrictMode } from "react";
import { createRoot } from "react-dom/client";
import { App } from "./App";
import { resume, useSession } from "./app/runtime";
import "./styles/base.css";
import "./styles/layout.css";
import "./styles/conversation.css";
import "./styles/panels.css";

createRoot(document.getElementById("root")!).render(
  <StrictMode>
    <App />
  </StrictMode>,
);

resume().catch(() => useSession.setState({ status: "signed_out" }));

// The service worker caches the app shell so that a reload while offline still starts the
// client (which then shows what IndexedDB holds). Never in the dev server: it would cache
// unbundled modules.
if ("serviceWorker" in navigator && import.meta.env.PROD) {
  void navigator.serviceWorker.register("/sw.js");
}
