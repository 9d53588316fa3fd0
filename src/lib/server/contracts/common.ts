import type { IdentityVerifier } from '../auth';
import type { Insertable, Kysely, Updateable } from 'kysely';
import type { Database, EnvelopeTable } from '../db/schema';
import { type BlobStore } from '../platform/blob-store';
import type { StoredStatus } from '$lib/domain/lifecycle';
import { failure } from '$lib/domain/errors';
import type { IsolatedPdfInspection } from '$lib/pdf/inspect-limits';
import { inspectPdfIsolated } from '../pdf';
import { loadEnvelope } from './envelopes';
import { type InviteDeps } from '../auth';

// What every contract operation shares: the app's dependencies, the one
// place an envelope row is written, the upload inspection and the admin's own-contract lookup.
// --- preparing, sending, revoking and replacing contracts --------------------------------------
//
// Every write to an envelope row goes through insertEnvelopeRow / updateEnvelopeRow below, so a
// change counter for sync or an audit entry is added in one place for all of them.

/** What the contract writes need from the running app. */
export interface ContractDeps extends InviteDeps {
	blobs: BlobStore;
	/** Inspection runner; the killable worker thread unless a test passes limits. */
	inspect?: (bytes: Uint8Array) => Promise<IsolatedPdfInspection>;
	/**
	 * The identity provider, which decides whether a required signer level can be reached
	 * (SPEC PC8, PC11); absent or null means none, so provider-verified cannot be required.
	 */
	identity?: IdentityVerifier | null;
}

/** The one place an envelope row is created (see the section comment). */
export async function insertEnvelopeRow(trx: Kysely<Database>, row: Insertable<EnvelopeTable>) {
	await trx.insertInto('envelopes').values(row).execute();
}

/**
 * The one place an envelope row changes (see the section comment). Conditional on the status
 * the caller read, so two admins acting at once cannot both move the same contract: the loser
 * updates no row and gets false. With `expectedRevision`, also conditional on the revision read.
 */
export async function updateEnvelopeRow(
	trx: Kysely<Database>,
	id: string,
	expectedStatus: readonly StoredStatus[],
	set: Updateable<EnvelopeTable>,
	expectedRevision?: number
): Promise<boolean> {
	const result = await envelopeRowUpdate(
		trx,
		id,
		expectedStatus,
		set,
		expectedRevision
	).executeTakeFirst();
	return result.numUpdatedRows === 1n;
}

/** updateEnvelopeRow's statement, unsent: for a writer whose answer decides nothing (runTogether). */
export function envelopeRowUpdate(
	trx: Kysely<Database>,
	id: string,
	expectedStatus: readonly StoredStatus[],
	set: Updateable<EnvelopeTable>,
	expectedRevision?: number
) {
	return trx
		.updateTable('envelopes')
		.set(set)
		.where('id', '=', id)
		.where('status', 'in', [...expectedStatus])
		.$if(expectedRevision !== undefined, (q) => q.where('revision', '=', expectedRevision!));
}

/**
 * Inspects untrusted PDF bytes in the killable worker before anything is stored, so a crafted
 * file ends in PDF_TIMEOUT instead of pinning a core of the server.
 */
export async function inspectUpload(deps: ContractDeps, bytes: Uint8Array) {
	// A file without the PDF header anywhere in its first KB is not a damaged PDF but another
	// kind of file (a Word document, a photo): said apart so the admin knows what to fix.
	const head = new TextDecoder('latin1').decode(bytes.subarray(0, 1024));
	if (!head.includes('%PDF-')) {
		return failure('PDF_MALFORMED', 'The file is not a PDF', {
			size: bytes.byteLength,
			notPdf: true
		});
	}
	const inspection = await (deps.inspect ?? ((b) => inspectPdfIsolated(b)))(bytes);
	if (!inspection.ok)
		return failure(inspection.code, inspection.message, { size: inspection.size });
	return { ok: true as const, pages: inspection.pageSizes };
}

/** The envelope row and its loaded definition, only within the admin's organisation. */
export async function ownContract(db: Kysely<Database>, orgId: string, id: string) {
	const row = await db
		.selectFrom('envelopes')
		.selectAll()
		.where('id', '=', id)
		.where('org_id', '=', orgId)
		.executeTakeFirst();
	if (!row || row.definition === null) return null;
	const stored = await loadEnvelope(db, id);
	return stored ? { row, envelope: stored.envelope, signerUsers: stored.signerUsers } : null;
}
