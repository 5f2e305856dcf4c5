const HTML_ESCAPES: Record<string, string> = { "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#39;" };

export function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => HTML_ESCAPES[c] ?? c);
}

/** Options of {@link highlightSnippet}. */
export interface SnippetOptions {
  /**
   * Characters kept before the first match.
   * @default 60
   */
  before?: number;
  /**
   * Characters kept after the start of the first match.
   * @default 100
   */
  after?: number;
}

const isLowSurrogate = (code: number) => code >= 0xdc00 && code <= 0xdfff;
const isHighSurrogate = (code: number) => code >= 0xd800 && code <= 0xdbff;

/**
 * A window of `content` around the first case-insensitive occurrence of `query`: HTML-escaped,
 * each occurrence inside it wrapped in `<mark>…</mark>`, `…` where text was cut. The only markup
 * in the result is the marks, so it is safe to insert as HTML.
 */
export function highlightSnippet(content: string, query: string, options: SnippetOptions = {}): string {
  const before = options.before ?? 60;
  const after = options.after ?? 100;
  const pattern = new RegExp(query.replace(/[.*+?^${}()|[\]\\]/g, "\\$&"), "giu");
  const first = pattern.exec(content)?.index ?? 0;
  let start = Math.max(0, first - before);
  let end = Math.min(content.length, first + Math.max(after, query.length));
  // Never split a surrogate pair (emoji, rare CJK) at either edge.
  if (start > 0 && isLowSurrogate(content.charCodeAt(start))) start -= 1;
  if (end < content.length && isHighSurrogate(content.charCodeAt(end - 1))) end += 1;
  const window = content.slice(start, end);

  let html = "";
  let last = 0;
  pattern.lastIndex = 0;
  for (const match of window.matchAll(pattern)) {
    html += `${escapeHtml(window.slice(last, match.index))}<mark>${escapeHtml(match[0])}</mark>`;
    last = match.index + match[0].length;
  }
  html += escapeHtml(window.slice(last));
  return `${start > 0 ? "…" : ""}${html}${end < content.length ? "…" : ""}`;
}
