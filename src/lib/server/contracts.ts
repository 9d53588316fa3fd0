import type { Kysely } from 'kysely';
import type { Database } from './db/schema';
import type { ContractSummary } from '$lib/domain/api-types';

/** The contracts of one organisation, newest first (served by the org/created index). */
export async function listContracts(
	db: Kysely<Database>,
	orgId: string
): Promise<ContractSummary[]> {
	const rows = await db
		.selectFrom('envelopes')
		.innerJoin('blobs', 'blobs.sha256', 'envelopes.doc_sha256')
		.select([
			'envelopes.id',
			'envelopes.title',
			'envelopes.page_count',
			'envelopes.revision',
			'envelopes.status',
			'envelopes.created_at',
			'blobs.size'
		])
		.where('envelopes.org_id', '=', orgId)
		.orderBy('envelopes.created_at', 'desc')
		.execute();
	return rows.map((r) => ({
		id: r.id,
		title: r.title,
		pageCount: r.page_count,
		size: r.size,
		revision: r.revision,
		status: r.status,
		createdAt: r.created_at
	}));
}

/** The document hash of a contract, only when it belongs to the given organisation. */
export async function contractDocument(
	db: Kysely<Database>,
	orgId: string,
	id: string
): Promise<{ sha256: string; title: string } | null> {
	const row = await db
		.selectFrom('envelopes')
		.select(['doc_sha256', 'title'])
		.where('id', '=', id)
		.where('org_id', '=', orgId)
		.executeTakeFirst();
	return row ? { sha256: row.doc_sha256, title: row.title } : null;
}
