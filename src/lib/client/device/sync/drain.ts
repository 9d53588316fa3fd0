import { Dexie } from 'dexie';
import type {
	SubmissionAccepted,
	SubmissionRefused,
	BlobsMissingResponse
} from '$lib/domain/api-types';
import {
	classifyUpload,
	earliestDue,
	nextStep,
	requeue,
	type UploadOutcome
} from '$lib/domain/sync-policy';
import type { DeviceDb, OutboxRow } from '../db';
import { blobToBase64, requestJson } from './transport';
import type { RequestOf, MissingBlobsBody } from '$lib/domain/api-requests';

/** What a sync step needs from the world; tests pass a fake server's fetch and a fixed clock. */
export interface SyncDeps {
	db: DeviceDb;
	fetch: typeof fetch;
	now: () => Date;
	/** In [0, 1): the jitter of the back-off. */
	random: () => number;
	/** The user asked (立即同步): heads waiting on back-off go now. */
	force?: boolean;
}

/** The outcome of one drain, for the run's summary and the timer. */
export interface DrainReport {
	uploaded: number;
	refused: number;
	/** The last retryable error met (the queue it stopped waits for its back-off). */
	retry: { code: string; message: string } | null;
	signedOut: boolean;
	/** When the earliest waiting row becomes due; null when none waits (Y8). */
	nextDue: string | null;
}

/** One credential's rows in the order they were confirmed (the [credentialId+id] index). */
function queueOf(db: DeviceDb, credentialId: string): Promise<OutboxRow[]> {
	return db.outbox
		.where('[credentialId+id]')
		.between([credentialId, Dexie.minKey], [credentialId, Dexie.maxKey])
		.toArray();
}

/**
 * Uploads the outbox (SPEC Y1–Y7): per credential, first-in first-out; a retryable failure stops
 * that credential's queue (a later row must not overtake it: the server checks the passkey's
 * counter in order), a refusal fails the row for good and moves on, a missing session stops
 * everything. Rows are only ever updated, never deleted: each keeps its evidence.
 */
export async function drain(deps: SyncDeps): Promise<DrainReport> {
	const { db } = deps;
	const report: DrainReport = {
		uploaded: 0,
		refused: 0,
		retry: null,
		signedOut: false,
		nextDue: null
	};
	const open = await db.outbox.where('state').anyOf('pending', 'sending').toArray();
	const credentials = [...new Set(open.map((r) => r.credentialId))].sort();
	const waits: string[] = [];
	for (const credentialId of credentials) {
		for (;;) {
			const step = nextStep(await queueOf(db, credentialId), deps.now(), deps.force);
			if (step.kind === 'done') break;
			if (step.kind === 'wait') {
				waits.push(step.until);
				break;
			}
			const { outcome, body } = await upload(deps, step.row);
			await record(deps, step.row, outcome, body);
			if (outcome.kind === 'accepted') report.uploaded++;
			else if (outcome.kind === 'refused') report.refused++;
			else if (outcome.kind === 'retry') {
				report.retry = { code: outcome.code, message: outcome.message };
				const row = await db.outbox.get(step.row.id!);
				if (row?.nextAttemptAt) waits.push(row.nextAttemptAt);
				break;
			} else {
				report.signedOut = true;
				report.nextDue = earliestDue(waits);
				return report;
			}
		}
	}
	report.nextDue = earliestDue(waits);
	return report;
}

/**
 * Sends one row: asks which images the server lacks, then posts the submission with only those
 * (never the PDF). The row is 'sending' meanwhile; a crash leaves it so and the next run sends
 * it again under the same idempotency key (Y7).
 */
async function upload(
	deps: SyncDeps,
	row: OutboxRow
): Promise<{ outcome: UploadOutcome; body: unknown }> {
	const { db } = deps;
	await db.outbox.update(row.id!, { state: 'sending' });
	let wanted = row.images;
	if (row.images.length > 0) {
		const asked = await requestJson(deps.fetch, '/api/blobs/missing', {
			json: { hashes: row.images } satisfies RequestOf<typeof MissingBlobsBody>
		});
		const missing = (asked.body as BlobsMissingResponse | null)?.missing;
		if (asked.status === 200 && Array.isArray(missing)) wanted = missing;
		else {
			const outcome = classifyUpload(asked);
			// Offline or signed out: the submission would fare the same. Any other answer from the
			// question is no verdict on the signature: send every image and let ingest judge.
			if (outcome.kind === 'retry' || outcome.kind === 'signed-out') {
				return { outcome, body: asked.body };
			}
		}
	}
	const images: Record<string, string> = {};
	for (const hash of wanted) {
		const blob = await db.blobs.get(hash);
		// A lost image is not hidden: the server answers IMAGE_MISSING and the row keeps it.
		if (blob) images[hash] = await blobToBase64(blob.data);
	}
	const answer = await requestJson(deps.fetch, '/api/submissions', {
		json: {
			idempotencyKey: row.idempotencyKey,
			manifest: row.manifest,
			assertion: row.assertion,
			images,
			...(row.confirmedOffline === undefined ? {} : { confirmedOffline: row.confirmedOffline })
		}
	});
	return { outcome: classifyUpload(answer), body: answer.body };
}

/** Writes the outcome of one upload into the row (and, when accepted, into its envelope). */
async function record(
	deps: SyncDeps,
	row: OutboxRow,
	outcome: UploadOutcome,
	body: unknown
): Promise<void> {
	const { db } = deps;
	const now = deps.now();
	if (outcome.kind === 'accepted') {
		const accepted = body as SubmissionAccepted;
		await db.transaction('rw', db.outbox, db.envelopes, async () => {
			await db.outbox.update(row.id!, {
				state: 'synced',
				result: accepted,
				syncedAt: now.toISOString(),
				error: null,
				nextAttemptAt: null
			});
			const envelope = await db.envelopes.get(row.envelopeId);
			if (envelope) {
				await db.envelopes.update(row.envelopeId, {
					myState: row.manifest.decision.kind === 'signed' ? 'signed' : 'rejected',
					status: accepted.envelopeStatus
				});
			}
		});
	} else if (outcome.kind === 'refused') {
		const refusal: SubmissionRefused =
			body && typeof body === 'object' && 'error' in body
				? (body as SubmissionRefused)
				: { error: { code: outcome.code, message: outcome.message } };
		await db.outbox.update(row.id!, {
			state: 'failed',
			error: { code: outcome.code, message: outcome.message },
			result: refusal,
			nextAttemptAt: null
		});
	} else {
		await db.outbox.update(row.id!, {
			state: 'pending',
			...requeue(row, outcome, now, deps.random())
		});
	}
}
