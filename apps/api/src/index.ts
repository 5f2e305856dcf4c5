export { type Api, createApi } from "./app";
export type { ApiDeps } from "./deps";
export { type ApiEnv, apiEnvShape, loadApiEnv } from "./env";
