import type { Readable } from 'node:stream';

const QUOTE = 34;
const BACKSLASH = 92;
const OPEN_ARRAY = 91;
const CLOSE_ARRAY = 93;
const OPEN_OBJECT = 123;
const CLOSE_OBJECT = 125;

/**
 * The items of a top-level JSON array as their JSON text, a chunk's worth at a time from a stream: memory holds a
 * chunk, not the file. Tracks only nesting depth and string state; strings are skipped with indexOf (most of an audit record
 * is strings), so the scan costs little next to parsing. The caller parses (or first decides it need not).
 */
export async function* jsonArrayTexts(stream: Readable): AsyncGenerator<string[]> {
  let depth = 0;
  let inString = false;
  let started = false;
  let item = '';
  for await (const chunk of stream) {
    const text = typeof chunk === 'string' ? chunk : (chunk as Buffer).toString('utf8');
    let from = -1;
    let i = 0;
    const n = text.length;
    // The items a chunk completes go out together: one await per chunk, not per item.
    const done: string[] = [];
    while (i < n) {
      if (inString) {
        const q = text.indexOf('"', i);
        if (q === -1) {
          i = n;
          break;
        }
        // A quote preceded by an odd number of backslashes is escaped (the run may continue from the last chunk).
        let b = q - 1;
        let slashes = 0;
        while (b >= i && text.charCodeAt(b) === BACKSLASH) {
          slashes++;
          b--;
        }
        if (b < i && i === 0) for (let k = item.length - 1; k >= 0 && item.charCodeAt(k) === BACKSLASH; k--) slashes++;
        i = q + 1;
        if (slashes % 2 === 0) inString = false;
        continue;
      }
      const c = text.charCodeAt(i);
      if (c === QUOTE) inString = true;
      else if (c === OPEN_ARRAY || c === OPEN_OBJECT) {
        if (!started) {
          if (c !== OPEN_ARRAY) throw new Error('expected a JSON array');
          started = true;
        } else {
          if (depth === 0) from = i;
          depth++;
        }
      } else if (c === CLOSE_ARRAY || c === CLOSE_OBJECT) {
        if (depth === 0 && c === CLOSE_ARRAY) {
          if (done.length) yield done;
          return;
        }
        depth--;
        if (depth === 0) {
          done.push(item + text.slice(from === -1 ? 0 : from, i + 1));
          item = '';
          from = -1;
        }
      }
      i++;
    }
    if (depth > 0) item += text.slice(from === -1 ? 0 : from);
    if (done.length) yield done;
  }
  if (!started || depth !== 0) throw new Error('the JSON array is incomplete');
}

/** The items of a top-level JSON array, parsed one at a time from a stream. */
export async function* jsonArrayItems(stream: Readable): AsyncGenerator<unknown> {
  for await (const texts of jsonArrayTexts(stream)) for (const text of texts) yield JSON.parse(text);
}
