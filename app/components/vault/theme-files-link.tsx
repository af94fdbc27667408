import { Show } from "solid-js";

/**
 * "Download theme files" on a custom theme's version: the zip the backup stored for that version
 * (marketplace themes are installed again from the marketplace, so none is stored for them).
 */
export function ThemeFilesLink(props: {
  type: string;
  id: string;
  versionId: number | undefined;
  body: Record<string, unknown> | null;
}) {
  return (
    <Show when={props.type === "themes" && props.versionId !== undefined && props.body?.is_private === true}>
      <a
        class="btn btn--secondary"
        style={{ "margin-left": "8px" }}
        href={`/api/vault/items/themes/${encodeURIComponent(props.id)}/versions/${props.versionId}/files`}
        download=""
      >
        Download theme files
      </a>
    </Show>
  );
}
