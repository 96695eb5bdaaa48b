import type { LogRecord } from './record';

/** What one attacker session or address touched, for breach-notification decisions. */
export interface ActorActivity {
  user: string;
  /** The stolen session, when the records carry one; else the address alone identifies the actor. */
  sessionId?: string;
  ip?: string;
  first: string;
  last: string;
  /** Mail items opened (MailItemsAccessed Bind): Internet message ids, with the subject where it is known. */
  mailRead: { internetMessageId: string; subject?: string; folder?: string }[];
  /** Folders synchronised whole (MailItemsAccessed Sync): every item in them must be taken as read. */
  foldersSynced: string[];
  /** MailItemsAccessed records that named no item (older or throttled records). */
  mailAccessRecords: number;
  searches: string[];
  files: { name: string; operation: string }[];
  /** Mail sent: by Internet message id where the record names one, else the audit record's id. */
  mailSent: { internetMessageId?: string; subject?: string; recipient?: string; recordId?: string }[];
}

/** `attackerActivity` in the JSON output: the four lists over all attacker sessions and addresses, then each apart. */
export interface AttackerActivity {
  mailRead: string[];
  searches: string[];
  files: string[];
  mailSent: string[];
  /** Folders synchronised whole: every item in them must be taken as read. */
  foldersSynced: string[];
  byActor: ActorActivity[];
}

const READ = /^MailItemsAccessed$/i;
const SEARCH = /^SearchQueryInitiated/i;
const FILE = /^(FileAccessed|FileDownloaded|FilePreviewed|FileSyncDownloadedFull|FileSyncDownloadedPartial|FileCopied)$/i;
const SEND = /^(Send|SendAs|SendOnBehalf)$/i;

/** Collection and sending operations: what `attackerActivity` lists. */
export function isCollection(op: string): boolean {
  return READ.test(op) || SEARCH.test(op) || FILE.test(op);
}
export function isSend(op: string): boolean {
  return SEND.test(op);
}

type Folder = { Path?: string; FolderItems?: { InternetMessageId?: string; Subject?: string }[] };

/**
 * Collects, per attacker session or address, what its records touched. Lists are de-duplicated; memory grows with
 * what the attacker touched, not with the records read.
 */
export class ActivityLog {
  private actors = new Map<string, ActorActivity & { seen: Set<string> }>();

  /** Subjects of messages by Internet message id, from mail rows; used to name what was read. */
  constructor(private readonly subjectOf: (internetMessageId: string) => string | undefined = () => undefined) {}

  /** The actor under `key`, made on first sight, its first and last times stretched to cover `time`. */
  private entry(key: string, who: Pick<ActorActivity, 'user' | 'sessionId' | 'ip'>, time: string): ActorActivity & { seen: Set<string> } {
    let a = this.actors.get(key);
    if (!a) {
      a = {
        ...who,
        first: time,
        last: time,
        mailRead: [],
        foldersSynced: [],
        mailAccessRecords: 0,
        searches: [],
        files: [],
        mailSent: [],
        seen: new Set(),
      };
      this.actors.set(key, a);
    }
    if (time < a.first) a.first = time;
    if (time > a.last) a.last = time;
    return a;
  }

  private actor(r: LogRecord, sessionId: string | undefined): ActorActivity & { seen: Set<string> } {
    const key = sessionId ? `s:${sessionId}` : `a:${r.user}|${r.ip ?? ''}`;
    const a = this.entry(key, { user: r.user, ...(sessionId ? { sessionId } : {}), ...(r.ip ? { ip: r.ip } : {}) }, r.time);
    // One session seen from several attacker addresses: name them all.
    if (r.ip && a.ip && !a.ip.split(', ').includes(r.ip)) a.ip = `${a.ip}, ${r.ip}`;
    else if (r.ip && !a.ip) a.ip = r.ip;
    return a;
  }

  /** Note what an attacker's audit record touched (mail read, searches, files, mail sent). */
  add(r: LogRecord, sessionId: string | undefined): void {
    const op = r.operation;
    if (!isCollection(op) && !isSend(op)) return;
    const a = this.actor(r, sessionId);
    const once = (k: string) => !a.seen.has(k) && !!a.seen.add(k);
    const d = r.details;
    if (READ.test(op)) {
      let items = 0;
      for (const f of (Array.isArray(d.Folders) ? d.Folders : []) as Folder[]) {
        const folder = f.Path ?? undefined;
        for (const i of f.FolderItems ?? []) {
          if (!i.InternetMessageId) continue;
          items++;
          if (once(`m:${i.InternetMessageId}`))
            a.mailRead.push({
              internetMessageId: i.InternetMessageId,
              subject: i.Subject ?? this.subjectOf(i.InternetMessageId),
              ...(folder ? { folder } : {}),
            });
        }
        if (!f.FolderItems?.length && folder && /sync/i.test(String(d.MailAccessType ?? '')) && once(`f:${folder}`))
          a.foldersSynced.push(folder);
      }
      if (!items && !(/sync/i.test(String(d.MailAccessType ?? '')) && Array.isArray(d.Folders) && d.Folders.length)) a.mailAccessRecords++;
    } else if (SEARCH.test(op)) {
      const q = typeof d.QueryText === 'string' && d.QueryText.trim() ? d.QueryText.trim() : '(terms not logged)';
      if (q === '(terms not logged)' || once(`q:${q}`)) a.searches.push(q);
    } else if (FILE.test(op)) {
      const name = String(d.ObjectId ?? d.SourceFileName ?? '') || '(file not named)';
      if (once(`f:${op}:${name}`)) a.files.push({ name, operation: op });
    } else {
      const item = (d.Item ?? {}) as { InternetMessageId?: string; Subject?: string };
      const id = item.InternetMessageId;
      if (!id || once(`s:${id}`))
        a.mailSent.push({ ...(id ? { internetMessageId: id } : { recordId: r.id }), ...(item.Subject ? { subject: item.Subject } : {}) });
    }
  }

  /** A mail the analyzer judged to be the attacker's (outbound BEC or internal phishing), from mail rows. */
  addSentMail(
    user: string,
    time: string,
    mail: { internetMessageId?: string; networkMessageId: string; subject: string; recipient: string },
  ): void {
    const a = this.entry(`m:${user}`, { user }, time);
    const id = mail.internetMessageId ?? mail.networkMessageId;
    if (!a.seen.has(`s:${id}|${mail.recipient}`)) {
      a.seen.add(`s:${id}|${mail.recipient}`);
      a.mailSent.push({ internetMessageId: id, subject: mail.subject, recipient: mail.recipient });
    }
  }

  result(): AttackerActivity {
    const byActor = [...this.actors.values()]
      .map(({ seen: _seen, ...a }) => a)
      .sort((x, y) => x.first.localeCompare(y.first) || x.user.localeCompare(y.user));
    const uniq = (xs: string[]) => [...new Set(xs)];
    return {
      mailRead: uniq(byActor.flatMap((a) => a.mailRead.map((m) => m.internetMessageId))),
      searches: uniq(byActor.flatMap((a) => a.searches)),
      files: uniq(byActor.flatMap((a) => a.files.map((f) => f.name))),
      mailSent: uniq(
        byActor.flatMap((a) => a.mailSent.map((m) => m.internetMessageId ?? `(not named in the log: audit record ${m.recordId})`)),
      ),
      foldersSynced: uniq(byActor.flatMap((a) => a.foldersSynced.map((f) => `${a.user} ${f}`))),
      byActor,
    };
  }
}
