import { closeSync, existsSync, fsyncSync, mkdirSync, openSync, readFileSync, renameSync, rmSync, writeSync } from 'node:fs';
import { join } from 'node:path';
import type { GraphEmulator } from './graph/emulator';

/** Where `npm start` keeps its state: git-ignored, next to the checkout. */
export const DEFAULT_STATE_DIR = '.contain-local';

/** The folders and files of one state directory. */
export function stateFiles(dir: string): { azurite: string; tenant: string } {
  return { azurite: join(dir, 'azurite'), tenant: join(dir, 'tenant.json') };
}

/** Make the state directory (emptied first with `fresh`). */
export function prepareStateDir(dir: string, options: { fresh?: boolean } = {}): void {
  if (options.fresh) rmSync(dir, { recursive: true, force: true });
  mkdirSync(dir, { recursive: true });
}

/**
 * The sandbox tenant on disk: loaded once at start, written after every change. Each write goes to a temporary file
 * that is flushed to disk and then renamed over the old one, so a crash at any moment leaves either the previous
 * tenant or the new one, never half of one.
 */
export class TenantFile {
  constructor(
    private readonly emulator: GraphEmulator,
    readonly path: string,
  ) {}

  /** Replace the seeded tenant with the saved one; false when there is none yet. */
  load(): boolean {
    if (!existsSync(this.path)) return false;
    this.emulator.state = JSON.parse(readFileSync(this.path, 'utf8')) as GraphEmulator['state'];
    return true;
  }

  /** Load the saved tenant, or save the seeded one as the first; true when one was restored. */
  loadOrSave(): boolean {
    if (this.load()) return true;
    this.save();
    return false;
  }

  save(): void {
    const tmp = `${this.path}.${process.pid}.tmp`;
    const fd = openSync(tmp, 'w');
    try {
      writeSync(fd, JSON.stringify(this.emulator.state));
      fsyncSync(fd);
    } finally {
      closeSync(fd);
    }
    renameSync(tmp, this.path);
  }
}

/** Requests after which the tenant may have changed: any but GET below /sandbox/, except the chat fakes' own. */
export function changesTenant(method: string, pathname: string): boolean {
  return method !== 'GET' && method !== 'HEAD' && pathname.startsWith('/sandbox/') && !/^\/sandbox\/(slack|connector)\//.test(pathname);
}
