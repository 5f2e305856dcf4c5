import { defineConfig } from "vitest/config";

// One vitest process for the whole tree (2 cores: one process beats one per package).
// Each package's own vitest.config.ts (or the defaults) describes its tests.
export default defineConfig({
  test: {
    projects: ["packages/*", "apps/*"],
  },
});
