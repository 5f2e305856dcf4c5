import type { ChatApi } from "@chat/client";
import type { SessionListItem } from "@chat/protocol";
import { formatTime, h } from "./dom";

/** The sidebar: new chat, active/archived tabs, sessions with their last message and unread count. */
export function sessionsView(root: HTMLElement, api: ChatApi, open: (sessionId: string) => void) {
  let status: "active" | "archived" = "active";
  let selected: string | undefined;
  const list = h("ul", { class: "sessions" });
  const error = h("p", { class: "error", role: "alert" });
  const title = h("input", { name: "title", placeholder: "New chat title" });
  const withAgent = h("input", { type: "checkbox", name: "agent", checked: true });
  const tab = (value: typeof status, label: string) =>
    h(
      "button",
      {
        type: "button",
        class: "tab",
        "data-status": value,
        onclick: () => {
          status = value;
          void refresh();
        },
      },
      label,
    );

  const row = (s: SessionListItem) =>
    h(
      "li",
      {
        class: `session${s.session_id === selected ? " selected" : ""}`,
        "data-session-id": s.session_id,
        onclick: () => open(s.session_id),
      },
      h("div", { class: "title" }, s.title || "Untitled chat"),
      s.unread_count > 0 ? h("span", { class: "unread", title: "unread messages" }, String(s.unread_count)) : null,
      h("div", { class: "last" }, (s.last_message ?? "").slice(0, 80)),
      h("time", {}, formatTime(s.last_message_at ?? s.created_at)),
    );

  // The poll and the refresh after an action overlap: only the latest request may render, or a
  // slow older answer would put back what the action just changed (a title before its rename).
  let latest = 0;
  async function refresh() {
    const ticket = ++latest;
    try {
      const { sessions } = await api.listSessions({ status, limit: 50 });
      if (ticket !== latest) return;
      list.replaceChildren(...sessions.map(row));
      error.textContent = "";
    } catch (e) {
      if (ticket === latest) error.textContent = (e as Error).message;
    }
  }

  root.append(
    h(
      "form",
      {
        class: "new-chat",
        onsubmit: async (event) => {
          event.preventDefault();
          try {
            const created = await api.createSession({
              title: title.value.trim() || null,
              agent_id: withAgent.checked ? 1 : null,
            });
            title.value = "";
            await refresh();
            open(created.session_id);
          } catch (e) {
            error.textContent = (e as Error).message;
          }
        },
      },
      title,
      h("label", {}, withAgent, " with demo agent"),
      h("button", { type: "submit" }, "New chat"),
    ),
    h("div", { class: "tabs" }, tab("active", "Active"), tab("archived", "Archived")),
    list,
    error,
  );
  const poll = setInterval(() => void refresh(), 5_000);
  void refresh();
  return {
    refresh,
    select(sessionId: string | undefined) {
      selected = sessionId;
      for (const li of list.querySelectorAll<HTMLLIElement>("li.session")) {
        li.classList.toggle("selected", li.dataset.sessionId === sessionId);
      }
    },
    close: () => clearInterval(poll),
  };
}
