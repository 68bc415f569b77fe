/**
 * The client's two routes, `/` and `/c/<conversation id>`, on the History API. The server
 * answers every such path with index.html, so a deep link or a reload lands here.
 */
import { create } from "zustand";

interface Route {
  conversationId: string | null;
}

function parse(pathname: string): Route {
  const match = /^\/c\/([0-9a-fA-F-]{36})\/?$/.exec(pathname);
  return { conversationId: match?.[1] ?? null };
}

export const useRoute = create<Route>(() => parse(window.location.pathname));

export function navigate(path: string): void {
  if (window.location.pathname !== path) window.history.pushState(null, "", path);
  useRoute.setState(parse(path));
}

window.addEventListener("popstate", () => useRoute.setState(parse(window.location.pathname)));
