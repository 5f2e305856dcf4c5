export type { AgentBackend, HistoryTurn, ReplyEvent, ReplyRequest } from "./agents/backend";
export { createDemoAgent, type DemoAgentOptions, demoReplyText } from "./agents/demo";
export { loadStreamWorkerEnv, type StreamWorkerEnv, streamWorkerEnvShape } from "./env";
export type { StreamWorkerDeps, StreamWorkerOptions } from "./options";
export { createStreamWorker, type StreamWorker } from "./worker";
