import { fileTypeFromBuffer } from "file-type";

/** Bytes read before deciding the type: enough for file-type's signatures and a markup check. */
export const SNIFF_BYTES = 4_100;

// WHATWG MIME sniffing's markup openers: text that a browser might render as a page.
const MARKUP = [
  "<!doctype html",
  "<html",
  "<head",
  "<body",
  "<script",
  "<iframe",
  "<h1",
  "<div",
  "<font",
  "<table",
  "<a",
  "<style",
  "<title",
  "<b",
  "<br",
  "<p",
  "<!--",
  "<object",
  "<embed",
  "<meta",
  "<link",
  "<img",
  "<form",
];

/** What markup the start of a text file is, if any (HTML, SVG, XML). */
function sniffMarkup(head: Buffer): string | undefined {
  const text = head
    .toString("latin1")
    .replace(/^\uFEFF|^\xEF\xBB\xBF/, "")
    .trimStart()
    .toLowerCase();
  if (!text.startsWith("<")) return undefined;
  if (text.startsWith("<svg") || (text.startsWith("<?xml") && text.includes("<svg"))) return "image/svg+xml";
  if (text.startsWith("<?xml")) return "application/xml";
  for (const opener of MARKUP) {
    const next = text.charAt(opener.length);
    if (text.startsWith(opener) && (opener === "<!--" || next === ">" || next === " " || /\s/.test(next))) {
      return "text/html";
    }
  }
  return undefined;
}

/**
 * The type of a file from its first bytes: a binary signature (file-type), else markup (which
 * is never plain text, whatever its extension says), else `text/plain` when there is no NUL.
 * Plain text is only a candidate: {@link Utf8Check} must accept every byte that follows.
 * Undefined when nothing fits (unknown binary).
 */
export async function detectType(head: Buffer): Promise<string | undefined> {
  const detected = await fileTypeFromBuffer(head);
  // file-type calls any `<?xml` document XML; an SVG inside is what a browser would see.
  if (detected?.mime === "application/xml") return sniffMarkup(head) ?? detected.mime;
  if (detected) return detected.mime;
  const markup = sniffMarkup(head);
  if (markup) return markup;
  return head.includes(0) ? undefined : "text/plain";
}

/** Checks, chunk by chunk, that a stream is UTF-8 text without NUL bytes. */
export class Utf8Check {
  readonly #decoder = new TextDecoder("utf-8", { fatal: true });

  /** Throws on a NUL byte or an invalid sequence. */
  push(chunk: Buffer): void {
    if (chunk.includes(0)) throw new TypeError("NUL byte in text");
    this.#decoder.decode(chunk, { stream: true });
  }

  /** Throws when the stream ends inside a multi-byte character. */
  end(): void {
    this.#decoder.decode();
  }
}
