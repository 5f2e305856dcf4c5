/**
 * A small, safe markdown renderer for message content. Content is parsed into a tree and built
 * with createElement/textContent only: no HTML from a message is ever parsed, so `<img onerror>`
 * stays text. Links are kept only for http(s) and mailto URLs.
 */

export type Inline =
  | { t: "text"; v: string }
  | { t: "code"; v: string }
  | { t: "strong" | "em"; c: Inline[] }
  | { t: "link"; href: string; c: Inline[] }
  | { t: "br" };

export type Block =
  | { t: "p" | "quote"; c: Inline[] }
  | { t: "h"; level: 1 | 2 | 3; c: Inline[] }
  | { t: "pre"; v: string }
  | { t: "ul" | "ol"; items: Inline[][] };

const INLINE =
  /`([^`\n]+)`|\*\*([^*\n]+)\*\*|\*([^*\s][^*\n]*)\*|\[([^\]\n]+)\]\(([^)\s]+)\)|(https?:\/\/[^\s<>"]*[^\s<>".,;:!?)\]'])/g;

/** Only these URL schemes become links; anything else (javascript:, data:) stays text. */
export function safeHref(url: string): string | undefined {
  try {
    const parsed = new URL(url);
    return ["http:", "https:", "mailto:"].includes(parsed.protocol) ? parsed.href : undefined;
  } catch {
    return undefined;
  }
}

export function parseInline(text: string): Inline[] {
  const out: Inline[] = [];
  const pushText = (v: string) => {
    const lines = v.split("\n");
    lines.forEach((line, i) => {
      if (i > 0) out.push({ t: "br" });
      if (line) out.push({ t: "text", v: line });
    });
  };
  let last = 0;
  for (const match of text.matchAll(INLINE)) {
    const index = match.index ?? 0;
    pushText(text.slice(last, index));
    last = index + match[0].length;
    const [whole, code, strong, em, label, url, bare] = match;
    if (code !== undefined) out.push({ t: "code", v: code });
    else if (strong !== undefined) out.push({ t: "strong", c: parseInline(strong) });
    else if (em !== undefined) out.push({ t: "em", c: parseInline(em) });
    else if (label !== undefined && url !== undefined) {
      const href = safeHref(url);
      out.push(href ? { t: "link", href, c: parseInline(label) } : { t: "text", v: whole });
    } else if (bare !== undefined) {
      const href = safeHref(bare);
      out.push(href ? { t: "link", href, c: [{ t: "text", v: bare }] } : { t: "text", v: bare });
    }
  }
  pushText(text.slice(last));
  return out;
}

export function parseMarkdown(source: string): Block[] {
  const lines = source.replace(/\r\n?/g, "\n").split("\n");
  const blocks: Block[] = [];
  let paragraph: string[] = [];
  const flush = () => {
    if (paragraph.length) blocks.push({ t: "p", c: parseInline(paragraph.join("\n")) });
    paragraph = [];
  };
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i] ?? "";
    if (line.startsWith("```")) {
      flush();
      const code: string[] = [];
      for (i++; i < lines.length && !(lines[i] ?? "").startsWith("```"); i++) code.push(lines[i] ?? "");
      blocks.push({ t: "pre", v: code.join("\n") });
      continue;
    }
    const heading = /^(#{1,3})\s+(.*)$/.exec(line);
    const bullet = /^\s*[-*]\s+(.*)$/.exec(line);
    const numbered = /^\s*\d+[.)]\s+(.*)$/.exec(line);
    if (heading) {
      flush();
      blocks.push({ t: "h", level: heading[1]?.length as 1 | 2 | 3, c: parseInline(heading[2] ?? "") });
    } else if (bullet || numbered) {
      flush();
      const kind = bullet ? "ul" : "ol";
      const previous = blocks.at(-1);
      const item = parseInline((bullet ?? numbered)?.[1] ?? "");
      if (previous?.t === kind) previous.items.push(item);
      else blocks.push({ t: kind, items: [item] });
    } else if (line.startsWith(">")) {
      flush();
      blocks.push({ t: "quote", c: parseInline(line.replace(/^>\s?/, "")) });
    } else if (line.trim() === "") {
      flush();
    } else {
      paragraph.push(line);
    }
  }
  flush();
  return blocks;
}

function inlineNodes(doc: Document, nodes: Inline[], into: Node): void {
  for (const node of nodes) {
    if (node.t === "text") into.appendChild(doc.createTextNode(node.v));
    else if (node.t === "br") into.appendChild(doc.createElement("br"));
    else if (node.t === "code") {
      const el = doc.createElement("code");
      el.textContent = node.v;
      into.appendChild(el);
    } else if (node.t === "link") {
      const a = doc.createElement("a");
      a.href = node.href;
      a.rel = "noopener noreferrer nofollow";
      a.target = "_blank";
      inlineNodes(doc, node.c, a);
      into.appendChild(a);
    } else {
      const el = doc.createElement(node.t);
      inlineNodes(doc, node.c, el);
      into.appendChild(el);
    }
  }
}

/** Markdown → DOM nodes, built without parsing any HTML. */
export function renderMarkdown(source: string, doc: Document = document): DocumentFragment {
  const fragment = doc.createDocumentFragment();
  for (const block of parseMarkdown(source)) {
    let el: HTMLElement;
    if (block.t === "pre") {
      el = doc.createElement("pre");
      const code = doc.createElement("code");
      code.textContent = block.v;
      el.appendChild(code);
    } else if ("items" in block) {
      el = doc.createElement(block.t);
      for (const item of block.items) {
        const li = doc.createElement("li");
        inlineNodes(doc, item, li);
        el.appendChild(li);
      }
    } else {
      el = doc.createElement(block.t === "h" ? `h${block.level + 2}` : block.t === "quote" ? "blockquote" : "p");
      inlineNodes(doc, block.c, el);
    }
    fragment.appendChild(el);
  }
  return fragment;
}
