#!/usr/bin/env node
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { loadConfig } from '../config';
import { findUser } from '../directory/find-user';
import { ContainError } from '../errors';
import { createContext } from '../runtime';
import { buildReport } from '../incidents/report';
import { runAnalyze } from './analyze';
import { huntUserAgents } from '../investigate/hunt';
import { investigateUser } from '../investigate/live';
import { runDoctor } from '../doctor/run';
import { keepDoctor } from '../doctor/latest';
import { doctorJson, doctorTable } from '../doctor/format';
import { parseCommand } from '../commands';
import { isIncidentId } from '../ids';

const HELP = `contain: the Contain command line

Usage:
  contain --help                 this text
  contain --version              version
  contain find <user>            look a user up in the configured tenant (GRAPH_BASE_URL)
  contain config                 validate the environment and print the effective settings (no secrets)
  contain doctor [--format table|json]
                                 check what Contain's app may do in the configured tenant: every permission, directory
                                 role, licence and prerequisite each step needs, with the fix; exit 0 when all pass
  contain report <INC-...>       print an incident's Markdown report (reads STORAGE_CONNECTION_STRING)
  contain investigate <user> [--since 7d|48h]
                                 the user's sign-ins and directory audit through the analyzer (JSON)
  contain hunt user-agents [--days 7]
                                 harmful user agents in the tenant's sign-ins (reads GRAPH_BASE_URL and credentials)
  contain analyze <file>... [--user UPN] [--from ISO] [--to ISO] [--format json|table|markdown] [--tz +09:00]
                                 analyse exported logs (UAL CSV, Management Activity / audit-query / sign-in /
                                 directory-audit / advanced-hunting JSON); exit 2 names any file it cannot read

Configuration comes from the environment; see .env.example.
`;

/** CLI entry: exit 0 on success, 2 on bad usage or input, 1 on failure. */
export async function main(argv: string[]): Promise<number> {
  const [cmd, ...rest] = argv;
  if (!cmd || cmd === '--help' || cmd === '-h' || cmd === 'help') {
    process.stdout.write(HELP);
    return 0;
  }
  if (cmd === '--version') {
    const pkg = JSON.parse(
      readFileSync(
        join(__dirname, '..', '..', existsSync(join(__dirname, '..', '..', 'package.json')) ? '' : '..', 'package.json'),
        'utf8',
      ),
    ) as { version: string };
    process.stdout.write(`${pkg.version}\n`);
    return 0;
  }
  try {
    if (cmd === 'config') {
      const c = loadConfig();
      const safe = {
        ...c,
        graph: { ...c.graph, credential: c.graph.credential.kind },
        teams: { ...c.teams, appPassword: c.teams.appPassword ? '[set]' : undefined },
        slack: {
          apiUrl: c.slack.apiUrl,
          signingSecret: c.slack.signingSecret ? '[set]' : undefined,
          botToken: c.slack.botToken ? '[set]' : undefined,
        },
        storage: { prefix: c.storage.prefix, connectionString: '[set]' },
      };
      process.stdout.write(JSON.stringify(safe, null, 2) + '\n');
      return 0;
    }
    if (cmd === 'find') {
      if (rest.length === 0) throw new ContainError('BAD_COMMAND', 'Usage: contain find <user>');
      const ctx = await createContext(loadConfig());
      const r = await findUser(ctx, { kind: 'text', value: rest.join(' ') });
      const users = r.kind === 'one' ? [r.user] : r.candidates;
      for (const u of users) process.stdout.write(`${u.id}\t${u.displayName}\t${u.userPrincipalName}\n`);
      return 0;
    }
    if (cmd === 'doctor') {
      const at = rest.indexOf('--format');
      const format = at >= 0 ? rest[at + 1] : 'table';
      if ((format !== 'table' && format !== 'json') || rest.some((_w, i) => i !== at && i !== at + 1))
        throw new ContainError('BAD_COMMAND', 'Usage: contain doctor [--format table|json]');
      const ctx = await createContext(loadConfig());
      const result = await runDoctor(ctx);
      process.stdout.write(format === 'json' ? doctorJson(result) : doctorTable(result));
      // Kept for the containment card; storage trouble never changes doctor's answer.
      const kept = await Promise.race([
        keepDoctor(ctx, result).then(
          () => true,
          () => false,
        ),
        new Promise<boolean>((r) => setTimeout(() => r(false), 10_000).unref()),
      ]);
      if (!kept)
        process.stderr.write(
          'contain: the result could not be kept for the containment card (storage unreachable); the rows above stand.\n',
        );
      return result.checks.every((c) => c.ok || c.optional) ? 0 : 1;
    }
    if (cmd === 'analyze') {
      return await runAnalyze(
        rest,
        (t) => process.stdout.write(t),
        (t) => process.stderr.write(t),
      );
    }
    if (cmd === 'investigate' || cmd === 'hunt' || cmd === 'report') {
      // The chat grammar, so that what works in a channel works here (`--since 48h`, a quoted name, an object id).
      const c = parseCommand([cmd, ...rest].join(' '));
      if (c.name === 'investigate') {
        if (c.target.kind === 'mention')
          throw new ContainError('BAD_COMMAND', "Mentions only work in chat; give the user's name, UPN or object id.");
        const r = await investigateUser(await createContext(loadConfig()), c.target, c.sinceDays, { progress: toStderr });
        process.stdout.write(JSON.stringify(r.full, null, 2) + '\n');
      } else if (c.name === 'hunt') {
        const r = await huntUserAgents(await createContext(loadConfig()), c.days, { progress: toStderr });
        process.stdout.write(JSON.stringify(r.full, null, 2) + '\n');
      } else if (c.name === 'report' && isIncidentId(c.ref)) {
        process.stdout.write((await buildReport(await createContext(loadConfig()), c.ref.toUpperCase())).markdown);
      } else throw new ContainError('BAD_COMMAND', 'Usage: contain report INC-YYYYMMDD-NNNN');
      return 0;
    }
    process.stderr.write(`contain: unknown command "${cmd}"\n\n${HELP}`);
    return 2;
  } catch (err) {
    const e = err instanceof ContainError ? err : undefined;
    process.stderr.write(`contain: ${e ? e.userMessage : (err as Error).message}\n`);
    return e && (e.code === 'BAD_COMMAND' || e.code === 'USER_NOT_FOUND' || e.code === 'CONFIG_INVALID' || e.code === 'NOT_FOUND') ? 2 : 1;
  }
}

/** Progress lines go to stderr so that stdout stays one JSON document for scripts. */
async function toStderr(line: string): Promise<void> {
  process.stderr.write(`${line}\n`);
}

if (require.main === module) {
  void main(process.argv.slice(2)).then((code) => {
    process.exitCode = code;
  });
}
