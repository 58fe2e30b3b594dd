// Numbers as people read them: decimal units (as browsers and operating systems show file sizes), whole seconds.

const UNITS = ['B', 'kB', 'MB', 'GB', 'TB'];

// Bidirectional controls reorder what follows them: "invoice<U+202E>fdp.exe" reads "invoiceexe.pdf".
const BIDI_CONTROLS = /[\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069]/g;

/** A file name or key as text that cannot pretend to be another: bidi controls shown as ‹U+202E›. */
export function visibleText(text) {
  return text.replace(BIDI_CONTROLS, (c) => `‹U+${c.codePointAt(0).toString(16).toUpperCase().padStart(4, '0')}›`);
}

/** 1234567 → "1.2 MB". */
export function formatBytes(bytes) {
  let value = bytes;
  let unit = 0;
  while (value >= 1000 && unit < UNITS.length - 1) {
    value /= 1000;
    unit += 1;
  }
  if (unit === 0) return `${value} B`;
  return `${value.toFixed(value < 10 ? 1 : 0)} ${UNITS[unit]}`;
}

/** Bytes per second → "1.9 MB/s". */
export function formatSpeed(bytesPerSecond) {
  return `${(bytesPerSecond / 1e6).toFixed(bytesPerSecond < 1e7 ? 2 : 1)} MB/s`;
}

/** Seconds → "8 s", "3 min 20 s", "2 h 5 min". */
export function formatDuration(seconds) {
  const s = Math.max(0, Math.ceil(seconds));
  if (s < 60) return `${s} s`;
  if (s < 3600) return `${Math.floor(s / 60)} min${s % 60 ? ` ${s % 60} s` : ''}`;
  const minutes = Math.floor((s % 3600) / 60);
  return `${Math.floor(s / 3600)} h${minutes ? ` ${minutes} min` : ''}`;
}

/** Whole percent, never 100 before the end: 0.999 → 99. */
export function percent(done, total) {
  return total > 0 ? Math.floor((100 * done) / total) : 100;
}
