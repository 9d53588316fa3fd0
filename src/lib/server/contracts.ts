import type { Kysely } from 'kysely';
import type { Database } from './db/schema';
import type { BlobStore } from './blob-store';
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

/**
 * The original PDF as an HTTP answer, streamed from the blob store, for every endpoint that
 * serves it (admin view, signer download). The ETag is the document's SHA-256, which is also
 * what the device verifies before keeping a copy; an If-None-Match that names it gets a 304.
 * Null when the blob is missing, which the caller reports as "not found".
 */
export async function documentResponse(
	blobs: BlobStore,
	doc: { sha256: string; title: string },
	request?: Request
): Promise<Response | null> {
	const etag = `"${doc.sha256}"`;
	const headers: Record<string, string> = {
		ETag: etag,
		// The bytes under a hash never change, but access may be revoked: revalidate each time.
		'Cache-Control': 'private, no-cache',
		'X-Content-Type-Options': 'nosniff'
	};
	if (request?.headers.get('if-none-match') === etag && (await blobs.has(doc.sha256))) {
		return new Response(null, { status: 304, headers });
	}
	const blob = await blobs.open(doc.sha256);
	if (!blob) return null;
	return new Response(blob.stream, {
		headers: {
			...headers,
			'Content-Type': 'application/pdf',
			'Content-Length': String(blob.size),
			'Content-Disposition': `inline; filename="contract.pdf"; filename*=UTF-8''${encodeURIComponent(doc.title)}.pdf`
		}
	});
}
