import { fileURLToPath } from "node:url";
import { build } from "esbuild";
import { expect, it } from "vitest";

// The platform frontend imports @chat/protocol: it must bundle for the browser with no Node
// built-ins. esbuild with platform "browser" fails on any `node:` or built-in import.
it("bundles for the browser without Node built-ins", async () => {
  const entry = fileURLToPath(new URL("../src/index.ts", import.meta.url));
  const result = await build({
    entryPoints: [entry],
    bundle: true,
    platform: "browser",
    format: "esm",
    write: false,
    metafile: true,
    logLevel: "silent",
  });
  expect(result.errors).toEqual([]);
  const inputs = Object.keys(result.metafile.inputs);
  // Paths are relative to the working directory (the repo root or this package).
  expect(inputs.some((path) => path.endsWith("src/parse.ts"))).toBe(true);
  expect(inputs.filter((path) => path.startsWith("node:"))).toEqual([]);
});
