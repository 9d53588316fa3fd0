import type { Kysely, Transaction } from 'kysely';
import { randomUUID } from 'node:crypto';
import * as v from 'valibot';
import type { AuthenticationResponseJSON } from '@simplewebauthn/server';
import { isoBase64URL, parseAuthenticatorData } from '@simplewebauthn/server/helpers';
import type { Result } from '$lib/domain/errors';
import type { Manifest } from '$lib/domain/manifest';
import { parseManifest } from '$lib/domain/manifest-schema';
import { canonicalJson, manifestChallenge, manifestHash } from '$lib/domain/canonical';
import {
	REVIEW_STATUSES,
	normaliseComment,
	signedOffline,
	statusAfter,
	type ReviewDecision
} from '$lib/domain/review';
import type {
	ReverifyCheck,
	ReverifyResult,
	ReviewDetail,
	ReviewFacetsResponse,
	ReviewListItem,
	ReviewListResponse,
	ReviewMark
} from '$lib/domain/api-types';
import type { Database, User } from '../db/schema';
import type { Clock } from '../platform/clock';
import { checkAssertion } from '../auth/passkeys';
import { appendAudit } from '../audit/audit';
import { sealRecords } from '../seals/seal-versions';
import { sealProblems } from '$lib/domain/rules';
import { manifestSealUses } from '$lib/domain/manifest';
import {
	decodeCursor,
	encodeCursor,
	pagingEntries,
	parseListQuery,
	type Cursor
} from '../platform/keyset';

type Db = Kysely<Database> | Transaction<Database>;

// --- the list -------------------------------------------------------------------------------

export const PAGE_SIZE_DEFAULT = 50;
export const PAGE_SIZE_MAX = 100;

const isoInstant = v.pipe(v.string(), v.maxLength(40), v.isoTimestamp());

/** The list's query string, checked before any of it reaches SQL. */
export const ReviewFilterSchema = v.object({
	contract: v.optional(v.pipe(v.string(), v.minLength(1), v.maxLength(200))),
	signer: v.optional(v.pipe(v.string(), v.minLength(1), v.maxLength(200))),
	status: v.optional(v.picklist(REVIEW_STATUSES)),
	decision: v.optional(v.picklist(['signed', 'rejected'])),
	mode: v.optional(v.picklist(['offline', 'online'])),
	/** Received at or after this instant. */
	from: v.optional(isoInstant),
	/** Received before this instant. */
	to: v.optional(isoInstant),
	...pagingEntries(PAGE_SIZE_MAX)
});
export type ReviewFilter = v.InferOutput<typeof ReviewFilterSchema>;

/** Reads the filter from a URL's query string; null when any parameter is malformed. */
export function parseReviewFilter(params: URLSearchParams): ReviewFilter | null {
	return parseListQuery(ReviewFilterSchema, params);
}

/**
 * The list query for one page, newest first (received_at desc, id desc), scoped to the admin's
 * organisation. Every filter is an equality on an indexed column of review_items followed by
 * (received_at, id), so SQLite reads the page off an index instead of scanning (bench + test).
 * Exposed apart from `listReview` so tests can EXPLAIN exactly the query the endpoint runs.
 */
export function reviewListQuery(
	db: Db,
	orgId: string,
	filter: ReviewFilter,
	cursor: Cursor | null
) {
	let query = db
		.selectFrom('review_items as r')
		.leftJoin('users as u', 'u.id', 'r.user_id')
		.leftJoin('envelopes as e', 'e.id', 'r.envelope_id')
		.select([
			'r.id',
			'r.submission_id',
			'r.envelope_id',
			'r.user_id',
			'r.received_at',
			'r.status',
			'r.decision',
			'r.offline',
			'r.code',
			'u.display_name',
			'e.title'
		])
		.where('r.org_id', '=', orgId);
	if (filter.contract) query = query.where('r.envelope_id', '=', filter.contract);
	if (filter.signer) query = query.where('r.user_id', '=', filter.signer);
	if (filter.status) query = query.where('r.status', '=', filter.status);
	if (filter.decision) query = query.where('r.decision', '=', filter.decision);
	if (filter.mode) query = query.where('r.offline', '=', filter.mode === 'offline' ? 1 : 0);
	if (filter.from) query = query.where('r.received_at', '>=', filter.from);
	// A cursor inside the range is the tighter upper bound; giving SQLite both would let it pick
	// `to` for the index range and walk every row between `to` and the cursor.
	if (filter.to && !(cursor && cursor.receivedAt < filter.to)) {
		query = query.where('r.received_at', '<', filter.to);
	}
	if (cursor) {
		// A row-value comparison, not `a < x OR (a = x AND id < y)`: SQLite turns the tuple into a
		// range on the index, while the OR form walks the index from the newest row (docs/perf.md).
		query = query.where((eb) =>
			eb(eb.refTuple('r.received_at', 'r.id'), '<', eb.tuple(cursor.receivedAt, cursor.id))
		);
	}
	const limit = filter.limit ?? PAGE_SIZE_DEFAULT;
	// One row more than shown tells whether a next page exists without a COUNT over the table.
	return query
		.orderBy('r.received_at', 'desc')
		.orderBy('r.id', 'desc')
		.limit(limit + 1);
}

