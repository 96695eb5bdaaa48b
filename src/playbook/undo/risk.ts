import { failed, get, ok, post, query } from '../steps/common';
import { odataString } from '../../graph/odata';
import type { RiskActionHandler, UndoHandler, UndoTarget } from './types';

const P2_ADVICE =
  "it needs IdentityRiskyUser.ReadWrite.All on Contain's app and Microsoft Entra ID P2 in the tenant (docs/permissions.md, optional)";

/** The user as Identity Protection rates them; a list, so a user it never rated is an empty answer rather than a 404. */
const risk = (a: UndoTarget) => get(`/identityProtection/riskyUsers${query({ $filter: `id eq ${odataString(a.objectId)}` })}`);
const riskState = (body: unknown) => (body as { value?: { riskState?: string }[] })?.value?.[0]?.riskState;

/**
 * Step 1's optional action: confirm the user compromised in Identity Protection, so risk-based Conditional Access acts
 * on them too (riskyuser-confirmcompromised: "sets the targeted user's risk level to high"). Reversible: dismissUserRisk.
 */
export const confirmCompromised: RiskActionHandler = {
  kind: 'confirmCompromised',
  phase: 1,
  snapshot: risk,
  change: (a) => post('/identityProtection/riskyUsers/confirmCompromised', { userIds: [a.objectId] }),
  outcome: (a, r) =>
    ok(r)
      ? {
          outcome: 'succeeded',
          message: `${a.params.name} confirmed compromised in Identity Protection: risk-based Conditional Access now treats the account as high risk.`,
        }
      : failed(
          r,
          `${a.params.name} could not be confirmed compromised: ${P2_ADVICE}. Confirm it in Entra admin center > Protection > Risky users > Confirm user(s) compromised.`,
        ),
  check: risk,
  verified: (_a, _e, r) => ok(r) && riskState(r.body) === 'confirmedCompromised',
};

/** Undo of "confirm compromised": the risk dismissed (riskyuser-dismiss: "sets the targeted user's risk level to none"). */
export const dismissUserRisk: UndoHandler = {
  kind: 'dismissUserRisk',
  undoes: 'confirmCompromised',
  snapshot: risk,
  change: (a) => post('/identityProtection/riskyUsers/dismiss', { userIds: [a.objectId] }),
  outcome: (a, r) =>
    ok(r)
      ? { outcome: 'succeeded', message: `Identity Protection risk of ${a.params.name} dismissed.` }
      : failed(
          r,
          `The risk of ${a.params.name} could not be dismissed: ${P2_ADVICE}. Dismiss it in Entra admin center > Protection > Risky users.`,
        ),
  check: risk,
  verified: (_a, _e, r) => ok(r) && riskState(r.body) === 'dismissed',
};
