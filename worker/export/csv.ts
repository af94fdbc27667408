/**
 * Records as spreadsheet rows. A record's scalar fields are columns; nested objects become dotted
 * columns (`address.city`); lists of plain values are joined with " | "; a top-level list of objects
 * (a product's variants, an order's consignments) goes to its own CSV, one row per item, keyed by the
 * record's id. Deeper lists of objects stay JSON in a single cell. Nothing is type-specific: every
 * content type is flattened by the same rules, so a new registry entry exports without code.
 */
/** Column name → cell. A Map: rows have dozens of dotted keys, which objects hold in slow dictionary mode. */
export type Row = Map<string, string>;

/** The CSV files one record contributes to: "" is the type's main CSV, other keys the child lists. */
export type FlatRecord = { main: Row; children: Record<string, Row[]> };

/** The column every child CSV starts with: the id of the record the row belongs to. */
export const parentColumn = (type: string) => `${type}.id`;

const isPlain = (v: unknown): v is Record<string, unknown> =>
  v !== null && typeof v === "object" && !Array.isArray(v);

function cell(v: unknown): string {
  if (v === null || v === undefined) return "";
  if (typeof v === "string") return v;
  if (typeof v === "number" || typeof v === "boolean" || typeof v === "bigint") return String(v);
  return JSON.stringify(v);
}

function flattenInto(out: Row, value: unknown, prefix: string) {
  if (isPlain(value)) {
    let empty = true;
    for (const k in value) {
      empty = false;
      flattenInto(out, value[k], prefix ? `${prefix}.${k}` : k);
    }
    if (empty && prefix) out.set(prefix, "");
    return;
  }
  if (Array.isArray(value)) {
    out.set(
      prefix,
      value.every((v) => v === null || typeof v !== "object")
        ? value.map(cell).join(" | ")
        : JSON.stringify(value),
    );
    return;
  }
  out.set(prefix, cell(value));
}

/**
 * `only` limits the work to one CSV when packaging writes them one at a time: "" for the main row,
 * a list's key for that child CSV; undefined flattens everything (collecting columns).
 */
export function flattenRecord(
  record: Record<string, unknown>,
  parentKey: string,
  parentId: string,
  only?: string,
): FlatRecord {
  const main: Row = new Map();
  const children: Record<string, Row[]> = {};
  for (const k in record) {
    const v = record[k];
    if (Array.isArray(v) && v.length > 0 && v.every(isPlain)) {
      if (only !== undefined && only !== k) continue;
      children[k] = v.map((item) => {
        const row: Row = new Map([[parentKey, parentId]]);
        flattenInto(row, item, "");
        return row;
      });
      continue;
    }
    if (Array.isArray(v) && v.length === 0) continue;
    if (only === undefined || only === "") flattenInto(main, v, k);
  }
  return { main, children };
}

/** Adds the row's columns not yet known, in first-seen order; `known` mirrors `columns` (kept by the caller across rows). */
export function mergeColumns(columns: string[], row: Row, known = new Set(columns)): boolean {
  let added = false;
  for (const k of row.keys()) {
    if (!known.has(k)) {
      columns.push(k);
      known.add(k);
      added = true;
    }
  }
  return added;
}

/** RFC 4180: quote fields holding a quote, comma or line break; double inner quotes. Leading =+-@ are prefixed with ' so a spreadsheet does not run them as formulas. */
export function csvField(v: string): string {
  let s = v;
  const first = s.charCodeAt(0);
  // = + - @ tab CR
  if (
    (first === 61 || first === 43 || first === 45 || first === 64 || first === 9 || first === 13) &&
    !/^-?\d+(\.\d+)?$/.test(s)
  )
    s = `'${s}`;
  return /[",\r\n]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
}

export const csvLine = (values: string[]) => `${values.map(csvField).join(",")}\r\n`;

export const csvRow = (columns: string[], row: Row) => csvLine(columns.map((c) => row.get(c) ?? ""));
