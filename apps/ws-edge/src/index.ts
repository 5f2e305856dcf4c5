export { createWsEdge, type WsEdge } from "./edge";
export { loadWsEdgeEnv, type WsEdgeEnv, wsEdgeEnvShape } from "./env";
export type { WsEdgeDeps, WsEdgeOptions } from "./options";
