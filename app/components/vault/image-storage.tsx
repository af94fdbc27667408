import { createResource, Show } from "solid-js";
import { request } from "../../api";
import { formatBytes, formatNumber } from "../../format";
import { type Column, DataTable } from "../data-table";

type ImageFilesRow = { files: number; bytes: number };

/**
 * Item Storage's "Image files" row: the product, variant, brand, category and blog images the vault
 * keeps, each file counted once however many records or versions use it. Reloads when a backup ends.
 */
export function ImageFilesStorage(props: { backingUp: boolean }) {
  const [row] = createResource(
    () => (props.backingUp ? undefined : "idle"),
    () => request<ImageFilesRow>("/api/vault/image-storage"),
  );
  const columns: Column<ImageFilesRow>[] = [
    { header: "Files", cell: () => "Image files" },
    { header: "Items", numeric: true, cell: (r) => formatNumber(r.files) },
    { header: "Storage", numeric: true, cell: (r) => formatBytes(r.bytes) },
  ];
  return (
    <Show when={row()}>
      {(r) => (
        <section class="storage-group" aria-labelledby="storage-images">
          <h3 id="storage-images">Image files</h3>
          <DataTable
            caption="Image files: files kept and their storage"
            columns={columns}
            rows={[r()]}
            rowKey={() => "image_files"}
          />
        </section>
      )}
    </Show>
  );
}
