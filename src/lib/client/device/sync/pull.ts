import type { SyncPullResponse } from '$lib/domain/api-types';
import { mergeInbox } from '$lib/domain/inbox';
import { sha256Hex } from '$lib/domain/canonical';
import { classifyUpload, type UploadOutcome } from '$lib/domain/sync-policy';
import type { Manifest } from '$lib/domain/manifest';
import { type DeviceBlob, type DeviceEnvelope } from '../db';
import { freshRow } from '../downloads';
import { requestJson } from './transport';
import type { SyncDeps } from './drain';

/** Pages per run at most: a device far behind catches up over a few runs, never in a loop. */
const MAX_PAGES = 20;

/** How a pull ended: applied, or stopped by an answer the policy reads like an upload's. */
export type PullResult =
	{ ok: true; changed: number; imageErrors: number } | { ok: false; outcome: Stop };

type Stop = Exclude<UploadOutcome, { kind: 'accepted' }>;

/** Every image an accepted manifest draws with. */
function imagesOf(manifest: Manifest): string[] {
	return [
		...manifest.fills.flatMap((f) => (f.kind === 'date' ? [] : [f.image])),
		...manifest.seals.map((s) => s.image),
		...manifest.ridingSeams.map((s) => s.image)
	];
}

/**
 * Fetches the images of others' accepted manifests that this device lacks, each checked against
 * its SHA-256 before it is kept (a wrong byte would change the preview). A network failure stops
 * the pull (the page is fetched again next run); a refusal or a corrupt answer skips the image
 * and is counted, so one damaged blob on the server cannot stall every later change.
 */
async function fetchImages(
	deps: SyncDeps,
	hashes: string[]
): Promise<{ blobs: DeviceBlob[]; errors: number } | { stop: Stop }> {
	const blobs: DeviceBlob[] = [];
	let errors = 0;
	for (const hash of hashes) {
		let response: Response;
		try {
			response = await deps.fetch(`/api/blobs/${hash}`, { credentials: 'same-origin' });
		} catch {
			return { stop: { kind: 'retry', code: 'NETWORK', message: 'Image download failed' } };
		}
		if (!response.ok) {
			const outcome = classifyUpload({ status: response.status, body: null });
			if (outcome.kind === 'retry' || outcome.kind === 'signed-out') return { stop: outcome };
			errors++;
			continue;
		}
		const bytes = new Uint8Array(await response.arrayBuffer());
		if ((await sha256Hex(bytes)) !== hash) {
			errors++;
			continue;
		}
		const type = response.headers.get('Content-Type') ?? 'application/octet-stream';
		blobs.push({ sha256: hash, data: new Blob([bytes], { type }), size: bytes.byteLength, type });
	}
	return { blobs, errors };
}

/**
 * Pulls what changed on the server since the stored cursor and applies each page
 * in ONE Dexie transaction — metadata merged by the inbox rules, the accepted manifests of
 * downloaded copies replaced, the new images stored, the cursor advanced — so the device never
 * holds a cursor ahead of the data it names. A downloaded copy of an older revision keeps its
 * manifests (they belong to the document it holds; mergeInbox marks it 'revised'). While the
 * user's own signature waits in the outbox, the envelope keeps the device's decision: the
 * server does not know it yet and must not send the card back to 待签署.
 */
export async function pull(deps: SyncDeps): Promise<PullResult> {
	const { db } = deps;
	let changed = 0;
	let imageErrors = 0;
	for (let page = 0; page < MAX_PAGES; page++) {
		const cursor = (await db.meta.get('pullCursor'))?.value;
		const query = typeof cursor === 'string' ? `?cursor=${encodeURIComponent(cursor)}` : '';
		const answer = await requestJson(deps.fetch, `/api/sync/pull${query}`);
		const body = answer.body as SyncPullResponse | null;
		if (answer.status !== 200 || !body || !Array.isArray(body.items)) {
			const outcome = classifyUpload(answer.status === 200 ? { status: 0, body: null } : answer);
			return {
				ok: false,
				outcome:
					outcome.kind === 'accepted'
						? { kind: 'retry', code: 'NETWORK', message: 'Bad answer' }
						: outcome
			};
		}
		const ids = body.items.map((i) => i.id);
		const device = new Map(
			(await db.envelopes.bulkGet(ids))
				.filter((r): r is DeviceEnvelope => r !== undefined)
				.map((r) => [r.id, r])
		);
		const pulled = new Map(body.envelopes.map((e) => [e.envelope.id, e]));
		const wanted = new Set<string>();
		for (const [id, row] of device) {
			const update = pulled.get(id);
			if (row.downloadedAt === null || !update) continue;
			if (update.envelope.revision !== row.revision || update.envelope.docHash !== row.docHash) {
				continue;
			}
			for (const m of update.accepted) for (const image of imagesOf(m)) wanted.add(image);
		}
		const held = new Set(
			(await db.blobs.bulkGet([...wanted])).filter((b) => b !== undefined).map((b) => b!.sha256)
		);
		const images = await fetchImages(
			deps,
			[...wanted].filter((h) => !held.has(h))
		);
		if ('stop' in images) return { ok: false, outcome: images.stop };
		imageErrors += images.errors;

		await db.transaction('rw', [db.envelopes, db.blobs, db.meta, db.outbox], async () => {
			// Re-read inside the transaction: a confirmation may have committed since.
			const rows = (await db.envelopes.bulkGet(ids)).filter(
				(r): r is DeviceEnvelope => r !== undefined
			);
			const waiting = new Set(
				(await db.outbox.where('state').anyOf('pending', 'sending').toArray()).map(
					(o) => o.envelopeId
				)
			);
			// Only the rows this page names: a delta never removes anything (the inbox refresh,
			// which sees the whole list, does).
			const { put } = mergeInbox(rows, body.items, freshRow);
			const byId = new Map(rows.map((r) => [r.id, r]));
			for (const row of put) {
				const before = byId.get(row.id);
				if (before && waiting.has(row.id)) row.myState = before.myState;
				const update = pulled.get(row.id);
				if (
					row.downloadedAt !== null &&
					update &&
					update.envelope.revision === row.revision &&
					update.envelope.docHash === row.docHash
				) {
					row.definition = update.envelope;
					row.accepted = update.accepted;
					row.mySignerIds = update.mySignerIds;
				}
			}
			await db.envelopes.bulkPut(put);
			if (images.blobs.length) await db.blobs.bulkPut(images.blobs);
			await db.meta.put({ key: 'pullCursor', value: body.cursor });
		});
		changed += body.items.length;
		if (!body.more) break;
	}
	return { ok: true, changed, imageErrors };
}
