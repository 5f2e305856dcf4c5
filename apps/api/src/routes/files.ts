import { ChatError } from "@chat/protocol";
import { type Request, type Response, Router } from "express";
import type { ApiDeps } from "../deps";
import type { ResolvedFilesOptions } from "../files/options";
import { handleUpload, uploadResponse } from "../files/upload";
import { userOf } from "../http/auth";
import { param } from "../http/validate";

/** Request bytes beyond the file that a multipart body may carry (boundaries, headers, `message`). */
const MULTIPART_OVERHEAD = 256 * 1024;

/**
 * `POST /api/chat/sessions/:sessionId/files`: multipart `file` (+ optional `message`). Makes a
 * `file` message unless `?attach=false`, in which case the WS `file` frame attaches it later.
 */
export function fileUploadRoutes({ repo, chat }: ApiDeps, files: ResolvedFilesOptions): Router {
  const router = Router({ mergeParams: true });
  router.post("/", async (req: Request, res: Response) => {
    const userId = userOf(res).userId;
    const sessionId = param(req.params.sessionId, "session");
    const declared = Number(req.headers["content-length"] ?? 0);
    if (declared > files.maxFileSize + MULTIPART_OVERHEAD) {
      // Refused before reading a byte; the connection closes instead of draining a huge body.
      res.setHeader("Connection", "close");
      throw new ChatError("PAYLOAD_TOO_LARGE", `File is larger than the limit of ${files.maxFileSize} bytes`);
    }
    const session = await repo.getSessionForUser(sessionId, userId);
    if (!session) throw new ChatError("SESSION_NOT_FOUND", "Session not found");
    const attach = req.query.attach !== "false";
    const file = await handleUpload({ repo, chat, files }, req, { session, userId, attach });
    res.status(201).json(uploadResponse(file, files.signer));
  });
  return router;
}

/** `GET /api/chat/files/:fileId`: the file's info with fresh signed URLs (participants only). */
export function fileInfoRoutes({ repo }: ApiDeps, files: ResolvedFilesOptions): Router {
  const router = Router();
  router.get("/:fileId", async (req, res) => {
    const file = await repo.getFile(param(req.params.fileId, "file"));
    const allowed = file?.sessionId && (await repo.isParticipant(file.sessionId, userOf(res).userId));
    if (!file || !allowed) throw new ChatError("NOT_FOUND", "File not found");
    res.json(uploadResponse(file, files.signer));
  });
  return router;
}
