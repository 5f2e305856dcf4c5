export { loadStandaloneEnv, type StandaloneEnv, standaloneEnvShape } from "./env";
export { type Standalone, startStandalone } from "./server";
