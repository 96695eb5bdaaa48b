import { z } from 'zod';
import { isGuid } from '../ids';

/**
 * Every card button Contain makes, in one list: the card renderers name them, the role table (src/incidents/roles.ts)
 * guards them, the platforms' payload schemas and the work queue accept exactly these.
 */
export const BUTTON_VERBS = [
  'approve',
  'approve-delete',
  'approve-all',
  'reject',
  'reject-all',
  'repropose',
  'choose',
  'approve-step',
  'reject-step',
  'show-step',
  'undo',
  'posture-apply',
  'posture-enforce',
  'posture-undo',
  'posture-pilot',
  'contain-all',
] as const;
export type ButtonVerb = (typeof BUTTON_VERBS)[number];
export const buttonVerbSchema = z.enum(BUTTON_VERBS);

/**
 * The buttons that decide proposed actions (the -all ones an incident's every proposal at once, the -step ones every
 * proposal of one playbook step).
 */
export const DECISION_VERBS = [
  'approve',
  'approve-delete',
  'approve-all',
  'reject',
  'reject-all',
  'approve-step',
  'reject-step',
] as const satisfies readonly ButtonVerb[];
export type DecisionVerb = (typeof DECISION_VERBS)[number];
export const isDecisionVerb = (verb: ButtonVerb): verb is DecisionVerb => (DECISION_VERBS as readonly ButtonVerb[]).includes(verb);

/** The decisions that say no: open to the requester too, who may withdraw their own request. */
export const REJECT_VERBS = ['reject', 'reject-all', 'reject-step'] as const satisfies readonly DecisionVerb[];
export const isRejectVerb = (verb: DecisionVerb): boolean => (REJECT_VERBS as readonly DecisionVerb[]).includes(verb);

/**
 * The buttons that request a change to the defensive measures (a posture record, decided by Approve/Reject like any
 * change): Apply names a measure, Enforce and Undo the Apply action they follow, the hunt's the pilot it found.
 */
export const POSTURE_VERBS = ['posture-apply', 'posture-enforce', 'posture-undo', 'posture-pilot'] as const satisfies readonly ButtonVerb[];
export type PostureVerb = (typeof POSTURE_VERBS)[number];
export const isPostureVerb = (v: ButtonVerb): v is PostureVerb => (POSTURE_VERBS as readonly string[]).includes(v);

/** The buttons whose reference names an action, an incident, a measure or a hunt's pilot (all but the chooser's). */
export const refVerbSchema = buttonVerbSchema.exclude(['choose']);

/**
 * A button press as the conversation core takes it: the verb and the button's opaque reference, nothing trusted; for
 * "Contain all N", the keys of the boxes left ticked on the card (absent: the card's own default, all ticked).
 */
export const buttonPressSchema = z.object({
  verb: buttonVerbSchema,
  ref: z.string().max(255),
  selected: z.array(z.string().max(8)).max(1000).optional(),
});
export type ButtonPress = z.infer<typeof buttonPressSchema>;

/** The chooser's reference: the picked user's object id, and whether the run is a dry run. */
export function chooseRef(userId: string, dryRun: boolean): string {
  return dryRun ? `${userId}|dry-run` : userId;
}

/** The user and mode a chooser button picked; undefined for anything Contain did not make. */
export function parseChooseRef(ref: string): { userId: string; dryRun: boolean } | undefined {
  const [userId, flag] = ref.split('|');
  return isGuid(userId) ? { userId: userId.toLowerCase(), dryRun: flag === 'dry-run' } : undefined;
}
