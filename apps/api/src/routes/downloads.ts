import { pipeline } from "node:stream/promises";
import { type AuthUser, bearerToken, type TokenVerifier } from "@chat/core";
import type { ChatRepository, FileRow } from "@chat/db";
import { ChatError } from "@chat/protocol";
import { type Request, type Response, Router } from "express";
import { contentDisposition } from "../files/file-name";
import type { ResolvedFilesOptions } from "../files/options";
import { parseRange } from "../files/range";
import type { FileVariant } from "../files/signed-url";
import { thumbKeyOf } from "../files/thumbnails";
import { param } from "../http/validate";

const notFound = () => new ChatError("NOT_FOUND", "File not found");

/**
 * `GET /files/:fileId` and `/files/:fileId/thumb`, mounted at the app root. Either a signed URL
 * (`?exp=&sig=`, checked before anything is looked up: a bad or expired one is 403 whether or not
 * the file exists) or `Authorization: Bearer` of a participant of the file's session (404 for
 * anyone else). The bytes are proxied from storage, with S3 too, so the safety headers below
 * always apply (a presigned S3 redirect would serve them with S3's headers).
 */
export function downloadRoutes(
  deps: { repo: ChatRepository; verifyToken: TokenVerifier },
  files: ResolvedFilesOptions,
) {
  const router = Router();

  async function authorize(req: Request, variant: FileVariant): Promise<FileRow> {
    const fileId = param(req.params.fileId, "file");
    const { exp, sig } = req.query;
    let user: AuthUser | undefined;
    if (exp !== undefined || sig !== undefined) {
      const verdict = files.signer.verify(fileId, variant, exp, sig);
      if (verdict !== "ok") {
        throw new ChatError("FORBIDDEN", verdict === "expired" ? "This file link has expired" : "Invalid file link");
      }
    } else {
      user = await deps.verifyToken(bearerToken(req.headers.authorization));
    }
    const file = await deps.repo.getFile(fileId);
    if (!file?.storageKey || !file.sessionId) throw notFound();
    if (user && !(await deps.repo.isParticipant(file.sessionId, user.userId))) throw notFound();
    if (variant === "thumb" && !file.thumbnailUrl) throw notFound();
    return file;
  }

  const serve = (variant: FileVariant) => async (req: Request, res: Response) => {
    const file = await authorize(req, variant);
    const key = variant === "thumb" ? thumbKeyOf(file.storageKey ?? "") : (file.storageKey ?? "");
    const type = variant === "thumb" ? "image/webp" : (file.fileType ?? "application/octet-stream");
    const size = variant === "thumb" ? (await files.storage.head(key))?.size : (file.fileSize ?? undefined);
    if (size === undefined) throw notFound();
    const etag = `"${file.sha256}${variant === "thumb" ? "-thumb" : ""}"`;

    res.setHeader("Content-Type", type);
    res.setHeader("X-Content-Type-Options", "nosniff");
    // Even a file a browser would render runs with no script, no origin, no forms.
    res.setHeader("Content-Security-Policy", "sandbox; default-src 'none'; img-src 'self'; style-src 'unsafe-inline'");
    res.setHeader(
      "Content-Disposition",
      contentDisposition(
        type.startsWith("image/") ? "inline" : "attachment",
        variant === "thumb" ? `thumb-${file.fileName}.webp` : file.fileName,
      ),
    );
    res.setHeader("ETag", etag);
    res.setHeader("Accept-Ranges", "bytes");
    res.setHeader("Cache-Control", "private, max-age=300");

    const ifNoneMatch = req.headers["if-none-match"];
    if (
      ifNoneMatch &&
      (ifNoneMatch === "*" || ifNoneMatch.split(",").some((t) => t.trim().replace(/^W\//, "") === etag))
    ) {
      res.status(304).end();
      return;
    }
    // If-Range with another validator means the client's copy is stale: send it all.
    const ifRange = req.headers["if-range"];
    const range = ifRange && ifRange !== etag ? undefined : parseRange(req.headers.range, size);
    if (range === "unsatisfiable") {
      res.setHeader("Content-Range", `bytes */${size}`);
      throw new ChatError("RANGE_NOT_SATISFIABLE", "Range not satisfiable", {
        details: [{ path: "range", message: `size is ${size}` }],
      });
    }
    if (range) {
      res.status(206);
      res.setHeader("Content-Range", `bytes ${range.start}-${range.end}/${size}`);
      res.setHeader("Content-Length", range.end - range.start + 1);
    } else {
      res.setHeader("Content-Length", size);
    }
    if (req.method === "HEAD") {
      res.end();
      return;
    }
    const body = await files.storage.get(key, range);
    // A client that goes away mid-download is not a server error.
    await pipeline(body, res).catch(() => body.destroy());
  };

  router.get("/:fileId", serve("file"));
  router.get("/:fileId/thumb", serve("thumb"));
  return router;
}
