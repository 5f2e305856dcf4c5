/** Answer of `POST /api/chat/sessions/{id}/files` (the spec's upload response). */
export interface FileUploadResponse {
  file_id: string;
  /** Short-lived signed URL of the file (works in `<img src>`). */
  file_url: string;
  /** Signed URL of the thumbnail, for images. */
  thumbnail_url: string | null;
  /** The file message stored in the session. */
  message_id: string;
  file_info: { name: string; type: string; size: number };
}

/** `PATCH /api/chat/sessions/{id}`. */
export interface UpdateSessionRequest {
  title?: string | null;
  metadata?: Record<string, unknown> | null;
  status?: "active" | "archived";
}

/** One hit of `GET /api/chat/search`. */
export interface SearchHit {
  session_id: string;
  message_id: string;
  seq: number;
  snippet: string;
  [key: string]: unknown;
}

export interface UploadProgress {
  loaded: number;
  /** Undefined when the size is unknown. */
  total: number | undefined;
}
