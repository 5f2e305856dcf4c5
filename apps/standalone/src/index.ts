export { loadStandaloneEnv, type StandaloneEnv, standaloneEnvShape } from "./env";
export { defaultWebDist, type Standalone, startStandalone } from "./server";
