import type { InboxItem, MyState } from './api-types';

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
