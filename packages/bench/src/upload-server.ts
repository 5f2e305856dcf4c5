// The api under test of `pnpm bench:upload`, in its own process so its RSS is the api's alone.
// Talks to the parent over IPC: "ready" → {apiUrl, sessionId, token}; "mark" resets the
// baseline (after a GC); "report" answers with the baseline and the peak RSS since the mark.
import { startStack } from "@chat/tests";

const maxFileSize = Number(process.argv[2] ?? 256 * 1024 * 1024);
const stack = await startStack({ worker: false, edges: 0, files: { maxFileSize } });
const { body: session } = await stack.request("bench", "POST", "/api/chat/sessions", {});
const token = await stack.token("bench");

let baseline = process.memoryUsage().rss;
let peak = baseline;
// Sampled often enough to see the peak of a multi-second upload.
const sampler = setInterval(() => {
  peak = Math.max(peak, process.memoryUsage().rss);
}, 5);

process.on("message", async (message: { type: string }) => {
  if (message.type === "mark") {
    (globalThis as { gc?: () => void }).gc?.();
    baseline = process.memoryUsage().rss;
    peak = baseline;
    process.send?.({ type: "marked", baseline });
  } else if (message.type === "report") {
    peak = Math.max(peak, process.memoryUsage().rss);
    process.send?.({ type: "report", baseline, peak, memory: process.memoryUsage() });
  } else if (message.type === "close") {
    clearInterval(sampler);
    await stack.close();
    process.exit(0);
  }
});
process.send?.({ type: "ready", apiUrl: stack.apiUrl, sessionId: session.session_id, token, filesDir: stack.filesDir });
