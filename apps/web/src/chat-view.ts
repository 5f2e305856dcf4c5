import { type ChatApi, ChatSession, type FileUploadResponse, newClientMsgId } from "@chat/client";
import type { Identity } from "./auth";
import { clear, h } from "./dom";
import { fromFrame, fromReply, fromResource, messageRow, type ShownMessage, upsertRow } from "./messages";
import { uploadRow } from "./upload-row";

export interface ChatViewContext {
  api: ChatApi;
  identity: Identity;
  /** The session list should refresh (a message arrived, the session changed). */
  changed(): void;
  /** Leave this session (after delete). */
  leave(): void;
}

/** One session: history, live messages and replies, typing, presence, uploads, connection state. */
export async function chatView(root: HTMLElement, sessionId: string, ctx: ChatViewContext): Promise<() => void> {
  const { api, identity } = ctx;
  const self = identity.userId;
  const uploads = new Map<string, FileUploadResponse>();
  const shown = new Map<string, ShownMessage>();
  const images = new Map<string, Promise<string>>();
  let detail: Awaited<ReturnType<ChatApi["getSession"]>>;
  try {
    detail = await api.getSession(sessionId);
  } catch (error) {
    root.replaceChildren(h("p", { class: "error" }, `Cannot open this session: ${(error as Error).message}`));
    return () => {};
  }
  const history = await api.listMessages(sessionId, { limit: 50 });

  const title = h("h2", {}, detail.title || "Untitled chat");
  const banner = h("div", { class: "connection", role: "status", "data-state": "connecting" }, "Connecting…");
  const presence = h("div", { class: "presence" });
  const list = h("ol", { class: "messages" });
  const typingLine = h("div", { class: "typing", "aria-live": "polite" });
  const input = h("textarea", { name: "message", rows: 2, placeholder: "Write a message (markdown works)" });
  const fileInput = h("input", { type: "file", accept: "image/*", name: "file", class: "file-input" });
  const errorLine = h("p", { class: "error", role: "alert" });
  let archived = detail.status === "archived";

  const rowOptions = (messageId: string) => ({
    self,
    upload: uploads.get(messageId),
    resolveUrl: (path: string) => api.resolveUrl(path),
    loadImage: (path: string) => {
      let url = images.get(path);
      if (!url) {
        url = api.fetchFile(path).then((blob) => URL.createObjectURL(blob));
        images.set(path, url);
      }
      return url;
    },
    onStop: (id: string) => {
      if (!session.cancel(id)) api.cancelReply(sessionId, id).catch(showError);
    },
  });
  const show = (message: ShownMessage) => {
    shown.set(message.message_id, message);
    upsertRow(list, messageRow(message, rowOptions(message.message_id)));
    list.scrollTop = list.scrollHeight;
  };
  const showError = (error: unknown) => {
    errorLine.textContent = (error as Error).message;
  };

  for (const message of history.messages) show(fromResource(message));
  const sinceSeq = history.messages.reduce((max, m) => Math.max(max, m.seq), 0);
  const session = new ChatSession({ url: location.origin, sessionId, token: identity.token, sinceSeq });

  // Presence: who is here (system events), and who is typing (expires without a refresh).
  const online = new Set([self]);
  const typing = new Map<string, ReturnType<typeof setTimeout>>();
  const renderPresence = () => {
    presence.textContent = `Online: ${[...online].sort().join(", ")}`;
    const names = [...typing.keys()];
    typingLine.textContent = names.length ? `${names.join(", ")} ${names.length > 1 ? "are" : "is"} typing…` : "";
  };
  renderPresence();

  // Read up to what is on screen: the list's unread badge follows once the server has it.
  let readTimer: ReturnType<typeof setTimeout> | undefined;
  const markReadSoon = (seq: number | undefined) => {
    clearTimeout(readTimer);
    readTimer = setTimeout(() => {
      if (seq !== undefined && document.visibilityState === "visible" && session.markRead(seq)) {
        setTimeout(() => ctx.changed(), 300);
      }
    }, 300);
  };
  session.on("ready", () => markReadSoon(session.cursor));

  session.on("state", ({ state, code, retryInMs }) => {
    banner.dataset.state = state;
    banner.textContent =
      state === "open"
        ? "Connected"
        : state === "reconnecting"
          ? `Reconnecting…${retryInMs ? ` (retry in ${Math.ceil(retryInMs / 1000)} s)` : ""}`
          : state === "closed"
            ? `Disconnected${code ? ` (${code})` : ""}`
            : "Connecting…";
  });
  session.on("message", (frame) => {
    if (frame.client_msg_id)
      list.querySelector(`li.pending[data-client-id="${CSS.escape(frame.client_msg_id)}"]`)?.remove();
    const known = shown.get(frame.message_id);
    // A live reply's start carries no text yet; keep what the stream already showed.
    if (known && frame.status === "streaming" && (known.content ?? "").length > (frame.content ?? "").length) return;
    show(fromFrame(frame));
    if (frame.sender_id !== self) markReadSoon(frame.seq);
  });
  session.on("reply", (reply) => show(fromReply(reply, shown.get(reply.message_id)?.time ?? new Date().toISOString())));
  session.on("typing", (frame) => {
    clearTimeout(typing.get(frame.user_id));
    if (frame.is_typing) {
      const expire = () => {
        typing.delete(frame.user_id);
        renderPresence();
      };
      typing.set(frame.user_id, setTimeout(expire, 6_000));
    } else typing.delete(frame.user_id);
    renderPresence();
  });
  session.on("system", (frame) => {
    if (frame.event === "session_updated") {
      ctx.changed();
      api.getSession(sessionId).then((d) => {
        title.textContent = d.title || "Untitled chat";
      }, showError);
      return;
    }
    if (!frame.user_id) return;
    if (frame.event === "user_joined") online.add(frame.user_id);
    if (frame.event === "user_left" && frame.user_id !== self) online.delete(frame.user_id);
    renderPresence();
  });
  session.on("error", (frame) => showError(new Error(frame.message)));

  const send = () => {
    const text = input.value;
    if (!text.trim()) return;
    input.value = "";
    const clientMsgId = newClientMsgId();
    list.append(
      h("li", { class: "message user mine pending", "data-client-id": clientMsgId }, h("div", { class: "body" }, text)),
    );
    list.scrollTop = list.scrollHeight;
    session.send(text, { clientMsgId }).catch(showError);
  };
  input.addEventListener("input", () => session.typing());
  input.addEventListener("keydown", (event) => {
    if (event.key === "Enter" && !event.shiftKey) {
      event.preventDefault();
      send();
    }
  });
  fileInput.addEventListener("change", () => {
    for (const file of fileInput.files ?? []) {
      const row = uploadRow(file);
      list.append(row.element);
      api
        .uploadFile(sessionId, file, { onProgress: row.progress })
        .then((res) => {
          uploads.set(res.message_id, res);
          row.element.remove();
          const known = shown.get(res.message_id);
          show(
            known ?? {
              message_id: res.message_id,
              seq: Number.MAX_SAFE_INTEGER,
              sender_type: "user",
              sender_id: self,
              message_type: "file",
              content: "",
              status: "complete",
              time: new Date().toISOString(),
            },
          );
        })
        .catch((error) => {
          row.element.remove();
          showError(error);
        });
    }
    fileInput.value = "";
  });

  const archiveButton = h("button", { type: "button", class: "archive" }, archived ? "Unarchive" : "Archive");
  archiveButton.addEventListener("click", async () => {
    try {
      await api.updateSession(sessionId, { status: archived ? "active" : "archived" });
      archived = !archived;
      archiveButton.textContent = archived ? "Unarchive" : "Archive";
      ctx.changed();
    } catch (error) {
      showError(error);
    }
  });
  const invite = h("input", { name: "invite", placeholder: "user id", size: 10 });
  const header = h(
    "header",
    { class: "chat-header" },
    title,
    h(
      "div",
      { class: "actions" },
      h(
        "button",
        {
          type: "button",
          class: "rename",
          onclick: async () => {
            const next = prompt("New title", title.textContent ?? "");
            if (next === null) return;
            try {
              await api.updateSession(sessionId, { title: next });
              title.textContent = next || "Untitled chat";
              ctx.changed();
            } catch (error) {
              showError(error);
            }
          },
        },
        "Rename",
      ),
      archiveButton,
      h(
        "button",
        {
          type: "button",
          class: "delete",
          onclick: async () => {
            if (!confirm("Delete this chat?")) return;
            try {
              await api.deleteSession(sessionId);
              ctx.changed();
              ctx.leave();
            } catch (error) {
              showError(error);
            }
          },
        },
        "Delete",
      ),
      h(
        "form",
        {
          class: "invite",
          onsubmit: async (event) => {
            event.preventDefault();
            try {
              await api.addParticipant(sessionId, invite.value.trim());
              invite.value = "";
            } catch (error) {
              showError(error);
            }
          },
        },
        invite,
        h("button", { type: "submit" }, "Invite"),
      ),
    ),
  );
  const composer = h(
    "form",
    {
      class: "composer",
      onsubmit: (event) => {
        event.preventDefault();
        send();
      },
    },
    input,
    h("label", { class: "attach" }, "Image ", fileInput),
    h("button", { type: "submit", class: "send" }, "Send"),
  );
  clear(root);
  root.append(
    h(
      "section",
      { class: "chat", "data-session-id": sessionId },
      header,
      banner,
      presence,
      list,
      typingLine,
      errorLine,
      composer,
    ),
  );
  input.focus();
  return () => {
    clearTimeout(readTimer);
    for (const timer of typing.values()) clearTimeout(timer);
    for (const url of images.values()) void url.then(URL.revokeObjectURL, () => {});
    session.close();
  };
}
