import { crc32, deflateSync } from "node:zlib";
import type { Browser, Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { chromiumAvailable, launchChromium, PageServer, screenshot, signIn } from "./browser-harness";

const available = chromiumAvailable();

/** Messages the page shows, as text. */
const texts = (page: Page) => page.locator("li.message:not(.pending) .body").allInnerTexts();

/** Waits until the page shows `sessionId`'s chat connected (not the chat it showed before). */
async function chatOpen(page: Page, sessionId: string) {
  await page.waitForSelector(`.chat[data-session-id="${sessionId}"] .connection[data-state="open"]`, {
    state: "attached",
  });
}

async function openChat(page: Page, server: PageServer, sessionId: string) {
  await page.goto(`${server.url}/#/s/${encodeURIComponent(sessionId)}`);
  await chatOpen(page, sessionId);
}

async function newChat(page: Page, title: string, withAgent: boolean): Promise<string> {
  // The page may already show a chat: wait for the hash to name a different one, not just any.
  const before = await page.evaluate(() => location.hash);
  await page.fill("input[name=title]", title);
  await page.setChecked("input[name=agent]", withAgent);
  await page.click("form.new-chat button[type=submit]");
  await page.waitForFunction((previous) => location.hash.startsWith("#/s/") && location.hash !== previous, before);
  const sessionId = decodeURIComponent((await page.evaluate(() => location.hash)).slice("#/s/".length));
  await chatOpen(page, sessionId);
  return sessionId;
}

async function send(page: Page, text: string) {
  await page.fill("textarea[name=message]", text);
  await page.press("textarea[name=message]", "Enter");
}

// The page in a real browser against the real standalone server: one chromium for all scenarios.
describe.skipIf(!available)("the chat page in chromium", () => {
  let browser: Browser;
  let server: PageServer;
  let alice: Page;
  let bob: Page;
  let sharedSession: string;

  beforeAll(async () => {
    [browser, server] = await Promise.all([launchChromium(), PageServer.start()]);
    alice = (await signIn(browser, server, "alice")).page;
    bob = (await signIn(browser, server, "bob")).page;
  });
  afterAll(async () => {
    await browser?.close();
    await server?.close();
  });

  it("two users in one session see each other's messages and typing", async () => {
    sharedSession = await newChat(alice, "Team", false);
    // Alice (the owner) invites bob from the chat header.
    await alice.fill("input[name=invite]", "bob");
    await alice.click("form.invite button[type=submit]");
    await alice.waitForFunction(() => document.querySelector<HTMLInputElement>("input[name=invite]")?.value === "");
    await openChat(bob, server, sharedSession);
    await screenshot(bob, "bob-joined");

    await alice.type("textarea[name=message]", "hello **bob**, <img src=x onerror=alert(1)>");
    await bob.waitForSelector(".typing:has-text('alice is typing')");
    await screenshot(bob, "bob-sees-alice-typing");
    await alice.press("textarea[name=message]", "Enter");
    await bob.waitForSelector("li.message .body strong:has-text('bob')");
    // Markdown rendered, HTML from the message shown as text and never parsed.
    expect(await bob.locator("li.message .body img").count()).toBe(0);
    expect((await texts(bob)).at(-1)).toContain("<img src=x onerror=alert(1)>");

    await send(bob, "hi alice");
    await alice.waitForSelector("li.message .body:has-text('hi alice')");
    expect(await texts(alice)).toEqual(["hello bob, <img src=x onerror=alert(1)>", "hi alice"]);
    await screenshot(alice, "alice-sees-bob-reply");
  });

  it("shows an agent reply growing, and Stop ends it", async () => {
    await newChat(alice, "Agent chat", true);
    await send(alice, "Tell me a long story please");
    const reply = alice.locator("li.message.agent").first();
    await reply.locator(".body").filter({ hasText: "You said" }).waitFor();
    const early = (await reply.locator(".body").textContent()) ?? "";
    await alice.waitForFunction((length) => {
      const body = document.querySelector("li.message.agent .body");
      return (body?.textContent ?? "").length > length;
    }, early.length);
    expect(await reply.getAttribute("data-status")).toBe("streaming");
    await screenshot(alice, "agent-reply-growing");
    await reply.locator("button.stop").click();
    await alice.waitForSelector('li.message.agent[data-status="cancelled"]');
    const final = (await reply.locator(".body").textContent()) ?? "";
    expect(final.length).toBeGreaterThan(early.length);
    expect(final).not.toContain("streaming this reply in small chunks.");
    await screenshot(alice, "agent-reply-stopped");
  });

  it("shows an uploaded image's thumbnail", async (ctx) => {
    // Uploads come with the files issue: skip (not fail) on a server that has no upload route yet.
    const login = await fetch(`${server.url}/dev/login`, { method: "POST", body: JSON.stringify({ name: "probe" }) });
    const { token } = (await login.json()) as { token: string };
    const probe = await fetch(`${server.url}/api/chat/sessions/none/files`, {
      method: "POST",
      headers: { authorization: `Bearer ${token}` },
    });
    const code = ((await probe.json().catch(() => ({}))) as { error?: { code?: string } }).error?.code;
    if (probe.status === 404 && code === "NOT_FOUND") ctx.skip("no upload route on this server yet");
    await openChat(alice, server, sharedSession);
    await alice.setInputFiles("input[name=file]", { name: "dot.png", mimeType: "image/png", buffer: png() });
    const thumb = alice.locator("li.message:not(.uploading) img.thumbnail");
    await thumb.waitFor();
    await alice.waitForFunction(() => {
      const img = document.querySelector<HTMLImageElement>("li.message:not(.uploading) img.thumbnail");
      return img?.complete && img.naturalWidth > 0;
    });
    await screenshot(alice, "image-thumbnail");
    // The other user gets the file message live; its thumbnail path is fetched with the token.
    await bob.waitForFunction(() => {
      const img = document.querySelector<HTMLImageElement>("li.message img.thumbnail");
      return img?.complete && img.naturalWidth > 0;
    });
    await screenshot(bob, "bob-sees-the-thumbnail");
  });

  it("renames, archives and deletes a chat", async (ctx) => {
    // PATCH/DELETE of sessions come with the REST API issue: skip (not fail) on a server without them.
    const probe = await alice.evaluate(async () => {
      const { token } = JSON.parse(localStorage.getItem("chat.identity") ?? "{}") as { token: string };
      const res = await fetch("/api/chat/sessions/none", {
        method: "PATCH",
        headers: { authorization: `Bearer ${token}` },
      });
      return { status: res.status, code: ((await res.json()) as { error?: { code?: string } }).error?.code };
    });
    if (probe.status === 404 && probe.code === "NOT_FOUND")
      ctx.skip("no PATCH/DELETE session routes on this server yet");
    const sessionId = await newChat(alice, "Old title", false);
    const row = alice.locator(`li.session[data-session-id="${sessionId}"]`);
    alice.once("dialog", (dialog) => void dialog.accept("New title"));
    await alice.click("button.rename");
    await row.locator(".title", { hasText: "New title" }).waitFor();
    await alice.click("button.archive");
    await row.waitFor({ state: "detached" });
    await alice.click(".tab[data-status=archived]");
    await row.waitFor();
    await screenshot(alice, "chat-archived");
    alice.once("dialog", (dialog) => void dialog.accept());
    await alice.click("button.delete");
    await alice.waitForFunction(() => !location.hash.startsWith("#/s/"));
    await row.waitFor({ state: "detached" });
    await alice.click(".tab[data-status=active]");
  });

  it("reconnects after a server restart and shows what the other user sent meanwhile", async () => {
    await openChat(alice, server, sharedSession);
    await server.down();
    await alice.waitForSelector('.connection[data-state="reconnecting"]');
    await bob.waitForSelector('.connection[data-state="reconnecting"]');
    await screenshot(alice, "alice-reconnecting");
    // Bob writes while the server is down: the SDK keeps it and sends it once it is back.
    await send(bob, "sent while the server was down");
    await server.up();
    await bob.waitForSelector("li.message:not(.pending) .body:has-text('sent while the server was down')", {
      timeout: 30_000,
    });
    await send(bob, "and one more after it came back");
    await alice.waitForSelector("li.message .body:has-text('and one more after it came back')", { timeout: 30_000 });
    const seen = await texts(alice);
    expect(seen.filter((t) => t === "sent while the server was down")).toHaveLength(1);
    expect(seen.slice(-2)).toEqual(["sent while the server was down", "and one more after it came back"]);
    await screenshot(alice, "alice-reconnected");
  });
});

/** A valid 64×64 PNG (a gradient), built here so the server's image decoder accepts it. */
function png(size = 64): Buffer {
  const chunk = (type: string, data: Buffer) => {
    const length = Buffer.alloc(4);
    length.writeUInt32BE(data.length);
    const crc = Buffer.alloc(4);
    crc.writeUInt32BE(crc32(Buffer.concat([Buffer.from(type), data])));
    return Buffer.concat([length, Buffer.from(type), data, crc]);
  };
  const header = Buffer.alloc(13);
  header.writeUInt32BE(size, 0);
  header.writeUInt32BE(size, 4);
  header.set([8, 2, 0, 0, 0], 8); // 8-bit RGB
  const rows = [];
  for (let y = 0; y < size; y++) {
    const row = Buffer.alloc(1 + size * 3);
    for (let x = 0; x < size; x++) row.set([x * 4, y * 4, 160], 1 + x * 3);
    rows.push(row);
  }
  return Buffer.concat([
    Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]),
    chunk("IHDR", header),
    chunk("IDAT", deflateSync(Buffer.concat(rows))),
    chunk("IEND", Buffer.alloc(0)),
  ]);
}
