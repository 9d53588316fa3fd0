import type { Kysely, Transaction } from 'kysely';
import { randomUUID } from 'node:crypto';
import * as v from 'valibot';
import type { AuthenticationResponseJSON } from '@simplewebauthn/server';
import { isoBase64URL } from '@simplewebauthn/server/helpers';
import { ERROR_STATUS, type ErrorCode } from '$lib/domain/errors';
import { manifestImages, manifestSealUses, type Manifest } from '$lib/domain/manifest';
import { parseManifest } from '$lib/domain/manifest-schema';
import { canonicalJson, manifestChallenge, manifestHash, sha256Hex } from '$lib/domain/canonical';
import { markCompleted } from '../finalise';
import { headlineProblem, isComplete, validateManifest, type Problem } from '$lib/domain/rules';
import type { SubmissionAccepted, SubmissionRefused } from '$lib/domain/api-types';
import type { AuditEvent } from '$lib/domain/audit';
import { inspectImage } from '$lib/pdf/images';
import type { Database, User } from '../db/schema';
import { storeBlob, type BlobStore } from '../platform/blob-store';
import type { Clock } from '../platform/clock';
import { SubmissionBodySchema } from '$lib/domain/api-requests';
import { assertionUserVerified, checkAssertion } from '../auth/passkeys';
import { acceptedManifests, loadEnvelope } from '../contracts/envelopes';
import { appendAudit } from '../audit/audit';
import { indexForReview } from '../review';
import { recordSealUses } from '../seals/seal-uses';
import { sealRecords } from '../seals/seal-versions';
import { countPreAuthRefusal } from '../review/refusal-counts';
import { mayReuseImage } from '../seals/seals';
import { storageFailure } from '../platform/storage-errors';

/** What ingest needs from the running app; tests pass their own database, store and clock. */
export interface IngestDeps {
	db: Kysely<Database>;
	blobs: BlobStore;
	clock: Clock;
	/** The public origin (config ORIGIN): assertions must come from it. */
	origin: string;
}

/** An HTTP answer decided by ingest; the endpoint only turns it into JSON. */
export interface IngestAnswer {
	status: number;
	body: SubmissionAccepted | SubmissionRefused;
}

type Body = v.InferOutput<typeof SubmissionBodySchema>;
type Trx = Transaction<Database>;

/** Thrown to leave the checks with a refusal; every check comes before the first write. */
class Refused extends Error {
	constructor(readonly answer: IngestAnswer) {
		super(answer.body && 'error' in answer.body ? answer.body.error.code : 'refused');
	}
}

function refusal(code: ErrorCode, message: string, problems?: Problem[]): IngestAnswer {
	const body: SubmissionRefused = { error: { code, message } };
	if (problems) body.problems = problems;
	return { status: ERROR_STATUS[code], body };
}

/**
 * Ingests one signed manifest (docs/architecture.md, "The manifest model"). Everything runs in ONE
 * database transaction, in a fixed order, so the answer never depends on timing: idempotency,
 * manifest shape, ticket (exists, this user's and credential's, nonce, unexpired, unused), passkey
 * assertion over the manifest's own hash with user verification, envelope state, images, the
 * signing rules; only then are images, submission, its seal uses, spent ticket, counter and
 * envelope status written. A refusal before the assertion verifies writes nothing but a count
 * (countPreAuthRefusal: nobody can poison an idempotency key, or fill the audit log and review
 * list, without the passkey); a refusal after it is stored under the key too, so a device that
 * retries gets the same answer. A ticket is spent only on acceptance.
 */
export async function ingestSubmission(
	deps: IngestDeps,
	user: User,
	input: unknown
): Promise<IngestAnswer> {
	const parsed = v.safeParse(SubmissionBodySchema, input);
	if (!parsed.success) {
		return refusal('BAD_REQUEST', 'Expected { idempotencyKey, manifest, assertion, images }');
	}
	const body = parsed.output;
	// The canonical form, so a retry that spells the same JSON differently is still "the same".
	// Images are left out: they are content-addressed and checked against their hashes, and a
	// device sends only those the server lacks, so a retry after a lost answer carries fewer
	// images than the first attempt (the server stored them) and is still the same submission.
	const bodyHash = await sha256Hex(
		canonicalJson({
			idempotencyKey: body.idempotencyKey,
			manifest: body.manifest,
			assertion: body.assertion
		})
	);
	const receivedAt = deps.clock().toISOString();

	try {
		return await ingestInTransaction(deps, user, body, bodyHash, receivedAt);
	} catch (error) {
		// A full disk or a database held by another writer: the transaction rolled back and the
		// blob store wrote no file under a hash, so nothing is stored and the device may retry.
		const failure = storageFailure(error);
		if (!failure) throw error;
		return refusal(failure.code, failure.message);
	}
}

