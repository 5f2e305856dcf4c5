import { describe, expect, it } from "vitest";
import { createMetrics } from "./metrics";

describe("createMetrics", () => {
  it("renders the service metrics and the event-loop lag in Prometheus text format", async () => {
    const metrics = createMetrics({ app: "api" });
    metrics.httpDuration.observe({ method: "GET", route: "/api/chat/sessions", status: "200" }, 0.004);
    metrics.wsFramesIn.inc({ type: "message" });
    const text = await metrics.registry.metrics();
    expect(text).toContain(
      'chat_http_request_duration_seconds_count{app="api",method="GET",route="/api/chat/sessions",status="200"} 1',
    );
    expect(text).toMatch(/^chat_ws_frames_in_total\{(?=[^}]*type="message")(?=[^}]*app="api")[^}]*\} 1$/m);
    expect(text).toContain("nodejs_eventloop_lag_seconds");
  });

  it("reads the job queue's depth and pending count when scraped", async () => {
    const metrics = createMetrics({ app: "stream-worker", defaultMetrics: false });
    metrics.watchJobQueue({ backlog: async () => 7, pendingCount: async () => 2 });
    const text = await metrics.registry.metrics();
    expect(text).toMatch(/^chat_job_queue_depth\{[^}]*\} 7$/m);
    expect(text).toMatch(/^chat_jobs_pending\{[^}]*\} 2$/m);
  });

  it("keeps registries apart, so tests can create many", () => {
    const a = createMetrics({ app: "a", defaultMetrics: false });
    const b = createMetrics({ app: "b", defaultMetrics: false });
    a.messagesStored.inc({ sender_type: "user" });
    expect(a.registry).not.toBe(b.registry);
  });
});
