import { z } from 'zod';
import { TENANT_ID } from './ids';
import { isDevice, isDirectory, PROTECTION_CA, REPORTS, resourceUnits, SECURITY_DETECTIONS, writes, type Req } from './budget-classes';

export { OUTLOOK, resourceUnits, WRITE, type Req } from './budget-classes';

/**
 * The published Microsoft Graph throttling budgets as a table (which requests each counts, how much, over what), and
 * how requests are classified into them. sandbox/graph/budgets.ts enforces them; test/conformance/budgets.test.ts
 * cites every figure.
 */
export const THROTTLING_LIMITS = 'https://learn.microsoft.com/graph/throttling-limits';
/** The sandbox's own app registration, for x-ms-throttle-scope. */
export const SANDBOX_APP_ID = '5a4d0b07-0000-4000-8000-00000000c0a1';

export type Algorithm = 'token-bucket' | 'sliding-window' | 'concurrency';
export type Scope = 'app' | 'app+tenant' | 'tenant' | 'app+mailbox';

/** One request as the budgets see it: method, path below the version, query, and the mailbox it touches. */
export interface BudgetDef {
  id: string;
  what: string;
  doc: string;
  scope: Scope;
  algorithm: Algorithm;
  /** Requests (or resource units) per window; for concurrency, requests at once. */
  limit: number | ((tenantUsers: number) => number);
  windowSeconds: number;
  retryAfter: boolean;
  /** What this request costs against the budget; 0 = it does not count. */
  cost(r: Req): number;
  refusal: { code: string; message: string; headers?: (limit: 'Read' | 'Write', scope: Scope) => Record<string, string> };
}

export const TOO_MANY = { code: 'TooManyRequests', message: 'Please retry again later.' };
/** Identity and access answers with its documented x-ms-throttle-* headers. */
export const identityRefusal = (information: string) => ({
  ...TOO_MANY,
  headers: (limit: 'Read' | 'Write', scope: Scope) => ({
    'x-ms-throttle-scope': `${scope === 'tenant' ? 'Tenant' : 'Tenant_Application'}/${limit}/${SANDBOX_APP_ID}/${TENANT_ID}`,
    'x-ms-throttle-information': information,
  }),
});

export const anchor = (a: string) => `${THROTTLING_LIMITS}#${a}`;

/** The rest of an Outlook budget, counted per app and mailbox: every request that names a mailbox counts once. */
const perMailbox = (limits: Pick<BudgetDef, 'algorithm' | 'limit' | 'windowSeconds'>, message: string) =>
  ({
    scope: 'app+mailbox',
    ...limits,
    retryAfter: true,
    cost: (r: Req) => (r.mailbox ? 1 : 0),
    refusal: { code: 'ApplicationThrottled', message },
  }) satisfies Omit<BudgetDef, 'id' | 'what' | 'doc'>;