function ingestInTransaction(
	deps: IngestDeps,
	user: User,
	body: Body,
	bodyHash: string,
	receivedAt: string
): Promise<IngestAnswer> {
	return deps.db.transaction().execute(async (trx) => {
		const stored = await trx
			.selectFrom('idempotency_keys')
			.select(['body_hash', 'status', 'response_json'])
			.where('user_id', '=', user.id)
			.where('key', '=', body.idempotencyKey)
			.executeTakeFirst();
		if (stored) {
			if (stored.body_hash !== bodyHash) {
				await countPreAuthRefusal(trx, user.id, 'IDEMPOTENCY_CONFLICT', receivedAt);
				return refusal('IDEMPOTENCY_CONFLICT', 'This key was used for a different submission');
			}
			const answer: IngestAnswer = {
				status: stored.status,
				body: JSON.parse(stored.response_json)
			};
			await recordEvent(trx, user, body, receivedAt, answer, null);
			return answer;
		}

		const attempt = await authenticate(deps, trx, user, body);
		if ('refused' in attempt) {
			const refused = attempt.refused.body as SubmissionRefused;
			await countPreAuthRefusal(trx, user.id, refused.error.code, receivedAt);
			return attempt.refused;
		}

		// Authenticated from here on: the answer is stored under the key whatever it is.
		let answer: IngestAnswer;
		let submissionId: string | null = null;
		try {
			const accepted = await accept(deps, trx, user, body, attempt, receivedAt);
			answer = accepted.answer;
			submissionId = accepted.submissionId;
		} catch (error) {
			if (!(error instanceof Refused)) throw error;
			answer = error.answer;
		}
		await trx
			.insertInto('idempotency_keys')
			.values({
				user_id: user.id,
				key: body.idempotencyKey,
				body_hash: bodyHash,
				status: answer.status,
				response_json: JSON.stringify(answer.body),
				created_at: receivedAt
			})
			.execute();
		await recordEvent(trx, user, body, receivedAt, answer, submissionId);
		return answer;
	});
}

interface Authenticated {
	manifest: Manifest;
	ticketId: string;
	/** When the ticket was issued: the seal image versions are judged at it (R20). */
	ticketIssuedAt: string;
	credentialId: string;
	newCounter: number;
	backedUp: boolean;
}

/** The checks up to and including the passkey assertion; writes nothing. */
async function authenticate(
	deps: IngestDeps,
	trx: Trx,
	user: User,
	body: Body
): Promise<Authenticated | { refused: IngestAnswer }> {
	const refuse = (code: ErrorCode, message: string) => ({ refused: refusal(code, message) });
	const parsed = parseManifest(body.manifest);
	if (!parsed.ok) {
		return { refused: refusal('MANIFEST_INVALID', parsed.issues.slice(0, 10).join('; ')) };
	}
	const manifest = parsed.manifest;
	const ticket = await trx
		.selectFrom('tickets')
		.selectAll()
		.where('id', '=', manifest.ticket.id)
		.executeTakeFirst();
	// One answer for "no such ticket", "not yours" and "wrong nonce": nothing to probe.
	if (
		!ticket ||
		ticket.user_id !== user.id ||
		ticket.credential_id !== manifest.credentialId ||
		ticket.nonce !== manifest.ticket.nonce
	) {
		return refuse('TICKET_UNKNOWN', 'No such ticket for this passkey');
	}
	// Before expiry: "your passkey was revoked" is what the user must act on, whatever the date.
	if (ticket.revoked_at !== null) {
		return refuse('PASSKEY_UNKNOWN', 'The passkey of this ticket was revoked');
	}
	const now = deps.clock().toISOString();
	if (ticket.expires_at <= now) return refuse('TICKET_EXPIRED', 'The ticket has expired');
	if (ticket.used_at !== null) return refuse('TICKET_USED', 'The ticket was already used');

	const credential = await trx
		.selectFrom('credentials')
		.selectAll()
		.where('id', '=', manifest.credentialId)
		.where('user_id', '=', user.id)
		.executeTakeFirst();
	// A ticket revoked with its passkey was answered above; this is a passkey revoked while its
	// tickets were not (before migration 0011 revoked both together): the same answer.
	if (credential && credential.revoked_at !== null) {
		return refuse('PASSKEY_UNKNOWN', 'The passkey was revoked');
	}
	const assertion = body.assertion as AuthenticationResponseJSON;
	if (!credential || assertion.id !== credential.id) {
		return refuse('ASSERTION_INVALID', 'The assertion is not from this passkey');
	}
	const handle = assertion.response.userHandle;
	if (handle !== undefined && Buffer.from(handle, 'base64url').toString('utf8') !== user.id) {
		return refuse('ASSERTION_INVALID', 'The user handle does not match the passkey owner');
	}
	const challenge = isoBase64URL.fromBuffer(await manifestChallenge(manifest));
	// The base64url of the raw hash, exactly as it appears in the signed client data.
	const checked = await checkAssertion(deps.origin, credential, assertion, challenge);
	if (!checked.ok) return refuse('ASSERTION_INVALID', checked.reason);
	// After the signature, so an assertion both forged and unverified is ASSERTION_INVALID.
	if (checked.info.userVerified !== true || !assertionUserVerified(assertion)) {
		return refuse('UV_REQUIRED', 'The authenticator did not verify the user');
	}
	const result = { authenticationInfo: checked.info };
	return {
		manifest,
		ticketId: ticket.id,
		ticketIssuedAt: ticket.issued_at,
		credentialId: credential.id,
		newCounter: result.authenticationInfo.newCounter,
		backedUp: result.authenticationInfo.credentialBackedUp
	};
}

