import type { LocalStack } from '../../sandbox/local-stack';
import { SEED_IDS } from '../../sandbox/graph/seed';
import { mutatingCalls, startTestStack, waitFor } from '../helpers/stack';
import { PEOPLE, channelMention, executeInvoke, post, cardsOf, json as text } from '../helpers/teams';
import { adaptiveCardProblems } from '../helpers/adaptive';
import { resetContext } from '../../src/runtime';

async function say(stack: LocalStack, words: string, needle: string): Promise<Record<string, unknown>> {
  const before = new Set(stack.connector.all().map((r) => r.activityId));
  await post(stack, channelMention(stack, PEOPLE.riley, words));
  const r = await waitFor(
    () => stack.connector.all().find((x) => x.op !== 'update' && !before.has(x.activityId) && text(cardsOf(x)).includes(needle)),
    { what: `"${needle}" after "${words}"` },
  );
  return cardsOf(r)[0];
}

describe('status, report, dry run', () => {
  let stack: LocalStack;
  beforeAll(async () => {
    stack = await startTestStack();
  });
  afterAll(() => stack?.stop());

  test('report after containment: card in the thread and the Markdown file with the audit trail', async () => {
    const card = await say(stack, 'contain alice', '"verb":"approve"');
    const ref = /"ref":"(INC-\d{8}-\d{4}\/a01)"/.exec(text(card))![1];
    const incidentId = ref.split('/')[0];
    await post(stack, executeInvoke(stack, PEOPLE.parker, 'approve', { ref }, '19:soc-incidents@thread.tacv2;messageid=1'));
    await waitFor(() => stack.connector.all().some((r) => String(r.activity.text ?? '').includes('Revoke all sessions')), { what: 'done' });

    const report = await say(stack, 'report alice', `Report ${incidentId}`);
    expect(adaptiveCardProblems(report)).toEqual([]);
    expect(text(report)).toContain('Parker Patel (teams)');
    expect(text(report)).toContain('152.42.161.220');

    const file = await fetch(`${stack.url}/api/incidents/${incidentId}/report`);
    expect(file.status).toBe(200);
    expect(file.headers.get('content-type')).toContain('text/markdown');
    const md = await file.text();
    expect(md).toContain(`# Incident ${incidentId}: Alice Aoki`);
    expect(md).toMatch(/\| Revoke all sessions \| succeeded \| Parker Patel \(teams\) \|/);
    expect(md).toMatch(/\| action\.approved \| Parker Patel \(teams\) \|/);
    expect(md).toContain('`240b:10:32c1:ab00:857:889:3734:e93`');
    // People in the channel have no function key: the card links the same report, signed and expiring.
    const link = /"url":"([^"]+format=md[^"]+)"/.exec(text(report))![1];
    expect(await (await fetch(link)).text()).toBe(md);
    const data = (await (await fetch(link.replace('format=md', 'format=json'))).json()) as {
      incident: { id: string; etag?: string };
      audit: { event: string }[];
    };
    expect(data.incident.id).toBe(incidentId);
    expect(data.incident.etag).toBeUndefined();
    expect(data.audit.map((e) => e.event)).toContain('action.approved');
    expect((await fetch(`${stack.url}/api/incidents/INC-20000101-0001/report`)).status).toBe(404);
    expect((await fetch(`${stack.url}/api/incidents/bogus/report`)).status).toBe(400);
  });

  test('an incident or result id with a malformed percent-encoding is 400, not 500', async () => {
    for (const bad of ['%E0%A4%A', '%', 'INC-%zz', '%C0%AF']) {
      expect((await fetch(`${stack.url}/api/incidents/${bad}/report`)).status).toBe(400);
      expect((await fetch(`${stack.url}/api/results/${bad}?format=md&expires=1&sig=x`)).status).toBe(400);
    }
  });

  test('status with no incident lists the open incidents of this channel', async () => {
    await say(stack, 'contain bob brown', '"verb":"approve"');
    const list = await say(stack, 'status', 'Open incidents in this channel');
    expect(text(list)).toContain('Bob Brown');
    expect(text(list)).toMatch(/\d+ waiting for approval/);
  });

  test('--dry-run shows the plan, offers no buttons and changes nothing', async () => {
    stack.emulator.reset();
    const card = await say(stack, 'contain carol chen --dry-run', 'Dry run');
    expect(text(card)).toContain('Revoke all sessions');
    expect(text(card)).not.toContain('"verb":"approve"');
    expect(text(card)).toContain('would be proposed');
    await stack.idle();
    expect(mutatingCalls(stack)).toHaveLength(0);
  });
});

