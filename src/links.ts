import { createHmac, timingSafeEqual } from 'node:crypto';
import type { Config } from './config';

/** The part of a result link the signature covers: which result, and until when. */
function mac(key: string, id: string, expires: number): string {
  return createHmac('sha256', key).update(`results/${id}/${expires}`).digest('base64url');
}

/**
 * A link to a stored result that works without a function key and stops working after config.links.ttlHours: like
 * a SAS, whoever has the link can read that one result until it expires. Undefined when links are not configured.
 * Minted only through withDownload (src/investigate/publish.ts), which needs a role check first.
 */
export function resultLink(config: Config, id: string, format: 'md' | 'json' | 'svg', now: Date): string | undefined {
  const { baseUrl, key, ttlHours } = config.links;
  if (!baseUrl || !key) return undefined;
  const expires = Math.floor(now.getTime() / 1000) + ttlHours * 3600;
  return `${baseUrl}/api/results/${encodeURIComponent(id)}?format=${format}&expires=${expires}&sig=${mac(key, id, expires)}`;
}

/** Why a presented link is refused, or undefined when it is good. */
export function checkResultLink(
  config: Config,
  id: string,
  expires: string | null,
  sig: string | null,
  now: Date,
): 'unsigned' | 'forged' | 'expired' | undefined {
  const key = config.links.key;
  if (!key || !expires || !sig || !/^\d{1,12}$/.test(expires)) return 'unsigned';
  const want = Buffer.from(mac(key, id, Number(expires)));
  const got = Buffer.from(sig);
  if (want.length !== got.length || !timingSafeEqual(want, got)) return 'forged';
  if (Number(expires) * 1000 < now.getTime()) return 'expired';
  return undefined;
}
