/**
 * A small OData $filter parser and evaluator for the sandbox tenant: enough of the grammar Graph accepts
 * (eq/ne/gt/ge/lt/le, and/or/not, startswith/endswith/contains, any() lambdas, parentheses) that Contain's
 * real queries run, and malformed or injected ones fail with Graph's 400 rather than matching everything.
 */
import { isGuid } from '../../src/ids';
export type Literal = string | number | boolean | null;
export type Expr =
  | { kind: 'and' | 'or'; left: Expr; right: Expr }
  | { kind: 'not'; expr: Expr }
  | { kind: 'cmp'; op: 'eq' | 'ne' | 'gt' | 'ge' | 'lt' | 'le'; path: string; value: Literal }
  | { kind: 'fn'; fn: 'startswith' | 'endswith' | 'contains'; path: string; value: string }
  | { kind: 'any'; path: string; variable: string; expr: Expr };

export class FilterSyntaxError extends Error {}

type Token = { t: 'str'; v: string } | { t: 'word'; v: string } | { t: 'punct'; v: string };

function tokenize(s: string): Token[] {
  const out: Token[] = [];
  let i = 0;
  while (i < s.length) {
    const c = s[i];
    if (c === ' ') {
      i++;
    } else if (c === "'") {
      let v = '';
      i++;
      for (;;) {
        if (i >= s.length) throw new FilterSyntaxError('Unterminated string literal');
        if (s[i] === "'") {
          if (s[i + 1] === "'") {
            v += "'";
            i += 2;
            continue;
          }
          i++;
          break;
        }
        v += s[i++];
      }
      out.push({ t: 'str', v });
    } else if ('(),:'.includes(c)) {
      out.push({ t: 'punct', v: c });
      i++;
    } else {
      // Words start with a letter; literals with a digit may hold ':' (DateTimeOffset: 2024-05-01T10:00:00Z).
      const m = /^[0-9]/.test(c) ? /^[0-9][0-9A-Za-z_.\-:+]*/.exec(s.slice(i)) : /^[A-Za-z_$][A-Za-z0-9_.\-/+@]*/.exec(s.slice(i));
      if (!m) throw new FilterSyntaxError(`Unexpected character '${c}' at position ${i}`);
      out.push({ t: 'word', v: m[0] });
      i += m[0].length;
    }
  }
  return out;
}

/** Parse a $filter expression; throws FilterSyntaxError on anything outside the supported grammar. */
export function parseFilter(src: string): Expr {
  const toks = tokenize(src);
  let p = 0;
  const peek = () => toks[p];
  const word = (v: string) => peek()?.t === 'word' && (peek() as { v: string }).v.toLowerCase() === v;
  const expectPunct = (v: string) => {
    const t = toks[p++];
    if (!t || t.t !== 'punct' || t.v !== v) throw new FilterSyntaxError(`Expected '${v}'`);
  };
  const literal = (): Literal => {
    const t = toks[p++];
    if (!t) throw new FilterSyntaxError('Expected a value');
    if (t.t === 'str') return t.v;
    if (t.t !== 'word') throw new FilterSyntaxError(`Unexpected '${t.v}'`);
    if (t.v === 'true' || t.v === 'false') return t.v === 'true';
    if (t.v === 'null') return null;
    if (/^-?\d+(\.\d+)?$/.test(t.v)) return Number(t.v);
    if (/^\d{4}-\d{2}-\d{2}(T[\d:.]+(Z|[+-]\d{2}:\d{2})?)?$/.test(t.v)) return t.v; // DateTimeOffset literal
    if (isGuid(t.v)) return t.v;
    throw new FilterSyntaxError(`'${t.v}' is not a valid literal`);
  };
  const primary = (): Expr => {
    const t = peek();
    if (!t) throw new FilterSyntaxError('Unexpected end of filter');
    if (t.t === 'punct' && t.v === '(') {
      p++;
      const e = orExpr();
      expectPunct(')');
      return e;
    }
    if (word('not')) {
      p++;
      return { kind: 'not', expr: primary() };
    }
    if (t.t !== 'word') throw new FilterSyntaxError(`Unexpected '${t.v}'`);
    const name = t.v;
    p++;
    const lower = name.toLowerCase();
    if ((lower === 'startswith' || lower === 'endswith' || lower === 'contains') && peek()?.v === '(') {
      expectPunct('(');
      const prop = toks[p++];
      if (!prop || prop.t !== 'word') throw new FilterSyntaxError('Expected a property name');
      expectPunct(',');
      const v = literal();
      if (typeof v !== 'string') throw new FilterSyntaxError(`${lower} needs a string`);
      expectPunct(')');
      return { kind: 'fn', fn: lower, path: prop.v, value: v };
    }
    const anyMatch = /^(.+)\/any$/i.exec(name);
    if (anyMatch && peek()?.v === '(') {
      expectPunct('(');
      const variable = toks[p++];
      if (!variable || variable.t !== 'word') throw new FilterSyntaxError('Expected a lambda variable');
      expectPunct(':');
      const expr = orExpr();
      expectPunct(')');
      return { kind: 'any', path: anyMatch[1], variable: variable.v, expr };
    }
    const op = toks[p++];
    if (!op || op.t !== 'word' || !['eq', 'ne', 'gt', 'ge', 'lt', 'le'].includes(op.v.toLowerCase()))
      throw new FilterSyntaxError(`Expected an operator after '${name}'`);
    return { kind: 'cmp', op: op.v.toLowerCase() as 'eq', path: name, value: literal() };
  };
  const andExpr = (): Expr => {
    let left = primary();
    while (word('and')) {
      p++;
      left = { kind: 'and', left, right: primary() };
    }
    return left;
  };
  const orExpr = (): Expr => {
    let left = andExpr();
    while (word('or')) {
      p++;
      left = { kind: 'or', left, right: andExpr() };
    }
    return left;
  };
  const e = orExpr();
  if (p !== toks.length) throw new FilterSyntaxError(`Unexpected '${toks[p].v}' after the end of the expression`);
  return e;
}

