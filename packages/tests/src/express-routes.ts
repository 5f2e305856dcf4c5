import type { Api } from "@chat/api";

/** The parts of an Express 5 (router 2) layer that say what it serves. */
interface Layer {
  rawPath?: string;
  route?: { path: string | string[]; methods: Record<string, boolean> };
  handle?: { stack?: Layer[] };
}

const join = (prefix: string, path: string) => (path === "/" ? prefix : `${prefix}${path}`).replace(/\/$/, "") || "/";

/**
 * Every route an Express app serves, as `"GET /api/chat/sessions/:sessionId"` (mounted routers
 * walked, trailing slashes dropped, `.all()` fallbacks such as 405 handlers left out). Lets a
 * test fail when a route is added without a case for it.
 */
export function listRoutes(app: Api["app"]): string[] {
  const walk = (stack: Layer[], prefix: string): string[] =>
    stack.flatMap((layer) => {
      if (layer.route) {
        const paths = [layer.route.path].flat().map((path) => join(prefix, path));
        return Object.keys(layer.route.methods)
          .filter((method) => method !== "_all")
          .flatMap((method) => paths.map((path) => `${method.toUpperCase()} ${path}`));
      }
      if (layer.handle?.stack) return walk(layer.handle.stack, join(prefix, layer.rawPath ?? "/"));
      return [];
    });
  return [...new Set(walk((app as unknown as { router: { stack: Layer[] } }).router.stack, ""))];
}