/**
 * One page of the review list (SPEC RV2). Null when the cursor is not one of ours, so the endpoint
 * answers BAD_REQUEST instead of silently starting over at the first page.
 */
export async function listReview(
	db: Db,
	orgId: string,
	filter: ReviewFilter
): Promise<ReviewListResponse | null> {
	const cursor = filter.cursor ? decodeCursor(filter.cursor) : null;
	if (filter.cursor && !cursor) return null;
	const limit = filter.limit ?? PAGE_SIZE_DEFAULT;
	const rows = await reviewListQuery(db, orgId, filter, cursor).execute();
	const shown = rows.slice(0, limit);
	const last = shown.at(-1);
	return {
		items: shown.map((r): ReviewListItem => ({
			id: r.id,
			submissionId: r.submission_id,
			envelopeId: r.envelope_id,
			contractTitle: r.title ?? null,
			userId: r.user_id,
			signerName: r.display_name ?? r.user_id,
			receivedAt: r.received_at,
			status: r.status,
			decision: r.decision,
			offline: r.offline === null ? null : r.offline === 1,
			code: r.code
		})),
		nextCursor:
			rows.length > limit && last
				? encodeCursor({ receivedAt: last.received_at, id: last.id })
				: null
	};
}

/** The choices for the list's contract and signer filters: small lists, one per organisation. */
export async function reviewFacets(db: Db, orgId: string): Promise<ReviewFacetsResponse> {
	const contracts = await db
		.selectFrom('envelopes')
		.select(['id', 'title'])
		.where('org_id', '=', orgId)
		.orderBy('created_at', 'desc')
		.execute();
	const signers = await db
		.selectFrom('users')
		.select(['id', 'display_name as name'])
		.where('org_id', '=', orgId)
		.orderBy('display_name')
		.execute();
	return { contracts, signers };
}

// --- ingest's entry -------------------------------------------------------------------------

/**
 * Files one ingest attempt into the review list, inside ingest's transaction so the list never
 * misses or invents a submission. A repeat of an accepted answer (idempotent retry, no new
 * submission) is not a new row; every refused attempt is.
 */
export async function indexForReview(
	trx: Db,
	entry: {
		eventId: string;
		user: Pick<User, 'id' | 'org_id'>;
		at: string;
		submissionId: string | null;
		refusalCode: string | null;
		manifest: Manifest | null;
	}
): Promise<void> {
	const { manifest } = entry;
	if (entry.refusalCode === null && entry.submissionId === null) return;
	const accepted = entry.refusalCode === null && manifest !== null;
	await trx
		.insertInto('review_items')
		.values({
			id: accepted ? entry.submissionId! : entry.eventId,
			org_id: entry.user.org_id,
			submission_id: accepted ? entry.submissionId : null,
			envelope_id: manifest?.envelopeId ?? null,
			user_id: entry.user.id,
			received_at: entry.at,
			status: accepted ? 'accepted' : 'refused',
			decision: accepted ? manifest.decision.kind : null,
			offline: accepted ? (signedOffline(manifest.deviceTime, entry.at) ? 1 : 0) : null,
			code: entry.refusalCode
		})
		.execute();
}

// --- the detail -----------------------------------------------------------------------------

