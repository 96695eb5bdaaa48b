/**
 * What a mail's sender, subject and links say on their own: look-alike domains, lure and payment language, replies,
 * device-code login links. Pure functions; the mail detector weighs them against the compromise timeline.
 */

/** The domain of an address, lower case. */
export function domainOf(address: string): string {
  return address.slice(address.lastIndexOf('@') + 1).toLowerCase();
}

/** The host of a link, lower case; links without a scheme are read as https. */
export function hostOf(url: string): string | undefined {
  try {
    return new URL(/^[a-z][a-z0-9+.-]*:/i.test(url) ? url : `https://${url}`).hostname.toLowerCase().replace(/^\[|\]$/g, '');
  } catch {
    return undefined;
  }
}

const TWO_LEVEL = /^(co|com|net|org|gov|ac|edu|ne|or|go)\.[a-z]{2}$/;

/** The registrable part of a domain (example.co.jp, contoso.com): a rough public-suffix rule. */
export function registrable(domain: string): string {
  const labels = domain.split('.');
  const n = TWO_LEVEL.test(labels.slice(-2).join('.')) ? 3 : 2;
  return labels.slice(-n).join('.');
}

/** The name part of a registrable domain: "contoso" of contoso.co.jp. */
function nameOf(domain: string): string {
  return registrable(domain).split('.')[0];
}

/** Brands phishing lures imitate, and the domains that really are theirs. */
const BRANDS: [RegExp, string[]][] = [
  [
    /microsoft|msft|office365|o365|m365|outlook|sharepoint|onedrive|ms-?teams/,
    [
      'microsoft.com',
      'microsoftonline.com',
      'office.com',
      'office365.com',
      'outlook.com',
      'live.com',
      'sharepoint.com',
      'onedrive.com',
      'office.net',
      'microsoft365.com',
      'windows.net',
      'aka.ms',
      'onmicrosoft.com',
      'sharepointonline.com',
      'cloud.microsoft',
    ],
  ],
  [/docusign/, ['docusign.com', 'docusign.net']],
  [/adobe|acrobat/, ['adobe.com', 'adobesign.com']],
  [/dropbox/, ['dropbox.com']],
  [/wetransfer/, ['wetransfer.com']],
  [/okta/, ['okta.com']],
  [/paypal/, ['paypal.com']],
];

/** The brand a domain belongs to, when it is really that brand's. */
export function isBrandDomain(domain: string): boolean {
  const reg = registrable(domain);
  return BRANDS.some(([, own]) => own.includes(reg) || own.some((o) => domain === o || domain.endsWith(`.${o}`)));
}

/** Undo the usual character swaps of look-alike domains (rn for m, 0 for o, vv for w ...). */
function unconfuse(s: string): string {
  return s
    .replace(/rn/g, 'm')
    .replace(/vv/g, 'w')
    .replace(/0/g, 'o')
    .replace(/[1|]/g, 'l')
    .replace(/3/g, 'e')
    .replace(/5/g, 's')
    .replace(/[-_]/g, '');
}

/** Levenshtein distance, stopping early past `max`. */
function distance(a: string, b: string, max: number): number {
  if (Math.abs(a.length - b.length) > max) return max + 1;
  let prev = Array.from({ length: b.length + 1 }, (_, i) => i);
  for (let i = 1; i <= a.length; i++) {
    const cur = [i];
    let best = i;
    for (let j = 1; j <= b.length; j++) {
      cur[j] = Math.min(prev[j] + 1, cur[j - 1] + 1, prev[j - 1] + (a[i - 1] === b[j - 1] ? 0 : 1));
      best = Math.min(best, cur[j]);
    }
    if (best > max) return max + 1;
    prev = cur;
  }
  return prev[b.length];
}

/**
 * Why a domain imitates one of `protectedDomains` (the tenant's own, its partners') or a brand, or undefined when
 * it does not: one or two letters off, swapped look-alike characters, the real name with words added, a brand name
 * on a domain the brand does not own, or an internationalised (punycode) name.
 */
