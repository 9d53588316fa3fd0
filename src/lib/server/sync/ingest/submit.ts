import type { Compilable } from 'kysely';
import * as v from 'valibot';
import { canonicalJson, sha256Hex } from '$lib/domain/canonical';
import { parseManifest } from '$lib/domain/manifest-schema';
import type { SubmissionRefused } from '$lib/domain/api-types';
import { SubmissionBodySchema } from '$lib/domain/api-requests';
import type { User } from '../../db/schema';
import { storageFailure } from '../../platform/storage-errors';
import { countPreAuthRefusal } from '../../review';
import { signingMembership } from '../../auth';
import { accept } from './accept';
import { authenticate } from './authenticate';
import {
	Refused,
	refusal,
	UNKNOWN_CLIENT,
	type Body,
	type IngestAnswer,
	type IngestDeps,
	type SubmissionClient
} from './common';
import { loadAttempt } from './load';
import { recordEvent } from './record';

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
	sessionUser: User,
	input: unknown,
	client: SubmissionClient = UNKNOWN_CLIENT
): Promise<IngestAnswer> {
	const parsed = v.safeParse(SubmissionBodySchema, input);
	if (!parsed.success) {
		return refusal('BAD_REQUEST', 'Expected { idempotencyKey, manifest, assertion, images }');
	}
	const body = parsed.output;
	// The organisation the confirmation was made in, not the one the session is in now (MO6).
	const ticket = (body.manifest as { ticket?: { id?: unknown } } | null)?.ticket;
	const user = await signingMembership(deps.db, sessionUser, ticket?.id);
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
		return await ingestInTransaction(deps, user, body, bodyHash, receivedAt, client);
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
	receivedAt: string,
	client: SubmissionClient
): Promise<IngestAnswer> {
	const parsed = parseManifest(body.manifest);
	return deps.db.transaction().execute(async (trx) => {
		const loaded = await loadAttempt(trx, user, body, parsed.ok ? parsed.manifest : null);
		const stored = loaded.stored;
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

		const attempt = await authenticate(deps, user, body, parsed, loaded);
		if ('refused' in attempt) {
			const refused = attempt.refused.body as SubmissionRefused;
			await countPreAuthRefusal(trx, user.id, refused.error.code, receivedAt);
			return attempt.refused;
		}

		// Authenticated from here on: the answer is stored under the key whatever it is.
		let answer: IngestAnswer;
		let submissionId: string | null = null;
		let writes: Compilable<unknown>[] = [];
		try {
			const accepted = await accept(deps, trx, user, body, attempt, receivedAt, client);
			answer = accepted.answer;
			submissionId = accepted.submissionId;
			writes = accepted.writes;
		} catch (error) {
			if (!(error instanceof Refused)) throw error;
			answer = error.answer;
		}
		const remembered = trx.insertInto('idempotency_keys').values({
			user_id: user.id,
			key: body.idempotencyKey,
			body_hash: bodyHash,
			status: answer.status,
			response_json: JSON.stringify(answer.body),
			created_at: receivedAt
		});
		// The acceptance's writes first, then the record of the attempt: sent together.
		await recordEvent(trx, user, body, receivedAt, answer, submissionId, [...writes, remembered]);
		return answer;
	});
}
