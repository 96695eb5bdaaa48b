import { z } from 'zod';
import { ContainError } from './errors';
import { GUID, INCIDENT_ID, isGuid, isIncidentId, mentionsIncidentId } from './ids';

/**
 * A target as typed: plain text, an email (also as a <mailto:..> link), an object id, or a mention of a chat user
 * (<@U0123|name>), which the platform it came from resolves to an email address.
 */
export const targetSchema = z.discriminatedUnion('kind', [
  z.object({ kind: z.literal('text'), value: z.string().min(1).max(256) }),
  z.object({ kind: z.literal('email'), value: z.string().min(3).max(256) }),
  z.object({ kind: z.literal('id'), value: z.string().regex(GUID) }),
  z.object({ kind: z.literal('mention'), value: z.string().regex(/^[UW][A-Z0-9]{2,}$/) }),
]);
export type Target = z.infer<typeof targetSchema>;

const days = z.number().int().min(1).max(90);

/** Every command Contain understands; the same grammar on every chat platform and in the CLI. */
export const commandSchema = z.discriminatedUnion('name', [
  z.object({ name: z.literal('contain'), target: targetSchema, dryRun: z.boolean(), sinceDays: days.optional() }),
  z.object({ name: z.literal('investigate'), target: targetSchema, sinceDays: days }),
  z.object({ name: z.literal('scope'), target: targetSchema, messageId: z.string().min(3).max(256).optional() }),
  z.object({ name: z.literal('hunt'), what: z.literal('user-agents'), days }),
  z.object({ name: z.literal('status'), incidentId: z.string().regex(INCIDENT_ID).optional() }),
  z.object({ name: z.literal('report'), ref: z.string().min(1).max(256) }),
  z.object({ name: z.literal('close'), incidentId: z.string().regex(INCIDENT_ID) }),
  z.object({ name: z.literal('posture') }),
  z.object({ name: z.literal('doctor') }),
  z.object({ name: z.literal('help') }),
]);
export type Command = z.infer<typeof commandSchema>;

export const USAGE: { usage: string; description: string }[] = [
  {
    usage: 'contain <user> [--dry-run] [--since 7d]',
    description: 'Open an incident for a compromised account and propose containment for approval.',
  },
  { usage: 'investigate <user> [--since 7d]', description: 'Read-only: collect and analyse sign-in and audit logs.' },
  { usage: 'scope <user> [--message <message id>]', description: 'Find other recipients of the phishing mail and check their sign-ins.' },
  { usage: 'hunt user-agents [--days 7]', description: "Search the tenant's sign-ins for harmful user agents." },
  { usage: 'status [<incident>]', description: "Show an incident's state." },
  { usage: 'report <incident|user>', description: 'Write the incident report.' },
  { usage: 'close <incident>', description: 'Approvers: close an incident (an alert about the user opens a new one only if it is newer).' },
  { usage: 'posture', description: "Check the tenant's defensive measures." },
  {
    usage: 'doctor',
    description: "Approvers: check what Contain's app may do in this tenant (permissions, roles, licences) and how to fix what is missing.",
  },
  { usage: 'help', description: 'This list.' },
];

// A new command goes in the schema, USAGE and VERBS, and needs its role in COMMAND_ROLES (src/incidents/roles.ts):
// the router does not compile without it.
const VERBS = new Set(['contain', 'investigate', 'scope', 'hunt', 'status', 'report', 'close', 'posture', 'doctor', 'help']);
const FLAGS: Record<string, 'bool' | 'duration' | 'int' | 'messageId'> = {
  '--dry-run': 'bool',
  '--since': 'duration',
  '--days': 'int',
  '--message': 'messageId',
};
const ALLOWED_FLAGS: Record<string, string[]> = {
  contain: ['--dry-run', '--since'],
  investigate: ['--since'],
  hunt: ['--days'],
  scope: ['--message'],
};

const bad = (message: string, details: Record<string, unknown> = {}) => new ContainError('BAD_COMMAND', message, { details });
const usageOf = (verb: string) => USAGE.find((u) => u.usage.startsWith(verb))?.usage ?? 'help';

