import { subError, type BatchResponse } from '../graph/batch';

type Item = Record<string, unknown>;

/**
 * What discovery read, by batch request id, with the accessors steps judge it through: a list, a body, why a read
 * failed. Tests build one from recorded answers (`Answers.from`).
 */
export class Answers {
  constructor(private readonly byId: ReadonlyMap<string, BatchResponse> = new Map()) {}

  /** Answers as recorded: id -> status and body. */
  static from(recorded: Record<string, { status: number; body?: unknown }>): Answers {
    return new Answers(new Map(Object.entries(recorded).map(([id, r]) => [id, { id, headers: {}, ...r }])));
  }

  /** These answers and more (a later batch's). */
  with(more: ReadonlyMap<string, BatchResponse>): Answers {
    return new Answers(new Map([...this.byId, ...more]));
  }

  has(id: string): boolean {
    return this.byId.has(id);
  }

  /** The body of a successful answer. */
  body(id: string): Item | undefined {
    const r = this.byId.get(id);
    return r && r.status < 300 ? (r.body as Item | undefined) : undefined;
  }

  /** The `value` list of a successful answer; empty when the read failed or was not made. */
  list(id: string): Item[] {
    return ((this.body(id) as { value?: unknown[] } | undefined)?.value ?? []) as Item[];
  }

  /** Why a read failed, in Graph's words; undefined when it succeeded or was not made. */
  failure(id: string): string | undefined {
    const r = this.byId.get(id);
    return r && r.status >= 300 ? (subError(r).message ?? `HTTP ${r.status}`) : undefined;
  }

  /** The successful answers whose id starts with `prefix`, with the rest of their id. */
  withPrefix(prefix: string): [string, Item][] {
    return [...this.byId]
      .filter(([id, r]) => id.startsWith(prefix) && r.status < 300)
      .map(([id, r]) => [id.slice(prefix.length), r.body as Item]);
  }

  /** Every answer as recorded (fixtures are made from this). */
  toJSON(): Record<string, { status: number; body?: unknown }> {
    return Object.fromEntries([...this.byId].map(([id, r]) => [id, { status: r.status, body: r.body }]));
  }
}
