import { h } from "./dom";

export interface Identity {
  token: string;
  userId: string;
}

const KEY = "chat.identity";

export function savedIdentity(): Identity | undefined {
  try {
    const value = JSON.parse(localStorage.getItem(KEY) ?? "null") as Identity | null;
    return value?.token && value.userId ? value : undefined;
  } catch {
    return undefined;
  }
}

export function forgetIdentity(): void {
  localStorage.removeItem(KEY);
}

/** The user id (`sub`) of a JWT, read without verifying (the server verifies). */
function subjectOf(token: string): string | undefined {
  try {
    const payload = token.split(".")[1] ?? "";
    const json = JSON.parse(atob(payload.replace(/-/g, "+").replace(/_/g, "/"))) as { sub?: unknown };
    return typeof json.sub === "string" ? json.sub : undefined;
  } catch {
    return undefined;
  }
}

/** Sign in: a name (development login, when the server allows it) or a pasted platform JWT. */
export async function loginView(root: HTMLElement): Promise<Identity> {
  const config = (await fetch("/dev/config")
    .then((res) => (res.ok ? res.json() : {}))
    .catch(() => ({}))) as { dev_login?: boolean };
  return new Promise((resolve) => {
    const error = h("p", { class: "error", role: "alert" });
    const done = (identity: Identity) => {
      localStorage.setItem(KEY, JSON.stringify(identity));
      resolve(identity);
    };
    const name = h("input", { name: "name", placeholder: "your name", autocomplete: "username", required: true });
    const devForm = h(
      "form",
      {
        class: "login",
        onsubmit: async (event) => {
          event.preventDefault();
          const res = await fetch("/dev/login", {
            method: "POST",
            headers: { "content-type": "application/json" },
            body: JSON.stringify({ name: name.value.trim() }),
          });
          const body = (await res.json().catch(() => ({}))) as {
            token?: string;
            user_id?: string;
            error?: { message: string };
          };
          if (body.token && body.user_id) done({ token: body.token, userId: body.user_id });
          else error.textContent = body.error?.message ?? "Login failed";
        },
      },
      h("label", {}, "Development login ", name),
      h("button", { type: "submit" }, "Sign in"),
    );
    const token = h("textarea", { name: "token", placeholder: "paste a JWT", rows: 3 });
    const tokenForm = h(
      "form",
      {
        class: "login",
        onsubmit: (event) => {
          event.preventDefault();
          const value = token.value.trim();
          const userId = subjectOf(value);
          if (userId) done({ token: value, userId });
          else error.textContent = "That does not look like a JWT with a subject";
        },
      },
      h("label", {}, "Access token ", token),
      h("button", { type: "submit" }, "Use token"),
    );
    root.replaceChildren(
      h("main", { class: "login-page" }, h("h1", {}, "Chat"), config.dev_login ? devForm : null, tokenForm, error),
    );
  });
}
