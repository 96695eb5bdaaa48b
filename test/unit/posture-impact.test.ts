/**
 * A report-only policy's would-be impact from the sandbox's sign-ins (appliedConditionalAccessPolicies, report-only
 * results: https://learn.microsoft.com/graph/api/resources/appliedconditionalaccesspolicy): who would have been
 * blocked, by app and by user agent. The sandbox replays the last three days' sign-ins after the policies exist.
 */
import { createGraph, type Graph } from '../../src/graph/client';
import { applyConditionalAccess } from '../../src/posture/apply';
import { resolveExclusions } from '../../src/posture/exclusions';
import { readReportOnlyImpact, summarizeReportOnly, type ImpactSignIn } from '../../src/posture/impact';
import { compliantDevicePlan, harmfulUserAgentPlan, type MeasureInput } from '../../src/posture/measures';
import { replaySignIns } from '../../sandbox/graph/ca-evaluate';
import { ATTACKER, SEED_IDS } from '../../sandbox/graph/seed';
import { serveSandbox } from '../helpers/sandbox-server';

let server: Awaited<ReturnType<typeof serveSandbox>>;
let graph: Graph;
let input: MeasureInput;
beforeAll(async () => {
  server = await serveSandbox();
  graph = createGraph({ baseUrl: server.graphUrl, pacer: false, retry: { baseDelayMs: 5 }, random: () => 0 });
});
afterAll(() => server.close());
beforeEach(async () => {
  server.emulator.reset();
  server.emulator.budgets.enabled = false;
  input = { label: 'INC-20260101-0001', exclusions: await resolveExclusions(graph, [SEED_IDS.breakGlass, SEED_IDS.globalAdminRole]) };
});

test("compliant device, report-only: the attacker's sign-ins from unmanaged devices would have been blocked, by app and user agent; compliant laptops pass", async () => {
  const applied = await applyConditionalAccess(graph, compliantDevicePlan(input));
  const since = new Date(server.emulator.clock() - 1000).toISOString();
  const none = await readReportOnlyImpact(graph, { id: applied.policyId }, { since });
  expect(none.evaluated).toBe(0);
  expect(none.notes[0]).toMatch(/No sign-in has been evaluated/);

  replaySignIns(server.emulator, { hours: 72 });
  const impact = await readReportOnlyImpact(graph, { id: applied.policyId }, { since });
  expect(impact.policyName).toBe('Contain INC-20260101-0001: Require a compliant or hybrid-joined device (report-only)');
  expect(impact.wouldBlock).toBe(6);
  expect(impact.byUser).toEqual([
    { name: 'alice.aoki@contoso.example', count: 3 },
    { name: 'carol.chen@contoso.example', count: 1 },
    { name: 'erin.evans@contoso.example', count: 1 },
    { name: 'judy.jones@contoso.example', count: 1 },
  ]);
  expect(impact.byUserAgent[0]).toEqual({ name: ATTACKER.userAgent, count: 4 });
  expect(impact.byApp).toEqual(
    expect.arrayContaining([
      { name: 'OfficeHome', count: 2 },
      { name: 'Office 365 Exchange Online', count: 2 },
    ]),
  );
  // Failed passwords never reach Conditional Access: evaluated, not in scope.
  expect(impact.evaluated).toBeGreaterThan(impact.inScope);
  // The read asked for the report-only results by name and filtered on the policy server-side.
  const read = server.emulator
    .requests()
    .filter((r) => r.path.endsWith('/auditLogs/signIns'))
    .at(-1)!;
  expect(decodeURIComponent(read.query!)).toContain(`appliedConditionalAccessPolicies/any(p:p/id eq '${applied.policyId}')`);
});

test('the harmful-user-agent pilot: of the targeted users, the successful axios sign-in would be blocked by the access policy; the failed spray never got that far', async () => {
  const applied = await applyConditionalAccess(
    graph,
    harmfulUserAgentPlan({
      ...input,
      targetedUserIds: [SEED_IDS.judy, SEED_IDS.ivan],
      legitimateUserIds: [],
      userAgents: ['axios', 'python-requests'],
    }),
  );
  replaySignIns(server.emulator, { hours: 72 });
  const impact = await readReportOnlyImpact(
    graph,
    { id: applied.policyId, appControl: true },
    { since: new Date(server.emulator.clock() - 1000).toISOString() },
  );
  // In scope: both users' ordinary Edge sign-ins and Judy's axios one; only the axios one matches the access policy.
  expect(impact).toMatchObject({
    inScope: 3,
    wouldBlock: 1,
    byUser: [{ name: 'judy.jones@contoso.example', count: 1 }],
    byUserAgent: [{ name: 'axios/1.6.8', count: 1 }],
    byApp: [{ name: 'Microsoft Office', count: 1 }],
  });
  expect(impact.notes.join(' ')).toContain('Defender for Cloud Apps access policy');
});

test('without the Prefer header the results are unknownFutureValue: the summary says so instead of reporting "no impact" as fact', () => {
  const signIns: ImpactSignIn[] = [
    {
      createdDateTime: '2026-01-01T00:00:00Z',
      userPrincipalName: 'judy.jones@contoso.example',
      userAgent: 'axios/1.6.8',
      appliedConditionalAccessPolicies: [{ id: 'p1', result: 'unknownFutureValue' }],
    },
  ];
  const s = summarizeReportOnly(signIns, 'p1', { since: '2026-01-01T00:00:00Z' });
  expect(s.wouldBlock).toBe(0);
  expect(s.notes[0]).toMatch(/unknownFutureValue.*Prefer: include-unknown-enum-members/);
});
