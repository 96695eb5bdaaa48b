import { ZodError } from 'zod';
import type { GraphEmulator } from './graph/emulator';
import { appIdentitySchema } from './graph/app-rules';
import { tenantSettings, updateTenantSettings } from './graph/app-identity';
import type { Route } from './local-routes';

/** A JSON body through a zod schema; a bad one is the caller's 400, naming what is wrong. */
function parsed<T>(body: string, parse: (v: unknown) => T): { ok: true; value: T } | { ok: false; status: number; body: unknown } {
  try {
    return { ok: true, value: parse(JSON.parse(body || '{}')) };
  } catch (err) {
    const issues =
      err instanceof ZodError ? err.issues.map((i) => `${i.path.join('.') || 'body'}: ${i.message}`) : [(err as Error).message];
    return { ok: false, status: 400, body: { error: 'invalid body', issues } };
  }
}

/**
 * GET/PUT /sandbox/app: the application permissions and directory roles of Contain's app in the sandbox tenant.
 * GET/PUT /sandbox/tenant: the tenant's prerequisites (message-trace service principal, Power Platform registration)
 * and service plans. POST /sandbox/reset restores both.
 */
export function sandboxAppRoutes(em: GraphEmulator): [string, RegExp, Route][] {
  return [
    ['GET', /^\/sandbox\/app$/, async () => ({ status: 200, body: em.state.app })],
    [
      'PUT',
      /^\/sandbox\/app$/,
      async (_req, body) => {
        const r = parsed(body, (v) => appIdentitySchema.parse(v));
        if (!r.ok) return r;
        const { exchange } = r.value;
        em.state.app = {
          permissions: [...new Set(r.value.permissions)],
          directoryRoles: [...new Set(r.value.directoryRoles)],
          ...(exchange
            ? { exchange: { permissions: [...new Set(exchange.permissions)], managementRoles: [...new Set(exchange.managementRoles)] } }
            : {}),
        };
        return { status: 200, body: em.state.app };
      },
    ],
    ['GET', /^\/sandbox\/tenant$/, async () => ({ status: 200, body: tenantSettings(em) })],
    [
      'PUT',
      /^\/sandbox\/tenant$/,
      async (_req, body) => {
        const r = parsed(body, (v) => updateTenantSettings(em, v));
        return r.ok ? { status: 200, body: r.value } : r;
      },
    ],
  ];
}
