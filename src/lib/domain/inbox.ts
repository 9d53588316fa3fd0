import type { InboxItem, MyState } from './api-types';
import { reminderWindowOpen } from './deadline';
import type { Envelope } from './envelope';
import type { Manifest } from './manifest';
import { signersDue } from './rules';

/**
 * Why a device copy no longer matches the server: the UI explains it instead of silently
 * replacing or dropping what the signer downloaded (and may already have signed).
 */
export type InboxNotice = 'revoked' | 'revised' | 'removed' | null;

/** The inbox tabs (待签署 · 待同步 · 已完成 · 已退回). */
export type InboxTab = 'todo' | 'unsynced' | 'done' | 'returned';

/**
 * The metadata part of a device envelope row. The device row also holds the downloaded
 * definition and manifests; merging only ever touches these fields and passes the rest through.
 */
export interface InboxRowMeta extends InboxItem {
	/** When the PDF and definition were stored on the device; null when not downloaded. */
	downloadedAt: string | null;
	notice: InboxNotice;
}

/** What to write to the device after a refresh: rows to put, ids to delete. */
export interface InboxMerge<R extends InboxRowMeta> {
	put: R[];
	remove: string[];
}

/**
 * Merges the server's inbox into the device rows. Pure, so the rules that decide what a signer
 * keeps are tested without a browser:
 * - a new server item becomes a row that is not downloaded;
 * - a known row takes the server's metadata, but a downloaded row keeps the revision and
 *   docHash of the copy it holds (its blob is addressed by that hash) and is marked 'revised'
 *   when the server moved on;
 * - a revoked envelope is marked 'revoked' (downloaded or not), so the card can say why;
 * - a row the server no longer lists is deleted when nothing is downloaded, and kept with
 *   'removed' when it is: a downloaded copy may carry work the signer has not synced yet.
 */
export function mergeInbox<R extends InboxRowMeta>(
	device: readonly R[],
	server: readonly InboxItem[],
	fresh: (item: InboxItem) => R
): InboxMerge<R> {
	const byId = new Map(device.map((row) => [row.id, row]));
	const seen = new Set<string>();
	const put: R[] = [];
	for (const item of server) {
		seen.add(item.id);
		const row = byId.get(item.id);
		if (!row || row.downloadedAt === null) {
			const base = row ?? fresh(item);
			put.push({
				...base,
				...item,
				downloadedAt: null,
				notice: item.status === 'revoked' ? 'revoked' : null
			});
			continue;
		}
		const revised = item.revision !== row.revision || item.docHash !== row.docHash;
		put.push({
			...row,
			...item,
			revision: row.revision,
			docHash: row.docHash,
			notice: item.status === 'revoked' ? 'revoked' : revised ? 'revised' : null
		});
	}
	const remove: string[] = [];
	for (const row of device) {
		if (seen.has(row.id)) continue;
		if (row.downloadedAt === null) remove.push(row.id);
		else if (row.notice !== 'removed') put.push({ ...row, notice: 'removed' });
	}
	return { put, remove };
}

/**
 * Which tab a row belongs in. The signer's own decision wins (a returned contract stays under
 * 已退回 even when the sender later withdrew it); a completed envelope is done for everyone.
 * 待同步 is filled from the outbox, not from envelope rows.
 */
export function inboxTab(row: { myState: MyState; status: InboxItem['status'] }): InboxTab {
	if (row.myState === 'rejected') return 'returned';
	if (row.myState === 'signed' || row.status === 'completed') return 'done';
	return 'todo';
}

/** What the device knows of a row to judge whether it is due soon (DS1). */
export interface DueSoonRow {
	status: InboxItem['status'];
	myState: MyState;
	deadlineAt?: string | null;
	reminders?: InboxItem['reminders'];
	definition?: Envelope | null;
	accepted?: readonly Manifest[] | null;
	mySignerIds?: readonly string[] | null;
}

/**
 * Whether the signer should be told a contract is due soon (DS1): out for signing, still waiting
 * for their decision, inside its reminder window, and (when the device holds the definition) their
 * turn as of the last sync, like the server's reminder (DL6), so a sequential contract's later
 * signer is not urged to do what they cannot yet.
 */
export function isDueSoon(row: DueSoonRow, now: Date): boolean {
	if (row.status !== 'sent' || row.myState !== 'pending') return false;
	if (!reminderWindowOpen(row.deadlineAt, row.reminders, now)) return false;
	if (!row.definition || !row.mySignerIds) return true;
	const due = new Set(signersDue(row.definition, row.accepted ?? []));
	return row.mySignerIds.some((id) => due.has(id));
}

/**
 * The order of a tab's rows (DS2): the ones due soon first, the nearest deadline first; the rest
 * after them in the order they came (the server's, newest first). Stable, so rows never jump
 * about between two refreshes that change nothing.
 */
export function dueSoonFirst<R extends DueSoonRow>(rows: readonly R[], now: Date): R[] {
	const soon = rows.filter((r) => isDueSoon(r, now));
	soon.sort((a, b) => Date.parse(a.deadlineAt!) - Date.parse(b.deadlineAt!));
	return [...soon, ...rows.filter((r) => !soon.includes(r))];
}

/**
 * Whether a device row belongs to the organisation the device is in now (SPEC MO8). A row saved
 * before rows named their organisation, or a device that has not learnt its organisation yet,
 * counts as the current one: before persons had several organisations every row was theirs.
 */
export function inOrganisation(row: Pick<InboxItem, 'orgId'>, orgId: string | null): boolean {
	return orgId === null || row.orgId === undefined || row.orgId === orgId;
}
