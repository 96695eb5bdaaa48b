import { z } from 'zod';
import { ATTACKER, DOMAIN, SEED_IDS } from './ids';
import { fromAttacker, signInRow, user, type TenantData } from './seed';

/** POST /sandbox/scenario: more recipients of Alice's phishing mail, some of whom signed in from the attacker's network. */
export const scenarioSchema = z
  .object({
    phishRecipients: z.number().int().min(0).max(10_000),
    compromised: z.number().int().min(0).default(0),
  })
  .strict()
  .refine((s) => s.compromised <= s.phishRecipients, { message: 'compromised cannot exceed phishRecipients', path: ['compromised'] });

export interface ScenarioResult {
  added: { id: string; upn: string; compromised: boolean }[];
  /** Recipients of the phishing mail now in the tenant, Alice included. */
  recipients: number;
}

const HOUR = 3_600_000;
const pad = (n: number) => String(n).padStart(12, '0');

/**
 * Add `phishRecipients` users who received Alice's phishing mail (EmailEvents, and so message trace, and EmailUrlInfo
 * rows), each signing in from their own PC a few hours later; the first `compromised` of them also sign in through
 * the attacker's AiTM proxy within two hours of receipt (the attacker's IP or another address of its network, its
 * browser, no device id) and get the attacker's inbox rule, so that step 10 and a phishing wave run at scale.
 */
export function addPhishRecipients(state: TenantData, now: number, input: z.infer<typeof scenarioSchema>): ScenarioResult {
  const alice = state.emailEvents.find((e) => e.RecipientObjectId === SEED_IDS.alice && e.InternetMessageId.startsWith('<phish-'));
  if (!alice) throw new Error('The phishing mail is not in this tenant (was it changed?); reset the sandbox first.');
  const link = state.emailUrls.find((u) => u.NetworkMessageId === alice.NetworkMessageId);
  const start = state.users.filter((u) => u.userPrincipalName.startsWith('phish.recipient')).length;
  const receivedAt = Date.parse(alice.Timestamp);
  const added: ScenarioResult['added'] = [];
  for (let k = 0; k < input.phishRecipients; k++) {
    const i = start + k;
    const id = `5c0e0000-0000-4000-8000-${pad(i)}`;
    const who = user(id, 'Recipient', String(i), `phish.recipient${i}`, { jobTitle: 'Sales', department: 'Sales' }, now);
    state.users.push(who);
    // The campaign reaches everyone within a few minutes.
    const at = new Date(receivedAt + (i % 600) * 1000).toISOString();
    const networkMessageId = `9f1e5c0e-0000-4000-8000-${pad(i)}`;
    state.emailEvents.push({
      ...alice,
      Timestamp: at,
      NetworkMessageId: networkMessageId,
      RecipientEmailAddress: who.userPrincipalName,
      RecipientObjectId: id,
    });
    if (link) state.emailUrls.push({ ...link, Timestamp: at, NetworkMessageId: networkMessageId });
    const hoursAgo = (now - Date.parse(at)) / HOUR;
    const seq = 100_000 + 2 * i;
    const pc = {
      deviceId: `d1ce5c0e-0000-4000-8000-${pad(i)}`,
      displayName: `RECIPIENT${i}-PC`,
      operatingSystem: 'Windows10',
      browser: 'Edge 124.0.0',
      isCompliant: true,
      isManaged: true,
      trustType: 'Azure AD joined',
    };
    state.signIns.push(
      signInRow(now, seq, who, hoursAgo - 3, { ip: `198.51.100.${100 + (i % 100)}`, city: 'Tokyo', country: 'JP', deviceDetail: pc }),
    );
    const compromised = k < input.compromised;
    if (compromised) {
      const ip = i % 2 === 0 ? ATTACKER.ipv4 : `152.42.170.${10 + (i % 200)}`;
      state.signIns.push(
        signInRow(now, seq + 1, who, hoursAgo - 0.5 - (i % 3) * 0.4, {
          ...fromAttacker(ip),
          riskLevelDuringSignIn: 'medium',
          riskState: 'atRisk',
        }),
      );
      plantAttackerRule(state, id, `5c0e${i}`);
    }
    added.push({ id, upn: who.userPrincipalName, compromised });
  }
  const recipients = new Set(
    state.emailEvents.filter((e) => e.InternetMessageId === alice.InternetMessageId).map((e) => e.RecipientObjectId),
  ).size;
  return { added, recipients };
}

/** Add `n` compromised users for load tests, each with the attacker's inbox rule moving mail to Deleted Items. */
export function addWaveUsers(state: TenantData, n: number): { id: string; upn: string }[] {
  const out: { id: string; upn: string }[] = [];
  const base = state.users[0];
  for (let i = 0; i < n; i++) {
    const id = `3a7e0000-0000-4000-8000-${pad(i)}`;
    const upn = `wave.user${i}@${DOMAIN}`;
    state.users.push({
      ...base,
      id,
      displayName: `Wave User ${i}`,
      givenName: 'Wave',
      surname: `User ${i}`,
      userPrincipalName: upn,
      mail: upn,
      jobTitle: 'Sales',
      onPremisesSyncEnabled: null,
    });
    plantAttackerRule(state, id, `Wave${i}`);
    out.push({ id, upn });
  }
  return out;
}

/** The attacker's rule: mail about invoices moved to Deleted Items and marked read (with the folder it needs). */
function plantAttackerRule(state: TenantData, userId: string, tag: string): void {
  const deleted = state.folders.find((f) => f.userId === SEED_IDS.alice && f.wellKnown === 'deleteditems')!;
  const folderId = `${deleted.id}${tag}`;
  state.folders.push({ ...deleted, userId, id: folderId });
  state.rules.push({
    userId,
    data: {
      id: `AQAA${tag}=`,
      displayName: '.',
      sequence: 1,
      isEnabled: true,
      hasError: false,
      isReadOnly: false,
      conditions: { subjectOrBodyContains: ['invoice'] },
      actions: { moveToFolder: folderId, markAsRead: true },
    },
  });
}
