import { randomUUID } from 'node:crypto';
import { sql, type Compilable } from 'kysely';
import type { ErrorCode } from '$lib/domain/errors';
import { manifestImages, manifestSealUses } from '$lib/domain/manifest';
import { canonicalJson, manifestHash, sha256Hex } from '$lib/domain/canonical';
import { headlineProblem, isComplete, validateManifest, type Problem } from '$lib/domain/rules';
import type { SubmissionAccepted } from '$lib/domain/api-types';
import { inspectImage } from '$lib/pdf/images';
import type { User } from '../../db/schema';
import { insertBlobRows, putBlobFiles } from '../../platform/blob-store';
import { readTogether } from '../../db/together';
import {
	acceptedManifestsRead,
	envelopeRead,
	returnWrites,
	turnNoticeWrites
} from '../../contracts';
import { authorisedSealsRead, mayReuseImage, sealRecordsRead, sealUseWrites } from '../../seals';
import { orgCertStateRead } from '../../orgs';
import { completionWrites } from '../../finalise';
import { decisionInTime } from '$lib/domain/deadline';
import { meetsLevel } from '$lib/domain/personal-certification';
import type { Authenticated } from './authenticate';
import {
	Refused,
	refusal,
	type Body,
	type IngestAnswer,
	type IngestDeps,
	type SubmissionClient,
	type Trx
} from './common';

/**
 * The checks against the envelope and its state, then the ticket spent. Throws Refused. The
 * acceptance's other writes come back unsent (`writes`, in order), for the caller to send with
 * its own (runTogether): none of their answers decides anything, and every check is done.
 */
export async function accept(
	deps: IngestDeps,
	trx: Trx,
	user: User,
	body: Body,
	auth: Authenticated,
	receivedAt: string,
	client: SubmissionClient
): Promise<{ answer: IngestAnswer; submissionId: string; writes: Compilable<unknown>[] }> {
	const { manifest } = auth;
	const fail = (code: ErrorCode, message: string, problems?: Problem[]) => {
		throw new Refused(refusal(code, message, problems));
	};
	// Every read the checks below need, sent together (one round trip on PostgreSQL): all of them
	// depend only on the request, and the checks still look at them in their order.
	const read = await readTogether(trx, {
		stored: envelopeRead(trx, manifest.envelopeId),
		acceptedIn: acceptedManifestsRead(trx, manifest.envelopeId),
		authorisedSeals: authorisedSealsRead(trx, user.id, receivedAt),
		// Every seal the manifest names, active or not, with its image versions (R20, R21).
		seals: sealRecordsRead(
			trx,
			user.org_id,
			manifestSealUses(manifest).map((u) => u.sealId)
		),
		orgCertState: orgCertStateRead(trx, user.org_id)
	});
	const stored = read.stored;
	if (!stored) return fail('NOT_FOUND', 'No such envelope');
	const { envelope } = stored;
	if (envelope.status === 'revoked') fail('DOC_REVOKED', 'The envelope was revoked');
	if (manifest.revision !== envelope.revision) fail('DOC_REVISED', 'The envelope was revised');
	const timing = decisionInTime(stored.deadlineAt, {
		receivedAt,
		ticketIssuedAt: auth.ticketIssuedAt,
		deviceTime: manifest.deviceTime
	});
	if (!timing.ok) fail('DOC_EXPIRED', `The deadline passed at ${stored.deadlineAt}`);
	const owner = stored.signerUsers.get(manifest.signerId);
	if (envelope.signers.some((s) => s.id === manifest.signerId) && owner !== user.id) {
		fail('FORBIDDEN', 'This signer is another user');
	}
	// A rejection stays possible below the level: refusing to sign needs no proof of identity,
	// and blocking it would leave the contract waiting on someone who cannot act (PC11).
	if (manifest.decision.kind === 'signed' && !meetsLevel(user.cert_level, stored.requiredLevel)) {
		fail(
			'SIGNER_NOT_CERTIFIED',
			`The contract requires signers certified to ${stored.requiredLevel}`
		);
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

	const accepted = read.acceptedIn(envelope);
	const problems = validateManifest(envelope, manifest, {
		accepted,
		images,
		authorisedSeals: read.authorisedSeals,
		seals: read.seals,
		ticketIssuedAt: auth.ticketIssuedAt,
		// Company stamps need a certified organisation (SPEC OC5); signatures do not.
		orgCertified: read.orgCertState === 'certified'
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

	// The files first, so no row ever names a missing one.
	const blobRows = await putBlobFiles(deps.blobs, [...uploads.values()], receivedAt);
	const hash = await manifestHash(manifest);
	// The next number of the envelope's sequence, read by the insert itself (one statement, not a
	// read then a write); the writer's lock keeps two ingests from taking the same number.
	const seq = trx
		.selectFrom('submissions')
		.select(sql<number>`coalesce(max(seq), 0) + 1`.as('next'))
		.where('envelope_id', '=', envelope.id);
	// Writes whose answers decide nothing: the caller sends them with its own.
	const writes: Compilable<unknown>[] = [
		...(blobRows.length > 0 ? [insertBlobRows(trx, blobRows)] : []),
		trx.insertInto('submissions').values({
			id: submissionId,
			envelope_id: envelope.id,
			seq,
			user_id: user.id,
			credential_id: auth.credentialId,
			ticket_id: auth.ticketId,
			manifest_json: canonicalJson(manifest),
			manifest_hash: hash,
			assertion_json: JSON.stringify(body.assertion),
			device_time: manifest.deviceTime,
			received_at: receivedAt,
			status: 'accepted',
			client_ip: client.ip?.slice(0, 64) ?? null,
			user_agent: client.userAgent?.slice(0, 512) ?? null,
			confirmed_offline: body.confirmedOffline === undefined ? null : body.confirmedOffline ? 1 : 0
		}),
		trx
			.updateTable('credentials')
			.set({
				counter: auth.newCounter,
				backed_up: auth.backedUp ? 1 : 0,
				last_used_at: receivedAt
			})
			.where('id', '=', auth.credentialId),
		// The seal list's count and history (SA7), with the submission or not at all.
		...sealUseWrites(trx, { id: submissionId, envelopeId: envelope.id, receivedAt, manifest })
	];
	const at = new Date(receivedAt);
	const complete = isComplete(envelope, [...accepted, manifest]);
	// The status and the finalisation job commit with the signature that completed it (C4).
	if (complete) writes.push(...completionWrites(trx, envelope.id, at));
	// A return closes the round and queues the sender's notice with the rejection (LC3).
	const returned = manifest.decision.kind === 'rejected';
	if (returned) writes.push(...returnWrites(trx, envelope.id, submissionId, at));
	// A signature that opens later signers' turn tells them, with it or not at all (LC8).
	else if (!complete) {
		writes.push(...turnNoticeWrites(trx, envelope, accepted, [...accepted, manifest], at));
	}
	const answer: SubmissionAccepted = {
		submissionId,
		manifestHash: hash,
		envelopeStatus: complete ? 'completed' : returned ? 'returned' : envelope.status,
		receivedAt
	};
	return { answer: { status: 201, body: answer }, submissionId, writes };
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
