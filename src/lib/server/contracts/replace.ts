import type { User } from '../db/schema';
import { failure, type Failure } from '$lib/domain/errors';
import { appendAudit } from '../audit';
import { storeBlob } from '../platform/blob-store';
import type { ContractReplaced } from '$lib/domain/api-types';
import type { Envelope } from '$lib/domain/envelope';
import { keepFieldsOnReplace } from '$lib/domain/field-layout';
import { definitionJson } from './envelopes';
import { type ContractDeps, updateEnvelopeRow, inspectUpload, ownContract } from './common';

/**
 * Replaces the document of a draft or sent contract with a new revision: the new PDF is
 * inspected first (nothing changes when it is refused), the revision goes up by one, and the
 * fields are kept where their page still exists (SPEC L7). Signers still holding the old
 * revision get DOC_REVISED when they sync (R2). The new revision is a new round (LC2): decisions
 * on the old one no longer count. A returned contract stays returned until resent (LC4).
 */
export async function replaceDocument(
	deps: ContractDeps,
	admin: Pick<User, 'id' | 'org_id'>,
	id: string,
	bytes: Uint8Array
): Promise<({ ok: true } & ContractReplaced) | Failure> {
	const own = await ownContract(deps.db, admin.org_id, id);
	if (!own) return failure('NOT_FOUND', 'No such contract');
	if (own.row.status !== 'draft' && own.row.status !== 'sent') {
		return failure('CONTRACT_NOT_EDITABLE', 'Completed or revoked contracts keep their document');
	}
	const inspected = await inspectUpload(deps, bytes);
	if (!inspected.ok) return inspected;
	const revision = own.row.revision + 1;
	const kept = keepFieldsOnReplace(own.envelope.fields, inspected.pages);
	const next: Envelope = { ...own.envelope, pages: inspected.pages, fields: kept.fields };
	const done = await deps.db.transaction().execute(async (trx) => {
		const hash = await storeBlob(
			trx,
			deps.blobs,
			bytes,
			'application/pdf',
			deps.clock().toISOString()
		);
		const ok = await updateEnvelopeRow(trx, id, [own.row.status], {
			doc_sha256: hash,
			page_count: inspected.pages.length,
			revision,
			definition: definitionJson(next)
		});
		if (!ok) return false;
		await trx
			.insertInto('envelope_revisions')
			.values({
				envelope_id: id,
				revision,
				doc_sha256: hash,
				page_count: inspected.pages.length,
				created_at: deps.clock().toISOString()
			})
			.execute();
		await appendAudit(trx, deps.clock, admin.id, {
			kind: 'envelope.replaced',
			subject: id,
			data: { revision, docHash: hash, previousDocHash: own.row.doc_sha256 }
		});
		return true;
	});
	if (!done) return failure('CONTRACT_NOT_EDITABLE', 'The contract changed meanwhile');
	return { ok: true, revision, dropped: kept.dropped };
}
