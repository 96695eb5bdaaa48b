import type { Readable } from 'node:stream';

/**
 * The items of a top-level JSON array, parsed one at a time from a stream: memory holds one item, not the file.
 * Tracks only nesting depth and string state; the items themselves go to JSON.parse.
 */
export async function* jsonArrayItems(stream: Readable): AsyncGenerator<unknown> {
  let depth = 0;
  let inString = false;
  let escaped = false;
  let started = false;
  let item = '';
  for await (const chunk of stream) {
    const text = typeof chunk === 'string' ? chunk : (chunk as Buffer).toString('utf8');
    let from = -1;
    for (let i = 0; i < text.length; i++) {
      const c = text[i];
      if (inString) {
        if (escaped) escaped = false;
        else if (c === '\\') escaped = true;
        else if (c === '"') inString = false;
        continue;
      }
      if (c === '"') {
        inString = true;
        continue;
      }
      if (c === '[' || c === '{') {
        if (!started) {
          if (c !== '[') throw new Error('expected a JSON array');
          started = true;
          continue;
        }
        if (depth === 0) from = i;
        depth++;
      } else if (c === ']' || c === '}') {
        if (depth === 0 && c === ']') return;
        depth--;
        if (depth === 0) {
          yield JSON.parse(item + text.slice(from === -1 ? 0 : from, i + 1));
          item = '';
          from = -1;
        }
      }
    }
    if (depth > 0) item += text.slice(from === -1 ? 0 : from);
  }
  if (!started || depth !== 0) throw new Error('the JSON array is incomplete');
}