/** Strip mention markup and normalise whitespace and quotes; chat platforms deliver the same words differently. */
export function normalise(text: string): string {
  return text
    .replace(/<at>[^<]*<\/at>/gi, (m) => m.replace(/<\/?at>/gi, '')) // <at>Name</at> mentions of other users keep their name
    .replace(/[\u00a0\u2000-\u200b\u3000]/g, ' ')
    .replace(/[\u201c\u201d\u201e]/g, '"')
    .replace(/[\u2018\u2019]/g, "'")
    .replace(/\s+/g, ' ')
    .trim();
}

function parseTarget(raw: string): Target {
  const s = raw
    .trim()
    .replace(/^"(.*)"$/, '$1')
    .trim();
  const mention = /^<@([UW][A-Z0-9]+)(\|[^>]*)?>$/.exec(s);
  if (mention) return { kind: 'mention', value: mention[1] };
  const mailto = /^<mailto:([^|>]+)(\|[^>]*)?>$/.exec(s);
  if (mailto) return { kind: 'email', value: mailto[1] };
  if (isGuid(s)) return { kind: 'id', value: s.toLowerCase() };
  if (/^[^\s@<>]+@[^\s@<>]+\.[^\s@<>]+$/.test(s)) return { kind: 'email', value: s };
  if (/[<>]/.test(s)) throw bad(`"${s.slice(0, 60)}" is not a user name, UPN or email address.`);
  return { kind: 'text', value: s };
}

/**
 * The phishing message as a responder copies it: an Internet message id (with or without its angle brackets, which
 * some chat clients deliver as &lt; &gt;) or a network message id (a GUID). Returned as the mail systems store it.
 */
