import { sha256, sha256Hex, canonicalJson } from '$lib/domain/canonical';
import { manifestImages, type Manifest } from '$lib/domain/manifest';
import { parseManifest } from '$lib/domain/manifest-schema';
import { sealProblems, type SealRecord } from '$lib/domain/rules';
import { failed, passed, skipped, type EvidenceCheck } from './checks';
import type { EvidenceBundle, EvidenceSubmission } from './format';
import {
	COSE_ALGORITHMS,
	challengeMatches,
	equalBytes,
	parseAuthenticatorData,
	parseClientData,
	verifyAssertionSignature,
	type PublicKey
} from './webauthn';

/*
 * The checks of one submission (SPEC EV4–EV13, EV17): its manifest, the passkey assertion over
 * it, its ticket, its stamps and its audit record. verify.ts runs them for every submission.
 */

/** The checks of one submission (one signer's decision). */
export interface SignerReport {
	submissionId: string;
	signerId: string | null;
	credentialId: string;
	algorithm: string | null;
	decision: Manifest['decision']['kind'] | null;
	deviceTime: string | null;
	receivedAt: string;
	checks: EvidenceCheck[];
}

/** EV4–EV12, EV17 for one submission. */
export async function signerChecks(
	bundle: EvidenceBundle,
	submission: EvidenceSubmission,
	keys: ReadonlyMap<string, PublicKey>,
	originalHash: string
): Promise<{ report: SignerReport; manifest: Manifest | null }> {
	const { assertion } = submission;
	const checks: EvidenceCheck[] = [];
	const report: SignerReport = {
		submissionId: submission.id,
		signerId: null,
		credentialId: assertion.credentialId,
		algorithm: null,
		decision: null,
		deviceTime: null,
		receivedAt: submission.receivedAt,
		checks
	};

	// EV4: the manifest has exactly the manifest's shape and its bytes are its canonical form.
	let manifest: Manifest | null = null;
	try {
		const parsed = parseManifest(
			JSON.parse(new TextDecoder('utf-8', { fatal: true }).decode(submission.manifest))
		);
		if (!parsed.ok) {
			checks.push(failed('manifest', 'EV4', 'MANIFEST_INVALID', parsed.issues.join('; ')));
		} else if (
			!equalBytes(new TextEncoder().encode(canonicalJson(parsed.manifest)), submission.manifest)
		) {
			checks.push(
				failed('manifest', 'EV4', 'MANIFEST_INVALID', 'The bytes are not the canonical JSON (M2)')
			);
		} else {
			manifest = parsed.manifest;
			checks.push(passed('manifest', 'EV4', 'Canonical manifest of the right shape'));
		}
	} catch {
		checks.push(failed('manifest', 'EV4', 'MANIFEST_INVALID', 'The manifest is not UTF-8 JSON'));
	}
	if (manifest) {
		report.signerId = manifest.signerId;
		report.decision = manifest.decision.kind;
		report.deviceTime = manifest.deviceTime;
		const { id, revision } = bundle.envelope;
		checks.push(
			manifest.envelopeId === id && manifest.revision === revision
				? passed('envelope', 'EV4', `Envelope ${id}, revision ${revision}`)
				: failed(
						'envelope',
						'EV4',
						'ENVELOPE_MISMATCH',
						`The manifest is for envelope ${manifest.envelopeId} revision ${manifest.revision}`
					)
		);
		checks.push(
			manifest.docHash === originalHash
				? passed('doc-hash', 'EV5', 'docHash is the SHA-256 of original.pdf')
				: failed(
						'doc-hash',
						'EV5',
						'DOC_HASH_MISMATCH',
						`docHash ${manifest.docHash} is not the original's ${originalHash}`
					)
		);
	}

	// EV6: client data of an assertion made on one of the app's origins.
	const clientData = parseClientData(assertion.clientDataJSON);
	if (!clientData) {
		checks.push(
			failed('client-data', 'EV6', 'CLIENT_DATA_INVALID', 'clientDataJSON is not a JSON object')
		);
	} else if (clientData.type !== 'webauthn.get') {
		checks.push(
			failed('client-data', 'EV6', 'CLIENT_DATA_INVALID', `type is ${String(clientData.type)}`)
		);
	} else if (
		typeof clientData.origin !== 'string' ||
		!bundle.webauthn.origins.includes(clientData.origin)
	) {
		checks.push(
			failed(
				'client-data',
				'EV6',
				'CLIENT_DATA_INVALID',
				`origin ${String(clientData.origin)} is not one of ${bundle.webauthn.origins.join(', ')}`
			)
		);
	} else if (clientData.crossOrigin === true) {
		checks.push(
			failed('client-data', 'EV6', 'CLIENT_DATA_INVALID', 'The assertion was made cross-origin')
		);
	} else {
		checks.push(passed('client-data', 'EV6', `webauthn.get on ${clientData.origin}`));
	}

	// EV7: the challenge is the raw SHA-256 of the manifest bytes (M3).
	const challenge = await sha256(submission.manifest);
	checks.push(
		clientData && challengeMatches(clientData.challenge, challenge)
			? passed('challenge', 'EV7', 'clientData.challenge is SHA-256 of the manifest')
			: failed(
					'challenge',
					'EV7',
					'CHALLENGE_MISMATCH',
					'clientData.challenge is not the SHA-256 of this manifest'
				)
	);

	// EV8, EV9: authenticatorData names our rpId and says the user was present and verified.
	const authData = parseAuthenticatorData(assertion.authenticatorData);
	const rpIdHash = await sha256(bundle.webauthn.rpId);
	checks.push(
		authData && equalBytes(authData.rpIdHash, rpIdHash)
			? passed('rp-id', 'EV8', `rpIdHash is SHA-256 of ${bundle.webauthn.rpId}`)
			: failed(
					'rp-id',
					'EV8',
					'RP_ID_MISMATCH',
					authData
						? `rpIdHash is not SHA-256 of ${bundle.webauthn.rpId}`
						: 'authenticatorData is shorter than 37 bytes'
				)
	);
	checks.push(
		authData?.userPresent && authData.userVerified
			? passed('flags', 'EV9', 'User present and user verified')
			: failed(
					'flags',
					'EV9',
					'FLAGS_MISSING',
					`Flags 0x${(authData?.flags ?? 0).toString(16).padStart(2, '0')} lack UP (0x01) or UV (0x04)`
				)
	);

	// EV10: the signature verifies with the key of the credential both sides name.
	const key = keys.get(assertion.credentialId);
	if (key) report.algorithm = COSE_ALGORITHMS[key.algorithm] ?? null;
	if (manifest && manifest.credentialId !== assertion.credentialId) {
		checks.push(
			failed(
				'assertion',
				'EV10',
				'ASSERTION_INVALID',
				'The manifest names another credential than the assertion'
			)
		);
	} else if (!key) {
		checks.push(
			failed('assertion', 'EV10', 'ASSERTION_INVALID', 'No usable key for this credential')
		);
	} else if (
		await verifyAssertionSignature(
			key,
			assertion.authenticatorData,
			assertion.clientDataJSON,
			assertion.signature
		)
	) {
		checks.push(passed('assertion', 'EV10', `${report.algorithm} signature verifies`));
	} else {
		checks.push(failed('assertion', 'EV10', 'ASSERTION_INVALID', 'The signature does not verify'));
	}

	if (manifest) {
		const ticket = ticketCheck(bundle, submission, manifest);
		checks.push(ticket.check);
		checks.push(sealCheck(bundle, manifest, ticket.issuedAt));
		const missing = manifestImages(manifest).filter((image) => !bundle.images.has(image));
		checks.push(
			missing.length
				? failed('images', 'EV13', 'IMAGE_MISSING', `Not in the archive: ${missing.join(', ')}`)
				: passed('images', 'EV13', 'Every image the manifest names is in the archive')
		);
	}
	checks.push(await auditRecordCheck(bundle, submission));
	return { report, manifest };
}

