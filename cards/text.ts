/**
 * Escaping [ and ] is enough to break a link; parentheses stay readable.
 * Neutralise Markdown and mention syntax in text that came from outside (display names, rule names, app names):
 * an attacker names an app "[Approve](https://evil)" or "**URGENT**" and it must show as typed, not as markup.
 */
export function escapeMarkdown(text: string): string {
  return text
    .replace(/\r?\n|\r/g, ' ')
    .replace(/[\\`*_[\]<>~]/g, (c) => `\\${c}`)
    // List and heading markers only matter at the start of a block and before a space.
    .replace(/^(\s*)([-+#]|\d+\.)(?=\s)/, (_m, sp: string, mark: string) => `${sp}\\${mark}`);
}

/** Escape for Slack mrkdwn: only &, < and > are control characters there; formatting chars get a zero-width joiner. */
export function escapeSlack(text: string): string {
  return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/([*_~`])/g, '\u200b$1\u200b');
}

/** Shorten to `max` characters with an ellipsis; platforms cut silently otherwise. */
export function truncate(text: string, max: number): string {
  return text.length <= max ? text : text.slice(0, Math.max(0, max - 1)) + '…';
}

