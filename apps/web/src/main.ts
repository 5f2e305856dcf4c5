import { ChatApi } from "@chat/client";
import { forgetIdentity, loginView, savedIdentity } from "./auth";
import { chatView } from "./chat-view";
import { h } from "./dom";
import { sessionsView } from "./sessions-view";

const app = document.getElementById("app") as HTMLElement;

/** Routes: `#/` (no chat open) and `#/s/{session_id}`. */
function sessionFromHash(): string | undefined {
  const match = /^#\/s\/([^/]+)$/.exec(location.hash);
  return match?.[1] ? decodeURIComponent(match[1]) : undefined;
}

async function start() {
  const identity = savedIdentity() ?? (await loginView(app));
  const api = new ChatApi({ url: location.origin, token: identity.token });
  const sidebar = h("aside", { class: "sidebar" });
  const main = h("main", { class: "main" }, h("p", { class: "empty" }, "Pick a chat or start a new one."));
  app.replaceChildren(
    h(
      "div",
      { class: "layout" },
      h(
        "header",
        { class: "top" },
        h("strong", {}, "Chat"),
        h("span", { class: "me", "data-user": identity.userId }, identity.userId),
        h(
          "button",
          {
            type: "button",
            onclick: () => {
              forgetIdentity();
              location.hash = "";
              location.reload();
            },
          },
          "Sign out",
        ),
      ),
      sidebar,
      main,
    ),
  );
  const open = (sessionId: string) => {
    location.hash = `#/s/${encodeURIComponent(sessionId)}`;
  };
  const sessions = sessionsView(sidebar, api, open);
  let closeChat: (() => void) | undefined;
  const route = async () => {
    closeChat?.();
    closeChat = undefined;
    const sessionId = sessionFromHash();
    sessions.select(sessionId);
    if (!sessionId) {
      main.replaceChildren(h("p", { class: "empty" }, "Pick a chat or start a new one."));
      return;
    }
    closeChat = await chatView(main, sessionId, {
      api,
      identity,
      changed: () => void sessions.refresh(),
      leave: () => {
        location.hash = "#/";
      },
    });
  };
  window.addEventListener("hashchange", () => void route());
  await route();
}

void start();
