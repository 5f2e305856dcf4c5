import { readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { standaloneEnvShape } from "@chat/standalone";
import { describe, expect, it } from "vitest";
import { parse } from "yaml";
import { nginxAvailable, testGatewayConf } from "../src/nginx";

// No Docker engine runs here, so the deployment files are checked by reading them: the compose
// file's topology and wiring, the Dockerfile's targets, and the gateway config by real `nginx -t`.
const root = (path: string) => fileURLToPath(new URL(`../../../${path}`, import.meta.url));
const compose = parse(readFileSync(root("docker-compose.yml"), "utf8"), { merge: true });
const dockerfile = readFileSync(root("infra/docker/Dockerfile"), "utf8");
const apps = ["api", "ws-edge", "stream-worker"];

/** Dockerfile stages: name → { base, lines }. */
function stages(): Map<string, { base: string; lines: string[] }> {
  const result = new Map<string, { base: string; lines: string[] }>();
  let current: string[] | undefined;
  for (const line of dockerfile.split("\n")) {
    const from = line.match(/^FROM\s+(\S+)\s+AS\s+(\S+)/i);
    if (from?.[1] && from[2]) {
      current = [];
      result.set(from[2], { base: from[1], lines: current });
    } else current?.push(line.trim());
  }
  return result;
}

describe("docker-compose.yml", () => {
  it("has the whole topology: postgres, redis, migrate, api, ws-edge, stream-worker, gateway", () => {
    expect(Object.keys(compose.services).sort()).toEqual(
      ["api", "gateway", "migrate", "postgres", "redis", "stream-worker", "ws-edge"].sort(),
    );
  });

  it("builds each app from the Dockerfile target of the same name", () => {
    const targets = stages();
    for (const app of [...apps, "migrate"]) {
      const build = compose.services[app].build;
      expect(build.dockerfile).toBe("infra/docker/Dockerfile");
      expect(targets.has(build.target), `${app}: target ${build.target}`).toBe(true);
      expect(build.args.APP).toBe(app === "migrate" ? "api" : app);
    }
  });

  it("starts the apps only after the migration finished and Redis is healthy", () => {
    for (const app of apps) {
      expect(compose.services[app].depends_on).toMatchObject({
        migrate: { condition: "service_completed_successfully" },
        redis: { condition: "service_healthy" },
      });
    }
    expect(compose.services.migrate.depends_on).toEqual({ postgres: { condition: "service_healthy" } });
  });

  it("keeps ws-edge scalable (no fixed name or host port) and exposes only the gateway", () => {
    expect(compose.services["ws-edge"].container_name).toBeUndefined();
    for (const [name, service] of Object.entries<any>(compose.services)) {
      if (name !== "gateway") expect(service.ports, name).toBeUndefined();
    }
    expect(compose.services.gateway.ports).toEqual(["9050:9050"]);
  });

  it("sets only variables the apps know, with the spec's names", () => {
    const known = new Set(Object.keys(standaloneEnvShape));
    for (const app of [...apps, "migrate"]) {
      for (const name of Object.keys(compose.services[app].environment)) {
        expect(known.has(name) || name === "FILE_STORAGE_PATH", `${app}: ${name}`).toBe(true);
      }
    }
  });
});

describe("infra/docker/Dockerfile", () => {
  it("has one target per app and a migrate target, each running as a non-root user", () => {
    const all = stages();
    const userOf = (name: string): string | undefined => {
      const stage = all.get(name);
      if (!stage) return undefined;
      const user = stage.lines.filter((l) => l.startsWith("USER ")).at(-1);
      return user ?? userOf(stage.base);
    };
    for (const target of [...apps, "migrate"]) expect(userOf(target), target).toBe("USER node");
    expect(all.get("migrate")?.lines).toContain('CMD ["node", "dist/migrate.js"]');
  });

  it("prunes with turbo, builds once, and has a HEALTHCHECK on /healthz", () => {
    expect(dockerfile).toMatch(/turbo prune "@chat\/\$\{APP\}" --docker/);
    expect(dockerfile).toMatch(/pnpm install --frozen-lockfile/);
    expect(dockerfile).toMatch(/HEALTHCHECK[\s\S]*\/healthz/);
  });
});

describe("infra/nginx gateway config", () => {
  it.skipIf(!nginxAvailable && !process.env.CI)("passes nginx -t on the real nginx", async () => {
    const result = await testGatewayConf({
      port: 19_050,
      wsEdges: ["127.0.0.1:18001", "127.0.0.1:18002"],
      apis: ["127.0.0.1:18003"],
    });
    expect(result.output).toMatch(/syntax is ok/);
    expect(result.status).toBe(0);
  });
});