function get(obj: unknown, path: string, scope: Record<string, unknown>): unknown {
  const parts = path.split('/');
  let cur: unknown = parts[0] in scope ? scope[parts[0]] : (obj as Record<string, unknown>)?.[parts[0]];
  for (const part of parts.slice(1)) cur = (cur as Record<string, unknown> | undefined)?.[part];
  return cur;
}

function compare(a: unknown, b: Literal): number {
  if (typeof a === 'string' && typeof b === 'string') {
    const da = Date.parse(a);
    const db = Date.parse(b);
    if (/^\d{4}-\d{2}-\d{2}/.test(b) && !Number.isNaN(da) && !Number.isNaN(db)) return da - db;
    return a.toLowerCase() < b.toLowerCase() ? -1 : a.toLowerCase() > b.toLowerCase() ? 1 : 0;
  }
  if (typeof a === 'number' && typeof b === 'number') return a - b;
  return a === b ? 0 : NaN;
}

/** Evaluate a parsed filter against one object (case-insensitive string matching, as directory queries are). */
export function matches(expr: Expr, obj: unknown, scope: Record<string, unknown> = {}): boolean {
  switch (expr.kind) {
    case 'and':
      return matches(expr.left, obj, scope) && matches(expr.right, obj, scope);
    case 'or':
      return matches(expr.left, obj, scope) || matches(expr.right, obj, scope);
    case 'not':
      return !matches(expr.expr, obj, scope);
    case 'fn': {
      const v = get(obj, expr.path, scope);
      if (typeof v !== 'string') return false;
      const [hay, needle] = [v.toLowerCase(), expr.value.toLowerCase()];
      return expr.fn === 'startswith' ? hay.startsWith(needle) : expr.fn === 'endswith' ? hay.endsWith(needle) : hay.includes(needle);
    }
    case 'any': {
      const arr = get(obj, expr.path, scope);
      return Array.isArray(arr) && arr.some((item) => matches(expr.expr, obj, { ...scope, [expr.variable]: item }));
    }
    case 'cmp': {
      const v = get(obj, expr.path, scope);
      if (expr.op === 'eq') return expr.value === null ? v === null || v === undefined : compare(v, expr.value) === 0;
      if (expr.op === 'ne') return expr.value === null ? v !== null && v !== undefined : compare(v, expr.value) !== 0;
      const c = compare(v, expr.value);
      if (Number.isNaN(c)) return false;
      return expr.op === 'gt' ? c > 0 : expr.op === 'ge' ? c >= 0 : expr.op === 'lt' ? c < 0 : c <= 0;
    }
  }
}
