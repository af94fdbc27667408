/**
 * Records as spreadsheet rows. A record's scalar fields are columns; nested objects become dotted
 * columns (`address.city`); lists of plain values are joined with " | "; a top-level list of objects
 * (a product's variants, an order's consignments) goes to its own CSV, one row per item, keyed by the
 * record's id. Deeper lists of objects stay JSON in a single cell. Nothing is type-specific: every
 * content type is flattened by the same rules, so a new registry entry exports without code.
 */
/**
 * One CSV file's columns while pages are rendered: the names in first-seen order (the array is the
 * caller's and grows in place), their indexes, and a tree of the key paths seen so far, so a dotted
 * name (`billing_address.city`) is built once per page rather than once per record and field.
 */
export class CsvColumns {
  private readonly index = new Map<string, number>();
  readonly root: PathNode = { name: "", col: -1, children: null };

  constructor(readonly names: string[]) {
    for (let i = 0; i < names.length; i++) this.index.set(names[i], i);
  }

  /** The column of a name, added at the end when new. */
  columnOf(name: string): number {
    let col = this.index.get(name);
    if (col === undefined) {
      col = this.names.length;
      this.names.push(name);
      this.index.set(name, col);
    }
    return col;
  }

  /** The column of a path node (two paths can spell the same name: `{"a.b": 1}` and `{a: {b: 1}}`). */
  colOf(node: PathNode): number {
    if (node.col < 0) node.col = this.columnOf(node.name);
    return node.col;
  }
}

type PathNode = { name: string; col: number; children: Map<string, PathNode> | null };

function childOf(node: PathNode, key: string): PathNode {
  node.children ??= new Map();
  let child = node.children.get(key);
  if (!child) {
    child = { name: node.name ? `${node.name}.${key}` : key, col: -1, children: null };
    node.children.set(key, child);
  }
  return child;
}

/** A row: cells by column index; a column the record lacks is a hole (an empty cell). */
export type Row = string[];

/** The CSV rows one record contributes: its main row, and the rows of each list of objects. */
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

function flattenInto(columns: CsvColumns, out: Row, value: unknown, node: PathNode) {
  if (isPlain(value)) {
    let empty = true;
    for (const k in value) {
      empty = false;
      flattenInto(columns, out, value[k], childOf(node, k));
    }
    if (empty && node.name) out[columns.colOf(node)] = "";
    return;
  }
  if (Array.isArray(value)) {
    out[columns.colOf(node)] = value.every((v) => v === null || typeof v !== "object")
      ? value.map(cell).join(" | ")
      : JSON.stringify(value);
    return;
  }
  out[columns.colOf(node)] = cell(value);
}

/**
 * A record's rows, adding the columns they use: `main` for the type's CSV, `childColumns(list)` for
 * a list of objects' CSV, whose rows start with the record's id in `parentKey`.
 */
export function flattenRecord(
  record: Record<string, unknown>,
  main: CsvColumns,
  childColumns: (list: string) => CsvColumns,
  parentKey: string,
  parentId: string,
): FlatRecord {
  const row: Row = [];
  const children: Record<string, Row[]> = {};
  for (const k in record) {
    const v = record[k];
    if (Array.isArray(v) && v.length > 0 && v.every(isPlain)) {
      const columns = childColumns(k);
      const parentCol = columns.columnOf(parentKey);
      children[k] = v.map((item) => {
        const r: Row = [];
        r[parentCol] = parentId;
        flattenInto(columns, r, item, columns.root);
        return r;
      });
      continue;
    }
    if (Array.isArray(v) && v.length === 0) continue;
    flattenInto(main, row, v, childOf(main.root, k));
  }
  return { main: row, children };
}

/** RFC 4180: quote fields holding a quote, comma or line break; double inner quotes. Leading =+-@ are prefixed with ' so a spreadsheet does not run them as formulas. */
export function csvField(v: string): string {
  if (v === "") return v;
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

/**
 * A flattened row as a CSV line of `width` cells (its holes and missing trailing cells empty). Cells
 * are escaped here, not when flattened: an escaped copy kept until the page's rows are written made
 * rendering twice as slow in V8 (young-generation collections copying them).
 */
export function csvRow(row: Row, width: number): string {
  // Padded with separators rather than by growing the array (`length = width` can make V8 store it as a dictionary).
  const missing = row.length ? width - row.length : width - 1;
  return `${row.map(csvField).join(",")}${missing > 0 ? ",".repeat(missing) : ""}\r\n`;
}