/** The checks against the envelope and its state, then the writes. Throws Refused. */
async function accept(
	deps: IngestDeps,
	trx: Trx,
	user: User,
	body: Body,
	auth: Authenticated,
	receivedAt: string
): Promise<{ answer: IngestAnswer; submissionId: string }> {
	const { manifest } = auth;
	const fail = (code: ErrorCode, message: string, problems?: Problem[]) => {
		throw new Refused(refusal(code, message, problems));
	};
	const stored = await loadEnvelope(trx, manifest.envelopeId);
	if (!stored) return fail('NOT_FOUND', 'No such envelope');
	const { envelope } = stored;
	if (envelope.status === 'revoked') fail('DOC_REVOKED', 'The envelope was revoked');
	if (manifest.revision !== envelope.revision) fail('DOC_REVISED', 'The envelope was revised');
	const owner = stored.signerUsers.get(manifest.signerId);
	if (envelope.signers.some((s) => s.id === manifest.signerId) && owner !== user.id) {
		fail('FORBIDDEN', 'This signer is another user');
	}

	const referenced = new Set(manifestImages(manifest));
	const uploads = new Map<string, { bytes: Uint8Array; mediaType: string }>();
	for (const [key, base64] of Object.entries(body.images)) {
		const bytes = new Uint8Array(Buffer.from(base64, 'base64'));
		if ((await sha256Hex(bytes)) !== key)
			fail('IMAGE_INVALID', `Image ${key} does not match its hash`);
		const inspection = inspectImage(bytes);
		if (!inspection.ok) fail(inspection.code, inspection.message);
		else if (referenced.has(key)) {
			uploads.set(key, { bytes, mediaType: `image/${inspection.type}` });
		}
	}
	const images = new Set(uploads.keys());
	for (const image of referenced) {
		if (!images.has(image) && (await hasBlob(deps, trx, image, user))) images.add(image);
	}

	const accepted = await acceptedManifests(trx, envelope.id);
	const seals = await trx
		.selectFrom('seal_authorisations')
		.select('seal_id')
		.where('user_id', '=', user.id)
		.where('granted_at', '<=', receivedAt)
		.where('revoked_at', 'is', null)
		.execute();
	const problems = validateManifest(envelope, manifest, {
		accepted,
		images,
		authorisedSeals: new Set(seals.map((s) => s.seal_id)),
		// Every seal the manifest names, active or not, with its image versions (R20, R21).
		seals: await sealRecords(
			trx,
			user.org_id,
			manifestSealUses(manifest).map((u) => u.sealId)
		),
		ticketIssuedAt: auth.ticketIssuedAt
	});
	const first = headlineProblem(problems);
	if (first) fail(first.code, `Rule ${first.rule} failed at ${first.path}`, problems);

	const submissionId = randomUUID();
	// The conditional update is the lock: of two racing submissions one spends the ticket.
	const spent = await trx
		.updateTable('tickets')
		.set({ used_at: receivedAt, used_by_submission: submissionId })
		.where('id', '=', auth.ticketId)
		.where('used_at', 'is', null)
		.executeTakeFirst();
	if (spent.numUpdatedRows !== 1n) fail('TICKET_USED', 'The ticket was already used');

	for (const upload of uploads.values()) {
		await storeBlob(trx, deps.blobs, upload.bytes, upload.mediaType, receivedAt);
	}

	const hash = await manifestHash(manifest);
	const last = await trx
		.selectFrom('submissions')
		.select((eb) => eb.fn.max('seq').as('seq'))
		.where('envelope_id', '=', envelope.id)
		.executeTakeFirst();
	await trx
		.insertInto('submissions')
		.values({
			id: submissionId,
			envelope_id: envelope.id,
			seq: Number(last?.seq ?? 0) + 1,
			user_id: user.id,
			credential_id: auth.credentialId,
			ticket_id: auth.ticketId,
			manifest_json: canonicalJson(manifest),
			manifest_hash: hash,
			assertion_json: JSON.stringify(body.assertion),
			device_time: manifest.deviceTime,
			received_at: receivedAt,
			status: 'accepted'
		})
		.execute();
	// The seal list's count and history (SA7), with the submission or not at all.
	await recordSealUses(trx, {
		id: submissionId,
		envelopeId: envelope.id,
		receivedAt,
		manifest
	});
	await trx
		.updateTable('credentials')
		.set({
			counter: auth.newCounter,
			backed_up: auth.backedUp ? 1 : 0,
			last_used_at: receivedAt
		})
		.where('id', '=', auth.credentialId)
		.execute();
	const complete = isComplete(envelope, [...accepted, manifest]);
	// The status and the finalisation job commit with the signature that completed it (C4).
	if (complete) await markCompleted(trx, envelope.id, new Date(receivedAt));
	const answer: SubmissionAccepted = {
		submissionId,
		manifestHash: hash,
		envelopeStatus: complete ? 'completed' : envelope.status,
		receivedAt
	};
	return { answer: { status: 201, body: answer }, submissionId };
}

