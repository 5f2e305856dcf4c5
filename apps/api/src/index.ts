export { type Api, createApi } from "./app";
export type { ApiDeps } from "./deps";
export { type ApiEnv, apiEnvShape, loadApiEnv } from "./env";
export { filesOptionsFromEnv } from "./files/from-env";
export { createLocalStorage, type LocalStorageOptions } from "./files/local-storage";
export { DEFAULT_ALLOWED_TYPES, type FilesOptions } from "./files/options";
export { createS3Storage, type S3StorageOptions } from "./files/s3-storage";
export { createUrlSigner, deriveUrlSecret } from "./files/signed-url";
export type { ByteRange, FileStorage } from "./files/storage";
