import type { UploadProgress } from "@chat/client";
import { h } from "./dom";

/** A row for an upload in flight: local preview and a progress bar. */
export function uploadRow(file: File) {
  const bar = h("progress", { max: 100, value: 0 });
  const preview = file.type.startsWith("image/")
    ? h("img", { class: "thumbnail preview", src: URL.createObjectURL(file), alt: "upload preview" })
    : null;
  const element = h(
    "li",
    { class: "message user mine uploading" },
    preview,
    h("div", { class: "body" }, file.name),
    bar,
  );
  return {
    element,
    progress({ loaded, total }: UploadProgress) {
      if (total) bar.value = Math.round((loaded / total) * 100);
    },
  };
}