/** Whether the server holds an image that this user may name without sending it (mayReuseImage). */
async function hasBlob(deps: IngestDeps, trx: Trx, sha256: string, user: User): Promise<boolean> {
	if (!(await mayReuseImage(trx, user, sha256))) return false;
	const row = await trx
		.selectFrom('blobs')
		.select('sha256')
		.where('sha256', '=', sha256)
		.executeTakeFirst();
	return row !== undefined && (await deps.blobs.has(sha256));
}

/** Appends the evidence of one attempt, accepted or refused, with its code. */
async function recordEvent(
	trx: Trx,
	user: User,
	body: Body,
	at: string,
	answer: IngestAnswer,
	submissionId: string | null
): Promise<void> {
	const manifest = parseManifest(body.manifest);
	const refused = 'error' in answer.body ? answer.body : null;
	const eventId = randomUUID();
	await trx
		.insertInto('submission_events')
		.values({
			id: eventId,
			at,
			user_id: user.id,
			idempotency_key: body.idempotencyKey,
			envelope_id: manifest.ok ? manifest.manifest.envelopeId : null,
			ticket_id: manifest.ok ? manifest.manifest.ticket.id : null,
			submission_id: submissionId,
			outcome: refused ? 'refused' : 'accepted',
			code: refused ? refused.error.code : null
		})
		.execute();
	// The admin review list (RV2), in this transaction so it never misses a submission.
	await indexForReview(trx, {
		eventId,
		user,
		at,
		submissionId,
		refusalCode: refused ? refused.error.code : null,
		manifest: manifest.ok ? manifest.manifest : null
	});
	const event = auditEventFor(body, answer, submissionId);
	// Same transaction and receipt time as the submission it records (SPEC A4).
	if (event) await appendAudit(trx, () => new Date(at), user.id, event);
}

/**
 * The audit trail's view of an attempt (SPEC A1): a new acceptance is `submission.signed` or
 * `submission.rejected` (the signer's 退回), a refusal `submission.refused`; a retry answered
 * from the idempotency store with an earlier acceptance records nothing new.
 */
function auditEventFor(
	body: Body,
	answer: IngestAnswer,
	submissionId: string | null
): AuditEvent | null {
	const parsed = parseManifest(body.manifest);
	const manifest = parsed.ok ? parsed.manifest : null;
	if ('error' in answer.body) {
		return {
			kind: 'submission.refused',
			subject: manifest?.envelopeId ?? null,
			data: {
				code: answer.body.error.code,
				idempotencyKey: body.idempotencyKey,
				ticketId: manifest?.ticket.id ?? null
			}
		};
	}
	if (!submissionId || !manifest) return null;
	const data = {
		envelopeId: manifest.envelopeId,
		manifestHash: answer.body.manifestHash,
		ticketId: manifest.ticket.id,
		credentialId: manifest.credentialId
	};
	return manifest.decision.kind === 'rejected'
		? {
				kind: 'submission.rejected',
				subject: submissionId,
				data: { ...data, reason: manifest.decision.reason }
			}
		: { kind: 'submission.signed', subject: submissionId, data };
}
