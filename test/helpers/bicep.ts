import { readFileSync } from 'node:fs';

/** A Bicep file's top-level parameters (name -> has a default) and outputs, read line by line (no Bicep CLI here). */
export function bicepInterface(file: string): { params: Map<string, { type: string; hasDefault: boolean }>; outputs: Set<string> } {
  const params = new Map<string, { type: string; hasDefault: boolean }>();
  const outputs = new Set<string>();
  for (const line of readFileSync(file, 'utf8').split('\n')) {
    const p = /^param (\w+) (\w+)( =)?/.exec(line);
    if (p) params.set(p[1], { type: p[2], hasDefault: !!p[3] });
    const o = /^output (\w+) /.exec(line);
    if (o) outputs.add(o[1]);
  }
  return { params, outputs };
}

/** The parameter names of an ARM deploymentParameters file. */
export function parameterNames(file: string): string[] {
  return Object.keys((JSON.parse(readFileSync(file, 'utf8')) as { parameters: Record<string, unknown> }).parameters);
}