/** EV11: the manifest's ticket was issued to its credential and spent by this submission. */
function ticketCheck(
	bundle: EvidenceBundle,
	submission: EvidenceSubmission,
	manifest: Manifest
): { check: EvidenceCheck; issuedAt: string | null } {
	const ticket = bundle.tickets.find((t) => t.id === manifest.ticket.id);
	const fail = (detail: string) => ({
		check: failed('ticket', 'EV11', 'TICKET_MISMATCH', detail),
		issuedAt: ticket?.issuedAt ?? null
	});
	if (!ticket) return fail(`Ticket ${manifest.ticket.id} is not in the archive`);
	if (ticket.nonce !== manifest.ticket.nonce) return fail('The ticket nonce differs');
	if (ticket.credentialId !== manifest.credentialId) {
		return fail('The ticket was issued to another credential');
	}
	if (ticket.submissionId !== submission.id || ticket.spentAt === null) {
		return fail('The ticket was not spent by this submission');
	}
	if (submission.receivedAt < ticket.issuedAt || submission.receivedAt > ticket.expiresAt) {
		return fail('Received outside the ticket’s lifetime');
	}
	return {
		check: passed('ticket', 'EV11', `Ticket ${ticket.id} issued ${ticket.issuedAt}, spent here`),
		issuedAt: ticket.issuedAt
	};
}

