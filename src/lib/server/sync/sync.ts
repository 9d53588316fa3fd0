import type { Kysely } from 'kysely';
import type { PulledEnvelope, SyncPullResponse } from '$lib/domain/api-types';
import type { Database, User } from '../db/schema';
import type { BlobStore } from '../platform/blob-store';
import { acceptedManifests, listInbox, loadEnvelope } from '../contracts';
import { mayReuseImage } from '../seals';

/** Envelopes per pull answer; the device pulls again while `more` is true. */
export const PULL_PAGE = 100;

/**
 * Which of the given images the server lacks (row AND file: a row without its file is damage,
 * and the device should send the bytes again). Lets the device upload only new images, so a
 * signature costs a few KB on a field connection however often the same seal is used. Only
 * images this user may name without bytes (mayReuseImage) count as held; every other hash is
 * answered "missing" whether the server has it or not, so the answer is no oracle for what
 * other users signed or stamped, and agrees with what ingest will accept.
 */
export async function missingBlobs(
	db: Kysely<Database>,
	blobs: BlobStore,
	user: User,
	hashes: readonly string[]
): Promise<string[]> {
	const unique = [...new Set(hashes)];
	if (unique.length === 0) return [];
	const rows = await db
		.selectFrom('blobs')
		.select('sha256')
		.where('sha256', 'in', unique)
		.execute();
	const known = new Set(rows.map((r) => r.sha256));
	const missing: string[] = [];
	for (const hash of unique) {
		const held =
			known.has(hash) && (await mayReuseImage(db, user, hash)) && (await blobs.has(hash));
		if (!held) missing.push(hash);
	}
	return missing;
}

/** The opaque cursor: versioned so its meaning can change without confusing old devices. */
export function encodeCursor(seq: number): string {
	return Buffer.from(`v1:${seq}`, 'utf8').toString('base64url');
}

/** The change number a cursor stands for; 0 (everything) for none or one we cannot read. */
export function decodeCursor(cursor: string | null | undefined): number {
	if (!cursor) return 0;
	const match = /^v1:(\d{1,15})$/.exec(Buffer.from(cursor, 'base64url').toString('utf8'));
	return match ? Number(match[1]) : 0;
}

/**
 * The user's envelopes changed since the cursor (GET /api/sync/pull): their inbox metadata
 * (status, revision, docHash, the user's own decision), and for envelopes prepared for signing
 * the definition and every accepted manifest, so a device's copy learns the others' signatures
 * and revocations. Drafts are left out as in the inbox. A cursor from the future (the server's
 * database was replaced) restarts from zero rather than silently skipping changes.
 */
export async function pullChanges(
	db: Kysely<Database>,
	user: User,
	cursor: string | null
): Promise<SyncPullResponse> {
	const clock = await db
		.selectFrom('sync_clock')
		.select('seq')
		.where('id', '=', 1)
		.executeTakeFirst();
	const now = Number(clock?.seq ?? 0);
	let since = decodeCursor(cursor);
	if (since > now) since = 0;
	const changed = await db
		.selectFrom('envelopes')
		.innerJoin('envelope_signers', 'envelope_signers.envelope_id', 'envelopes.id')
		.select(['envelopes.id', 'envelopes.change_seq'])
		.distinct()
		.where('envelope_signers.user_id', '=', user.id)
		.where('envelopes.status', '!=', 'draft')
		.where('envelopes.change_seq', '>', since)
		.orderBy('envelopes.change_seq')
		.orderBy('envelopes.id')
		.limit(PULL_PAGE + 1)
		.execute();
	const more = changed.length > PULL_PAGE;
	const page = changed.slice(0, PULL_PAGE);
	const ids = page.map((r) => r.id);
	const envelopes: PulledEnvelope[] = [];
	for (const id of ids) {
		const stored = await loadEnvelope(db, id);
		if (!stored) continue;
		envelopes.push({
			envelope: stored.envelope,
			accepted: await acceptedManifests(db, stored.envelope),
			mySignerIds: [...stored.signerUsers]
				.filter(([, userId]) => userId === user.id)
				.map(([signerId]) => signerId)
		});
	}
	// A capped page ends at its last envelope, so the next page starts right after it; seqs are
	// unique per change, so no envelope can sit between two pages.
	const next = more ? Number(page.at(-1)!.change_seq) : now;
	return {
		items: await listInbox(db, user.id, ids),
		envelopes,
		cursor: encodeCursor(next),
		more
	};
}
