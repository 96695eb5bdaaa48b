import type { ContainContext } from '../../src/context';
import type { Command } from '../../src/commands';
import { ContainError } from '../../src/errors';
import { decide } from '../../src/incidents/decide';
import type { Incident } from '../../src/incidents/model';
import { proposeAgain } from '../../src/incidents/propose-again';
import { showStep, stepOf } from '../../src/incidents/show-step';
import { isPostureVerb, parseChooseRef, type ButtonPress, type PostureVerb } from '../../src/views/buttons';
import { requestPostureChange } from '../../src/posture/request';
import { deliver } from './command';
import { requestUndo } from '../../src/incidents/undo';
import { pressContainAll } from '../wave';
import { message, type View } from '../../src/views/types';
import { errorView } from '../errors';
import type { Surface } from './surface';

export interface PressOptions {
  /** The message the button was on: the shared card to update when the incident has not recorded its own. */
  clicked?: string;
  /** Open the incident the chooser picked: run the command now (in the worker) or queue it (in an HTTP turn). */
  start(command: Command): Promise<void>;
  /** The button was in a dialog ("Show all"): what happened is shown there, with the step as it is now. */
  inDialog?: boolean;
}

/**
 * A button press, whatever platform: the chooser opens an incident; "Propose again" proposes an expired or rejected
 * action anew; "Show all" lists a step's actions in a dialog; "Undo" asks for the undo of a done change
 * (src/incidents/undo.ts); "Contain all N" approves a phishing wave (bot/wave.ts); the rest decide (policy and
 * four-eyes in src/incidents/decide.ts, one compare-and-swap per action, whether one action, a step or all were pressed).
 * Everyone's card is updated when it changed; the clicker alone hears what happened and why.
 */
export async function pressButton(ctx: ContainContext, surface: Surface, press: ButtonPress, options: PressOptions): Promise<void> {
  if (options.inDialog && surface.dialog && press.verb !== 'show-step' && press.verb !== 'choose')
    return pressInDialog(ctx, surface, press, options);
  try {
    if (press.verb === 'choose') {
      const picked = parseChooseRef(press.ref);
      if (!picked) throw new ContainError('INVALID_INPUT', 'That button is not one Contain made.');
      await options.start({ name: 'contain', target: { kind: 'id', value: picked.userId }, dryRun: picked.dryRun });
      await surface.tell({ view: message('default', 'Opening the incident', 'The containment card follows in this thread.') });
      return;
    }
    if (press.verb === 'repropose') {
      const again = await proposeAgain(ctx, press.ref, await surface.actor());
      await updateShared(surface, await ctx.store.getIncident(again.incidentId), again.view, options.clicked);
      await surface.tell({ view: again.view });
      return;
    }
    if (press.verb === 'show-step') {
      // The dialog is open already on some platforms (a Slack modal says "loading"): what went wrong goes there too.
      const view = await showStep(ctx, press.ref, await surface.actor()).catch((err: unknown) => errorView(err, surface.log));
      await (surface.dialog ? surface.dialog(view) : surface.tell({ view }));
      return;
    }
    if (press.verb === 'contain-all') return await pressContainAll(ctx, surface, press);
    if (press.verb === 'undo') {
      const asked = await requestUndo(ctx, press.ref, await surface.actor());
      if (asked.shared) await updateShared(surface, await ctx.store.getIncident(asked.incidentId), asked.shared, options.clicked);
      await surface.tell({ view: asked.view, text: asked.message });
      return;
    }
    if (isPostureVerb(press.verb)) return await requestPosture(ctx, surface, { verb: press.verb, ref: press.ref });
    const result = await decide(ctx, { ref: press.ref, verb: press.verb, actor: await surface.actor() });
    if (result.kind === 'not-found') {
      await surface.tell({ view: message('warning', 'Unknown incident', result.message), text: result.message });
      return;
    }
    if (result.shared) await updateShared(surface, result.incident, result.shared, options.clicked);
    await surface.tell({ view: result.view, text: result.message });
  } catch (err) {
    const v = errorView(err, surface.log);
    await surface.tell({ view: v, text: `${v.title}: ${v.text}` }).catch(() => undefined);
  }
}

/**
 * A button inside a "Show all" dialog: pressed exactly as on the card (the same decision, the shared card updated),
 * then the dialog shows the step again as it is now, with what the clicker would have been told on top.
 */
async function pressInDialog(ctx: ContainContext, surface: Surface, press: ButtonPress, options: PressOptions): Promise<void> {
  let said: { view: View; text?: string } | undefined;
  await pressButton(ctx, { ...surface, tell: async (answer) => void (said = answer) }, press, { ...options, inDialog: false });
  const told =
    said?.view.kind === 'containment'
      ? said.view.banner
      : said?.view.kind === 'message'
        ? { tone: said.view.tone, text: said.text ?? said.view.text }
        : undefined;
  const step = await stepOf(ctx, press.ref).catch(() => undefined);
  const view = step
    ? await showStep(ctx, step, await surface.actor(), told).catch((err: unknown) => errorView(err, surface.log))
    : (said?.view ?? message('default', 'Contain', 'Done.'));
  await surface.dialog!(view);
}

/**
 * Apply, Enforce or Undo of a defensive measure: a posture record is opened with the change proposed, its card posted
 * in this conversation for an approver other than the presser (the engine runs it once approved); the presser hears
 * that it was requested, or why not (already requested, no permission).
 */
async function requestPosture(ctx: ContainContext, surface: Surface, press: { verb: PostureVerb; ref: string }): Promise<void> {
  const r = await requestPostureChange(ctx, { ...press, actor: await surface.actor(), threads: { [surface.name]: surface.thread } });
  if (r.kind === 'already') {
    await surface.tell({ view: message('default', 'Already there', r.message), text: r.message });
    return;
  }
  await deliver(ctx, surface, { views: [r.view], incidentId: r.incident.id });
  const text = `Requested: ${r.view.title} (${r.incident.id}). An approver other than you decides on its card.`;
  await surface.tell({ view: message('good', 'Change requested', text), text });
}

/** Replace the card everyone sees: where the incident recorded it on this platform, else the message clicked. */
async function updateShared(surface: Surface, incident: Incident | undefined, view: View, clicked: string | undefined): Promise<void> {
  const card = incident?.threads[surface.name]?.[surface.cardField] ?? clicked;
  if (card) await surface.update(card, view);
}
