/** Longest display name kept, in characters (the column is varchar(255)). */
export const MAX_NAME_LENGTH = 200;

/**
 * The client's file name as display metadata only: no directory parts, no control characters
 * or NULs, no leading dots, bounded length. Never used to build a storage path.
 */
export function cleanFileName(raw: string | undefined): string {
  const base = (raw ?? "").split(/[/\\]/).pop() ?? "";
  const cleaned = base
    .normalize("NFC")
    // biome-ignore lint/suspicious/noControlCharactersInRegex: removing control characters is the point
    .replace(/[\u0000-\u001f\u007f-\u009f\u202a-\u202e\u2066-\u2069]/g, "")
    .replace(/^[.\s]+/, "")
    .trim();
  const chars = Array.from(cleaned);
  if (chars.length === 0) return "file";
  if (chars.length <= MAX_NAME_LENGTH) return cleaned;
  // Keep the extension when cutting: "very-long-name….pdf".
  const dot = cleaned.lastIndexOf(".");
  const ext = dot > 0 && cleaned.length - dot <= 16 ? cleaned.slice(dot) : "";
  return Array.from(cleaned.slice(0, cleaned.length - ext.length))
    .slice(0, MAX_NAME_LENGTH - Array.from(ext).length)
    .join("")
    .concat(ext);
}

/** `Content-Disposition` with an ASCII fallback and the RFC 5987 `filename*` for the real name. */
export function contentDisposition(type: "inline" | "attachment", name: string): string {
  const fallback = name.replace(/[^\x20-\x7e]|["\\%;]/g, "_");
  const encoded = encodeURIComponent(name).replace(/['()*]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`);
  return `${type}; filename="${fallback}"; filename*=UTF-8''${encoded}`;
}