/** The budgets, in the order a request is checked against them. */
export const BUDGETS: BudgetDef[] = [
  {
    id: 'global',
    what: 'Any request',
    doc: THROTTLING_LIMITS,
    scope: 'app',
    algorithm: 'token-bucket',
    limit: 130_000,
    windowSeconds: 10,
    retryAfter: true,
    cost: () => 1,
    refusal: TOO_MANY,
  },
  {
    id: 'identity-resource-units',
    what: 'Identity and access resource units (S: under 50 users, M: 50-500, L: above 500)',
    doc: anchor('identity-and-access-service-limits'),
    scope: 'app+tenant',
    algorithm: 'token-bucket',
    limit: (users) => (users < 50 ? 3_500 : users <= 500 ? 5_000 : 8_000),
    windowSeconds: 10,
    retryAfter: true,
    cost: (r) => (isDirectory(r) ? resourceUnits(r) : 0),
    refusal: identityRefusal('ResourceUnitLimitExceeded'),
  },
  {
    id: 'identity-writes',
    what: 'Identity and access writes',
    doc: anchor('identity-and-access-service-limits'),
    scope: 'app+tenant',
    algorithm: 'token-bucket',
    limit: 3_000,
    windowSeconds: 150,
    retryAfter: true,
    cost: writes,
    refusal: identityRefusal('WriteLimitExceeded'),
  },
  {
    id: 'identity-writes-tenant',
    what: 'Identity and access writes, all apps',
    doc: anchor('identity-and-access-service-limits'),
    scope: 'tenant',
    algorithm: 'token-bucket',
    limit: 18_000,
    windowSeconds: 300,
    retryAfter: true,
    cost: writes,
    refusal: identityRefusal('WriteLimitExceeded'),
  },
  // The device table's "per user per tenant" column has no user in app-only calls: the app is the caller, so it is counted per app.
  {
    id: 'device-writes',
    what: 'Device writes (POST, PATCH, DELETE)',
    doc: anchor('identity-and-access-device-operation-service-limits'),
    scope: 'app+tenant',
    algorithm: 'sliding-window',
    limit: 25,
    windowSeconds: 10,
    retryAfter: true,
    cost: (r) => (isDevice(r) && r.method !== 'GET' ? 1 : 0),
    refusal: identityRefusal('WriteLimitExceeded'),
  },
  {
    id: 'device-writes-quota',
    what: 'Device write quota',
    doc: anchor('identity-and-access-device-operation-service-limits'),
    scope: 'app+tenant',
    algorithm: 'token-bucket',
    limit: 3_000,
    windowSeconds: 150,
    retryAfter: true,
    cost: (r) => (isDevice(r) && r.method !== 'GET' ? 1 : 0),
    refusal: identityRefusal('WriteLimitExceeded'),
  },
  {
    id: 'reports',
    what: 'Identity and access reports: sign-ins, directory audits, authentication-method reports',
    doc: anchor('identity-and-access-reports-service-limits'),
    scope: 'app+tenant',
    algorithm: 'sliding-window',
    limit: 5,
    windowSeconds: 10,
    retryAfter: true,
    cost: (r) => (REPORTS.test(r.path) ? 1 : 0),
    refusal: TOO_MANY,
  },
  {
    id: 'sign-in-activity',
    what: 'List users with $select=signInActivity',
    doc: anchor('identity-and-access-reports-service-limits'),
    scope: 'app+tenant',
    algorithm: 'sliding-window',
    limit: 10,
    windowSeconds: 60,
    retryAfter: true,
    cost: (r) => (r.method === 'GET' && /^\/users\/?$/i.test(r.path) && /signInActivity/i.test(r.query.get('$select') ?? '') ? 1 : 0),
    refusal: TOO_MANY,
  },
  {
    id: 'identity-protection-ca',
    what: 'Identity Protection and Conditional Access (no Retry-After)',
    doc: anchor('identity-protection-and-conditional-access-service-limits'),
    scope: 'tenant',
    algorithm: 'sliding-window',
    limit: 1,
    windowSeconds: 1,
    retryAfter: false,
    cost: (r) => (PROTECTION_CA.test(r.path) ? 1 : 0),
    refusal: TOO_MANY,
  },
  {
    id: 'outlook-concurrency',
    what: 'Outlook: concurrent requests per mailbox (mail, rules, folders)',
    doc: anchor('outlook-service-limits'),
    ...perMailbox({ algorithm: 'concurrency', limit: 4, windowSeconds: 0 }, 'Application is over its MailboxConcurrency limit.'),
  },
  {
    id: 'outlook-requests',
    what: 'Outlook: requests per mailbox (mail, rules, folders)',
    doc: anchor('outlook-service-limits'),
    ...perMailbox({ algorithm: 'sliding-window', limit: 10_000, windowSeconds: 600 }, 'Application is over its MailboxRequestRate limit.'),
  },
  // The section is titled "Security detections and incidents" but its table names only alert, securityActions and
  // secureScore; the sandbox counts incidents (which Defender builds from alerts) against the same budget: stricter.
  {
    id: 'security-detections',
    what: 'Security alerts and incidents (/security/alerts, alerts_v2, incidents)',
    doc: anchor('security-detections-and-incidents-service-limits'),
    scope: 'app+tenant',
    algorithm: 'sliding-window',
    limit: 150,
    windowSeconds: 60,
    retryAfter: true,
    cost: (r) => (SECURITY_DETECTIONS.test(r.path) ? 1 : 0),
    refusal: TOO_MANY,
  },
  {
    id: 'message-trace',
    what: 'Exchange message trace',
    doc: anchor('exchange-message-trace-service-limits'),
    scope: 'tenant',
    algorithm: 'sliding-window',
    limit: 100,
    windowSeconds: 300,
    retryAfter: true,
    cost: (r) => (/^\/admin\/exchange\/tracing\//i.test(r.path) ? 1 : 0),
    refusal: TOO_MANY,
  },
  {
    id: 'advanced-hunting',
    what: 'Advanced hunting API calls per minute',
    doc: 'https://learn.microsoft.com/defender-xdr/api-advanced-hunting',
    scope: 'tenant',
    algorithm: 'sliding-window',
    limit: 45,
    windowSeconds: 60,
    retryAfter: true,
    cost: (r) => (/^\/security\/runHuntingQuery$/i.test(r.path) ? 1 : 0),
    refusal: TOO_MANY,
  },
  {
    id: 'advanced-hunting-hourly',
    what: 'Advanced hunting API calls per hour',
    doc: 'https://learn.microsoft.com/defender-endpoint/api/run-advanced-query-api',
    scope: 'tenant',
    algorithm: 'sliding-window',
    limit: 1_500,
    windowSeconds: 3_600,
    retryAfter: true,
    cost: (r) => (/^\/security\/runHuntingQuery$/i.test(r.path) ? 1 : 0),
    refusal: TOO_MANY,
  },
  {
    id: 'audit-log-queries',
    what: 'Audit log query submissions per day',
    doc: anchor('security-audit-log-query-service-limits'),
    scope: 'tenant',
    algorithm: 'sliding-window',
    limit: 200,
    windowSeconds: 86_400,
    retryAfter: true,
    cost: (r) => (r.method === 'POST' && /^\/security\/auditLog\/queries$/i.test(r.path) ? 1 : 0),
    refusal: TOO_MANY,
  },
];

export const budgetUpdateSchema = z
  .object({
    enabled: z.boolean().optional(),
    budgets: z
      .array(
        z
          .object({
            id: z.string(),
            limit: z.number().positive().optional(),
            windowSeconds: z.number().positive().optional(),
            enabled: z.boolean().optional(),
          })
          .strict(),
      )
      .optional(),
  })
  .strict();
