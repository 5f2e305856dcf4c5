import { gzipSync } from "node:zlib";
import { expect, it } from "vitest";
// @ts-expect-error plain ESM helper shared with scripts/size.mjs
import { measureClientBundle } from "../scripts/measure.mjs";

// The SDK ships to every browser page: it must bundle without Node built-ins and stay small.
it("bundles for the browser under 15 KB gzipped, without zod or Node built-ins", async () => {
  const { gzipped, inputs } = (await measureClientBundle(gzipSync)) as { gzipped: number; inputs: string[] };
  expect(inputs.filter((path) => path.startsWith("node:"))).toEqual([]);
  expect(inputs.some((path) => path.includes("node_modules/zod"))).toBe(false);
  expect(gzipped).toBeLessThan(15 * 1024);
});