function parseMessageId(value: string | undefined): string {
  // Chat clients link anything that looks like an address (<mailto:a@b|a@b>) and escape the brackets around it.
  const v = (value ?? '')
    .replace(/<mailto:[^|>]*\|([^>]*)>/g, '$1')
    .replace(/&lt;/g, '<')
    .replace(/&gt;/g, '>')
    .replace(/&amp;/g, '&')
    .trim();
  if (isGuid(v)) return v.toLowerCase();
  const m = /^<?([^<>\s"'@]+@[^<>\s"'@]+)>?$/.exec(v);
  if (!m || m[1].length > 250)
    throw bad('--message needs the Internet message id (<...@...>) or the network message id (a GUID) of the phishing mail.');
  return `<${m[1]}>`;
}

function parseDays(flag: string, value: string | undefined, kind: 'duration' | 'int'): number {
  const m = kind === 'int' ? /^(\d{1,3})$/.exec(value ?? '') : /^(\d{1,3})(d|h)?$/i.exec(value ?? '');
  if (!m) throw bad(`${flag} needs ${kind === 'int' ? 'a number of days, e.g. 7' : 'a duration such as 7d or 48h'}.`);
  const n = Number(m[1]);
  const d = m[2]?.toLowerCase() === 'h' ? Math.max(1, Math.ceil(n / 24)) : n;
  if (d < 1 || d > 90) throw bad(`${flag} must be between 1 and 90 days.`);
  return d;
}

/** Edits (insert, delete, substitute, swap two neighbours) between two words: "stauts" is one from "status". */
function typoDistance(a: string, b: string): number {
  const d = Array.from({ length: a.length + 1 }, (_, i) => [i, ...Array<number>(b.length).fill(0)]);
  for (let j = 1; j <= b.length; j++) d[0][j] = j;
  for (let i = 1; i <= a.length; i++)
    for (let j = 1; j <= b.length; j++) {
      d[i][j] = Math.min(d[i - 1][j] + 1, d[i][j - 1] + 1, d[i - 1][j - 1] + (a[i - 1] === b[j - 1] ? 0 : 1));
      if (i > 1 && j > 1 && a[i - 1] === b[j - 2] && a[i - 2] === b[j - 1]) d[i][j] = Math.min(d[i][j], d[i - 2][j - 2] + 1);
    }
  return d[a.length][b.length];
}

/** The command a first word is a slip of ("stauts" -> status), if any; short words must be closer to count. */
function slipOf(word: string): string | undefined {
  return [...VERBS].find((v) => v !== word && typoDistance(word, v) <= (v.length >= 7 ? 2 : 1));
}

/**
 * A first word that is not a command: `contain` is meant (the design's `/contain alice`), unless the word is a slip of
 * a command or the rest cannot be a user (an incident id, an option alone). Those get the list of commands, never a
 * directory search or an incident.
 */
function unknownCommand(text: string, slip: string | undefined): ContainError {
  const word = text.split(' ')[0];
  const forms = USAGE.map((u) => u.usage.replace(/\s*\[--.*$/, '')).join(', ');
  return bad(
    `Unknown command "${word.slice(0, 40)}".${slip ? ` Did you mean "${slip}"?` : ''} Here is what I understand: ${forms}. Type "help" for details.`,
    { verb: word.slice(0, 40) },
  );
}

/** Parse what a person typed into a Command; throws BAD_COMMAND with the right form on anything else. */
export function parseCommand(input: string): Command {
  if (input.length > 1000) throw bad('That command is too long.');
  let text = normalise(input).replace(/^\/contain\b\s*/i, '');
  if (text === '') return { name: 'help' };
  const firstWord = text.split(' ')[0].toLowerCase();
  let verb = firstWord;
  if (VERBS.has(firstWord)) text = text.slice(firstWord.length).trim();
  else {
    const slip = slipOf(firstWord);
    if (slip || mentionsIncidentId(text) || firstWord.startsWith('--')) throw unknownCommand(text, slip);
    verb = 'contain';
  }

  const words: string[] = [];
  const flags: Record<string, string | true> = {};
  const tokens = text === '' ? [] : text.split(' ');
  for (let i = 0; i < tokens.length; i++) {
    const t = tokens[i];
    const eq = t.indexOf('=');
    const [flagName, inlineValue] = t.startsWith('--') && eq > 0 ? [t.slice(0, eq), t.slice(eq + 1)] : [t, undefined];
    if (!t.startsWith('--')) {
      words.push(t);
      continue;
    }
    const kind = FLAGS[flagName.toLowerCase()];
    if (!kind || !(ALLOWED_FLAGS[verb] ?? []).includes(flagName.toLowerCase()))
      throw bad(`Unknown option ${flagName} for "${verb}". Use: ${usageOf(verb)}`);
    flags[flagName.toLowerCase()] = kind === 'bool' ? true : (inlineValue ?? tokens[++i] ?? '');
  }
  const rest = words.join(' ');
  const needTarget = () => {
    if (rest === '') throw bad(`Say which user. Use: ${usageOf(verb)}`);
    return parseTarget(rest);
  };
  const since = flags['--since'] === undefined ? undefined : parseDays('--since', flags['--since'] as string, 'duration');
  let command: unknown;
  switch (verb) {
    case 'contain':
      command = { name: 'contain', target: needTarget(), dryRun: flags['--dry-run'] === true, ...(since ? { sinceDays: since } : {}) };
      break;
    case 'investigate':
      command = { name: 'investigate', target: needTarget(), sinceDays: since ?? 7 };
      break;
    case 'scope':
      command = {
        name: 'scope',
        target: needTarget(),
        ...(flags['--message'] !== undefined ? { messageId: parseMessageId(flags['--message'] as string) } : {}),
      };
      break;
    case 'hunt':
      if (rest.toLowerCase() !== 'user-agents') throw bad(`Hunt for what? Use: ${usageOf('hunt')}`);
      command = {
        name: 'hunt',
        what: 'user-agents',
        days: flags['--days'] === undefined ? 7 : parseDays('--days', flags['--days'] as string, 'int'),
      };
      break;
    case 'status':
      if (rest !== '' && !isIncidentId(rest))
        throw bad(`"${rest.slice(0, 40)}" is not an incident id (INC-YYYYMMDD-NNNN). Use: ${usageOf('status')}`);
      command = { name: 'status', ...(rest ? { incidentId: rest.toUpperCase() } : {}) };
      break;
    case 'close':
      if (!isIncidentId(rest))
        throw bad(`${rest ? `"${rest.slice(0, 40)}" is not an incident id (INC-YYYYMMDD-NNNN). ` : ''}Use: ${usageOf('close')}`);
      command = { name: 'close', incidentId: rest.toUpperCase() };
      break;
    case 'report':
      if (rest === '') throw bad(`Which incident or user? Use: ${usageOf('report')}`);
      command = { name: 'report', ref: rest };
      break;
    case 'posture':
    case 'doctor':
    case 'help':
      if (rest !== '') throw bad(`"${verb}" takes no arguments.`);
      command = { name: verb };
      break;
  }
  const parsed = commandSchema.safeParse(command);
  if (!parsed.success) throw bad(`That does not look right. Use: ${usageOf(verb)}`, { issues: parsed.error.issues.map((i) => i.message) });
  return parsed.data;
}
