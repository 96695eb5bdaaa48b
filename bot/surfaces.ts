import type { SurfaceModule } from './core/surface';

/**
 * The chat platforms Contain speaks, by the name their threads and queued messages carry. Each loads only when a
 * message or an incident names it (botbuilder and the Slack Web API cost cold-start time). A new platform is a
 * folder next to teams/ and slack/, a renderer in cards/, and one line here.
 */
const SURFACES: Record<string, () => Promise<SurfaceModule>> = {
  teams: async () => (await import('./teams/surface')).teams,
  slack: async () => (await import('./slack/surface')).slack,
};

/** The platform module of that name, or undefined for a name this build does not know. */
export async function surfaceModule(name: string): Promise<SurfaceModule | undefined> {
  return Object.hasOwn(SURFACES, name) ? SURFACES[name]() : undefined;
}

/** The names of the platforms this build speaks. */
export const surfaceNames = (): string[] => Object.keys(SURFACES);
