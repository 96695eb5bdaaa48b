import type { ContainmentView } from '../views/types';
import type { Incident } from './model';

/** How the worker tells the incident's chat threads what happened; one implementation per platform in bot/. */
export interface Notifier {
  /** Replace the containment card everyone sees. */
  updateCard(incident: Incident, view: ContainmentView): Promise<void>;
  /** Post one line to the incident's status thread. */
  postStatus(incident: Incident, text: string): Promise<void>;
}
