import type { Kysely } from 'kysely';
import type { Database } from '../db/schema';
import { type BlobStore } from '../platform/blob-store';
import { enrolledUsers } from '../auth';
import { listMembers } from '../members';
import type {
	ContractDetail,
	ContractSummary,
	OrgUser,
	SignerProgress
} from '$lib/domain/api-types';
import type { Envelope } from '$lib/domain/envelope';
import type { Manifest } from '$lib/domain/manifest';
import { readinessProblems } from '$lib/domain/field-layout';
import { ownContract } from './common';
import { acceptedManifests } from './envelopes';
import { FINALISE_JOB, finalisationState } from '$lib/domain/completion';
import { findJob } from '../platform/jobs';
import { deadlineEnd } from '$lib/domain/deadline';
import { reminderPlan } from './reminder-plan';
import { contractState, currentRound, envelopeStatus } from '$lib/domain/lifecycle';

/** The contracts of one organisation, newest first (served by the org/created index). */
export async function listContracts(
	db: Kysely<Database>,
	orgId: string,
	/** The moment expiry is judged at (LC7). */
	now: Date = new Date()
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
			'envelopes.returned_at',
			'envelopes.deadline',
			'envelopes.created_at',
			'blobs.size'
		])
		.where('envelopes.org_id', '=', orgId)
		.orderBy('envelopes.created_at', 'desc')
		.execute();
	// The decisions of the listed contracts, for "in progress" (LC6); one query for the page.
	const decisions = await db
		.selectFrom('submissions')
		.innerJoin('envelopes', 'envelopes.id', 'submissions.envelope_id')
		.select(['submissions.envelope_id', 'submissions.manifest_json'])
		.where('envelopes.org_id', '=', orgId)
		.where('submissions.status', '=', 'accepted')
		.execute();
	const byEnvelope = new Map<string, Manifest[]>();
	for (const d of decisions) {
		const list = byEnvelope.get(d.envelope_id) ?? [];
		list.push(JSON.parse(d.manifest_json) as Manifest);
		byEnvelope.set(d.envelope_id, list);
	}
	return rows.map((r) => {
		const status = envelopeStatus(r.status, r.returned_at);
		const round = currentRound(r, byEnvelope.get(r.id) ?? []);
		return {
			id: r.id,
			title: r.title,
			pageCount: r.page_count,
			size: r.size,
			revision: r.revision,
			status,
			state: contractState(status, round, r.deadline ? deadlineEnd(r.deadline) : null, now),
			createdAt: r.created_at
		};
	});
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

/**
 * Each signer's answer in the current round (LC2; R10: at most one per signer), with the device
 * time and the server receipt time side by side, since offline signing can part them. After a
 * resend the returner shows as pending again: their return was on an older revision.
 */
export async function contractProgress(
	db: Kysely<Database>,
	envelope: Envelope
): Promise<SignerProgress[]> {
	const rows = await db
		.selectFrom('submissions')
		.select(['manifest_json', 'device_time', 'received_at'])
		.where('envelope_id', '=', envelope.id)
		.where('status', '=', 'accepted')
		.orderBy('seq')
		.execute();
	const bySigner = new Map<string, SignerProgress>();
	for (const r of rows) {
		const manifest = JSON.parse(r.manifest_json) as Manifest;
		if (manifest.revision !== envelope.revision || bySigner.has(manifest.signerId)) continue;
		bySigner.set(manifest.signerId, {
			signerId: manifest.signerId,
			state: manifest.decision.kind,
			reason: manifest.decision.kind === 'rejected' ? manifest.decision.reason : null,
			deviceTime: r.device_time,
			receivedAt: r.received_at,
			revision: manifest.revision
		});
	}
	return envelope.signers.map(
		(s) =>
			bySigner.get(s.id) ?? {
				signerId: s.id,
				state: 'pending',
				reason: null,
				deviceTime: null,
				receivedAt: null,
				revision: null
			}
	);
}

/** Everything the progress page and the field editor show, within the admin's organisation. */
export async function contractDetail(
	db: Kysely<Database>,
	orgId: string,
	id: string,
	/** The moment expiry is judged at (LC7). */
	now: Date = new Date()
): Promise<ContractDetail | null> {
	const own = await ownContract(db, orgId, id);
	if (!own) return null;
	const { row, envelope } = own;
	const people = await db
		.selectFrom('contract_signers')
		.selectAll()
		.where('envelope_id', '=', id)
		.execute();
	const byId = new Map(people.map((p) => [p.signer_id, p]));
	// Contracts made before this module (the seeded demo) name their accounts only in
	// envelope_signers.
	const userOf = (signerId: string) =>
		byId.get(signerId)?.user_id ?? own.signerUsers.get(signerId) ?? null;
	const enrolled = await enrolledUsers(
		db,
		envelope.signers.flatMap((s) => userOf(s.id) ?? [])
	);
	const job = await findJob(db, FINALISE_JOB, id);
	const roundDecisions = await acceptedManifests(db, envelope);
	return {
		finalisation: {
			state: finalisationState(row.status, row.final_sha256, job?.state ?? null),
			sha256: row.final_sha256,
			at: row.finalised_at
		},
		id,
		title: row.title,
		status: envelope.status,
		state: contractState(
			envelope.status,
			roundDecisions,
			row.deadline ? deadlineEnd(row.deadline) : null,
			now
		),
		revision: row.revision,
		docHash: row.doc_sha256,
		deadline: row.deadline,
		deadlineAt: row.deadline ? deadlineEnd(row.deadline) : null,
		reminders: reminderPlan(row),
		createdAt: row.created_at,
		sentAt: row.sent_at,
		revokedAt: row.revoked_at,
		revokeReason: row.revoke_reason,
		signingOrder: envelope.signingOrder,
		pages: envelope.pages,
		parties: envelope.parties,
		signers: envelope.signers.map((s) => {
			const userId = userOf(s.id);
			return {
				...s,
				contact: byId.get(s.id)?.contact ?? null,
				userId,
				enrolled: userId ? enrolled.has(userId) : false
			};
		}),
		fields: envelope.fields,
		progress: await contractProgress(db, envelope),
		readiness: readinessProblems(envelope)
	};
}

/** The accounts of an organisation an admin may name as signers: its active members. */
export async function listOrgUsers(db: Kysely<Database>, orgId: string): Promise<OrgUser[]> {
	return (await listMembers(db, orgId))
		.filter((member) => member.active)
		.map(({ id, name, role, contact, enrolled, certification }) => ({
			id,
			name,
			role: role === 'admin' ? 'admin' : 'signer',
			contact,
			enrolled,
			certification
		}));
}
