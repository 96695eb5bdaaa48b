import type { ContainContext } from '../../src/context';
import type { Command } from '../../src/commands';
import { ContainError } from '../../src/errors';
import { decide } from '../../src/incidents/decide';
import type { Incident } from '../../src/incidents/model';
import { proposeAgain } from '../../src/incidents/propose-again';
import { showStep } from '../../src/incidents/show-step';
import { parseChooseRef, type ButtonPress } from '../../src/views/buttons';
import { message, type View } from '../../src/views/types';
import { errorView } from '../errors';
import type { Surface } from './surface';

export interface PressOptions {
  /** The message the button was on: the shared card to update when the incident has not recorded its own. */
  clicked?: string;
  /** Open the incident the chooser picked: run the command now (in the worker) or queue it (in an HTTP turn). */
  start(command: Command): Promise<void>;
}

/**
 * A button press, whatever platform: the chooser opens an incident; "Propose again" proposes an expired or rejected
 * action anew; "Show all" lists a step's actions in a dialog; the rest decide (policy and four-eyes in
 * src/incidents/decide.ts, one compare-and-swap per action, whether one action, a step or all were pressed).
 * Everyone's card is updated when it changed; the clicker alone hears what happened and why.
 */
export async function pressButton(ctx: ContainContext, surface: Surface, press: ButtonPress, options: PressOptions): Promise<void> {
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
    if (press.verb === 'undo') {
      // The Undo button is drawn when an action offers it (ActionView.undo); taking changes back is not built yet.
      await surface.tell({ view: message('default', 'Undo', 'Undo is not available in this version yet. Nothing was changed.'), text: 'Undo is not available in this version yet. Nothing was changed.' });
      return;
    }
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

/** Replace the card everyone sees: where the incident recorded it on this platform, else the message clicked. */
async function updateShared(surface: Surface, incident: Incident | undefined, view: View, clicked: string | undefined): Promise<void> {
  const card = incident?.threads[surface.name]?.[surface.cardField] ?? clicked;
  if (card) await surface.update(card, view);
}
