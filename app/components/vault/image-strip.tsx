import { createResource, For, Show } from "solid-js";
import { request } from "../../api";
import { formatBytes } from "../../format";
import "./image-strip.css";

/** One image a version references (`GET /api/vault/items/{type}/{id}/versions/{versionId}/images`). */
export type VersionImage = {
  sha256: string | null;
  url: string;
  label: string;
  bytes: number | null;
  contentType: string | null;
};

/**
 * The selected version's image files, as thumbnails served from the vault (not from the store's CDN,
 * where a deleted product's files no longer exist). Shows nothing for types without images.
 */
export function ImageStrip(props: { type: string; id: string; versionId: number | undefined }) {
  const [images] = createResource(
    () => (props.versionId !== undefined ? ([props.type, props.id, props.versionId] as const) : undefined),
    ([type, id, versionId]) =>
      request<{ images: VersionImage[] }>(
        `/api/vault/items/${encodeURIComponent(type)}/${encodeURIComponent(id)}/versions/${versionId}/images`,
      ).then((r) => r.images),
  );
  return (
    <Show when={(images() ?? []).length > 0}>
      <section class="image-strip" aria-label="Image files of the selected version">
        <h4 class="image-strip__title">Image files in the vault ({images()?.length})</h4>
        <ul class="image-strip__list">
          <For each={images()}>
            {(image, i) => (
              <li class="image-strip__item">
                <Show
                  when={image.sha256}
                  fallback={
                    <span class="image-strip__missing" title={image.url}>
                      Not kept (the file could not be downloaded)
                    </span>
                  }
                >
                  {(sha) => (
                    <a href={`/api/vault/images/${sha()}`} target="_blank" rel="noopener">
                      <img
                        src={`/api/vault/images/${sha()}`}
                        alt={`${image.label} ${i() + 1}`}
                        loading="lazy"
                        width="72"
                        height="72"
                      />
                    </a>
                  )}
                </Show>
                <span class="image-strip__meta">
                  {image.label}
                  {image.bytes !== null ? ` · ${formatBytes(image.bytes)}` : ""}
                </span>
              </li>
            )}
          </For>
        </ul>
      </section>
    </Show>
  );
}