describe('investigate', () => {
  let stack: LocalStack;
  beforeAll(async () => {
    stack = await startTestStack({ CONTAIN_AUDIT_POLL_SECONDS: '0.05' });
    stack.emulator.auditQueryMs = 400;
  });
  afterAll(() => stack?.stop());

  test('investigate alice: sign-ins, directory audit and the unified audit log through the analyzer, with progress and the full result', async () => {
    const before = stack.connector.all().length;
    const card = await say(stack, 'investigate alice', 'Investigation: Alice Aoki');
    expect(adaptiveCardProblems(card)).toEqual([]);
    const t = text(card);
    expect(t).toContain('aitm-session');
    // The phishing click itself went through Alice's office network; the replays through two others.
    expect(t).toMatch(/used from 3 IP addresses in 3 networks \(AS14061, AS17676, AS64500\)/);
    expect(t).toContain('152.42.161.220');
    expect(t).toContain('240b:10:32c1:ab00:857:889:3734:e93');
    expect(t).toContain('mfa-registration'); // "User registered security info" from the attacker's IP
    expect(t).not.toContain('203.0.113.10 ·'); // her own office sign-ins are not findings
    expect(t).not.toContain('unified audit log'); // it was read: no note about it

    // The audit log query was created, polled until it succeeded, and its records paged (the sandbox pages by 4).
    const calls = stack.emulator.requests().filter((r) => r.path.startsWith('/v1.0/security/auditLog/queries'));
    expect(calls[0]).toMatchObject({ method: 'POST', status: 201 });
    const polls = calls.filter((r) => r.method === 'GET' && !r.path.endsWith('/records'));
    expect(polls.length).toBeGreaterThanOrEqual(2);
    expect(calls.filter((r) => r.path.endsWith('/records')).length).toBeGreaterThanOrEqual(3);

    // Progress: one line in the thread, posted once and then edited in place, ending with what was read.
    const lines = stack.connector
      .all()
      .slice(before)
      .filter((r) => typeof r.activity.text === 'string' && /unified audit log/i.test(String(r.activity.text)));
    expect(lines[0].op).not.toBe('update');
    expect(lines.some((r) => r.op === 'update' && /running in Purview/.test(String(r.activity.text)))).toBe(true);
    expect(lines.at(-1)!.activity.text).toMatch(/^Unified audit log: 9 records read\.$/);
    expect(new Set(lines.map((r) => r.activityId)).size).toBe(1);

    // The full result: every finding, including the audit log's inbox rules and file download, behind signed links.
    const url = (/"url":"([^"]+format=md[^"]+)"/.exec(t) ?? [])[1];
    expect(url).toBeDefined();
    const md = await fetch(url);
    expect(md.status).toBe(200);
    const doc = await md.text();
    expect(doc).toMatch(/\| inbox-rule \| alice\.aoki@contoso\.example \| 152\.42\.161\.220 \| ual \|/);
    expect(doc).toMatch(/\| ual \| a0d17000-0000-4000-8000-000000000008 \| FileDownloaded in stolen session/);
    expect(doc).toMatch(/CreateFlow|flow-created/);
    const json = (await (await fetch(url.replace('format=md', 'format=json'))).json()) as {
      findings: { id: string; source: string; category: string }[];
      context: { verdict: string }[];
      attackerActivity: { files: string[]; mailSent: string[] };
    };
    // What the attacker touched, for the breach-notification decision; the ordinary rest kept apart as context.
    expect(json.attackerActivity.files).toEqual(['https://contoso.sharepoint.com/sites/finance/Shared Documents/Q4 payments.xlsx']);
    expect(json.attackerActivity.mailSent).toContain('<att-0001@contoso.example>');
    expect(json.context.every((c) => c.verdict === 'info')).toBe(true);
    expect(doc).toContain('## What the attacker touched');
    expect(doc).toContain('![Incident timeline](data:image/svg+xml;base64,');
    // The timeline picture is kept next to the Markdown, served inline with a policy that forbids scripts.
    const svgUrl = (/"url":"([^"]+format=svg[^"]+)"/.exec(t) ?? [])[1];
    expect(svgUrl).toBeDefined();
    const svg = await fetch(svgUrl);
    expect(svg.status).toBe(200);
    expect(svg.headers.get('content-type')).toMatch(/^image\/svg\+xml/);
    expect(svg.headers.get('content-security-policy')).toContain("default-src 'none'");
    expect(await svg.text()).toMatch(/^<svg [^>]*>[\s\S]*Initial access and sign-ins[\s\S]*<\/svg>$/);
    expect(json.findings.filter((f) => f.source === 'ual').length).toBeGreaterThanOrEqual(5);
    expect(json.findings.some((f) => f.source === 'ual' && f.category === 'inbox-rule')).toBe(true);
    // Graph lists only interactive sign-ins unless asked; the attacker's token replay is a non-interactive one.
    const replay = stack.emulator.state.signIns.find((x) => x.signInEventTypes.includes('nonInteractiveUser'))!;
    const plain = (await (await fetch(`${stack.url}/sandbox/graph/beta/auditLogs/signIns`)).json()) as { value: { id: string }[] };
    expect(plain.value.map((x) => x.id)).not.toContain(replay.id);
    expect(json.findings).toEqual(expect.arrayContaining([expect.objectContaining({ id: replay.id, category: 'aitm-session' })]));
    // Bob's and Alice's own activity from their own addresses is not a finding.
    expect(JSON.stringify(json)).not.toContain('Pipeline.xlsx');

    // A link that was altered, or is past its time, opens nothing.
    expect((await fetch(url.replace(/sig=[^&]+/, 'sig=AAAA'))).status).toBe(403);
    expect((await fetch(url.replace(/expires=\d+/, 'expires=1000'))).status).toBe(403); // the signature covers the expiry
    expect((await fetch(url.replace(/&sig=[^&]+/, ''))).status).toBe(401);
  });

  test('an audit log query that outlives the wait: the card says where to find it in Purview', async () => {
    stack.emulator.auditQueryMs = 60_000;
    process.env.CONTAIN_AUDIT_TIMEOUT_MINUTES = '0.01';
    try {
      resetContext();
      const card = await say(stack, 'investigate bob brown', 'Investigation: Bob Brown');
      expect(text(card)).toMatch(
        /unified audit log: The unified audit log query was still (queued|running) after 1 min\. It keeps running in Purview \\\\> Audit as \\"Contain: bob\.brown@contoso\.example 20\d\d-\d\d-\d\d\.\.20\d\d-\d\d-\d\d\\"/,
      );
      expect(text(card)).toContain('run investigate again in a few minutes to pick it up');
      expect(text(card)).toContain('Full result (Markdown)');
      // Run again once Purview has finished: the same query is picked up, not a second one started.
      stack.emulator.auditQueryMs = 0;
      const again = text(await say(stack, 'investigate bob brown', 'Investigation: Bob Brown'));
      expect(again).toMatch(/The unified audit log covers up to \d{4}-\d\d-\d\d \d\d:\d\d UTC: an earlier run's query was picked up/);
      const creates = stack.emulator.requests().filter((r) => r.method === 'POST' && r.path === '/v1.0/security/auditLog/queries');
      expect(
        stack.emulator.state.auditQueries.filter((q) =>
          (q.data.userPrincipalNameFilters as string[]).includes('bob.brown@contoso.example'),
        ),
      ).toHaveLength(1);
      expect(creates.length).toBe(stack.emulator.state.auditQueries.length);
    } finally {
      delete process.env.CONTAIN_AUDIT_TIMEOUT_MINUTES;
      resetContext();
      stack.emulator.auditQueryMs = 400;
    }
  });

  test("scope alice: the phishing mail, its other recipients, and Erin who signed in from the attacker's IP", async () => {
    const before = stack.emulator.requests().length; // investigate reads mail through advanced hunting too
    const card = await say(stack, 'scope alice', 'Scope: Alice Aoki');
    expect(adaptiveCardProblems(card)).toEqual([]);
    const t = text(card);
    expect(t).toContain('Shared document: Q4 invoice');
    expect(t).toContain('docs@sharepoint-files.example');
    // The likely compromised are offered as a wave (Contain all 2), each with the reason.
    expect(t).toContain('Contain all 2');
    expect(t).toMatch(/"title":"erin\.evans@contoso\.example: signed in from the attacker's IP 152\.42\.161\.220/);
    expect(t).toContain('No sign of compromise · bob.brown@contoso.example');
    // Carol's phone signed in from another address of the attacker's hosting network (ASN) that evening.
    expect(t).toMatch(/"title":"carol\.chen@contoso\.example: signed in from the attacker's network AS14061 \(152\.42\.170\.3\)/);
    expect(t).toContain('"title":"Found by","value":"advanced hunting"');
    expect(t).not.toContain('Contoso weekly'); // the internal newsletter is not the phishing mail
    // The same link from another sender under another subject reached Frank: found through EmailUrlInfo.
    expect(t).toContain(
      'No sign of compromise · frank.fischer@contoso.example (same link, subject \\"Action required: invoice awaiting approval\\")',
    );
    expect(t).toContain('"title":"Links","value":"hxxps://sharepoint-files\\\\[.\\\\]example/d/Q4-invoice?e=4711"');
    expect(t).toContain('"title":"Recipients","value":"5"');
    // Inbound mail, the same sender and subject, the mail's links, the other mails with them, and those mails.
    const hunts = stack.emulator
      .requests()
      .slice(before)
      .filter((r) => r.path === '/v1.0/security/runHuntingQuery');
    expect(hunts).toHaveLength(5);
    // The progress line ends saying what was done, not with a dangling "…".
    await waitFor(
      () => stack.connector.all().some((r) => r.activity.text === 'Checked the sign-ins of 4 other recipients: 2 look compromised.'),
      { what: 'final progress line' },
    );
  });

  test('hunt user-agents: attack-tool sign-ins in the tenant, successes and failures apart', async () => {
    const card = await say(stack, 'hunt user-agents --days 3', 'Harmful user agents, last 3 days');
    expect(adaptiveCardProblems(card)).toEqual([]);
    const t = text(card);
    expect(t).toContain('"title":"axios","value":"1 successful, 0 failed"');
    expect(t).toContain('"title":"python-requests","value":"0 successful, 1 failed"');
    expect(t).toContain('judy.jones@contoso.example');
  });

  test('posture: each defensive measure met, missing or unknown, with the Graph evidence', async () => {
    const card = await say(stack, 'posture', 'Defensive measures');
    expect(adaptiveCardProblems(card)).toEqual([]);
    const t = text(card);
    expect(t).toContain('**met** · Risky sign-ins challenged or blocked: enforced by \\"Risky sign-ins need MFA\\"');
    expect(t).toMatch(/\*\*missing\*\* · Sign-in frequency for browser sessions: only in report-only mode/);
    expect(t).toMatch(/\*\*missing\*\* · Phishing-resistant MFA/);
    expect(t).toMatch(/\*\*missing\*\* · Users may not register applications: allowedToCreateApps is true/);
    expect(t).toMatch(/\*\*missing\*\* · Users may not consent to applications/);
    expect(t).toMatch(/\*\*missing\*\* · Harmful user agents blocked: no Conditional Access policy routes sessions through App Control/);
    expect(t).toMatch(/\*\*missing\*\* · Device code flow blocked/);
  });

  test('the report gains the timeline, the mail rules with their definitions, the apps, and the other recipients', async () => {
    const card = await say(stack, 'contain alice', '"verb":"approve-all"');
    const incidentId = /"ref":"(INC-\d{8}-\d{4})"/.exec(text(card))![1];
    await post(stack, executeInvoke(stack, PEOPLE.parker, 'approve-all', { ref: incidentId }, '19:soc-incidents@thread.tacv2;messageid=1'));
    await waitFor(
      async () => (await (await fetch(`${stack.url}/api/incidents/${incidentId}/report`)).text()).includes('| action.succeeded |'),
      { what: 'actions done' },
    );
    const before = await (await fetch(`${stack.url}/api/incidents/${incidentId}/report`)).text();
    expect(before).toContain(
      'The logs were not investigated (sign-ins, directory audit, unified audit log): run "investigate \\<user\\>".',
    );
    await say(stack, 'scope alice', 'Scope: Alice Aoki');
    await say(stack, 'investigate alice', 'Investigation: Alice Aoki');
    const md = await (await fetch(`${stack.url}/api/incidents/${incidentId}/report`)).text();
    // The investigation's audit-log findings join the timeline, in time order with the rest.
    expect(md).toMatch(
      /\| [^|]+ \| device-registration: device "DESKTOP-7Q2V9KD" registered for alice\.aoki@contoso\.example from 152\.42\.161\.220 \|[\s\S]*inbox-rule: New-InboxRule by alice\.aoki@contoso\.example[\s\S]*flow-created: Power Automate flow created from 152\.42\.161\.220/,
    );
    expect(md).toContain('- Stolen sessions: `5e551000-0000-4000-8000-00000000a1ce`');
    expect(md).not.toContain('were not investigated');
    expect(md).toContain('## Timeline');
    expect(md).toMatch(/## Timeline\n\n!\[Incident INC-\d{8}-\d{4} timeline\]\(data:image\/svg\+xml;base64,[A-Za-z0-9+/=]+\)/);
    expect(md).toMatch(
      /## What the attacker touched[\s\S]*Files opened or downloaded: 1\n {2}- https:\/\/contoso\.sharepoint\.com\/sites\/finance\/Shared Documents\/Q4 payments\.xlsx/,
    );
    expect(md).toContain('  - \\<att-0001@contoso.example\\>');
    expect(md).toMatch(/phishing mail "Shared document: Q4 invoice" delivered/);
    expect(md).toMatch(/## Mail rules[\s\S]*Disable inbox rule "\."[\s\S]*Conditions: `\{"subjectOrBodyContains":\["invoice"/);
    expect(md).toMatch(/## Applications added or consented[\s\S]*Turn off sign-in for app "\.\."/);
    expect(md).toMatch(/## Other recipients of the phishing mail[\s\S]*erin\.evans@contoso\.example: \*\*likely compromised\*\*/);
    expect(md).toContain('erin.evans@contoso.example looks compromised too: open an incident for them.');
  });

  test('scope without Defender for Office 365: message trace finds the mail and its recipients, and the card says how', async () => {
    stack.emulator.faults.add({ route: 'runHuntingQuery', status: 403, code: 'Forbidden', message: 'Missing license' });
    try {
      const card = await say(stack, 'scope alice', 'Scope: Alice Aoki');
      expect(adaptiveCardProblems(card)).toEqual([]);
      const t = text(card);
      expect(t).toMatch(/Advanced hunting is not available \(needs Microsoft Defender for Office 365 Plan 2.*Used message trace instead\./);
      expect(t).toContain('"title":"Found by","value":"message trace"');
      expect(t).toContain('Shared document: Q4 invoice');
      expect(t).toMatch(/"title":"erin\.evans@contoso\.example: signed in/);
      expect(t).toContain('Message trace does not count links');
      const traces = stack.emulator.requests().filter((r) => r.path === '/v1.0/admin/exchange/tracing/messageTraces');
      expect(traces.map((r) => decodeURIComponent(r.query ?? ''))).toEqual([
        expect.stringMatching(/recipientAddress eq 'alice\.aoki@contoso\.example' and receivedDateTime ge /),
        expect.stringMatching(/senderAddress eq 'docs@sharepoint-files\.example' and receivedDateTime ge /),
      ]);

      // A named message through message trace: its window is at most 10 days (the sandbox refuses more, as Exchange does).
      const named = text(await say(stack, 'scope alice --message <phish-4711@sharepoint-files.example>', 'Scope: Alice Aoki'));
      expect(named).toContain('"title":"Found by","value":"message trace"');
      expect(named).toMatch(/"title":"erin\.evans@contoso\.example: signed in/);
      expect(named).not.toContain('does not count links');
      expect(
        stack.emulator
          .requests()
          .filter((r) => r.path.endsWith('/messageTraces'))
          .every((r) => r.status === 200),
      ).toBe(true);

      stack.emulator.faults.add({ route: 'messageTraces', status: 403, code: 'Forbidden', message: 'Missing role' });
      const none = text(await say(stack, 'scope alice', 'Scope: Alice Aoki'));
      expect(none).toMatch(/Message trace is not available either \(needs ExchangeMessageTrace\.Read\.All\)/);
    } finally {
      stack.emulator.faults.clear();
    }
  });

  test('scope --message: the named message, as Slack delivers it (brackets escaped, address linked)', async () => {
    const card = await say(
      stack,
      'scope alice --message &lt;<mailto:phish-4711@sharepoint-files.example|phish-4711@sharepoint-files.example>&gt;',
      'Scope: Alice Aoki',
    );
    const t = text(card);
    expect(t).toContain('"title":"Message id","value":"\\\\<phish-4711@sharepoint-files.example\\\\>"');
    expect(t).toMatch(/"title":"erin\.evans@contoso\.example: signed in/);
    const hunts = stack.emulator.requests().filter((r) => r.path === '/v1.0/security/runHuntingQuery');
    expect(hunts.length).toBeGreaterThan(0);
    const unknown = text(await say(stack, 'scope alice --message <nope@example.com>', 'Scope: Alice Aoki'));
    expect(unknown).toContain('No message with id \\\\<nope@example.com\\\\> in the last 30 days.');
  });

  test('contain investigate from a shell: progress on stderr, the full result as one JSON document on stdout', async () => {
    const { main } = await import('../../src/cli/main');
    let out = '';
    let err = '';
    const [o, e] = [process.stdout.write.bind(process.stdout), process.stderr.write.bind(process.stderr)];
    process.stdout.write = ((x: string) => ((out += x), true)) as typeof process.stdout.write;
    process.stderr.write = ((x: string) => ((err += x), true)) as typeof process.stderr.write;
    let code: number;
    try {
      code = await main(['investigate', 'alice.aoki@contoso.example', '--since', '7d']);
    } finally {
      process.stdout.write = o;
      process.stderr.write = e;
    }
    expect(code).toBe(0);
    const r = JSON.parse(out) as { user: string; findings: { source: string; category: string }[]; iocs: { ips: string[] } };
    expect(r.user).toBe('alice.aoki@contoso.example');
    expect(r.findings.some((f) => f.source === 'ual' && f.category === 'inbox-rule')).toBe(true);
    expect(r.iocs.ips).toContain('152.42.161.220');
    expect(err).toMatch(/^Reading sign-ins, directory audit and the unified audit log of alice\.aoki@contoso\.example/m);
  });

  test('a tenant without Entra ID P1: the card says what could not be read', async () => {
    stack.emulator.faults.add({
      route: 'auditLogs',
      status: 403,
      code: 'Authentication_RequestFromNonPremiumTenantOrB2CTenant',
      message: "Neither tenant is B2C or tenant doesn't have premium license",
    });
    stack.emulator.faults.add({
      route: 'security/auditLog/queries',
      status: 403,
      code: 'Forbidden',
      message: 'Caller lacks AuditLogsQuery.Read.All',
    });
    const card = await say(stack, 'investigate bob brown', 'Investigation: Bob Brown');
    expect(text(card)).toMatch(/sign-in logs: This needs Microsoft Entra ID P1/);
    expect(text(card)).toMatch(
      /unified audit log: Microsoft Graph refused (creating|polling) the unified audit log query \(HTTP 403, Forbidden\)\. Check Contain's Graph permissions\. It needs AuditLogsQuery\.Read\.All and Microsoft Purview Audit\./,
    );
    stack.emulator.faults.clear();
  });
});

describe('fast path', () => {
  let stack: LocalStack;
  beforeAll(async () => {
    stack = await startTestStack({ CONTAIN_FAST_PATH_REVOKE: 'true' });
  });
  afterAll(() => stack?.stop());

  test('revoking sessions runs at once when policy allows it, and the thread says so', async () => {
    await post(stack, channelMention(stack, PEOPLE.riley, 'contain alice'));
    await waitFor(() => stack.connector.all().some((r) => r.op === 'update' && text(cardsOf(r)).includes('Done (fast path)')), {
      what: 'fast-path result',
    });
    expect(mutatingCalls(stack).filter((r) => r.path === `/v1.0/users/${SEED_IDS.alice}/revokeSignInSessions`)).toHaveLength(1);
  });
});
