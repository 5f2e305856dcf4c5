import type { Readable } from "node:stream";
import {
  DeleteObjectCommand,
  GetObjectCommand,
  HeadObjectCommand,
  NoSuchKey,
  NotFound,
  S3Client,
} from "@aws-sdk/client-s3";
import { Upload } from "@aws-sdk/lib-storage";
import { ChatError } from "@chat/protocol";
import { assertKey, type FileStorage } from "./storage";

export interface S3StorageOptions {
  bucket: string;
  /** @default "us-east-1" */
  region?: string;
  /** An S3-compatible server (MinIO, s3rver...); path-style addressing is used when set. */
  endpoint?: string;
  /** Static credentials; the SDK's default chain (env, instance role...) when omitted. */
  credentials?: { accessKeyId: string; secretAccessKey: string };
  /** Multipart part size in bytes (S3's minimum is 5 MiB). @default 5 MiB */
  partSize?: number;
  /** Parts uploaded at once; memory per upload is about partSize × queueSize. @default 2 */
  queueSize?: number;
}

/** Objects in an S3 bucket, uploaded as a multipart stream (never the whole file in memory). */
export function createS3Storage(options: S3StorageOptions): FileStorage {
  const client = new S3Client({
    region: options.region ?? "us-east-1",
    endpoint: options.endpoint,
    forcePathStyle: options.endpoint !== undefined,
    credentials: options.credentials,
    // Newer SDKs add streaming checksums by default; many S3-compatible servers reject them.
    requestChecksumCalculation: "WHEN_REQUIRED",
    responseChecksumValidation: "WHEN_REQUIRED",
  });
  const Bucket = options.bucket;
  const missing = (error: unknown) =>
    error instanceof NoSuchKey ||
    error instanceof NotFound ||
    (error as { $metadata?: { httpStatusCode?: number } }).$metadata?.httpStatusCode === 404;

  return {
    kind: "s3",

    async put(key, body, { contentType }) {
      assertKey(key);
      let failure: unknown;
      body.once("error", (error) => {
        failure ??= error;
      });
      const upload = new Upload({
        client,
        params: { Bucket, Key: key, Body: body, ContentType: contentType },
        partSize: options.partSize ?? 5 * 1024 * 1024,
        queueSize: options.queueSize ?? 2,
        // On failure the multipart upload is aborted, so no parts linger in the bucket.
        leavePartsOnError: false,
      });
      try {
        await upload.done();
      } catch (error) {
        body.destroy();
        // A small body goes up as one PutObject; make sure nothing of a failed one remains.
        await client.send(new DeleteObjectCommand({ Bucket, Key: key })).catch(() => {});
        throw failure ?? error;
      }
      if (failure) {
        await client.send(new DeleteObjectCommand({ Bucket, Key: key })).catch(() => {});
        throw failure;
      }
      const head = await this.head(key);
      return { size: head?.size ?? 0 };
    },

    async get(key, range) {
      assertKey(key);
      try {
        const answer = await client.send(
          new GetObjectCommand({ Bucket, Key: key, Range: range ? `bytes=${range.start}-${range.end}` : undefined }),
        );
        return answer.Body as Readable;
      } catch (error) {
        if (missing(error)) throw new ChatError("NOT_FOUND", "File not found");
        throw error;
      }
    },

    async head(key) {
      assertKey(key);
      try {
        const answer = await client.send(new HeadObjectCommand({ Bucket, Key: key }));
        return { size: answer.ContentLength ?? 0 };
      } catch (error) {
        if (missing(error)) return undefined;
        throw error;
      }
    },

    async delete(key) {
      assertKey(key);
      await client.send(new DeleteObjectCommand({ Bucket, Key: key }));
    },

    async close() {
      client.destroy();
    },
  };
}
