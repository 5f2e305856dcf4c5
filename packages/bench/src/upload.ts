// pnpm bench:upload: streams one large file (200 MB by default) into the api, which runs in a
// child process on local-disk storage, and reports the api's RSS growth during the upload and
// the upload's throughput, next to a plain write of the same bytes to the same disk.
// Knobs: UPLOAD_MB (default 200), UPLOAD_RUNS (default 3). Loopback only; prints, never asserts.
import { fork } from "node:child_process";
import { randomBytes } from "node:crypto";
import { createWriteStream } from "node:fs";
import { rm } from "node:fs/promises";
import { createServer, request } from "node:http";
import type { AddressInfo } from "node:net";
import os from "node:os";
import path from "node:path";
import { Readable } from "node:stream";
import { pipeline } from "node:stream/promises";
import { fileURLToPath } from "node:url";

const MB = 1024 * 1024;
const sizeMb = Number(process.env.UPLOAD_MB ?? 200);
const runs = Number(process.env.UPLOAD_RUNS ?? 3);
const size = sizeMb * MB;

interface Ready {
  apiUrl: string;
  sessionId: string;
  token: string;
  filesDir: string;
}
interface Report {
  baseline: number;
  peak: number;
  memory: NodeJS.MemoryUsage;
}

const here = path.dirname(fileURLToPath(import.meta.url));
const child = fork(path.join(here, "upload-server.ts"), [String(size + MB)], {
  execArgv: [...process.execArgv, "--expose-gc"],
  stdio: ["ignore", "inherit", "inherit", "ipc"],
});
const nextMessage = <T>(type: string) =>
  new Promise<T>((resolve) => {
    const on = (message: { type: string } & T) => {
      if (message.type !== type) return;
      child.off("message", on);
      resolve(message);
    };
    child.on("message", on);
  });

/** A PDF-looking body of `bytes` bytes, made on the fly from one reused random block. */
function* pdfBody(bytes: number): Generator<Buffer> {
  const head = Buffer.from("%PDF-1.7\n");
  const block = randomBytes(256 * 1024);
  yield head;
  let left = bytes - head.length;
  while (left > 0) {
    const chunk = left >= block.length ? block : block.subarray(0, left);
    left -= chunk.length;
    yield chunk;
  }
}

async function upload(
  ready: Pick<Ready, "apiUrl" | "sessionId" | "token">,
  bytes: number,
): Promise<{ ms: number; status: number; body: string }> {
  const boundary = "----bench-upload";
  const preamble = Buffer.from(
    `--${boundary}\r\nContent-Disposition: form-data; name="file"; filename="big.pdf"\r\nContent-Type: application/pdf\r\n\r\n`,
  );
  const epilogue = Buffer.from(`\r\n--${boundary}--\r\n`);
  const started = performance.now();
  return new Promise((resolve, reject) => {
    const req = request(`${ready.apiUrl}/api/chat/sessions/${ready.sessionId}/files`, {
      method: "POST",
      headers: {
        authorization: `Bearer ${ready.token}`,
        "content-type": `multipart/form-data; boundary=${boundary}`,
        "content-length": preamble.length + bytes + epilogue.length,
      },
    });
    req.on("error", reject);
    req.on("response", (res) => {
      let body = "";
      res.setEncoding("utf8");
      res.on("data", (chunk) => {
        body += chunk;
      });
      res.on("end", () => resolve({ ms: performance.now() - started, status: res.statusCode ?? 0, body }));
    });
    Readable.from(
      (function* () {
        yield preamble;
        yield* pdfBody(bytes);
        yield epilogue;
      })(),
    ).pipe(req);
  });
}

async function diskWrite(dir: string, bytes: number): Promise<number> {
  const file = path.join(dir, `disk-baseline-${process.pid}`);
  const started = performance.now();
  await pipeline(Readable.from(pdfBody(bytes)), createWriteStream(file));
  const ms = performance.now() - started;
  await rm(file, { force: true });
  return ms;
}

const mbps = (bytes: number, ms: number) => `${((bytes / MB / ms) * 1_000).toFixed(0)} MB/s`;
const mb = (bytes: number) => `${(bytes / MB).toFixed(1)} MB`;

const ready = await nextMessage<Ready>("ready");
console.log(
  `upload bench: ${sizeMb} MB × ${runs}, api in a child process, local-disk storage (${ready.filesDir})\n` +
    `machine: ${os.cpus().length} cores (${os.cpus()[0]?.model ?? "?"}), node ${process.version}, ${os.platform()} ${os.release()}`,
);

// Warm-up: load busboy, file-type and the routes, so the baseline is a warmed-up api.
await upload(ready, 1 * MB);
for (let run = 1; run <= runs; run++) {
  child.send({ type: "mark" });
  await nextMessage("marked");
  const result = await upload(ready, size);
  child.send({ type: "report" });
  const report = await nextMessage<Report>("report");
  if (result.status !== 201) throw new Error(`upload failed: ${result.status} ${result.body}`);
  const stored = JSON.parse(result.body) as { file_info: { size: number } };
  console.log(
    `run ${run}: ${result.status}, stored ${mb(stored.file_info.size)} in ${(result.ms / 1_000).toFixed(2)} s = ${mbps(size, result.ms)}; ` +
      `api RSS ${mb(report.baseline)} → peak ${mb(report.peak)} (growth ${mb(report.peak - report.baseline)}), ` +
      `heap ${mb(report.memory.heapUsed)}, external+buffers ${mb(report.memory.external)}`,
  );
}
const diskMs = await diskWrite(ready.filesDir, size);
console.log(`plain write of ${sizeMb} MB to the same disk: ${(diskMs / 1_000).toFixed(2)} s = ${mbps(size, diskMs)}`);

// The same request to a server that only discards the body: what loopback HTTP itself costs here.
const sink = createServer((req, res) => {
  req.resume();
  req.on("end", () => res.writeHead(201).end("{}"));
});
await new Promise<void>((resolve) => sink.listen(0, "127.0.0.1", resolve));
const sinkUrl = `http://127.0.0.1:${(sink.address() as AddressInfo).port}`;
const drained = await upload({ apiUrl: sinkUrl, sessionId: "x", token: "x" }, size);
sink.close();
console.log(
  `same upload to a discard-only HTTP server: ${(drained.ms / 1_000).toFixed(2)} s = ${mbps(size, drained.ms)}`,
);

child.send({ type: "close" });
await new Promise((resolve) => child.once("exit", resolve));
