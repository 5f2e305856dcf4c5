import { defineProject } from "vitest/config";

// `pnpm test:chaos`: fault injection against real processes on a private Redis and PostgreSQL.
// Not part of the `tests` project (its include does not reach chaos/); files run one after the
// other, since each starts a whole cluster and breaks it on purpose.
export default defineProject({
  test: {
    name: "chaos",
    root: new URL(".", import.meta.url).pathname,
    include: ["*.chaos.test.ts"],
    fileParallelism: false,
    testTimeout: 90_000,
    hookTimeout: 60_000,
  },
});
