import type { IncidentView } from '../views/types';
import type { Incident } from './model';

/** How the worker tells the incident's chat threads what happened; one implementation per platform in bot/. */
export interface Notifier {
  /** Replace the incident's card everyone sees (a containment card, or a posture record's change card). */
  updateCard(incident: Incident, view: IncidentView): Promise<void>;
  /** Post one line to the incident's status thread. */
  postStatus(incident: Incident, text: string): Promise<void>;
}
