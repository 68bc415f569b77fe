import { useSession } from "./app/runtime";
import { Chat } from "./screens/Chat";
import { SignIn } from "./screens/SignIn";

export function App() {
  const status = useSession((s) => s.status);
  if (status === "loading") return <p className="loading">Loading…</p>;
  return status === "signed_in" ? <Chat /> : <SignIn />;
}
