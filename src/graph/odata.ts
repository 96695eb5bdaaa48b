import { ContainError } from '../errors';

// Control characters have no business in a directory lookup and are a classic way to smuggle syntax past parsers.
// eslint-disable-next-line no-control-regex
const CONTROL = /[\u0000-\u001f\u007f-\u009f\u2028\u2029]/;

/** Quote a value as an OData string literal: wrap in single quotes, double every single quote, reject control characters. */
export function odataString(value: string): string {
  if (CONTROL.test(value)) {
    throw new ContainError('INVALID_INPUT', 'That name contains control characters; type it again as plain text.', {
      details: { length: value.length },
    });
  }
  return `'${value.replace(/'/g, "''")}'`;
}

/** A point in time as Graph filters take it: UTC, whole seconds, no quotes (2026-11-25T10:00:00Z). */
export function odataDateTime(at: Date | number): string {
  return new Date(at).toISOString().replace(/\.\d{3}Z$/, 'Z');
}

/** Encode one path segment (a user id, a UPN) for a Graph URL. */
export function segment(value: string): string {
  if (CONTROL.test(value)) throw new ContainError('INVALID_INPUT', 'An identifier contains control characters.');
  // Graph reads "'" in a UPN segment fine but some proxies do not; encode it along with everything else.
  return encodeURIComponent(value).replace(/'/g, '%27');
}

/** Build a query string with every value percent-encoded, so names with `&`, `#` or `+` cannot split parameters. */
export function query(params: Record<string, string | number | boolean | undefined>): string {
  const parts = Object.entries(params)
    .filter(([, v]) => v !== undefined)
    .map(([k, v]) => `${k}=${encodeURIComponent(String(v))}`);
  return parts.length ? `?${parts.join('&')}` : '';
}

/** Drop @odata.* annotations: evidence keeps the object, not the envelope it came in. */
export function withoutAnnotations<T extends object>(obj: T): T {
  return Object.fromEntries(Object.entries(obj).filter(([k]) => !k.startsWith('@odata.'))) as T;
}
