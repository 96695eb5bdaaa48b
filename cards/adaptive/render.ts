import type { HelpView, MessageView, View } from '../../src/views/types';
import { escapeMarkdown as md, visibleDeep } from '../text';
import { chooserCard, containmentCard } from './containment';
import { stepListCard } from './dialog';
import { doctorCard, huntCard, incidentsCard, investigationCard, reportCard } from './results';
import { postureCard, postureChangeCard } from './posture';
import { scopeCard } from './scope';
import { campaignCard } from './campaign';
import { card, color, text, type AdaptiveCard } from './types';

/** Render any view model as an Adaptive Card (schema 1.5). */
export function renderAdaptive(shown: View): AdaptiveCard {
  // Tenant text can hide bidi controls in any field, plain-text ones included (titles of buttons and facts).
  const view = visibleDeep(shown);
  switch (view.kind) {
    case 'containment':
      return containmentCard(view);
    case 'step-list':
      return stepListCard(view);
    case 'chooser':
      return chooserCard(view);
    case 'message':
      return messageCard(view);
    case 'help':
      return helpCard(view);
    case 'report':
      return reportCard(view);
    case 'incidents':
      return incidentsCard(view);
    case 'investigation':
      return investigationCard(view);
    case 'scope':
      return scopeCard(view);
    case 'hunt':
      return huntCard(view);
    case 'posture':
      return postureCard(view);
    case 'posture-change':
      return postureChangeCard(view);
    case 'doctor':
      return doctorCard(view);
    case 'campaign':
      return campaignCard(view);
  }
}

function messageCard(v: MessageView): AdaptiveCard {
  return card([text(md(v.title), { weight: 'Bolder', color: color[v.tone] }), text(md(v.text))]);
}

function helpCard(v: HelpView): AdaptiveCard {
  return card([
    text('Contain commands', { weight: 'Bolder', size: 'Medium' }),
    { type: 'FactSet', facts: v.commands.map((c) => ({ title: c.usage, value: c.description })) },
  ]);
}
