/**
 * Notification emails in the app's look (BigDesign colours, one card, plain-text twin). Every
 * template returns subject, html and text; values are escaped here, so callers pass raw strings.
 */
export type RenderedEmail = { subject: string; html: string; text: string };

export const esc = (s: string) =>
  s
    .replace(/&/g, "&amp;")
    .replace(/</g, "&lt;")
    .replace(/>/g, "&gt;")
    .replace(/"/g, "&quot;")
    .replace(/'/g, "&#39;");

/** A date as merchants read it, in the store's timezone. */
export function formatDate(ms: number, timeZone = "UTC"): string {
  try {
    return new Intl.DateTimeFormat("en-US", {
      year: "numeric",
      month: "short",
      day: "numeric",
      hour: "numeric",
      minute: "2-digit",
      timeZone,
      timeZoneName: "short",
    }).format(ms);
  } catch {
    return new Date(ms).toUTCString();
  }
}

export function formatBytes(n: number): string {
  if (n < 1024) return `${n} B`;
  const units = ["KB", "MB", "GB", "TB"];
  let v = n / 1024;
  let i = 0;
  while (v >= 1024 && i < units.length - 1) {
    v /= 1024;
    i++;
  }
  return `${v.toFixed(v < 10 ? 1 : 0)} ${units[i]}`;
}

export function layout(title: string, body: string, footer: string): string {
  return `<!doctype html><html><head><meta charset="utf-8"><meta name="viewport" content="width=device-width"><title>${esc(title)}</title></head>
<body style="margin:0;background:#f6f7fc;font-family:'Source Sans 3','Source Sans Pro',Arial,sans-serif;color:#313440">
<table role="presentation" width="100%" cellspacing="0" cellpadding="0" style="background:#f6f7fc;padding:24px 0"><tr><td align="center">
<table role="presentation" width="600" cellspacing="0" cellpadding="0" style="max-width:600px;width:100%">
<tr><td style="background:#3c64f4;color:#ffffff;padding:16px 24px;font-size:18px;font-weight:700;border-radius:4px 4px 0 0">Strongbox</td></tr>
<tr><td style="background:#ffffff;padding:24px;border:1px solid #d9dce9;border-top:0;border-radius:0 0 4px 4px">
<h1 style="font-size:22px;margin:0 0 16px">${esc(title)}</h1>
${body}
</td></tr>
<tr><td style="padding:16px 24px;color:#5e637a;font-size:13px">${footer}</td></tr>
</table></td></tr></table></body></html>`;
}

export const p = (html: string) => `<p style="margin:0 0 12px;line-height:1.5">${html}</p>`;

function table(head: string[], rows: string[][]): string {
  const th = head
    .map(
      (h) =>
        `<th align="left" style="padding:8px;border-bottom:1px solid #d9dce9;font-size:13px;color:#5e637a">${esc(h)}</th>`,
    )
    .join("");
  const tr = rows
    .map(
      (r) =>
        `<tr>${r.map((c) => `<td style="padding:8px;border-bottom:1px solid #eef0f6">${c}</td>`).join("")}</tr>`,
    )
    .join("");
  return `<table role="presentation" width="100%" cellspacing="0" cellpadding="0" style="border-collapse:collapse;margin:0 0 16px">${th ? `<tr>${th}</tr>` : ""}${tr}</table>`;
}

export const button = (href: string, label: string) =>
  `<a href="${esc(href)}" style="display:inline-block;background:#3c64f4;color:#ffffff;text-decoration:none;padding:8px 16px;border-radius:4px;font-weight:600;margin:0 8px 8px 0">${esc(label)}</a>`;

const KIND_LABEL = { manual: "Manual", weekly: "Weekly", monthly: "Monthly" } as const;

export type ExportReadyInput = {
  storeName: string;
  kind: keyof typeof KIND_LABEL;
  createdAt: number;
  expiresAt: number;
  timezone?: string;
  /** `count` null: the store does not have this content type. */
  types: { label: string; count: number | null }[];
  links: { name: string; url: string; size: number }[];
  historyUrl: string;
  /** Said when the export was built from the vault instead of the live store. */
  sourceNote?: string;
};

export function exportReadyEmail(i: ExportReadyInput): RenderedEmail {
  const tz = i.timezone ?? "UTC";
  const subject = `Your ${KIND_LABEL[i.kind].toLowerCase()} export of ${i.storeName} is ready`;
  const expires = formatDate(i.expiresAt, tz);
  const html = layout(
    "Your export is ready",
    [
      p(
        `The ${esc(KIND_LABEL[i.kind].toLowerCase())} export of <strong>${esc(i.storeName)}</strong> started ${esc(formatDate(i.createdAt, tz))} has finished.`,
      ),
      i.sourceNote ? p(esc(i.sourceNote)) : "",
      p(
        `Download ${i.links.length > 1 ? `its ${i.links.length} ZIP files` : "the ZIP file"} before <strong>${esc(expires)}</strong>: the links stop working after one week and the files are deleted.`,
      ),
      `<div style="margin:0 0 16px">${i.links.map((l) => button(l.url, `Download ${l.name} (${formatBytes(l.size)})`)).join("")}</div>`,
      table(
        ["Content type", "Items"],
        i.types.map((t) => [
          esc(t.label),
          t.count === null ? "Not available on this store" : String(t.count),
        ]),
      ),
      p(
        `Each content type is a JSON Lines file (every field, re-importable) and a CSV file to open in a spreadsheet. <code>manifest.json</code> lists the counts and a SHA-256 checksum of every file.`,
      ),
    ].join("\n"),
    `You receive this email because your address was added to an export in Strongbox. <a href="${esc(i.historyUrl)}" style="color:#3c64f4">Export history</a>`,
  );
  const text = [
    `Your export is ready`,
    ``,
    `The ${KIND_LABEL[i.kind].toLowerCase()} export of ${i.storeName} started ${formatDate(i.createdAt, tz)} has finished.`,
    ...(i.sourceNote ? [i.sourceNote] : []),
    `Download before ${expires} (links are valid one week):`,
    ...i.links.map((l) => `- ${l.name} (${formatBytes(l.size)}): ${l.url}`),
    ``,
    `Content types:`,
    ...i.types.map(
      (t) => `- ${t.label}: ${t.count === null ? "not available on this store" : `${t.count} items`}`,
    ),
    ``,
    `Export history: ${i.historyUrl}`,
  ].join("\n");
  return { subject, html, text };
}

export type ExportFailedInput = {
  storeName: string;
  kind: keyof typeof KIND_LABEL;
  createdAt: number;
  timezone?: string;
  reason: string;
  historyUrl: string;
};

export function exportFailedEmail(i: ExportFailedInput): RenderedEmail {
  const tz = i.timezone ?? "UTC";
  const subject = `Your export of ${i.storeName} failed`;
  const html = layout(
    "Your export failed",
    [
      p(
        `The ${esc(KIND_LABEL[i.kind].toLowerCase())} export of <strong>${esc(i.storeName)}</strong> started ${esc(formatDate(i.createdAt, tz))} did not finish.`,
      ),
      `<p style="margin:0 0 12px;padding:12px;background:#fdeced;border-left:4px solid #db3643;line-height:1.5"><strong>Why:</strong> ${esc(i.reason)}</p>`,
      p(
        "Nothing was changed in your store. Start the export again from Export &gt; Quick Export; if it fails again, contact support with the time above.",
      ),
      button(i.historyUrl, "Open Export history"),
    ].join("\n"),
    "You receive this email because your address was added to an export in Strongbox.",
  );
  const text = [
    "Your export failed",
    "",
    `The ${KIND_LABEL[i.kind].toLowerCase()} export of ${i.storeName} started ${formatDate(i.createdAt, tz)} did not finish.`,
    `Why: ${i.reason}`,
    "",
    "Nothing was changed in your store. Start the export again from Export > Quick Export.",
    `Export history: ${i.historyUrl}`,
  ].join("\n");
  return { subject, html, text };
}

export type RestoreFinishedInput = {
  storeName: string;
  /** "done" or "fail", as Recovery History shows it. */
  status: "done" | "fail";
  kind: "single" | "bulk" | "undo";
  targetAt: number;
  finishedAt: number;
  timezone?: string;
  total: number;
  succeeded: number;
  errors: number;
  types: { label: string; count: number; errors?: number }[];
  detailUrl: string;
  reason?: string;
};

export function restoreFinishedEmail(i: RestoreFinishedInput): RenderedEmail {
  const tz = i.timezone ?? "UTC";
  const ok = i.status === "done" && i.errors === 0;
  const what = i.kind === "undo" ? "undo of a restore" : i.kind === "single" ? "restore" : "bulk restore";
  const headline = ok
    ? `Your ${what} finished`
    : i.status === "done"
      ? `Your ${what} finished with errors`
      : `Your ${what} failed`;
  const subject = `${headline}: ${i.storeName}`;
  const html = layout(
    headline,
    [
      p(
        `The ${esc(what)} of <strong>${esc(i.storeName)}</strong> to the state of ${esc(formatDate(i.targetAt, tz))} ended ${esc(formatDate(i.finishedAt, tz))}.`,
      ),
      table(
        [],
        [
          ["Items", String(i.total)],
          ["Restored", String(i.succeeded)],
          ["Errors", String(i.errors)],
        ],
      ),
      i.types.length
        ? table(
            ["Content type", "Items", "Errors"],
            i.types.map((t) => [esc(t.label), String(t.count), String(t.errors ?? 0)]),
          )
        : "",
      i.reason
        ? `<p style="margin:0 0 12px;padding:12px;background:#fdeced;border-left:4px solid #db3643"><strong>Why:</strong> ${esc(i.reason)}</p>`
        : "",
      button(i.detailUrl, "View detail"),
    ].join("\n"),
    "You receive this email because your address was added to a restore in Strongbox.",
  );
  const text = [
    headline,
    "",
    `The ${what} of ${i.storeName} to the state of ${formatDate(i.targetAt, tz)} ended ${formatDate(i.finishedAt, tz)}.`,
    `Items: ${i.total}, restored: ${i.succeeded}, errors: ${i.errors}`,
    ...i.types.map((t) => `- ${t.label}: ${t.count} items${t.errors ? `, ${t.errors} errors` : ""}`),
    ...(i.reason ? [`Why: ${i.reason}`] : []),
    "",
    `View detail: ${i.detailUrl}`,
  ].join("\n");
  return { subject, html, text };
}
