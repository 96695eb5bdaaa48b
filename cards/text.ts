/**
 * Invisible format characters (Unicode category Cf) become U+FFFD: bidi embeddings, overrides and isolates
 * (U+202A-U+202E, U+2066-U+2069), the marks U+200E, U+200F and U+061C, zero-width spaces, word joiners, the BOM, soft
 * hyphens, tag characters. A display name "Invoice\u202Efdp.exe" must not read as "Invoiceexe.pdf", and a hidden
 * character is shown as one. Zero-width joiner and non-joiner stay: emoji sequences and several scripts need them.
 */
export function visible(text: string): string {
  return text.replace(/(?![\u200c\u200d])\p{Cf}/gu, '\ufffd');
}

/** `visible` over every string of a view model, so that plain-text fields (headers, button titles) are covered too. */
export function visibleDeep<T>(value: T): T {
  if (typeof value === 'string') return visible(value) as T;
  if (Array.isArray(value)) return value.map(visibleDeep) as T;
  if (value && typeof value === 'object') return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, visibleDeep(v)])) as T;
  return value;
}

/**
 * Escaping [ and ] is enough to break a link; parentheses stay readable.
 * Neutralise Markdown and mention syntax in text that came from outside (display names, rule names, app names):
 * an attacker names an app "[Approve](https://evil)" or "**URGENT**" and it must show as typed, not as markup.
 */
export function escapeMarkdown(text: string): string {
  return (
    visible(text)
      .replace(/\r?\n|\r/g, ' ')
      .replace(/[\\`*_[\]<>~]/g, (c) => `\\${c}`)
      // List and heading markers only matter at the start of a block and before a space.
      .replace(/^(\s*)([-+#]|\d+\.)(?=\s)/, (_m, sp: string, mark: string) => `${sp}\\${mark}`)
  );
}

/**
 * Every text Contain sends to Slack goes through this: &, < and > are Slack's control characters (mentions, <!channel>,
 * <url|label> links) and are escaped; formatting characters get zero-width spaces around them; invisible characters
 * are made visible first.
 */
export function escapeSlack(text: string): string {
  return visible(text)
    .replace(/&/g, '&amp;')
    .replace(/</g, '&lt;')
    .replace(/>/g, '&gt;')
    .replace(/([*_~`])/g, '\u200b$1\u200b');
}

/** Shorten to `max` characters with an ellipsis; platforms cut silently otherwise. */
export function truncate(text: string, max: number): string {
  return text.length <= max ? text : text.slice(0, Math.max(0, max - 1)) + '…';
}
