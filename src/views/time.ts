/**
 * How times read on cards, in reports and in messages: always UTC, always from the ISO string Graph and the store
 * keep, so that what a responder reads matches the logs to the minute.
 */

/** "2026-11-25 10:02" */
export const formatMinute = (iso: string): string => iso.slice(0, 16).replace('T', ' ');

/** "2026-11-25 10:02 UTC" */
export const formatUtc = (iso: string): string => `${formatMinute(iso)} UTC`;

/** "10:02 UTC": the time of day alone, for what happened minutes ago (decisions on a card). */
export const formatClock = (iso: string): string => `${iso.slice(11, 16)} UTC`;

/** "2026-11-25 10:02:07": to the second, for tables of records. */
export const formatSecond = (iso: string): string => iso.slice(0, 19).replace('T', ' ');

/** "2026-11-25" */
export const formatDay = (iso: string): string => iso.slice(0, 10);
