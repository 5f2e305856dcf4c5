import { cp } from "node:fs/promises";
import { fileURLToPath } from "node:url";
import type { Options } from "tsup";

const migrations = fileURLToPath(new URL("../../packages/db/drizzle", import.meta.url));

/**
 * Containers run built output: one self-contained ESM bundle per app (workspace packages and
 * npm dependencies inlined), so an image needs Node and only the few packages that cannot be
 * bundled. The committed migrations are copied beside the bundle (`dist/../drizzle`), where
 * @chat/db looks for them.
 */
export function appBundle(options: { external?: string[]; entry?: string[] } = {}): Options {
  return {
    entry: options.entry ?? ["src/main.ts"],
    format: ["esm"],
    platform: "node",
    target: "node20",
    sourcemap: true,
    clean: true,
    splitting: false,
    noExternal: [/.*/],
    // PGlite (the embedded database; containers use a server) ships WASM beside its module,
    // and native addons cannot be bundled.
    external: ["@electric-sql/pglite", ...(options.external ?? [])],
    // Bundled CommonJS dependencies call require(); give the ESM bundle one.
    banner: {
      js: "import { createRequire as __createRequire } from 'node:module'; const require = __createRequire(import.meta.url);",
    },
    async onSuccess() {
      await cp(migrations, "drizzle", { recursive: true });
    },
  };
}
