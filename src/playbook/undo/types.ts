import type { Action, ActionKind, UndoKind } from '../../incidents/model';
import type { ActionHandler, ProposedAction } from '../types';

export type { UndoKind };

/** Step 1's optional Identity Protection action, proposed when Identity Protection opened the incident. */
export type RiskActionKind = 'confirmCompromised';

/** Every kind of containment action, the optional ones included: each is either reversible or says why not. */
export type ContainKind = ActionKind | RiskActionKind;

/** What the handlers read of the action they run: the object, and the facts planUndo put in params. */
export type UndoTarget = Pick<Action, 'objectId' | 'params'>;

/**
 * How one kind of undo snapshots, changes and checks its object: the shape of ActionHandler (its methods take less of
 * the action), so the engine runs an undo as a change like any other, approved, snapshotted, exactly once, read back.
 */
export interface UndoHandler {
  kind: UndoKind;
  /** The containment action it takes back. */
  undoes: ContainKind;
  snapshot(a: UndoTarget): ReturnType<ActionHandler['snapshot']>;
  change(a: UndoTarget, evidence: unknown): ReturnType<ActionHandler['change']>;
  outcome(a: UndoTarget, r: Parameters<ActionHandler['outcome']>[1]): ReturnType<ActionHandler['outcome']>;
  check(a: UndoTarget): ReturnType<ActionHandler['check']>;
  verified(a: UndoTarget, evidence: unknown, r: Parameters<ActionHandler['verified']>[2]): boolean;
}

/** The optional risk action's handler: the same shape, with its own kind and the phase it runs in. */
export type RiskActionHandler = Omit<UndoHandler, 'kind' | 'undoes'> & { kind: RiskActionKind; phase: 1 | 2 };

/** An undo to propose: like ProposedAction, of an undo kind, naming the action it takes back. */
export interface ProposedUndo extends Omit<ProposedAction, 'kind'> {
  kind: UndoKind;
  /** The id of the action it takes back. */
  undoes: string;
}