export function lookAlike(domain: string, protectedDomains: Iterable<string>): string | undefined {
  if (!domain) return undefined;
  const reg = registrable(domain);
  const name = nameOf(domain);
  for (const p of protectedDomains) {
    const preg = registrable(p);
    if (reg === preg) return undefined;
  }
  for (const p of protectedDomains) {
    const pname = nameOf(p);
    if (pname.length < 4) continue;
    if (unconfuse(name) === unconfuse(pname) || distance(name, pname, pname.length >= 8 ? 2 : 1) <= (pname.length >= 8 ? 2 : 1))
      return `${domain} imitates ${registrable(p)}`;
    if (name.includes(pname) && name !== pname) return `${domain} dresses up the name ${registrable(p)}`;
  }
  if (/(^|\.)xn--/.test(domain)) return `${domain} is an internationalised (punycode) name`;
  if (!isBrandDomain(domain)) {
    const brand = BRANDS.find(([re]) => re.test(domain.replace(/\./g, '-')));
    if (brand) return `${domain} carries a brand name on a domain the brand does not own`;
  }
  return undefined;
}

/** A link to Microsoft's device code sign-in page: the lure of device code phishing. */
export function isDeviceLoginLink(url: string): boolean {
  return /(microsoft\.com\/devicelogin|aka\.ms\/devicelogin|microsoftonline\.com\/[^/?#]+\/oauth2\/(v2\.0\/)?deviceauth|login\.microsoft\.com\/device)/i.test(
    url,
  );
}

const REPLY = /^\s*((re|aw|sv|vs|antw|rif|r|tr|fw|fwd|wg|rv|enc|doorst|odp|返信|転送)\s*(\[\d+\])?\s*[:：]\s*)+/i;

/** The subject without reply and forward prefixes, lower case, whitespace collapsed: one thread, one key. */
export function threadOf(subject: string): string {
  return subject.replace(REPLY, '').replace(/\s+/g, ' ').trim().toLowerCase();
}

/** A reply into (or forward of) an existing thread. */
export function isReply(subject: string): boolean {
  return REPLY.test(subject);
}

/** Changing where money goes: the heart of business email compromise, in the languages tenants write in. */
const BANK_CHANGE =
  /(bank(ing)?\s*(details|account|info(rmation)?|change|update|coordinates)|new\s+(bank|account|remit)|account\s+(change|update|details|number)|change\s+of\s+(bank|account|remit)|updated?\s+(bank|payment|remit|wire|account)|remittance\s+(details|advice|information|account)|wire\s+(transfer|instructions|details)|\biban\b|\bswift\b|routing\s+number|\bach\b|direct\s+deposit|payroll\s+(change|update)|gift\s*cards?|bankverbindung|kontoänderung|kontodaten|coordonnées\s+bancaires|\brib\b|cuenta\s+bancaria|datos\s+bancarios|bankgegevens|rekeningnummer|振込先|口座)/i;
/** Money, without a change of account: common in ordinary mail, suspicious only with something else. */
const MONEY =
  /(invoice|payment|remittance|overdue|outstanding\s+balance|transfer|wire|purchase\s+order|\bpo\s*#?\d|rechnung|zahlung|überweisung|facture|paiement|virement|factura|pago|transferencia|factuur|betaling|請求書|支払)/i;

/** "changes bank details" / "talks money" / undefined, from a subject. */
export function paymentLanguage(subject: string): 'bank-change' | 'money' | undefined {
  if (BANK_CHANGE.test(subject)) return 'bank-change';
  if (MONEY.test(subject)) return 'money';
  return undefined;
}

/** Subjects phishing lures use. */
const LURE =
  /(shared?\s+(a\s+|the\s+)?(document|file|folder)|document|invoice|payment|remittance|voice\s*(mail|message)|\bfax\b|meeting|\bteams\b|invitation|invite|password|expir|verif|confirm|security\s+(alert|notice|update)|\bmfa\b|sign[- ]?in|action\s+required|urgent|review|docusign|e-?sign|secure\s+message|\brfp\b|proposal|purchase\s+order|quotation|payroll|bonus|salary|benefits|device\s+code|authenticat|account\s+(suspend|locked|disabled))/i;

/** The subject reads like a lure (a shared document, a meeting, a password, money). */
export function lureLanguage(subject: string): boolean {
  return LURE.test(subject);
}