/** EV12: every stamp carries an image version of its seal usable for the ticket, at its size. */
function sealCheck(
	bundle: EvidenceBundle,
	manifest: Manifest,
	ticketIssuedAt: string | null
): EvidenceCheck {
	if (ticketIssuedAt === null) {
		return skipped(
			'seals',
			'EV12',
			'Without the ticket’s issue time no seal version can be judged'
		);
	}
	const seals = new Map<string, SealRecord & { versions: SealRecord['versions'][number][] }>();
	for (const version of bundle.sealVersions) {
		const record = seals.get(version.sealId) ?? { status: 'active', versions: [] };
		record.versions.push({
			imageHash: version.sha256,
			sizeMm: version.sizeMm,
			validFrom: version.validFrom,
			validUntil: version.validUntil
		});
		seals.set(version.sealId, record);
	}
	// Authorisation (R13) and today's status (R21) are the server's records, not evidence: only
	// the image rule (R20) is judged, as re-verification does (RV5).
	const problems = sealProblems(manifest, {
		authorisedSeals: new Set(seals.keys()),
		seals,
		ticketIssuedAt
	}).filter((p) => p.rule === 'R20');
	return problems.length
		? failed(
				'seals',
				'EV12',
				'SEAL_MISMATCH',
				problems.map((p) => `${p.path}: ${p.code}`).join('; ')
			)
		: passed('seals', 'EV12', 'Every stamp is a version of its seal, at its size');
}

/** EV17: the audit trail records this submission by its manifest hash and credential. */
async function auditRecordCheck(
	bundle: EvidenceBundle,
	submission: EvidenceSubmission
): Promise<EvidenceCheck> {
	const hash = await sha256Hex(submission.manifest);
	const found = bundle.audit.rows.some((row) => {
		if ('redacted' in row) return false;
		if (row.kind !== 'submission.signed' && row.kind !== 'submission.rejected') return false;
		if (row.subject !== submission.id) return false;
		try {
			const data = JSON.parse(row.data) as { manifestHash?: unknown; credentialId?: unknown };
			return data.manifestHash === hash && data.credentialId === submission.assertion.credentialId;
		} catch {
			return false;
		}
	});
	return found
		? passed('audit-record', 'EV17', 'The audit trail records this manifest')
		: failed(
				'audit-record',
				'EV17',
				'AUDIT_MISMATCH',
				`No submission event for ${submission.id} with manifest hash ${hash}`
			);
}
