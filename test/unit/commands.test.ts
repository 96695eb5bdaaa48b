import fc from 'fast-check';
import { parseCommand } from '../../src/commands';
import { ContainError } from '../../src/errors';

describe('command grammar', () => {
  test.each([
    ['contain alice', { name: 'contain', target: { kind: 'text', value: 'alice' }, dryRun: false }],
    ['/contain contain alice', { name: 'contain', target: { kind: 'text', value: 'alice' }, dryRun: false }],
    ['/contain status', { name: 'status' }],
    ['  contain   Alice   Aoki  ', { name: 'contain', target: { kind: 'text', value: 'Alice Aoki' }, dryRun: false }],
    ["contain Dan O'Brien --dry-run", { name: 'contain', target: { kind: 'text', value: "Dan O'Brien" }, dryRun: true }],
    [
      'contain \u201cAlice Aoki\u201d --since 48h',
      { name: 'contain', target: { kind: 'text', value: 'Alice Aoki' }, dryRun: false, sinceDays: 2 },
    ],
    ['contain alice@contoso.com', { name: 'contain', target: { kind: 'email', value: 'alice@contoso.com' }, dryRun: false }],
    [
      'contain <mailto:alice@contoso.com|alice@contoso.com>',
      { name: 'contain', target: { kind: 'email', value: 'alice@contoso.com' }, dryRun: false },
    ],
    ['contain <@U0123ABC|alice>', { name: 'contain', target: { kind: 'mention', value: 'U0123ABC' }, dryRun: false }],
    [
      'contain A11CE000-0000-4000-8000-000000000001',
      { name: 'contain', target: { kind: 'id', value: 'a11ce000-0000-4000-8000-000000000001' }, dryRun: false },
    ],
    ['investigate alice --since=14d', { name: 'investigate', target: { kind: 'text', value: 'alice' }, sinceDays: 14 }],
    ['hunt user-agents --days 3', { name: 'hunt', what: 'user-agents', days: 3 }],
    [
      'scope alice --message <phish-4711@sharepoint-files.example>',
      { name: 'scope', target: { kind: 'text', value: 'alice' }, messageId: '<phish-4711@sharepoint-files.example>' },
    ],
    [
      'scope alice --message phish-4711@sharepoint-files.example',
      { name: 'scope', target: { kind: 'text', value: 'alice' }, messageId: '<phish-4711@sharepoint-files.example>' },
    ],
    [
      'scope alice --message=<CAF=x+y@mail.example>',
      { name: 'scope', target: { kind: 'text', value: 'alice' }, messageId: '<CAF=x+y@mail.example>' },
    ],
    [
      'scope alice --message &lt;<mailto:a.b@c.example|a.b@c.example>&gt;',
      { name: 'scope', target: { kind: 'text', value: 'alice' }, messageId: '<a.b@c.example>' },
    ],
    [
      'scope alice --message 9F1E0000-0000-4000-8000-000000000000',
      { name: 'scope', target: { kind: 'text', value: 'alice' }, messageId: '9f1e0000-0000-4000-8000-000000000000' },
    ],
    ['status inc-20261125-0001', { name: 'status', incidentId: 'INC-20261125-0001' }],
    ['status', { name: 'status' }],
    ['report alice', { name: 'report', ref: 'alice' }],
    ['close inc-20261125-0001', { name: 'close', incidentId: 'INC-20261125-0001' }],
    ['help', { name: 'help' }],
    ['doctor', { name: 'doctor' }],
    ['', { name: 'help' }],
    ['contain <at>Alice Aoki</at>', { name: 'contain', target: { kind: 'text', value: 'Alice Aoki' }, dryRun: false }],
    // The design's form: a name right after /contain (Slack's slash command delivers only "alice") contains that user.
    ['/contain alice', { name: 'contain', target: { kind: 'text', value: 'alice' }, dryRun: false }],
    ['alice', { name: 'contain', target: { kind: 'text', value: 'alice' }, dryRun: false }],
    ['Alice Aoki --dry-run', { name: 'contain', target: { kind: 'text', value: 'Alice Aoki' }, dryRun: true }],
    ['scott', { name: 'contain', target: { kind: 'text', value: 'scott' }, dryRun: false }],
  ])('%s', (input, expected) => {
    expect(parseCommand(input)).toEqual(expected);
  });

  test.each([
    ['contain', /Say which user/],
    ['contain alice --forever', /Unknown option --forever.*contain <user>/],
    ['hunt alice', /Hunt for what/],
    ['investigate alice --since 400d', /between 1 and 90/],
    ['status yesterday', /not an incident id/],
    ['help me', /takes no arguments/],
    ['close alice', /"alice" is not an incident id.*close <incident>/],
    ['close', /^Use: close <incident>/],
    // A slip of a command word is never taken as a user to search for or contain.
    [
      'stauts',
      /^Unknown command "stauts"\. Did you mean "status"\? Here is what I understand: contain <user>, investigate <user>, scope <user>, hunt user-agents, status \[<incident>\], report <incident\|user>, close <incident>, posture, doctor, help\./,
    ],
    ['stauts INC-20261125-0001', /^Unknown command "stauts"\. Did you mean "status"/],
    ['reprot alice', /Did you mean "report"/],
    ['invesitgate alice', /Did you mean "investigate"/],
    ['hnut user-agents', /Did you mean "hunt"/],
    ['scpoe alice', /Did you mean "scope"/],
    ['/contain satus', /Did you mean "status"/],
    // Words that cannot be a user: an incident id, an option alone.
    ['show INC-20261125-0001', /^Unknown command "show"\. Here is what I understand/],
    ['--dry-run alice', /^Unknown command "--dry-run"/],
    ['doctor alice', /takes no arguments/],
    ['contain <script>alert(1)</script>', /not a user name/],
  ])('%s is refused with the right form', (input, message) => {
    const err = (() => {
      try {
        parseCommand(input);
      } catch (e) {
        return e as ContainError;
      }
    })();
    expect(err).toBeInstanceOf(ContainError);
    expect(err!.code).toBe('BAD_COMMAND');
    expect(err!.userMessage).toMatch(message);
  });

  test('--message: any Internet message id survives the ways Teams and Slack deliver it', () => {
    const part = fc.stringMatching(/^[A-Za-z0-9.=+$%_-]{1,30}$/);
    fc.assert(
      fc.property(part, part, fc.constantFrom('plain', 'brackets', 'slack'), (local, host, how) => {
        const id = `${local}@${host}`;
        const typed = how === 'plain' ? id : how === 'brackets' ? `<${id}>` : `&lt;<mailto:${id}|${id}>&gt;`;
        const c = parseCommand(`scope alice --message ${typed}`);
        expect(c).toMatchObject({ name: 'scope', messageId: `<${id}>` });
      }),
    );
  });

  test('--message refuses what is not a message id, and only scope takes it', () => {
    for (const bad of [
      'scope alice --message',
      'scope alice --message hello',
      'scope alice --message <a@b> <c@d>x',
      'contain alice --message <a@b.c>',
    ])
      expect(() => parseCommand(bad)).toThrow(ContainError);
  });

  test('never throws anything but BAD_COMMAND, whatever is typed', () => {
    fc.assert(
      fc.property(fc.string({ unit: 'grapheme', maxLength: 300 }), (s) => {
        try {
          parseCommand(s);
        } catch (e) {
          expect(e).toBeInstanceOf(ContainError);
          expect((e as ContainError).code).toBe('BAD_COMMAND');
        }
      }),
      { numRuns: 2000 },
    );
  });

  test('a plain name always parses to the same target, however it is spaced', () => {
    const word = fc
      .stringMatching(/^[A-Za-z][A-Za-z'\u00c0-\u00ff]{0,12}$/)
      .filter(
        (w) => !['contain', 'investigate', 'scope', 'hunt', 'status', 'report', 'posture', 'doctor', 'help'].includes(w.toLowerCase()),
      );
    fc.assert(
      fc.property(
        fc.array(word, { minLength: 1, maxLength: 3 }),
        fc.array(fc.constantFrom(' ', '  ', '\u00a0', '\t'), { minLength: 4, maxLength: 4 }),
        (words, spaces) => {
          const typed = `contain${spaces[0]}${words.join(spaces[1])}${spaces[2]}`;
          expect(parseCommand(typed)).toEqual({ name: 'contain', target: { kind: 'text', value: words.join(' ') }, dryRun: false });
        },
      ),
    );
  });
});