/** The authenticator data flags and counter of a stored assertion; null when unreadable. */
function assertionFacts(assertionJson: string) {
	try {
		const assertion = JSON.parse(assertionJson) as AuthenticationResponseJSON;
		const data = parseAuthenticatorData(
			isoBase64URL.toBuffer(assertion.response.authenticatorData)
		);
		return {
			assertion,
			uv: data.flags.uv,
			be: data.flags.be,
			bs: data.flags.bs,
			counter: data.counter
		};
	} catch {
		return null;
	}
}

function marksOf(manifest: Manifest): ReviewMark[] {
	return [
		...manifest.fills.map((f): ReviewMark => ({
			type: 'fill',
			kind: f.kind,
			fieldId: f.fieldId,
			page: f.page,
			rect: f.rect,
			image: f.kind === 'date' ? null : f.image,
			text: f.kind === 'date' ? f.text : null,
			sealId: f.kind === 'seal' ? f.sealId : null
		})),
		...manifest.seals.map((s): ReviewMark => ({
			type: 'free-seal',
			sealId: s.sealId,
			page: s.page,
			centre: s.centre,
			sizeMm: s.sizeMm,
			image: s.image
		})),
		...manifest.ridingSeams.map((r): ReviewMark => ({
			type: 'riding-seam',
			sealId: r.sealId,
			pages: r.pages,
			edge: r.edge,
			position: r.position,
			sizeMm: r.sizeMm,
			image: r.image
		}))
	];
}

/** The detail query: one submission of the organisation with everything joined by primary key. */
export function reviewDetailQuery(db: Db, orgId: string, id: string) {
	return db
		.selectFrom('submissions as s')
		.innerJoin('envelopes as e', 'e.id', 's.envelope_id')
		.innerJoin('users as u', 'u.id', 's.user_id')
		.innerJoin('credentials as c', 'c.id', 's.credential_id')
		.innerJoin('tickets as t', 't.id', 's.ticket_id')
		.innerJoin('review_items as r', 'r.id', 's.id')
		.select([
			's.id',
			's.seq',
			's.manifest_json',
			's.manifest_hash',
			's.assertion_json',
			's.device_time',
			's.received_at',
			'e.id as envelope_id',
			'e.title',
			'u.id as user_id',
			'u.display_name',
			'u.real_name',
			'c.id as credential_id',
			'c.name as credential_name',
			'c.device_type',
			'c.counter',
			'c.revoked_at',
			't.id as ticket_id',
			't.issued_at',
			't.expires_at',
			't.used_at',
			'r.status'
		])
		.where('s.id', '=', id)
		.where('e.org_id', '=', orgId);
}

/**
 * Everything a reviewer judges one submission by. Null when it is not a
 * submission of this organisation, so another organisation's ids read as not found.
 */
export async function reviewDetail(
	db: Db,
	orgId: string,
	id: string
): Promise<ReviewDetail | null> {
	const row = await reviewDetailQuery(db, orgId, id).executeTakeFirst();
	if (!row) return null;
	const manifest = JSON.parse(row.manifest_json) as Manifest;
	const facts = assertionFacts(row.assertion_json);
	const event = await db
		.selectFrom('submission_events')
		.select(['at'])
		.where('submission_id', '=', row.id)
		.where('outcome', '=', 'accepted')
		.orderBy('at')
		.executeTakeFirst();
	const decisions = await db
		.selectFrom('review_decisions as d')
		.innerJoin('users as a', 'a.id', 'd.admin_id')
		.select(['d.decision', 'd.comment', 'a.display_name', 'd.at'])
		.where('d.submission_id', '=', row.id)
		.orderBy('d.at', 'desc')
		.orderBy('d.id', 'desc')
		.execute();
	return {
		id: row.id,
		seq: row.seq,
		status: row.status,
		decision: manifest.decision.kind,
		rejectionReason: manifest.decision.kind === 'rejected' ? manifest.decision.reason : null,
		contract: { id: row.envelope_id, title: row.title, revision: manifest.revision },
		signer: {
			userId: row.user_id,
			name: row.display_name,
			realName: row.real_name,
			signerId: manifest.signerId
		},
		credential: {
			id: row.credential_id,
			name: row.credential_name,
			deviceType: row.device_type,
			userVerified: facts?.uv ?? false,
			backupEligible: facts?.be ?? false,
			backedUp: facts?.bs ?? false,
			assertionCounter: facts?.counter ?? 0,
			currentCounter: row.counter,
			revokedAt: row.revoked_at
		},
		ticket: {
			id: row.ticket_id,
			issuedAt: row.issued_at,
			expiresAt: row.expires_at,
			usedAt: row.used_at
		},
		deviceTime: row.device_time,
		receivedAt: row.received_at,
		clockGapMs: Date.parse(row.received_at) - Date.parse(row.device_time),
		offline: signedOffline(row.device_time, row.received_at),
		marks: marksOf(manifest),
		manifestJson: row.manifest_json,
		manifestHash: row.manifest_hash,
		ingest: {
			outcome: 'accepted',
			at: event?.at ?? row.received_at,
			userVerified: facts?.uv ?? false
		},
		decisions: decisions.map((d) => ({
			decision: d.decision,
			comment: d.comment,
			adminName: d.display_name,
			at: d.at
		}))
	};
}

