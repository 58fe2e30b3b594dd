// Medians, ranges and the printed tables.
export const median = (xs) => {
  const s = xs.filter((x) => Number.isFinite(x)).sort((a, b) => a - b);
  if (!s.length) return NaN;
  return s.length % 2 ? s[(s.length - 1) / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
};
export const range = (xs) => {
  const s = xs.filter((x) => Number.isFinite(x));
  return s.length ? [Math.min(...s), Math.max(...s)] : [NaN, NaN];
};
/** "137.8 (128.0–139.2)": median and range with `digits` decimals; a single value without range. */
export function medRange(xs, digits = 1) {
  const m = median(xs);
  if (!Number.isFinite(m)) return 'n/a';
  const [lo, hi] = range(xs);
  return xs.length > 1 ? `${m.toFixed(digits)} (${lo.toFixed(digits)}–${hi.toFixed(digits)})` : m.toFixed(digits);
}
export const mib = (bytes, digits = 1) => (Number.isFinite(bytes) ? (bytes / 2 ** 20).toFixed(digits) : 'n/a');

/**
 * A table as text: `columns` are the header cells (first is the row label's header), `rows` arrays of cells.
 * Numbers right-aligned, text left-aligned.
 */
export function formatTable(columns, rows) {
  const all = [columns, ...rows].map((r) => r.map((c) => (c === undefined || c === null ? '' : String(c))));
  const widths = columns.map((_, i) => Math.max(...all.map((r) => (r[i] ?? '').length)));
  const line = (r) => r.map((c, i) => (i === 0 ? c.padEnd(widths[i]) : c.padStart(widths[i]))).join('  ').trimEnd();
  return [line(all[0]), ...all.slice(1).map(line)].join('\n');
}

/** "met" / "MISSED" for a target check; "n/a" when not measurable. */
export const verdict = (ok) => (ok === undefined || ok === null ? 'n/a' : ok ? 'met' : 'MISSED');

/**
 * The order of `names` in round `round`: rows of a Williams design (a balanced Latin square: over n rounds, or 2n for
 * an odd n, every name takes every slot and follows every other name equally often). A plain rotation would keep the
 * same neighbours every round: whoever follows curl (a slot that measures slower) would always be the same.
 */
export function roundOrder(names, round) {
  const n = names.length;
  const first = Array.from({ length: n }, (_, j) => (j % 2 ? (j + 1) / 2 : (n - j / 2) % n));
  const row = first.map((k) => names[(k + round) % n]);
  return n % 2 && Math.floor(round / n) % 2 ? row.reverse() : row;
}
