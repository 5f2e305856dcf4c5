import { ChatError } from "@chat/protocol";
import type { Dispatcher } from "undici";
import type { AgentBackend } from "./backend";
import { agentFailure, httpFailure } from "./errors";
import { postForSse, type SseResponse } from "./sse-request";

export interface OpenAiAgentOptions {
  /**
   * Resolves the API key from the name of its environment variable (the agent's
   * `api_key_env`); the app passes its environment so that this module never reads it.
   * @default no key is sent
   */
  secret?: (name: string) => string | undefined;
  /** The undici dispatcher (connection pools) the requests go through. @default undici's global one */
  dispatcher?: Dispatcher;
}

/**
 * The parts of a Chat Completions stream chunk we use (`choices[0].delta.content`,
 * `usage.total_tokens`); anything else is ignored. Checked by hand rather than with a schema:
 * this runs once per token. Undefined when the chunk is not shaped like one.
 */
function readChunk(json: unknown): { text?: string; usage?: number } | undefined {
  if (typeof json !== "object" || json === null) return undefined;
  const { choices, usage } = json as { choices?: unknown; usage?: unknown };
  if (choices != null && !Array.isArray(choices)) return undefined;
  const first = (choices as unknown[] | undefined)?.[0] as { delta?: { content?: unknown } } | undefined;
  const content = first?.delta?.content;
  if (content != null && typeof content !== "string") return undefined;
  const total = (usage as { total_tokens?: unknown } | null | undefined)?.total_tokens;
  return {
    ...(typeof content === "string" ? { text: content } : {}),
    ...(typeof total === "number" ? { usage: total } : {}),
  };
}

/**
 * Any OpenAI-compatible Chat Completions endpoint (vLLM, Ollama, llama.cpp, LiteLLM, OpenAI)
 * with `stream: true`: the session's recent history as the messages, text from each chunk's
 * `delta.content`, usage from the final chunk (`stream_options.include_usage`). The request
 * goes through undici's dispatcher with the SSE parser fed from its callbacks (see
 * `postForSse`): fetch's web streams cost several times as much CPU per event. The abort signal
 * is the request's, so a cancel closes the upstream connection.
 */
export function createOpenAiAgent(options: OpenAiAgentOptions = {}): AgentBackend {
  return async function* openai({ agent, traceId, prompt, history, signal }) {
    const config = agent.openai;
    if (!config) throw new ChatError("AGENT_ERROR", `Agent ${agent.id} has no OpenAI configuration`);
    const what = `Agent ${agent.id}`;
    const apiKey = config.api_key_env ? options.secret?.(config.api_key_env) : undefined;
    const messages = [
      ...(config.system_prompt ? [{ role: "system", content: config.system_prompt }] : []),
      ...history,
      { role: "user", content: prompt },
    ];
    let response: SseResponse;
    try {
      response = await postForSse({
        url: `${config.base_url.replace(/\/+$/, "")}/chat/completions`,
        headers: {
          "content-type": "application/json",
          accept: "text/event-stream",
          ...(apiKey ? { authorization: `Bearer ${apiKey}` } : {}),
          ...(traceId ? { "x-trace-id": traceId } : {}),
        },
        body: JSON.stringify({
          model: config.model,
          messages,
          stream: true,
          stream_options: { include_usage: true },
        }),
        signal,
        dispatcher: options.dispatcher,
      });
    } catch (error) {
      signal.throwIfAborted();
      throw agentFailure(error, what);
    }
    const { statusCode } = response;
    if (statusCode < 200 || statusCode > 299) {
      response.close();
      throw httpFailure(statusCode, what);
    }
    yield { type: "connected" };
    let done = false;
    try {
      for await (const message of response.events) {
        if (message.data === "[DONE]") {
          done = true;
          break;
        }
        let json: unknown;
        try {
          json = JSON.parse(message.data);
        } catch {
          throw new ChatError("AGENT_ERROR", `${what} sent a malformed stream event`);
        }
        if (typeof json === "object" && json !== null && "error" in json) {
          throw new ChatError("AGENT_ERROR", `${what} reported an error mid-stream`);
        }
        const chunk = readChunk(json);
        if (!chunk) throw new ChatError("AGENT_ERROR", `${what} sent a malformed stream chunk`);
        if (chunk.text) yield { type: "text", text: chunk.text };
        if (chunk.usage !== undefined) yield { type: "usage", tokensUsed: chunk.usage };
      }
    } catch (error) {
      signal.throwIfAborted();
      throw agentFailure(error, what);
    } finally {
      // Leaving early (cancel, error, the consumer stopped) closes the connection, so the
      // upstream sees the disconnect and stops generating. After [DONE] the rest of the body
      // (its end, as a rule already on the way) is let in, and the connection then serves
      // another request; one that never ends is closed by undici's body timeout.
      if (!done) response.close();
    }
    if (!done) throw new ChatError("AGENT_ERROR", `${what} ended the stream without [DONE]`);
  };
}
