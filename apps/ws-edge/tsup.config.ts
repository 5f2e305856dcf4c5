import { defineConfig } from "tsup";

// Containers run built output: one bundle per app, with the workspace packages inlined
// (they export TypeScript source) and npm dependencies left external.
export default defineConfig({
  entry: ["src/main.ts"],
  format: ["esm"],
  platform: "node",
  target: "node20",
  sourcemap: true,
  clean: true,
  noExternal: [/^@chat\//],
});
