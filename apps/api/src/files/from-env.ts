import { EnvError } from "@chat/core";
import { createLocalStorage } from "./local-storage";
import type { FilesOptions } from "./options";
import { createS3Storage } from "./s3-storage";
import { deriveUrlSecret } from "./signed-url";

/** The file variables of the api's env (the standalone server's env has them too). */
export interface FilesEnv {
  MAX_FILE_SIZE: number;
  ALLOWED_FILE_TYPES: string[];
  FILE_STORAGE_PATH: string;
  FILE_STORAGE_TYPE: "local" | "s3";
  S3_BUCKET_NAME?: string | undefined;
  S3_ENDPOINT?: string | undefined;
  S3_REGION: string;
  AWS_ACCESS_KEY_ID?: string | undefined;
  AWS_SECRET_ACCESS_KEY?: string | undefined;
  FILE_URL_SECRET?: string | undefined;
  FILE_URL_TTL: number;
  MAX_IMAGE_PIXELS: number;
  JWT_SECRET_KEY: string;
}

/** Builds the storage driver and file limits from the environment; close `storage` on exit. */
export function filesOptionsFromEnv(env: FilesEnv): FilesOptions & { storage: NonNullable<FilesOptions["storage"]> } {
  if (env.FILE_STORAGE_TYPE === "s3" && !env.S3_BUCKET_NAME) {
    throw new EnvError("Invalid environment: S3_BUCKET_NAME: required when FILE_STORAGE_TYPE=s3");
  }
  const storage =
    env.FILE_STORAGE_TYPE === "s3"
      ? createS3Storage({
          bucket: env.S3_BUCKET_NAME ?? "",
          region: env.S3_REGION,
          endpoint: env.S3_ENDPOINT,
          credentials:
            env.AWS_ACCESS_KEY_ID && env.AWS_SECRET_ACCESS_KEY
              ? { accessKeyId: env.AWS_ACCESS_KEY_ID, secretAccessKey: env.AWS_SECRET_ACCESS_KEY }
              : undefined,
        })
      : createLocalStorage({ root: env.FILE_STORAGE_PATH });
  return {
    storage,
    maxFileSize: env.MAX_FILE_SIZE,
    allowedTypes: env.ALLOWED_FILE_TYPES,
    urlSecret: deriveUrlSecret(env.JWT_SECRET_KEY, env.FILE_URL_SECRET),
    urlTtlSeconds: env.FILE_URL_TTL,
    maxImagePixels: env.MAX_IMAGE_PIXELS,
  };
}
