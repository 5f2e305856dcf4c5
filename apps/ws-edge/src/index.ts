export { createWsEdge, type WsEdge } from "./edge";
export { loadWsEdgeEnv, type WsEdgeEnv, wsEdgeEnvShape } from "./env";
export { createHealthHandler } from "./health";
export type { WsEdgeDeps, WsEdgeOptions } from "./options";
