/** Markdown-escape text that came from the tenant or from people (names, titles, rule names), for files we write. */
export function md(text: string): string {
  return text.replace(/\r?\n/g, ' ').replace(/([\\`*_[\]<>#|~])/g, '\\$1');
}

/** A Markdown table; every cell is escaped. */
export function mdTable(head: string[], rows: string[][]): string[] {
  return [
    `| ${head.map(md).join(' | ')} |`,
    `|${head.map(() => '---').join('|')}|`,
    ...rows.map((r) => `| ${r.map((c) => md(c) || ' ').join(' | ')} |`),
  ];
}
