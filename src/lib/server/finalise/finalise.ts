import type { Kysely } from 'kysely';
import { sha256Hex } from '$lib/domain/canonical';
import { FINALISE_JOB, finalisationHeld } from '$lib/domain/completion';
import { appendCertificate } from '$lib/pdf/certificate';
import type { Database } from '../db/schema';
import { storeBlob, type BlobStore } from '../platform/blob-store';
import type { Clock } from '../platform/clock';
import { completeJob, enqueueJob, setJobHeld, type Job } from '../platform/jobs';
import { COMPLETED_NOTICE_JOB } from './notify-completed';
import { loadCjkFont } from '../platform/fonts';
import { appendAudit } from '../audit';
import { loadEnvelope, renderEnvelope } from '../contracts';
import { certificateData } from './certificate-data';

/**
 * Signs a finished PDF (PAdES, as an incremental update) at the given signing time. The platform
 * identity lives behind this function, so finalisation does not care where the key comes from.
 */
export type PdfSigner = (pdf: Uint8Array, signingTime: Date) => Promise<Uint8Array>;

export interface FinaliseDeps {
	db: Kysely<Database>;
	blobs: BlobStore;
	clock: Clock;
	/** The public origin, for the certificate's verify link. */
	origin: string;
	signPdf: PdfSigner;
}

export type FinaliseOutcome =
	| { kind: 'finalised'; sha256: string }
	| { kind: 'already'; sha256: string }
	| { kind: 'held' }
	| { kind: 'not-complete' };

/** A stored file the final PDF needs is missing: damage to report, retried by the job. */
export class FinaliseError extends Error {
	override name = 'FinaliseError';
}

/**
 * Finalises a completed contract for the job that holds it (C4, C5): render(original, accepted
 * manifests), the certificate of completion, one PAdES signature, each an incremental update of
 * the one before. The final file, the envelope's pointer to it, the job's "done" and the
 * `envelope.finalised` audit event commit in one transaction, so a crash anywhere leaves either
 * no final file or a whole one, and a job taken over after a crash starts again from the stored
 * inputs. A finalised contract is never finalised again.
 */
export async function finaliseEnvelope(
	deps: FinaliseDeps,
	job: Job,
	owner: string
): Promise<FinaliseOutcome> {
	const { db } = deps;
	const id = job.subject;
	const row = await db
		.selectFrom('envelopes')
		.select(['status', 'final_sha256'])
		.where('id', '=', id)
		.executeTakeFirst();
	if (row?.final_sha256) {
		await completeJob(db, job.id, owner, deps.clock());
		return { kind: 'already', sha256: row.final_sha256 };
	}
	if (!row || row.status !== 'completed') {
		// Nothing to finalise (the job outlived its contract): done, so it is not retried forever.
		await completeJob(db, job.id, owner, deps.clock());
		return { kind: 'not-complete' };
	}
	const statuses = await db
		.selectFrom('review_items')
		.select('status')
		.where('envelope_id', '=', id)
		.where('submission_id', 'is not', null)
		.execute();
	if (finalisationHeld(statuses.map((s) => s.status))) {
		await setJobHeld(db, FINALISE_JOB, id, true, deps.clock());
		return { kind: 'held' };
	}

	const stored = await loadEnvelope(db, id);
	if (!stored) throw new FinaliseError(`Contract ${id} has no definition`);
	const rendered = await renderEnvelope(db, deps.blobs, stored.envelope);
	if (!rendered) throw new FinaliseError(`A stored file of contract ${id} is missing`);
	const { data, images } = await certificateData(db, stored, {
		renderedSha256: rendered.sha256,
		origin: deps.origin
	});
	const imageBytes = new Map<string, Uint8Array>();
	for (const hash of images) {
		const bytes = await deps.blobs.get(hash);
		if (!bytes) throw new FinaliseError(`Image ${hash} of contract ${id} is missing`);
		imageBytes.set(hash, bytes);
	}
	const withCertificate = await appendCertificate(rendered.pdf, data, {
		font: await loadCjkFont(),
		images: imageBytes
	});
	const now = deps.clock();
	const signed = await deps.signPdf(withCertificate, now);
	const sha256 = await sha256Hex(signed);

	const at = now.toISOString();
	const committed = await db.transaction().execute(async (trx) => {
		await storeBlob(trx, deps.blobs, signed, 'application/pdf', at);
		// Only this owner, while it still holds the job: a process whose lease was taken over
		// rolls back instead of finalising a second time.
		if (!(await completeJob(trx, job.id, owner, now))) return false;
		await trx
			.updateTable('envelopes')
			.set({ final_sha256: sha256, finalised_at: at })
			.where('id', '=', id)
			.where('final_sha256', 'is', null)
			.execute();
		await appendAudit(trx, () => now, null, {
			kind: 'envelope.finalised',
			subject: id,
			data: { sha256, renderedSha256: rendered.sha256, size: signed.byteLength }
		});
		// The parties are told only once the file exists, and surely once it does (C7).
		await enqueueJob(trx, COMPLETED_NOTICE_JOB, id, now);
		return true;
	});
	if (!committed) throw new FinaliseError(`Lost the finalisation job of ${id} to another process`);
	return { kind: 'finalised', sha256 };
}
