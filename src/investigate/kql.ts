/** A KQL string literal: double quotes, with backslashes and quotes escaped. */
export function kql(value: string): string {
  return `"${value.replace(/\\/g, '\\\\').replace(/"/g, '\\"')}"`;
}
