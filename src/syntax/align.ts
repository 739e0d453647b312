// Column alignment for the printer, with the same elastic-tabstop rules as the tabwriter that
// `alloy fmt` runs its output through: cells end at a tab; in a run of consecutive lines that
// all have a cell in column k, that column is as wide as its widest cell plus one space.
// Leading empty cells (indentation) print as tabs. A formfeed line ends every run.

/** One cell of a line; the last cell of a line is not terminated and never padded. */
export interface Cell {
  text: string;
  /** Width in characters (code points). */
  width: number;
  /** Terminated by a tab (`\t`) rather than a vertical tab (`\v`); only matters for empty cells. */
  htab: boolean;
  /** Length of the prefix of `text` that is literal (string/comment) and must not be trimmed. */
  keep: number;
}

export interface Line {
  cells: Cell[];
  /** The line ended with a formfeed: alignment runs stop here. */
  formfeed: boolean;
}

const PADDING = 1;
const TAB_WIDTH = 8;

/** Renders aligned lines joined by `\n`, trailing blanks trimmed (literal text excepted). */
export function renderLines(lines: readonly Line[]): string {
  const out: string[] = [];
  let from = 0;
  for (let i = 0; i < lines.length; i++) {
    if (lines[i]!.formfeed || i === lines.length - 1) {
      formatColumns(lines, from, i + 1, [], out);
      from = i + 1;
    }
  }
  return out.join("\n");
}

/** Lays out lines [from, to) given the widths of the columns to the left. */
function formatColumns(lines: readonly Line[], from: number, to: number, widths: number[], out: string[]): void {
  const column = widths.length;
  let unprinted = from;
  for (let i = from; i < to; i++) {
    if (!hasCell(lines[i]!, column)) continue;
    writeLines(lines, unprinted, i, widths, out);
    const blockStart = i;
    let width = 0;
    let discardable = true;
    for (; i < to && hasCell(lines[i]!, column); i++) {
      const cell = lines[i]!.cells[column]!;
      width = Math.max(width, cell.width + PADDING);
      if (cell.width > 0 || cell.htab) discardable = false;
    }
    widths.push(discardable ? 0 : width);
    formatColumns(lines, blockStart, i, widths, out);
    widths.pop();
    unprinted = i;
  }
  writeLines(lines, unprinted, to, widths, out);
}

/** Whether `line` has a terminated cell in `column`. */
function hasCell(line: Line, column: number): boolean {
  return column < line.cells.length - 1;
}

function writeLines(lines: readonly Line[], from: number, to: number, widths: readonly number[], out: string[]): void {
  for (let i = from; i < to; i++) out.push(renderLine(lines[i]!, widths));
}

function renderLine(line: Line, widths: readonly number[]): string {
  let s = "";
  let keep = 0;
  let leading = true;
  line.cells.forEach((cell, j) => {
    const width = widths[j];
    if (cell.text === "") {
      if (width !== undefined) s += padding(0, width, leading);
      return;
    }
    leading = false;
    if (cell.keep > 0) keep = s.length + cell.keep;
    s += cell.text;
    if (width !== undefined) s += padding(cell.width, width, false);
  });
  let end = s.length;
  while (end > keep && (s.charCodeAt(end - 1) === 32 || s.charCodeAt(end - 1) === 9)) end--;
  return s.slice(0, end);
}

function padding(textWidth: number, cellWidth: number, tabs: boolean): string {
  if (!tabs) return " ".repeat(cellWidth - textWidth);
  const rounded = Math.ceil(cellWidth / TAB_WIDTH) * TAB_WIDTH;
  return "\t".repeat(Math.ceil((rounded - textWidth) / TAB_WIDTH));
}
