import type { Logger } from '../src/log';

/**
 * One progress line per command: posted on the first report, edited in place after that, in order. A progress line
 * that cannot be posted is logged and skipped: the command's answer matters, its progress does not.
 */
export function progressLine(
  post: (text: string) => Promise<string | undefined>,
  update: (id: string, text: string) => Promise<void>,
  log: Logger,
): (text: string) => Promise<void> {
  let id: string | undefined;
  let chain = Promise.resolve();
  return (text) => {
    chain = chain.then(async () => {
      try {
        if (id) await update(id, text);
        else id = await post(text);
      } catch (err) {
        log.warn('progress line not posted', { err });
      }
    });
    return chain;
  };
}
