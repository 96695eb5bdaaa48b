/**
 * A queue message body as the Functions host or the queue client hands it over: an object already, or JSON text, or
 * base64 of JSON text. Undefined when the text is not JSON (JSON itself never yields undefined).
 */
export function queueBody(input: unknown): unknown {
  if (typeof input !== 'string') return input;
  const text = input.trim().startsWith('{') ? input : Buffer.from(input, 'base64').toString('utf8');
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return undefined;
  }
}
