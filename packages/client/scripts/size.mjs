#!/usr/bin/env node
// Prints the SDK's browser bundle size: esbuild (minified ESM, browser platform) then gzip.
import { gzipSync } from "node:zlib";
import { measureClientBundle } from "./measure.mjs";

const { raw, gzipped } = await measureClientBundle(gzipSync);
console.log(
  `@chat/client browser bundle: ${(raw / 1024).toFixed(1)} KB minified, ${(gzipped / 1024).toFixed(1)} KB gzipped`,
);
