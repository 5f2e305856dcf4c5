import { ApiError, errorOf } from "./http";
import type { FileUploadResponse, UploadProgress } from "./types";

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
  if (typeof XMLHttpRequest === "function") return uploadWithXhr(url, token, form, options);
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

function uploadWithXhr(url: string, token: string, form: FormData, options: UploadOptions) {
  return new Promise<FileUploadResponse>((resolve, reject) => {
    const xhr = new XMLHttpRequest();
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
