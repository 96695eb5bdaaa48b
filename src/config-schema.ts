/** Every environment variable Contain reads, as a zod schema with its parsers (loaded by config.ts). */
import { z } from 'zod';
import { isGuid } from './ids';

/** Comma-separated list, trimmed, empties dropped. */
const csv = z
  .string()
  .optional()
  .transform((s) =>
    (s ?? '')
      .split(',')
      .map((x) => x.trim())
      .filter(Boolean),
  );

const guidList = csv.refine((ids) => ids.every(isGuid), {
  message: 'every entry must be an Entra object id (a GUID); separate several with commas',
});

const emptyToUndefined = (v: unknown) => (typeof v === 'string' && v.trim() === '' ? undefined : v);
const optionalString = z.preprocess(emptyToUndefined, z.string().optional());
const optionalUrl = z.preprocess(emptyToUndefined, z.url({ protocol: /^https?$/ }).optional());
const bool = z.preprocess(emptyToUndefined, z.enum(['true', 'false', '1', '0']).optional()).transform((v) => v === 'true' || v === '1');
/** Every environment variable Contain reads; .env.example documents each one. */
export const schema = z.object({
  PORT: z.preprocess(emptyToUndefined, z.coerce.number().int().min(0).max(65535).default(3978)),
  CONTAIN_MODE: z.preprocess(emptyToUndefined, z.enum(['local', 'azure']).default('local')),
  GRAPH_BASE_URL: optionalUrl,
  CONTAIN_GRAPH_PACING: z.preprocess(emptyToUndefined, z.enum(['on', 'off']).default('on')),
  AZURE_TENANT_ID: optionalString,
  AZURE_CLIENT_ID: optionalString,
  AZURE_CLIENT_SECRET: optionalString,
  AZURE_CLIENT_CERTIFICATE_PATH: optionalString,
  AZURE_USE_MANAGED_IDENTITY: bool,
  MicrosoftAppId: optionalString,
  MicrosoftAppPassword: optionalString,
  MicrosoftAppTenantId: optionalString,
  MicrosoftAppType: z.preprocess(emptyToUndefined, z.enum(['MultiTenant', 'SingleTenant', 'UserAssignedMSI']).default('SingleTenant')),
  POWER_AUTOMATE_API_URL: optionalUrl,
  POWER_AUTOMATE_ENVIRONMENT: optionalString,
  EXCHANGE_ADMIN_API_URL: optionalUrl,
  SLACK_SIGNING_SECRET: optionalString,
  SLACK_BOT_TOKEN: optionalString,
  SLACK_API_URL: optionalUrl,
  STORAGE_CONNECTION_STRING: optionalString,
  AzureWebJobsStorage: optionalString,
  CONTAIN_APPROVERS: guidList,
  CONTAIN_RESPONDERS: guidList,
  CONTAIN_PROTECTED_USERS: csv,
  CONTAIN_APPROVAL_TTL_MINUTES: z.preprocess(
    emptyToUndefined,
    z.coerce
      .number()
      .int()
      .min(1)
      .max(24 * 60)
      .default(30),
  ),
  CONTAIN_FAST_PATH_REVOKE: bool,
  CONTAIN_ACTION_LEASE_SECONDS: z.preprocess(emptyToUndefined, z.coerce.number().int().min(1).max(3600).default(60)),
  CONTAIN_SEND_GRACE_SECONDS: z.preprocess(emptyToUndefined, z.coerce.number().int().min(1).max(3600).default(120)),
  CONTAIN_STORAGE_PREFIX: z.preprocess(
    emptyToUndefined,
    z
      .string()
      .regex(/^[a-z][a-z0-9]{2,23}$/, 'use 3-24 lowercase letters and digits, starting with a letter')
      .default('contain'),
  ),
  CONTAIN_LOG_LEVEL: z.preprocess(emptyToUndefined, z.enum(['debug', 'info', 'warn', 'error', 'silent']).default('info')),
  CONTAIN_LOCAL_WORKER: z.preprocess(emptyToUndefined, z.enum(['inline', 'process']).default('inline')),
  CONTAIN_QUEUE_VISIBILITY_SECONDS: z.preprocess(emptyToUndefined, z.coerce.number().int().min(1).max(600).default(30)),
  CONTAIN_AUDIT_POLL_SECONDS: z.preprocess(emptyToUndefined, z.coerce.number().min(0.01).max(300).default(10)),
  CONTAIN_AUDIT_TIMEOUT_MINUTES: z.preprocess(emptyToUndefined, z.coerce.number().min(0.01).max(120).default(8)),
  CONTAIN_ALERT_POLL_SECONDS: z.preprocess(emptyToUndefined, z.coerce.number().min(0).max(3600).optional()),
  CONTAIN_INCIDENT_CHANNEL: csv.refine((list) => list.every((c) => /^[a-z][a-z0-9-]{1,31}:\S+$/.test(c)), {
    message: 'each entry is <platform>:<channel id>, e.g. slack:C0123ABCD or teams:19:abc@thread.tacv2',
  }),
  CONTAIN_PUBLIC_URL: optionalUrl,
  CONTAIN_LINK_KEY: z.preprocess(emptyToUndefined, z.string().min(32, 'use at least 32 random characters').optional()),
  CONTAIN_RESULT_LINK_HOURS: z.preprocess(
    emptyToUndefined,
    z.coerce
      .number()
      .int()
      .min(1)
      .max(24 * 7)
      .default(24),
  ),
  WEBSITE_HOSTNAME: optionalString,
});

export type RawConfig = z.infer<typeof schema>;
