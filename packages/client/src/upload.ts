import { ApiError, errorOf } from "./http";
import type { FileUploadResponse, UploadProgress } from "./types";

/** The part of XMLHttpRequest used here (declared so Node-only type configs compile this file). */
interface Xhr {
  status: number;
  responseText: string;
  upload: { onprogress: ((event: { loaded: number; total: number; lengthComputable: boolean }) => void) | null };
  open(method: string, url: string): void;
  setRequestHeader(name: string, value: string): void;
  send(body: FormData): void;
  abort(): void;
  onload: (() => void) | null;
  onerror: (() => void) | null;
  onabort: (() => void) | null;
}

const XhrCtor = (): (new () => Xhr) | undefined => (globalThis as { XMLHttpRequest?: new () => Xhr }).XMLHttpRequest;

export interface UploadOptions {
  /** Text posted with the file (the spec's `message` part). */
  message?: string;
  onProgress?: (progress: UploadProgress) => void;
  signal?: AbortSignal;
}

/**
 * Multipart upload. Browsers get upload progress from XMLHttpRequest (fetch cannot report it);
 * elsewhere fetch sends it and progress is reported at the start and the end only.
 */
export async function uploadMultipart(
  url: string,
  token: string,
  file: Blob,
  fileName: string,
  options: UploadOptions,
  fetchImpl: typeof fetch,
): Promise<FileUploadResponse> {
  const form = new FormData();
  form.append("file", file, fileName);
  if (options.message !== undefined) form.append("message", options.message);
  const Xhr = XhrCtor();
  if (Xhr) return uploadWithXhr(new Xhr(), url, token, form, options);
  options.onProgress?.({ loaded: 0, total: file.size });
  const res = await fetchImpl(url, {
    method: "POST",
    headers: { authorization: `Bearer ${token}` },
    body: form,
    ...(options.signal ? { signal: options.signal } : {}),
  });
  if (!res.ok) throw await errorOf(res);
  options.onProgress?.({ loaded: file.size, total: file.size });
  return (await res.json()) as FileUploadResponse;
}

function uploadWithXhr(xhr: Xhr, url: string, token: string, form: FormData, options: UploadOptions) {
  return new Promise<FileUploadResponse>((resolve, reject) => {
    xhr.open("POST", url);
    xhr.setRequestHeader("authorization", `Bearer ${token}`);
    xhr.upload.onprogress = (event) => {
      options.onProgress?.({ loaded: event.loaded, total: event.lengthComputable ? event.total : undefined });
    };
    xhr.onload = () => {
      const res = new Response(xhr.responseText, { status: xhr.status });
      if (xhr.status >= 200 && xhr.status < 300) resolve(res.json() as Promise<FileUploadResponse>);
      else errorOf(res).then(reject, reject);
    };
    xhr.onerror = () => reject(new ApiError(0, "NETWORK_ERROR", "Upload failed"));
    xhr.onabort = () => reject(new ApiError(0, "ABORTED", "Upload aborted"));
    options.signal?.addEventListener("abort", () => xhr.abort(), { once: true });
    xhr.send(form);
  });
}
