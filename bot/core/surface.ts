import type { ContainContext } from '../../src/context';
import type { Actor, ThreadRef } from '../../src/incidents/model';
import type { Notifier } from '../../src/incidents/notifier';
import type { Logger } from '../../src/log';
import type { ConversationMessage } from '../../src/store/work-queue';
import type { View } from '../../src/views/types';

/**
 * One chat platform as the conversation core sees it, for one conversation: where a command or a button press came
 * from and how to answer there. Each platform folder in bot/ implements it; the core (bot/core/) never sees a
 * platform's payloads, and src/ never sees this.
 */
export interface Surface {
  /** The platform's name ('teams', 'slack'): the key of its thread on an incident and the actors' platform. */
  readonly name: string;
  /** The thread a new incident records for this conversation (opaque outside the platform's folder). */
  readonly thread: ThreadRef;
  /** The field of `thread` in which the platform keeps its containment card's message id. */
  readonly cardField: string;
  readonly log: Logger;
  /** Who is acting, with their Entra object id where the platform can tell it. */
  actor(): Promise<Actor>;
  /** Post a view into the conversation; the new message's id when the platform gives one. */
  post(view: View): Promise<string | undefined>;
  /** Replace a message posted earlier (the shared card) with a view. */
  update(messageId: string, view: View): Promise<void>;
  /** Post a plain line (progress), then edit it in place. */
  postText(text: string): Promise<string | undefined>;
  updateText(messageId: string, text: string): Promise<void>;
  /**
   * Answer only the person who pressed a button: platforms that refresh the card for the clicker show `view`, the
   * others say `text` privately (nothing when there is none).
   */
  tell(answer: { view: View; text?: string }): Promise<void>;
  /**
   * Show a view to the person who pressed a button, in a dialog over the conversation (Teams: the task module the
   * button asked for; Slack: the modal opened at the click). Platforms without one are told instead.
   */
  dialog?(view: View): Promise<void>;
  /** The email address behind a mention typed in a command; platforms without mentions in text leave it out. */
  resolveMention?(id: string): Promise<string>;
  /** The channel a thread of this platform is in: `status` lists the open incidents of the asker's channel. */
  channelOf(thread: ThreadRef): string;
}

/** A thread reference from a platform's fields, without the empty ones (a queued message carries only strings). */
export const threadRef = (fields: Record<string, string | undefined>): Record<string, string> =>
  Object.fromEntries(Object.entries(fields).filter((e): e is [string, string] => e[1] !== undefined));

/** Contain itself, posting where nobody typed or pressed anything (alert-opened incidents, a wave's progress). */
export const CONTAIN_ACTOR: Actor = { platform: 'contain', id: 'contain', name: 'Contain' };

/** What the worker and the sweeper need of a platform, loaded only when a message or incident names it. */
export interface SurfaceModule {
  /** The conversation a queued command, button press or reply came from. */
  fromWork(ctx: ContainContext, msg: ConversationMessage, log: Logger): Surface;
  /** Contain posting into a channel or thread it keeps (the incident channel, a campaign thread), as itself. */
  at(ctx: ContainContext, thread: ThreadRef, log: Logger): Surface;
  /** Where replies to a message posted in `channel` go: its own new thread at a channel's root, else the same thread. */
  threadOf(channel: ThreadRef, rootMessageId: string): ThreadRef;
  /** The channel CONTAIN_INCIDENT_CHANNEL names by id; `known` is one Contain keeps of this platform, for its service details. */
  channel(ctx: ContainContext, id: string, known?: ThreadRef): ThreadRef;
  /** Proactive updates into the incident threads of this platform. */
  notifier(ctx: ContainContext): Notifier;
}
