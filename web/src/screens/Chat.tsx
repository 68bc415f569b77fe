/**
 * The signed-in screen: the sidebar (account, new conversation, discover, the conversation
 * list), the open conversation, and one side panel (thread, search or details). At 360 px
 * the sidebar and the conversation take turns.
 */
import { useCallback, useEffect, useState } from "react";
import { navigate, useRoute } from "../app/router";
import { runtime, useProviderNotice } from "../app/runtime";
import { AccountMenu } from "../components/AccountMenu";
import { ConversationList } from "../components/ConversationList";
import { ConversationView, type Panel } from "../components/ConversationView";
import { DetailsPanel } from "../components/DetailsPanel";
import { DiscoverDialog } from "../components/DiscoverDialog";
import { describeError } from "../components/ErrorText";
import { NewConversationDialog } from "../components/NewConversationDialog";
import { OfflineBanner } from "../components/OfflineBanner";
import { SearchPanel } from "../components/SearchPanel";
import { SettingsDialog } from "../components/SettingsDialog";
import { ThreadPanel } from "../components/ThreadPanel";
import { useConversations } from "../store/views";

type DialogKind = "new" | "discover" | "settings" | null;

export function Chat() {
  const conversationId = useRoute((r) => r.conversationId);
  const known = useConversations((s) => s.loaded && s.items.some((i) => i.conversation.id === conversationId));
  const loaded = useConversations((s) => s.loaded);
  // Back from linking a provider: the settings show how it went.
  const [dialog, setDialog] = useState<DialogKind>(() => {
    const notice = useProviderNotice.getState();
    return notice.linked || notice.error ? "settings" : null;
  });
  const [panel, setPanel] = useState<Panel>(null);
  const [toast, setToast] = useState<string | null>(null);
  const { views, engine } = runtime();

  useEffect(() => {
    void views.open(conversationId);
    setPanel((p) => (p?.kind === "search" ? p : null));
  }, [conversationId, views]);

  // A deep link to a conversation this device has not stored yet.
  useEffect(() => {
    if (conversationId && loaded && !known) {
      void engine
        .adopt(conversationId)
        .then(() => views.open(conversationId))
        .catch(() => {
          setToast("That conversation is not available.");
          navigate("/");
        });
    }
  }, [conversationId, loaded, known, engine, views]);

  useEffect(() => {
    if (!toast) return;
    const timer = setTimeout(() => setToast(null), 6000);
    return () => clearTimeout(timer);
  }, [toast]);

  const onError = useCallback((error: unknown) => setToast(describeError(error)), []);

  return (
    <div className={`chat${conversationId ? " chat--open" : ""}${panel ? " chat--panel" : ""}`}>
      <OfflineBanner />
      <aside className="sidebar">
        <header className="sidebar__header">
          <span className="brand" aria-hidden="true">
            Hearth
          </span>
          <AccountMenu onSettings={() => setDialog("settings")} />
        </header>
        <div className="sidebar__actions">
          <button type="button" className="button button--primary" onClick={() => setDialog("new")}>
            New conversation
          </button>
          <button type="button" className="button" onClick={() => setDialog("discover")}>
            Discover rooms
          </button>
          {!conversationId && (
            <button type="button" className="button" onClick={() => setPanel(panel?.kind === "search" ? null : { kind: "search" })}>
              Search messages
            </button>
          )}
        </div>
        <ConversationList />
      </aside>
      <main className="main">
        {conversationId ? (
          <ConversationView panel={panel} onPanel={setPanel} onBack={() => navigate("/")} onError={onError} />
        ) : (
          <section className="conversation conversation--empty">
            <h1>Welcome to Hearth</h1>
            <p>Choose a conversation, or start one with New conversation.</p>
          </section>
        )}
      </main>
      {panel?.kind === "thread" && conversationId && (
        <ThreadPanel key={panel.root.id + panel.replyTo} root={panel.root} replyTo={panel.replyTo} onClose={() => setPanel(null)} onError={onError} />
      )}
      {panel?.kind === "search" && <SearchPanel conversationId={conversationId} onClose={() => setPanel(null)} />}
      {panel?.kind === "details" && conversationId && <DetailsPanel onClose={() => setPanel(null)} />}
      {dialog === "new" && <NewConversationDialog onClose={() => setDialog(null)} />}
      {dialog === "discover" && <DiscoverDialog onClose={() => setDialog(null)} />}
      {dialog === "settings" && <SettingsDialog onClose={() => setDialog(null)} />}
      {toast && (
        <div className="toast" role="alert">
          {toast}
        </div>
      )}
    </div>
  );
}
