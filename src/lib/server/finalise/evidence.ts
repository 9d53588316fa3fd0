import type { Kysely } from 'kysely';
import type { AuthenticationResponseJSON } from '@simplewebauthn/server';
import { isoBase64URL } from '@simplewebauthn/server/helpers';
import type { AuditExportRow } from '$lib/domain/api-types';
import type { Result } from '$lib/domain/errors';
import { manifestImages, manifestSealUses, type Manifest } from '$lib/domain/manifest';
import {
	EVIDENCE_FORMAT,
	packEvidence,
	type EvidenceBundle,
	type EvidenceSealVersion
} from '$lib/evidence/format';
import { importCoseKey } from '$lib/evidence/webauthn';
import type { Database, User } from '../db/schema';
import type { BlobStore } from '../platform/blob-store';
import { cjkFontReference } from '../platform/fonts';
import { participantDocument } from '../contracts';
import { rpIdFor } from '../auth';

export interface EvidenceDeps {
	db: Kysely<Database>;
	blobs: BlobStore;
	origin: string;
	/** The platform signing certificate (DER) the final PDF is sealed with. */
	signingCertificate: Uint8Array;
	/** Names the code that rendered the final PDF, so a verifier knows what reproduces it. */
	renderer: string;
}

/** A stored file or row the archive needs is missing or unreadable: damage, reported as such. */
export class EvidenceError extends Error {
	override name = 'EvidenceError';
}

/**
 * The evidence archive of a contract for one of its participants (docs/evidence.md, SPEC EV):
 * the original and (once finalised) the final PDF, every accepted manifest with its passkey
 * assertion, the passkeys' public keys, the tickets spent, the seal image versions and images,
 * the name and SHA-256 of the font when a date was drawn, and the audit chain from the contract's first event to the
 * anchored head (other rows as links only). NOT_FOUND for anyone who is not a participant.
 */
export async function evidenceArchive(
	deps: EvidenceDeps,
	user: User,
	id: string
): Promise<Result<{ bytes: Uint8Array; title: string; final: boolean }>> {
	const doc = await participantDocument(deps.db, user, id);
	if (!doc) return { ok: false, code: 'NOT_FOUND', message: 'No such contract' };
	const bundle = await evidenceBundle(deps, id);
	return {
		ok: true,
		bytes: await packEvidence(bundle),
		title: doc.title,
		final: bundle.finalPdf !== null
	};
}

async function blob(blobs: BlobStore, sha256: string, what: string): Promise<Uint8Array> {
	const bytes = await blobs.get(sha256);
	if (!bytes) throw new EvidenceError(`${what} (${sha256}) is missing from storage`);
	return bytes;
}

