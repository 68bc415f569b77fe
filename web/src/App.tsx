import { useSession } from "./app/runtime";
import { Chat } from "./screens/Chat";
import { MailedLink, mailedLinkAt } from "./screens/MailedLink";
import { SignIn } from "./screens/SignIn";

export function App() {
  const status = useSession((s) => s.status);
  // A mailed link's page comes first, whoever is signed in.
  const link = mailedLinkAt(window.location.pathname);
  if (link) return <MailedLink kind={link} />;
  if (status === "loading") return <p className="loading">Loading…</p>;
  return status === "signed_in" ? <Chat /> : <SignIn />;
}
