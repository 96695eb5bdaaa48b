// The official Adaptive Cards parser (the renderer Teams-style hosts use); its npm "main" is ESM-only internals, so
// load the self-contained dist bundle.
// eslint-disable-next-line @typescript-eslint/no-require-imports
const AC = require('adaptivecards/dist/adaptivecards.js') as {
  AdaptiveCard: new () => { parse(json: unknown, ctx: unknown): void; validateProperties(): { validationEvents: { message: string }[] } };
  SerializationContext: new () => { eventCount: number; getEventAt(i: number): { message: string } };
};

/** Everything the official parser and validator complain about for this card JSON (empty = valid). */
export function adaptiveCardProblems(json: unknown): string[] {
  const card = new AC.AdaptiveCard();
  const ctx = new AC.SerializationContext();
  card.parse(json, ctx);
  const parse = Array.from({ length: ctx.eventCount }, (_, i) => ctx.getEventAt(i).message);
  const validation = card.validateProperties().validationEvents.map((e) => e.message);
  return [...parse, ...validation];
}