/** Reads everything the archive holds for one contract. */
export async function evidenceBundle(deps: EvidenceDeps, id: string): Promise<EvidenceBundle> {
	const { db } = deps;
	const envelope = await db
		.selectFrom('envelopes')
		.select(['id', 'title', 'revision', 'doc_sha256', 'final_sha256'])
		.where('id', '=', id)
		.executeTakeFirstOrThrow();
	// The round that completed (LC2): the archive holds one revision's manifests (EV4).
	const rows = (
		await db
			.selectFrom('submissions')
			.select([
				'id',
				'manifest_json',
				'assertion_json',
				'received_at',
				'credential_id',
				'ticket_id'
			])
			.where('envelope_id', '=', id)
			.where('status', '=', 'accepted')
			.orderBy('seq')
			.execute()
	).filter((r) => (JSON.parse(r.manifest_json) as Manifest).revision === envelope.revision);
	const manifests = rows.map((r) => JSON.parse(r.manifest_json) as Manifest);

	const submissions = rows.map((r) => {
		const assertion = JSON.parse(r.assertion_json) as AuthenticationResponseJSON;
		const bytes = (text: string) => new Uint8Array(isoBase64URL.toBuffer(text));
		return {
			id: r.id,
			// Stored in canonical form (M2): these are the very bytes the passkey signed the hash of.
			manifest: new TextEncoder().encode(r.manifest_json),
			receivedAt: r.received_at,
			assertion: {
				credentialId: assertion.id,
				authenticatorData: bytes(assertion.response.authenticatorData),
				clientDataJSON: bytes(assertion.response.clientDataJSON),
				signature: bytes(assertion.response.signature),
				userHandle: assertion.response.userHandle ? bytes(assertion.response.userHandle) : null
			}
		};
	});

	const credentialIds = [...new Set(rows.map((r) => r.credential_id))];
	const credentialRows = credentialIds.length
		? await db
				.selectFrom('credentials')
				.select(['id', 'user_id', 'public_key'])
				.where('id', 'in', credentialIds)
				.execute()
		: [];
	const credentials = [];
	for (const c of credentialRows) {
		const cose = new Uint8Array(c.public_key);
		const key = await importCoseKey(cose);
		if (!key.ok) throw new EvidenceError(`Passkey ${c.id}: ${key.message}`);
		credentials.push({
			id: c.id,
			userId: c.user_id,
			algorithm: key.key.algorithm,
			publicKeyCose: cose,
			publicKeySpki: key.key.spkiPem
		});
	}

	const ticketIds = rows.map((r) => r.ticket_id);
	const tickets = ticketIds.length
		? (
				await db
					.selectFrom('tickets')
					.select([
						'id',
						'credential_id',
						'nonce',
						'issued_at',
						'expires_at',
						'used_at',
						'used_by_submission'
					])
					.where('id', 'in', ticketIds)
					.orderBy('id')
					.execute()
			).map((t) => ({
				id: t.id,
				credentialId: t.credential_id,
				nonce: t.nonce,
				issuedAt: t.issued_at,
				expiresAt: t.expires_at,
				spentAt: t.used_at,
				submissionId: t.used_by_submission
			}))
		: [];

	const sealIds = [...new Set(manifests.flatMap((m) => manifestSealUses(m).map((u) => u.sealId)))];
	const versionRows = sealIds.length
		? await db
				.selectFrom('seal_versions')
				.select(['seal_id', 'image_hash', 'width_mm', 'height_mm', 'valid_from', 'valid_until'])
				.where('seal_id', 'in', sealIds)
				.orderBy('seal_id')
				.orderBy('valid_from')
				.execute()
		: [];
	const sealVersions: EvidenceSealVersion[] = versionRows.map((v, i) => ({
		sealId: v.seal_id,
		// Numbered from 1 per seal in the order they became the seal's image.
		version: versionRows.slice(0, i + 1).filter((x) => x.seal_id === v.seal_id).length,
		sha256: v.image_hash,
		sizeMm: { width: v.width_mm, height: v.height_mm },
		validFrom: v.valid_from,
		validUntil: v.valid_until
	}));

	const images = new Map<string, Uint8Array>();
	for (const hash of new Set(manifests.flatMap(manifestImages))) {
		images.set(hash, await blob(deps.blobs, hash, 'An image of the contract'));
	}
	const needsFont = manifests.some((m) => m.fills.some((f) => f.kind === 'date'));

	return {
		format: EVIDENCE_FORMAT,
		renderer: deps.renderer,
		envelope: { id: envelope.id, title: envelope.title, revision: envelope.revision },
		webauthn: { rpId: rpIdFor(deps.origin), origins: [deps.origin] },
		originalPdf: await blob(deps.blobs, envelope.doc_sha256, 'The original PDF'),
		finalPdf: envelope.final_sha256
			? await blob(deps.blobs, envelope.final_sha256, 'The final PDF')
			: null,
		signingCertificate: envelope.final_sha256 ? deps.signingCertificate : null,
		// Named, not carried: the verifiers bring the font (10 MB, the same for every contract).
		font: needsFont ? await cjkFontReference(deps.origin) : null,
		submissions,
		credentials,
		tickets,
		sealVersions,
		images,
		audit: await auditExcerpt(db, [id, ...rows.map((r) => r.id)])
	};
}

/**
 * The audit chain from the contract's first event to the anchored head: its own rows in full,
 * the others as links only (seq, prevHash, hash), so a verifier can walk every link to the
 * signed head and learns nothing about anyone else's events.
 */
async function auditExcerpt(
	db: Kysely<Database>,
	subjects: string[]
): Promise<EvidenceBundle['audit']> {
	const anchor = await db
		.selectFrom('audit_anchor')
		.select(['seq', 'hash', 'mac', 'at'])
		.where('id', '=', 1)
		.executeTakeFirst();
	const first = await db
		.selectFrom('audit_log')
		.select((eb) => eb.fn.min('seq').as('seq'))
		.where('subject', 'in', subjects)
		.executeTakeFirst();
	if (!anchor || first?.seq === null || first?.seq === undefined) {
		return { rows: [], head: anchor ? { ...anchor, seq: Number(anchor.seq) } : null };
	}
	const own = new Set(subjects);
	const log = await db
		.selectFrom('audit_log')
		.select(['seq', 'at', 'kind', 'actor', 'subject', 'data', 'prev_hash', 'hash'])
		.where('seq', '>=', Number(first.seq))
		.where('seq', '<=', Number(anchor.seq))
		.orderBy('seq')
		.execute();
	const rows: AuditExportRow[] = log.map((r) =>
		r.subject !== null && own.has(r.subject)
			? {
					seq: Number(r.seq),
					at: r.at,
					kind: r.kind,
					actor: r.actor,
					subject: r.subject,
					data: r.data,
					prevHash: r.prev_hash,
					hash: r.hash
				}
			: { seq: Number(r.seq), prevHash: r.prev_hash, hash: r.hash, redacted: true }
	);
	return { rows, head: { ...anchor, seq: Number(anchor.seq) } };
}
