import { fileURLToPath } from "node:url";
import { build } from "esbuild";

/** Bundles src/index.ts for browsers as an application would (minified, tree-shaken, zod external). */
export async function measureClientBundle(gzip) {
  const result = await build({
    entryPoints: [fileURLToPath(new URL("../src/index.ts", import.meta.url))],
    bundle: true,
    minify: true,
    platform: "browser",
    format: "esm",
    target: "es2022",
    external: ["zod"],
    write: false,
    metafile: true,
    logLevel: "silent",
  });
  const code = result.outputFiles[0].contents;
  return { raw: code.length, gzipped: gzip(code).length, inputs: Object.keys(result.metafile.inputs) };
}
