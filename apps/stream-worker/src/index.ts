export { createBackends } from "./agents";
export { createA2aAgent } from "./agents/a2a";
export type { AgentBackend, HistoryTurn, ReplyEvent, ReplyRequest } from "./agents/backend";
export { createDemoAgent, type DemoAgentOptions, demoReplyText } from "./agents/demo";
export { createOpenAiAgent } from "./agents/openai";
export {
  loadStreamWorkerEnv,
  type StreamWorkerEnv,
  secretLookup,
  streamWorkerEnvShape,
  workerOptionsFromEnv,
} from "./env";
export type { StreamWorkerDeps, StreamWorkerOptions } from "./options";
export { createStreamWorker, type StreamWorker } from "./worker";