// --- re-verification ------------------------------------------------------------------------

/**
 * Checks the stored evidence of one submission again from scratch (RV4, RV5): the stored manifest
 * is read and validated (M1), must be its own canonical form (M2) with the stored hash, must name
 * the credential and ticket the submission was bound to, and the stored assertion must verify
 * with the stored public key over the challenge recomputed from the manifest (M3), with user
 * verification, and every stamp must be its seal (RV5). Read-only: the counter is given as 0 so the library skips its "counter must rise"
 * rule (that protects live logins, not old evidence), and nothing is written. Null when the
 * submission is not the organisation's.
 */
export async function reverifySubmission(
	db: Db,
	clock: Clock,
	origin: string,
	orgId: string,
	id: string
): Promise<ReverifyResult | null> {
	const row = await db
		.selectFrom('submissions as s')
		.innerJoin('envelopes as e', 'e.id', 's.envelope_id')
		.innerJoin('credentials as c', 'c.id', 's.credential_id')
		.innerJoin('tickets as t', 't.id', 's.ticket_id')
		.select([
			's.manifest_json',
			's.manifest_hash',
			's.assertion_json',
			's.credential_id',
			's.user_id',
			'c.public_key',
			'c.transports',
			's.received_at',
			't.id as ticket_id',
			't.nonce',
			't.issued_at as ticket_issued_at'
		])
		.where('s.id', '=', id)
		.where('e.org_id', '=', orgId)
		.executeTakeFirst();
	if (!row) return null;
	const checks: ReverifyCheck[] = [];
	const finish = (): ReverifyResult => {
		const failed = checks.find((c) => !c.ok);
		return {
			ok: !failed,
			reason: failed ? failed.detail : null,
			checks,
			at: clock().toISOString()
		};
	};
	const check = (name: ReverifyCheck['check'], ok: boolean, detail: string) => {
		checks.push({ check: name, ok, detail });
		return ok;
	};

	let json: unknown;
	try {
		json = JSON.parse(row.manifest_json);
	} catch {
		check('manifest', false, 'The stored manifest is not JSON');
		return finish();
	}
	const parsed = parseManifest(json);
	if (!parsed.ok) {
		check(
			'manifest',
			false,
			`The stored manifest is malformed: ${parsed.issues.slice(0, 3).join('; ')}`
		);
		return finish();
	}
	check('manifest', true, 'The stored manifest has the manifest shape (M1)');
	const manifest = parsed.manifest;
	if (
		!check(
			'canonical',
			canonicalJson(manifest) === row.manifest_json,
			canonicalJson(manifest) === row.manifest_json
				? 'Stored in its canonical form (M2)'
				: 'The stored manifest is not in its canonical form'
		)
	) {
		return finish();
	}
	const hash = await manifestHash(manifest);
	if (
		!check(
			'hash',
			hash === row.manifest_hash,
			hash === row.manifest_hash
				? `SHA-256 ${hash}`
				: `The manifest hashes to ${hash}, not the stored ${row.manifest_hash}`
		)
	) {
		return finish();
	}
	const facts = assertionFacts(row.assertion_json);
	const bound =
		manifest.credentialId === row.credential_id &&
		manifest.ticket.id === row.ticket_id &&
		manifest.ticket.nonce === row.nonce &&
		facts !== null &&
		facts.assertion.id === row.credential_id;
	if (
		!check(
			'binding',
			bound,
			bound
				? 'Names the passkey and the ticket the submission was accepted with'
				: 'The manifest or assertion names another passkey or ticket than the stored ones'
		)
	) {
		return finish();
	}
	const handle = facts!.assertion.response.userHandle;
	if (handle !== undefined && Buffer.from(handle, 'base64url').toString('utf8') !== row.user_id) {
		check('binding', false, 'The user handle does not name the signer');
		return finish();
	}
	const challenge = isoBase64URL.fromBuffer(await manifestChallenge(manifest));
	const verified = await checkAssertion(
		origin,
		{ id: row.credential_id, public_key: row.public_key, counter: 0, transports: row.transports },
		facts!.assertion,
		challenge
	);
	if (
		!check(
			'signature',
			verified.ok,
			verified.ok ? 'The passkey signature verifies (M3)' : verified.reason
		)
	) {
		return finish();
	}
	const uv = verified.ok && verified.info.userVerified && facts!.uv;
	check(
		'user-verified',
		uv,
		uv ? 'The authenticator verified the user' : 'The assertion lacks user verification'
	);
	const seals = await stampProblems(db, orgId, row, manifest);
	check(
		'seals',
		seals.length === 0,
		seals.length === 0
			? 'Every stamp carries its seal’s own image at its real size (R13, R20)'
			: seals.map((p) => `${p.path}: ${p.code} (${p.rule})`).join('; ')
	);
	return finish();
}

