import fc from 'fast-check';
import { odataString } from '../../src/graph/odata';
import { ContainError } from '../../src/errors';
import { matches, parseFilter } from '../../sandbox/graph/odata-filter';

// eslint-disable-next-line no-control-regex
const CONTROL = /[\u0000-\u001f\u007f-\u009f\u2028\u2029]/;
const printable = fc.string({ unit: 'grapheme', maxLength: 40 }).filter((s) => !CONTROL.test(s));

describe('OData string literals', () => {
  test("o'brien doubles the quote", () => {
    expect(odataString("o'brien")).toBe("'o''brien'");
  });

  test('any printable value round-trips through a real filter parser as exactly one literal', () => {
    fc.assert(
      fc.property(printable, (value) => {
        const expr = parseFilter(`displayName eq ${odataString(value)}`);
        expect(expr).toEqual({ kind: 'cmp', op: 'eq', path: 'displayName', value });
      }),
      { numRuns: 500 },
    );
  });

  test('injection attempts match only the literal, never widen the query', () => {
    fc.assert(
      fc.property(printable, printable, (a, b) => {
        const hostile = `${a}') or startswith(displayName,'${b}`;
        const expr = parseFilter(`startswith(displayName,${odataString(hostile)})`);
        expect(expr.kind).toBe('fn');
        expect(matches(expr, { displayName: 'Alice Aoki' })).toBe('alice aoki'.startsWith(hostile.toLowerCase()));
      }),
      { numRuns: 300 },
    );
  });

  test('control characters are refused with a ContainError', () => {
    fc.assert(
      fc.property(printable, fc.constantFrom('\u0000', '\n', '\r', '\u001b', '\u2028'), printable, (a, c, b) => {
        expect(() => odataString(a + c + b)).toThrow(ContainError);
      }),
    );
  });
});
