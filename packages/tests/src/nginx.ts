import { spawn, spawnSync } from "node:child_process";
import { existsSync } from "node:fs";
import { mkdir, mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";

export const NGINX = "/usr/sbin/nginx";
export const nginxAvailable = existsSync(NGINX);

const template = fileURLToPath(new URL("../../../infra/nginx/chat-gateway.conf.template", import.meta.url));

export interface GatewayConfig {
  port: number;
  wsEdges: string[];
  apis: string[];
}

/**
 * Renders the gateway template as nginx's envsubst does (only the three variables). The access
 * log goes to `accessLog` instead of the image's /var/log/nginx/access.log when given.
 */
export async function renderGatewayConf(config: GatewayConfig, accessLog?: string): Promise<string> {
  const text = await readFile(template, "utf8");
  const servers = (hosts: string[]) =>
    hosts.map((host) => `server ${host} max_fails=1 fail_timeout=2s;`).join("\n    ");
  const values: Record<string, string> = {
    GATEWAY_PORT: String(config.port),
    WS_EDGE_SERVERS: servers(config.wsEdges),
    API_SERVERS: servers(config.apis),
  };
  const rendered = text.replace(/\$\{(\w+)\}/g, (whole, name: string) => values[name] ?? whole);
  return accessLog ? rendered.replaceAll("/var/log/nginx/access.log", accessLog) : rendered;
}

/** A prefix directory with a main nginx.conf that includes the rendered gateway config. */
async function preparePrefix(config: GatewayConfig): Promise<string> {
  const prefix = await mkdtemp(join(tmpdir(), "chat-gateway-"));
  await mkdir(join(prefix, "logs"));
  await writeFile(join(prefix, "gateway.conf"), await renderGatewayConf(config, join(prefix, "logs/access.log")));
  await writeFile(
    join(prefix, "nginx.conf"),
    [
      "daemon off;",
      "master_process on;",
      "worker_processes 1;",
      "pid nginx.pid;",
      "error_log logs/error.log warn;",
      "events { worker_connections 1024; }",
      "http {",
      "  access_log off;",
      `  client_body_temp_path ${prefix}/body; proxy_temp_path ${prefix}/proxy;`,
      `  fastcgi_temp_path ${prefix}/fcgi; uwsgi_temp_path ${prefix}/uwsgi; scgi_temp_path ${prefix}/scgi;`,
      `  include ${prefix}/gateway.conf;`,
      "}",
    ].join("\n"),
  );
  return prefix;
}

/** `nginx -t` on the rendered config: returns nginx's verdict text and exit status. */
export async function testGatewayConf(config: GatewayConfig): Promise<{ status: number | null; output: string }> {
  const prefix = await preparePrefix(config);
  try {
    const result = spawnSync(NGINX, ["-t", "-p", prefix, "-c", join(prefix, "nginx.conf")], { encoding: "utf8" });
    if (result.error) return { status: null, output: `${NGINX} did not run: ${result.error.message}` };
    return { status: result.status, output: `${result.stdout}${result.stderr}` };
  } finally {
    await rm(prefix, { recursive: true, force: true });
  }
}

/** Runs the real nginx gateway in the foreground until `stop()`; then `accessLog` has its access log lines. */
export async function startGateway(
  config: GatewayConfig,
): Promise<{ stop(): Promise<void>; accessLog: string[] } & AsyncDisposable> {
  const prefix = await preparePrefix(config);
  const child = spawn(NGINX, ["-p", prefix, "-c", join(prefix, "nginx.conf")], { stdio: "ignore" });
  const accessLog: string[] = [];
  const reap = () => child.kill("SIGKILL");
  process.once("exit", reap);
  const exited = new Promise<void>((resolve) =>
    child.once("exit", () => {
      process.off("exit", reap);
      resolve();
    }),
  );
  // Wait until it accepts connections.
  for (let i = 0; i < 100; i++) {
    const ok = await fetch(`http://127.0.0.1:${config.port}/gateway/healthz`).then(
      (r) => r.ok,
      () => false,
    );
    if (ok) break;
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  let stopped: Promise<void> | undefined;
  const stop = () => {
    stopped ??= (async () => {
      child.kill("SIGQUIT");
      await exited;
      const lines = await readFile(join(prefix, "logs/access.log"), "utf8").catch(() => "");
      accessLog.push(...lines.split("\n").filter(Boolean));
      await rm(prefix, { recursive: true, force: true });
    })();
    return stopped;
  };
  return { stop, accessLog, [Symbol.asyncDispose]: stop };
}
