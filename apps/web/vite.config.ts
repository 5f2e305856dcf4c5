import { defineConfig } from "vite";

// `pnpm --filter @chat/web dev` proxies the service (pnpm start on 8003) so the page and the API
// share an origin, as they do when the standalone server serves the build.
export default defineConfig({
  build: { target: "es2022", outDir: "dist", emptyOutDir: true, reportCompressedSize: true },
  server: {
    proxy: {
      "/api": "http://localhost:8003",
      "/files": "http://localhost:8003",
      "/dev": "http://localhost:8003",
      "/ws": { target: "ws://localhost:8003", ws: true },
    },
  },
});
