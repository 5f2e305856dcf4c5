/**
 * The API reference page at /docs: static HTML, a stylesheet and a small renderer that fetches
 * /api/chat/openapi.json. No CDN (it must work offline) and no innerHTML: every string from the
 * document goes through textContent, and the CSP allows only same-origin scripts and styles.
 */

export const docsHtml = `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>Chat service API reference</title>
<link rel="stylesheet" href="/docs/docs.css">
<script src="/docs/docs.js" defer></script>
</head>
<body>
<header><h1>Chat service API reference</h1><p id="intro">Loading <a href="/api/chat/openapi.json">/api/chat/openapi.json</a>…</p></header>
<nav id="toc"></nav>
<main id="operations"></main>
</body>
</html>
`;

export const docsCss = `
body { font: 15px/1.5 system-ui, sans-serif; margin: 0 auto; max-width: 1000px; padding: 1rem 2rem; color: #1d2330; }
h1 { margin-bottom: .2rem; } h2 { margin-top: 2.5rem; border-bottom: 1px solid #dde; }
nav a { margin-right: 1rem; }
section.op { border: 1px solid #dde; border-radius: 6px; margin: 1rem 0; padding: .6rem 1rem; }
.method { display: inline-block; min-width: 4.2rem; font-weight: 700; text-transform: uppercase; }
.get { color: #0a6; } .post { color: #06c; } .patch { color: #b60; } .delete { color: #c22; }
code, pre { font: 13px/1.4 ui-monospace, monospace; } .path { font-weight: 600; }
pre { background: #f5f6f8; padding: .6rem; overflow: auto; border-radius: 4px; }
table { border-collapse: collapse; margin: .4rem 0; } td, th { border: 1px solid #dde; padding: .2rem .5rem; text-align: left; vertical-align: top; }
.muted { color: #667; }
`;

export const docsJs = `"use strict";
(function () {
  function el(tag, props, children) {
    var node = document.createElement(tag);
    if (props) for (var key in props) {
      if (key === "text") node.textContent = props[key];
      else if (key === "className") node.className = props[key];
      else node.setAttribute(key, props[key]);
    }
    (children || []).forEach(function (child) { if (child) node.appendChild(child); });
    return node;
  }
  function schemaBlock(title, schema) {
    return el("details", null, [el("summary", { text: title }), el("pre", { text: JSON.stringify(schema, null, 2) })]);
  }
  function params(op) {
    var list = op.parameters || [];
    if (!list.length) return null;
    var rows = list.map(function (p) {
      var type = p.schema ? (p.schema.type || (p.schema.anyOf ? "see schema" : "")) : "";
      var notes = [p.description, p.schema && p.schema.default !== undefined ? "default " + JSON.stringify(p.schema.default) : null]
        .filter(Boolean).join("; ");
      return el("tr", null, [el("td", null, [el("code", { text: p.name })]), el("td", { text: p.in }),
        el("td", { text: p.required ? "required" : "optional" }), el("td", { text: String(type) }), el("td", { text: notes })]);
    });
    var head = el("tr", null, ["name", "in", "", "type", "notes"].map(function (h) { return el("th", { text: h }); }));
    return el("table", null, [head].concat(rows));
  }
  function operation(path, method, op) {
    var children = [
      el("div", null, [el("span", { className: "method " + method, text: method }), el("code", { className: "path", text: path })]),
      el("p", { text: op.summary || "" }),
      op.description ? el("p", { className: "muted", text: op.description }) : null,
      op.security && op.security.length === 0 ? el("p", { className: "muted", text: "No token needed." }) : null,
      params(op),
    ];
    var body = op.requestBody && op.requestBody.content["application/json"];
    if (body) children.push(schemaBlock("Request body", body.schema));
    Object.keys(op.responses || {}).forEach(function (status) {
      var response = op.responses[status];
      var content = response.content && response.content["application/json"];
      var title = status + " " + response.description;
      children.push(content ? schemaBlock(title, content.schema) : el("p", { text: title }));
    });
    return el("section", { className: "op" }, children);
  }
  function render(doc) {
    var intro = document.getElementById("intro");
    intro.textContent = doc.info.description || "";
    var byTag = {};
    Object.keys(doc.paths).forEach(function (path) {
      Object.keys(doc.paths[path]).forEach(function (method) {
        var op = doc.paths[path][method];
        var tag = (op.tags && op.tags[0]) || "Other";
        (byTag[tag] = byTag[tag] || []).push(operation(path, method, op));
      });
    });
    var main = document.getElementById("operations");
    var toc = document.getElementById("toc");
    Object.keys(byTag).forEach(function (tag, i) {
      var id = "tag-" + i;
      toc.appendChild(el("a", { href: "#" + id, text: tag }));
      main.appendChild(el("h2", { id: id, text: tag }));
      byTag[tag].forEach(function (section) { main.appendChild(section); });
    });
    main.appendChild(el("h2", { text: "Errors" }));
    main.appendChild(schemaBlock("Error envelope", doc.components.schemas.Error));
  }
  fetch("/api/chat/openapi.json")
    .then(function (res) { if (!res.ok) throw new Error("HTTP " + res.status); return res.json(); })
    .then(render)
    .catch(function (error) { document.getElementById("intro").textContent = "Could not load the API document: " + error.message; });
})();
`;
