import { defineConfig } from "tsup";

// A browser-safe ESM build with type declarations, for frontends outside this workspace.
export default defineConfig({
  entry: ["src/index.ts"],
  format: ["esm"],
  platform: "browser",
  dts: true,
  sourcemap: true,
  clean: true,
});
