import { randomUUID } from "node:crypto";
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { type AgentCard, type Message, Role, TaskState } from "@a2a-js/sdk";
import {
  AgentEvent,
  type AgentExecutor,
  DefaultRequestHandler,
  type ExecutionEventBus,
  InMemoryTaskStore,
  type RequestContext,
} from "@a2a-js/sdk/server";
import { agentCardHandler, jsonRpcHandler, UserBuilder } from "@a2a-js/sdk/server/express";
import express from "express";

export const A2A_WORDS = ["Streaming ", "from ", "an ", "A2A ", "agent."];

function agentMessage(contextId: string, taskId: string, text: string): Message {
  return {
    messageId: randomUUID(),
    contextId,
    taskId,
    role: Role.ROLE_AGENT,
    parts: [{ content: { $case: "text", value: text }, metadata: undefined, filename: "", mediaType: "text/plain" }],
    metadata: undefined,
    extensions: [],
    referenceTaskIds: [],
  };
}

/**
 * Streams A2A_WORDS as status updates (state working) and then the whole text as the final
 * artifact, as many real agents do; or, when not streaming, answers one Message.
 */
class WordsExecutor implements AgentExecutor {
  constructor(
    private readonly streaming: boolean,
    private readonly seen: { contextIds: string[] },
    /** Words to stream (the slow agent streams many, slowly, to be cancelled). */
    private readonly words: string[] = A2A_WORDS,
    private readonly delayMs = 2,
  ) {}

  async execute(ctx: RequestContext, bus: ExecutionEventBus): Promise<void> {
    this.seen.contextIds.push(ctx.contextId);
    if (!this.streaming) {
      bus.publish(AgentEvent.message(agentMessage(ctx.contextId, "", A2A_WORDS.join(""))));
      bus.finished();
      return;
    }
    const { taskId, contextId } = ctx;
    bus.publish(
      AgentEvent.task({
        id: taskId,
        contextId,
        status: { state: TaskState.TASK_STATE_SUBMITTED, message: undefined, timestamp: undefined },
        artifacts: [],
        history: [ctx.userMessage],
        metadata: undefined,
      }),
    );
    for (const word of this.words) {
      await new Promise((resolve) => setTimeout(resolve, this.delayMs));
      bus.publish(
        AgentEvent.statusUpdate({
          taskId,
          contextId,
          status: {
            state: TaskState.TASK_STATE_WORKING,
            message: agentMessage(contextId, taskId, word),
            timestamp: undefined,
          },
          metadata: undefined,
        }),
      );
    }
    bus.publish(
      AgentEvent.artifactUpdate({
        taskId,
        contextId,
        artifact: {
          artifactId: "answer",
          name: "answer",
          description: "",
          parts: agentMessage(contextId, taskId, this.words.join("")).parts,
          metadata: undefined,
          extensions: [],
        },
        append: false,
        lastChunk: true,
        metadata: undefined,
      }),
    );
    bus.publish(
      AgentEvent.statusUpdate({
        taskId,
        contextId,
        status: { state: TaskState.TASK_STATE_COMPLETED, message: undefined, timestamp: undefined },
        metadata: undefined,
      }),
    );
    bus.finished();
  }

  async cancelTask(): Promise<void> {}
}

export interface A2aPeer extends AsyncDisposable {
  /** Base URL of the streaming agent (its card at /.well-known/agent-card.json). */
  streamingUrl: string;
  /** Base URL of the agent whose card says it does not stream. */
  blockingUrl: string;
  traceIds: (string | undefined)[];
  contextIds: string[];
  /** JSON-RPC methods called, in order. */
  methods: string[];
  /** Base URL of an agent streaming 500 words, 20 ms apart (to cancel mid-stream). */
  slowUrl: string;
  /** Requests whose client closed the connection before the response ended. */
  disconnects: () => number;
  close(): Promise<void>;
}

/** Two agents served with @a2a-js/sdk's own server side (express + JSON-RPC). */
export async function startA2aPeer(): Promise<A2aPeer> {
  const app = express();
  const server: Server = createServer(app);
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  const peer = { traceIds: [] as (string | undefined)[], contextIds: [] as string[], methods: [] as string[] };
  let disconnects = 0;
  const slowWords = Array.from({ length: 500 }, (_, i) => `w${i} `);
  for (const [name, streaming] of [
    ["streaming", true],
    ["blocking", false],
    ["slow", true],
  ] as const) {
    const card: AgentCard = {
      name: `${name} test agent`,
      description: "test",
      supportedInterfaces: [
        { url: `${base}/${name}/rpc`, protocolBinding: "JSONRPC", tenant: "", protocolVersion: "1.0" },
      ],
      provider: undefined,
      version: "1.0.0",
      capabilities: { streaming, pushNotifications: false, extensions: [] },
      securitySchemes: {},
      securityRequirements: [],
      defaultInputModes: ["text/plain"],
      defaultOutputModes: ["text/plain"],
      skills: [],
      signatures: [],
    };
    const executor =
      name === "slow" ? new WordsExecutor(true, peer, slowWords, 20) : new WordsExecutor(streaming, peer);
    const handler = new DefaultRequestHandler(card, new InMemoryTaskStore(), executor);
    app.use(`/${name}/.well-known/agent-card.json`, agentCardHandler({ agentCardProvider: handler }));
    app.use(`/${name}/rpc`, express.json(), (req, res, next) => {
      res.on("close", () => {
        if (!res.writableEnded) disconnects += 1;
      });
      peer.traceIds.push(req.get("x-trace-id"));
      peer.methods.push(String(req.body?.method));
      next();
    });
    app.use(`/${name}/rpc`, jsonRpcHandler({ requestHandler: handler, userBuilder: UserBuilder.noAuthentication }));
  }
  const close = async () => {
    server.closeAllConnections();
    await new Promise((resolve) => server.close(resolve));
  };
  return {
    ...peer,
    streamingUrl: `${base}/streaming`,
    blockingUrl: `${base}/blocking`,
    slowUrl: `${base}/slow`,
    disconnects: () => disconnects,
    close,
    [Symbol.asyncDispose]: close,
  };
}
