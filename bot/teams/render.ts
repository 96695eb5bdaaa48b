import { CardFactory, type Activity } from 'botbuilder';
import { renderAdaptive } from '../../cards/adaptive/render';
import { stepListTitle } from '../../cards/adaptive/dialog';
import { visible } from '../../cards/text';
import type { View } from '../../src/views/types';

/** A view model as a Teams message activity with one Adaptive Card attachment. */
export function cardActivity(view: View): Partial<Activity> {
  const summary =
    view.kind === 'containment'
      ? `Contain ${view.target.displayName}: ${view.incidentId}`
      : view.kind === 'step-list'
        ? stepListTitle(view)
        : view.kind === 'message'
          ? view.title
          : view.kind === 'chooser'
            ? 'Pick a user'
            : view.kind === 'report'
              ? `Report ${view.incidentId}`
              : view.kind === 'incidents'
                ? view.title
                : view.kind === 'investigation'
                  ? `Investigation: ${view.target.displayName}`
                  : view.kind === 'scope'
                    ? `Scope: ${view.target.displayName}`
                    : view.kind === 'hunt'
                      ? `Harmful user agents, last ${view.days} days`
                      : view.kind === 'posture'
                        ? 'Defensive measures'
                        : view.kind === 'doctor'
                          ? 'Contain doctor'
                          : view.kind === 'campaign'
                            ? `Phishing wave ${view.campaignId}`
                            : 'Contain help';
  return { type: 'message', summary, attachments: [CardFactory.adaptiveCard(renderAdaptive(view))] };
}

/** A plain-text message (status and progress lines): no markup, and hidden characters made visible as on cards. */
export function plainActivity(text: string): Partial<Activity> {
  return { type: 'message', text: visible(text), textFormat: 'plain' };
}

/** The invoke response that replaces the card for the clicker (Universal Actions). */
export function invokeCardResponse(view: View): Partial<Activity> {
  return {
    type: 'invokeResponse',
    value: { status: 200, body: { statusCode: 200, type: 'application/vnd.microsoft.card.adaptive', value: renderAdaptive(view) } },
  };
}

/** The invoke response that opens (or continues) a Teams dialog showing a view: the answer to task/fetch. */
export function taskResponse(view: View): Partial<Activity> {
  const title = visible(view.kind === 'step-list' ? stepListTitle(view) : 'Contain');
  return {
    type: 'invokeResponse',
    value: {
      status: 200,
      body: {
        task: { type: 'continue', value: { title, height: 'large', width: 'large', card: CardFactory.adaptiveCard(renderAdaptive(view)) } },
      },
    },
  };
}
