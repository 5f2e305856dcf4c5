/// <reference path="./s3rver.d.ts" />
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import S3rver from "s3rver";
import { listFiles } from "./files";

export interface TestS3 extends AsyncDisposable {
  endpoint: string;
  bucket: string;
  /** Where s3rver keeps the bucket's objects on disk (to check that nothing is left). */
  bucketDir: string;
  credentials: { accessKeyId: string; secretAccessKey: string };
  /** Every request the server saw, as "METHOD /path?query". */
  requests: string[];
  /**
   * Stored objects only. s3rver does not implement AbortMultipartUpload (real S3 and MinIO do),
   * so parts of an aborted multipart upload stay in its `._S3rver_uploads`; tests check that the
   * abort was sent (`requests`) and that no object exists.
   */
  objects(): Promise<string[]>;
}

/** A real S3-compatible server (s3rver) on loopback, port 0, in a temp directory. */
export async function startS3(bucket = "chat-files"): Promise<TestS3> {
  const directory = await mkdtemp(path.join(tmpdir(), "s3rver-"));
  const server = new S3rver({
    address: "127.0.0.1",
    port: 0,
    silent: true,
    directory,
    configureBuckets: [{ name: bucket }],
  });
  const { port } = await server.run();
  const requests: string[] = [];
  server.httpServer.prependListener("request", (req) => requests.push(`${req.method} ${req.url}`));
  const bucketDir = path.join(directory, bucket);
  return {
    requests,
    async objects() {
      return (await listFiles(bucketDir)).filter((f) => !f.startsWith("._S3rver_uploads/"));
    },
    endpoint: `http://127.0.0.1:${port}`,
    bucket,
    bucketDir,
    // s3rver's fixed credentials.
    credentials: { accessKeyId: "S3RVER", secretAccessKey: "S3RVER" },
    async [Symbol.asyncDispose]() {
      await server.close();
      await rm(directory, { recursive: true, force: true });
    },
  };
}