/**
 * The seal rules (R13, R20) applied to stored evidence, as ingest applied them when it received
 * it: the signer's authorisations held at receipt and the seal's image versions judged at the
 * ticket's issue, so a forged stamp accepted by an older release is found. Whether the seal is
 * disabled today (R21) is not asked: disabling a seal stops new stamps, it does not undo the
 * ones made before.
 */
async function stampProblems(
	db: Db,
	orgId: string,
	row: { user_id: string; received_at: string; ticket_issued_at: string },
	manifest: Manifest
) {
	const grants = await db
		.selectFrom('seal_authorisations')
		.select('seal_id')
		.where('user_id', '=', row.user_id)
		.where('granted_at', '<=', row.received_at)
		.where((eb) => eb.or([eb('revoked_at', 'is', null), eb('revoked_at', '>', row.received_at)]))
		.execute();
	const problems = sealProblems(manifest, {
		authorisedSeals: new Set(grants.map((g) => g.seal_id)),
		seals: await sealRecords(
			db,
			orgId,
			manifestSealUses(manifest).map((u) => u.sealId)
		),
		ticketIssuedAt: row.ticket_issued_at
	});
	return problems.filter((p) => p.code !== 'SEAL_DISABLED');
}

// --- decisions ------------------------------------------------------------------------------

/**
 * Records an admin's accept (`ok`) or flag of a stored submission with a comment (RV3), and moves
 * the list status (RV2). The decision row and the status change are one transaction, so the list
 * never shows a status whose decision is missing. Refused attempts cannot be decided: nothing
 * was stored to vouch for.
 */
export async function decideSubmission(
	db: Kysely<Database>,
	clock: Clock,
	admin: Pick<User, 'id' | 'org_id'>,
	id: string,
	input: { decision: ReviewDecision; comment: string }
): Promise<Result<{ status: ReturnType<typeof statusAfter>; at: string }>> {
	const comment = normaliseComment(input.comment);
	if (comment === null) {
		return { ok: false, code: 'COMMENT_INVALID', message: 'A comment needs 1 to 500 characters' };
	}
	const at = clock().toISOString();
	return db.transaction().execute(async (trx) => {
		const item = await trx
			.selectFrom('review_items')
			.select(['id', 'status'])
			.where('id', '=', id)
			.where('org_id', '=', admin.org_id)
			.where('submission_id', 'is not', null)
			.executeTakeFirst();
		if (!item)
			return { ok: false as const, code: 'NOT_FOUND' as const, message: 'No such submission' };
		const status = statusAfter(input.decision);
		await trx
			.insertInto('review_decisions')
			.values({
				id: randomUUID(),
				submission_id: id,
				decision: input.decision,
				comment,
				admin_id: admin.id,
				at
			})
			.execute();
		await trx.updateTable('review_items').set({ status }).where('id', '=', id).execute();
		// In this transaction, so the decision and its audit row commit together or not at all.
		await appendAudit(trx, () => new Date(at), admin.id, {
			kind: input.decision === 'ok' ? 'review.accepted' : 'review.flagged',
			subject: id,
			data: { comment }
		});
		return { ok: true as const, status, at };
	});
}
