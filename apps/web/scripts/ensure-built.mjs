#!/usr/bin/env node
// `pnpm start` runs this: build the page only when dist is missing or older than its sources,
// so a start with a current build costs nothing.
import { spawnSync } from "node:child_process";
import { existsSync, readdirSync, statSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath } from "node:url";

const root = fileURLToPath(new URL("..", import.meta.url));
const newest = (path) => {
  const info = statSync(path);
  if (!info.isDirectory()) return info.mtimeMs;
  return Math.max(0, ...readdirSync(path).map((name) => newest(join(path, name))));
};
const built = join(root, "dist", "index.html");
const sources = [join(root, "src"), join(root, "index.html"), join(root, "../../packages/client/src")];
if (existsSync(built) && statSync(built).mtimeMs >= Math.max(...sources.map(newest))) process.exit(0);
console.log("building the web page (apps/web) ...");
const result = spawnSync("pnpm", ["exec", "vite", "build", "--logLevel", "warn"], { cwd: root, stdio: "inherit" });
process.exit(result.status ?? 1);
