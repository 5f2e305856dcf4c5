import { defineConfig } from "tsup";
import { appBundle } from "../../tooling/tsup/app";

export default defineConfig(appBundle({ external: ["sharp"] }));
