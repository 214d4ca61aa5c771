// How a CSV is declared: a table of records, one cell maker per column (src/report/tables.ts
// declares every file the harness writes with these), and the cell formats the tables share.

/** A CSV file: its name, its columns in order, and a record's row (one string per column, in order). */
export interface CsvTable<T, C extends string = string> {
  readonly file: string;
  readonly columns: readonly C[];
  row(record: T): string[];
  /** One column's cell of a record. */
  cell(record: T, column: C): string;
}

/** A row of a table read back: every column's text by name. */
export type CsvRow<Table> = Table extends CsvTable<never, infer C> ? Record<C, string> : never;

/**
 * A column whose figure is kept apart from its CSV text, so the other views of the same record
 * (the console table, /metrics) read the figure from here and only format it their own way.
 * Methods, so a figure that needs less of the record (a stage summary's delay) fits any table of
 * richer records.
 */
export interface Figure<T, V> {
  value(record: T): V;
  cell(value: V): string;
}

export const figure = <T, V>(value: (record: T) => V, cell: (value: V) => string): Figure<T, V> => ({ value, cell });

type Cell<T> = ((record: T) => string) | Figure<T, unknown>;

/** A table whose cells are kept by column, for reading a column's figure (`cells.p99_ms.value(record)`). */
export type FigureTable<T, Cells> = CsvTable<T, keyof Cells & string> & { readonly cells: Cells };

/**
 * Declares a table of records T: `cells` maps each column, in order, to how its cell is made:
 * a function of the record, or a figure with its format (`table<T>()(file, cells)`: T given, the
 * column names inferred from `cells`).
 */
export function table<T>() {
  return <const Cells extends Record<string, Cell<T>>>(file: string, cells: Cells): FigureTable<T, Cells> => {
    const columns = Object.keys(cells) as Array<keyof Cells & string>;
    const text = (c: Cell<T>, record: T) => (typeof c === "function" ? c(record) : c.cell(c.value(record)));
    const makers = Object.values(cells);
    return { file, columns, cells, row: (record) => makers.map((c) => text(c, record)), cell: (record, column) => text(cells[column]!, record) };
  };
}

/**
 * A number with one decimal, like toFixed(1) but rounding half away from zero on the value
 * times ten, so at an exact half-tenth it may differ from toFixed in the last digit (about once
 * per million random values); "-0.0" comes out as "0.0".
 */
export function fixed1(v: number): string {
  if (!(v < 1e15 && v > -1e15)) return v.toFixed(1);
  const magnitude = v < 0 ? -v : v;
  const tenths = Math.round(magnitude * 10);
  const whole = Math.floor(tenths / 10);
  const text = `${whole}.${tenths - whole * 10}`;
  return v < 0 && tenths !== 0 ? `-${text}` : text;
}

/** ms with one decimal (fixed1); empty when undefined. */
export const ms = (v: number | undefined): string => (v === undefined ? "" : fixed1(v));
/** toFixed(digits); empty when undefined. */
export const fixed = (v: number | undefined, digits: number): string => (v === undefined ? "" : v.toFixed(digits));
/** String(v); empty when undefined. */
export const text = (v: string | number | boolean | undefined): string => (v === undefined ? "" : String(v));
/** Four significant digits ("1.374e-5" when small, as Number() reads it back); "0" for zero. */
export const probability = (v: number | undefined): string => (v === undefined ? "" : v === 0 ? "0" : String(Number(v.toPrecision(4))));
/** Up to `digits` decimals without trailing zeros; empty when undefined or not finite. */
export const trimmed = (v: number | undefined, digits: number) => (v === undefined || !Number.isFinite(v) ? "" : String(+v.toFixed(digits)));
