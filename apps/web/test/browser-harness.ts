import { existsSync } from "node:fs";
import { mkdir, mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { silentLogger } from "@chat/core";
import { loadStandaloneEnv, type Standalone, startStandalone } from "@chat/standalone";
import { type Browser, type BrowserContext, chromium, type Page } from "playwright-core";
import { build } from "vite";

export const CHROMIUM = "/usr/bin/chromium";
export const SCREENSHOTS = fileURLToPath(new URL("../../../artifacts/screenshots/", import.meta.url));

/** Debian's chromium (installed by .ci/run); the tests skip without it, except in CI where they fail. */
export function chromiumAvailable(): boolean {
  if (existsSync(CHROMIUM)) return true;
  if (process.env.CI) throw new Error(`${CHROMIUM} is missing: .ci/run installs it (apt-get install chromium)`);
  console.warn(`browser tests skipped: ${CHROMIUM} not found (apt-get install -y chromium)`);
  return false;
}

/** One browser for the whole file. Playwright gives every launch a fresh temporary profile dir. */
export function launchChromium(): Promise<Browser> {
  return chromium.launch({
    executablePath: CHROMIUM,
    args: [
      "--headless",
      "--no-sandbox",
      "--disable-gpu",
      "--disable-quic",
      "--no-first-run",
      "--disable-background-networking",
      "--disable-component-update",
      "--disable-sync",
    ],
  });
}

/** The page built into a temporary folder, and the standalone server (PGlite on disk) serving it. */
export class PageServer {
  app: Standalone | undefined;
  port = 0;
  private constructor(
    readonly dataDir: string,
    readonly webDir: string,
  ) {}

  static async start(): Promise<PageServer> {
    const dataDir = await mkdtemp(join(tmpdir(), "chat-web-data-"));
    const webDir = await mkdtemp(join(tmpdir(), "chat-web-dist-"));
    await build({
      root: fileURLToPath(new URL("..", import.meta.url)),
      logLevel: "silent",
      build: { outDir: webDir, emptyOutDir: true },
    });
    const server = new PageServer(dataDir, webDir);
    await server.up();
    return server;
  }

  get url(): string {
    return `http://127.0.0.1:${this.port}`;
  }

  /** Start (or start again on the same port and data: a restart). */
  async up(): Promise<void> {
    const env = loadStandaloneEnv({
      SERVICE_PORT: String(this.port),
      DATA_DIR: this.dataDir,
      WEB_DIST_DIR: this.webDir,
      DEV_LOGIN: "true",
      // Slow enough that a reply is seen growing and can be stopped before it ends.
      STREAM_CHUNK_SIZE: "3",
      STREAM_DELAY_MS: "120",
    });
    this.app = await startStandalone(env, silentLogger());
    this.port = this.app.port;
  }

  async down(): Promise<void> {
    await this.app?.close();
    this.app = undefined;
  }

  async close(): Promise<void> {
    await this.down();
    await rm(this.dataDir, { recursive: true, force: true });
    await rm(this.webDir, { recursive: true, force: true });
  }
}

/** A new context signed in as `name` with the development login. */
export async function signIn(
  browser: Browser,
  server: PageServer,
  name: string,
): Promise<{ context: BrowserContext; page: Page }> {
  const context = await browser.newContext({ viewport: { width: 1100, height: 700 } });
  const page = await context.newPage();
  page.setDefaultTimeout(10_000);
  await page.goto(server.url);
  await page.fill("input[name=name]", name);
  await page.click("form.login button[type=submit]");
  await page.waitForSelector(`.me[data-user="${name}"]`);
  return { context, page };
}

let shot = 0;
export async function screenshot(page: Page, name: string): Promise<void> {
  await mkdir(SCREENSHOTS, { recursive: true });
  shot += 1;
  await page.screenshot({ path: join(SCREENSHOTS, `${String(shot).padStart(2, "0")}-${name}.png`) });
}
