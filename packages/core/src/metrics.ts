import { Counter, collectDefaultMetrics, Gauge, Histogram, Registry } from "prom-client";

/** Latency buckets in seconds, from sub-millisecond fan-out to multi-second agent replies. */
const LATENCY_BUCKETS = [0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10];

/** How often the event loop's delay is sampled for nodejs_eventloop_lag_seconds. */
const EVENT_LOOP_SAMPLE_MS = 100;

/** What the queue gauges read. */
export interface JobQueueStats {
  backlog(): Promise<number>;
  pendingCount(): Promise<number>;
}

/**
 * The service's Prometheus metrics, one registry per process (the standalone server shares it
 * between its three apps). Each app records what it does; `/metrics` renders `registry`.
 */
export function createMetrics(options: { app: string; defaultMetrics?: boolean }) {
  const registry = new Registry();
  registry.setDefaultLabels({ app: options.app });
  // Process metrics include nodejs_eventloop_lag_seconds, sampled every 100 ms: prom-client's
  // default (10 ms) wakes every process 100 times a second, idle or not.
  if (options.defaultMetrics !== false) {
    collectDefaultMetrics({ register: registry, eventLoopMonitoringPrecision: EVENT_LOOP_SAMPLE_MS });
  }
  const registers = [registry];
  // The queue gauges are read when Prometheus scrapes, from the queue `watchJobQueue` names.
  let queue: JobQueueStats | undefined;
  return {
    registry,
    wsConnections: new Gauge({ name: "chat_ws_connections", help: "Open WebSocket connections", registers }),
    wsFramesIn: new Counter({
      name: "chat_ws_frames_in_total",
      help: "Frames received from clients, by type",
      labelNames: ["type"] as const,
      registers,
    }),
    wsFramesOut: new Counter({
      name: "chat_ws_frames_out_total",
      help: "Frames sent to clients, by type",
      labelNames: ["type"] as const,
      registers,
    }),
    fanoutLatency: new Histogram({
      name: "chat_fanout_latency_seconds",
      help: "From a message's publish to its delivery to local sockets",
      buckets: LATENCY_BUCKETS,
      registers,
    }),
    messagesStored: new Counter({
      name: "chat_messages_stored_total",
      help: "Messages stored, by sender type",
      labelNames: ["sender_type"] as const,
      registers,
    }),
    storeBatchSize: new Histogram({
      name: "chat_store_batch_size",
      help: "Messages written per database round trip",
      buckets: [1, 2, 4, 8, 16, 32, 64, 128, 256],
      registers,
    }),
    streamTtft: new Histogram({
      name: "chat_stream_time_to_first_token_seconds",
      help: "From job start to the first chunk of an agent reply",
      buckets: LATENCY_BUCKETS,
      registers,
    }),
    streamChunkLatency: new Histogram({
      name: "chat_stream_chunk_latency_seconds",
      help: "From an upstream token to the chunk's publish",
      buckets: LATENCY_BUCKETS,
      registers,
    }),
    streamReplies: new Counter({
      name: "chat_stream_replies_total",
      help: "Agent replies finished, by finish reason",
      labelNames: ["finish_reason"] as const,
      registers,
    }),
    jobWait: new Histogram({
      name: "chat_job_wait_seconds",
      help: "From an agent job's enqueue to its first delivery starting on a worker (waiting for a free slot)",
      buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 300],
      registers,
    }),
    jobQueueDepth: new Gauge({
      name: "chat_job_queue_depth",
      help: "Agent jobs not yet delivered",
      registers,
      async collect() {
        if (queue) this.set(await queue.backlog());
      },
    }),
    jobsPending: new Gauge({
      name: "chat_jobs_pending",
      help: "Agent jobs delivered, not yet acknowledged",
      registers,
      async collect() {
        if (queue) this.set(await queue.pendingCount());
      },
    }),
    /** Report this queue's depth and pending count on every scrape. */
    watchJobQueue(stats: JobQueueStats): void {
      queue = stats;
    },
    httpDuration: new Histogram({
      name: "chat_http_request_duration_seconds",
      help: "HTTP request duration by route and status",
      labelNames: ["method", "route", "status"] as const,
      buckets: LATENCY_BUCKETS,
      registers,
    }),
  };
}

export type Metrics = ReturnType<typeof createMetrics>;
