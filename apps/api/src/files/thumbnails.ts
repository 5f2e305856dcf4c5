import { ChatError } from "@chat/protocol";
import sharp from "sharp";
import type { FileStorage } from "./storage";

/** Types sharp can thumbnail (only those in ALLOWED_FILE_TYPES ever get here). */
const THUMBNAILABLE = new Set(["image/jpeg", "image/png", "image/webp", "image/gif", "image/avif", "image/tiff"]);

export const canThumbnail = (type: string) => THUMBNAILABLE.has(type);

export const thumbKeyOf = (key: string) => `${key}.thumb`;

export interface ThumbnailOptions {
  maxPixels: number;
  size: number;
}

/**
 * A WebP thumbnail of an image in storage, stored beside it. Decoding runs on sharp's thread
 * pool, not the event loop. An image with more than `maxPixels` pixels (a decompression bomb:
 * a few KB declaring 30000×30000) is refused with PAYLOAD_TOO_LARGE. Returns false when the
 * image cannot be decoded otherwise (the file is kept, without a thumbnail).
 */
export async function makeThumbnail(storage: FileStorage, key: string, options: ThumbnailOptions): Promise<boolean> {
  const source = await storage.get(key);
  const transformer = sharp({ limitInputPixels: options.maxPixels, sequentialRead: true })
    .rotate()
    .resize(options.size, options.size, { fit: "inside", withoutEnlargement: true })
    .webp({ quality: 80 });
  source.once("error", (error) => transformer.destroy(error));
  source.pipe(transformer);
  try {
    await storage.put(thumbKeyOf(key), transformer, { contentType: "image/webp" });
    return true;
  } catch (error) {
    source.destroy();
    if (error instanceof Error && /pixel limit/i.test(error.message)) {
      throw new ChatError("PAYLOAD_TOO_LARGE", `Image has more than ${options.maxPixels} pixels`, {
        details: [{ path: "file", message: `image dimensions must be at most ${options.maxPixels} pixels` }],
      });
    }
    return false;
  }
}
