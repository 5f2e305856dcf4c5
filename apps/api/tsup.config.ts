import { defineConfig } from "tsup";
import { appBundle } from "../../tooling/tsup/app";

export default defineConfig(appBundle({ entry: ["src/main.ts", "src/migrate.ts"], external: ["sharp"] }));
