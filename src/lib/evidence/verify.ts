import { auditHash, GENESIS_HASH } from '$lib/domain/audit';
import { canonicalJson, sha256, sha256Hex } from '$lib/domain/canonical';
import type { Manifest } from '$lib/domain/manifest';
import { manifestImages } from '$lib/domain/manifest';
import { parseManifest } from '$lib/domain/manifest-schema';
import { sealProblems, type SealRecord } from '$lib/domain/rules';
import { checkPdfSignature, type PdfSignatureReport } from '$lib/pdf/pdf-signature';
import { render } from '$lib/pdf/render';
import type { EvidenceBundle, EvidenceSubmission } from './format';
import {
	COSE_ALGORITHMS,
	challengeMatches,
	equalBytes,
	importCoseKey,
	parseAuthenticatorData,
	parseClientData,
	samePem,
	verifyAssertionSignature,
	type PublicKey
} from './webauthn';

/*
 * The independent verifier of an evidence archive (SPEC EV3–EV18, docs/evidence.md): every
 * check a third party makes, each with its rule id and, when it fails, a stable code. It trusts
 * nothing in the archive that it can recompute: hashes, signatures, the rendered document and
 * the audit links are all recomputed here.
 */

/** Why a check failed. Stable: scripts and the CLI's exit report key on these. */
export const EVIDENCE_CODES = [
	'ARCHIVE_INVALID',
	'MANIFEST_INVALID',
	'ENVELOPE_MISMATCH',
	'DOC_HASH_MISMATCH',
	'CLIENT_DATA_INVALID',
	'CHALLENGE_MISMATCH',
	'RP_ID_MISMATCH',
	'FLAGS_MISSING',
	'ASSERTION_INVALID',
	'TICKET_MISMATCH',
	'SEAL_MISMATCH',
	'IMAGE_MISSING',
	'IMAGE_MISMATCH',
	'RENDER_MISMATCH',
	'PDF_SIGNATURE_INVALID',
	'CHAIN_BROKEN',
	'AUDIT_MISMATCH'
] as const;

export type EvidenceCode = (typeof EVIDENCE_CODES)[number];

/** One check: passed, failed with a code, or not made and why not. */
export type EvidenceCheck = { name: string; rule: string; detail: string } & (
	{ status: 'passed' } | { status: 'failed'; code: EvidenceCode } | { status: 'not-checked' }
);

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

export interface EvidenceReport {
	/** Valid when no check failed (EV18); `notChecked` says what that verdict does not cover. */
	verdict: 'valid' | 'invalid';
	envelope: EvidenceBundle['envelope'];
	/** The software the archive says rendered the final PDF (EV14 reproduces its output). */
	renderer: string;
	signers: SignerReport[];
	/** Checks of the archive as a whole: credentials, images, render, PDF signature, audit. */
	checks: EvidenceCheck[];
	/** Every failed check's code, once each, in the order of EVIDENCE_CODES. */
	codes: EvidenceCode[];
	notChecked: { name: string; reason: string }[];
}

export interface VerifyOptions {
	/** The final PDF held apart from the archive; it replaces the archive's own copy. */
	finalPdf?: Uint8Array;
	/**
	 * The PDF-signature check; checkPdfSignature (src/lib/pdf/pdf-signature.ts) unless another is
	 * given, or null to leave EV15 not checked (and say so).
	 */
	checkPdfSignature?: ((pdf: Uint8Array) => Promise<PdfSignatureReport>) | null;
}

const passed = (name: string, rule: string, detail: string): EvidenceCheck => ({
	name,
	rule,
	detail,
	status: 'passed'
});
const failed = (name: string, rule: string, code: EvidenceCode, detail: string): EvidenceCheck => ({
	name,
	rule,
	detail,
	code,
	status: 'failed'
});
const skipped = (name: string, rule: string, detail: string): EvidenceCheck => ({
	name,
	rule,
	detail,
	status: 'not-checked'
});

/** Checks an evidence bundle from its bytes alone (EV3–EV18). Never throws on bad evidence. */
export async function verifyEvidence(
	bundle: EvidenceBundle,
	options: VerifyOptions = {}
): Promise<EvidenceReport> {
	const checks: EvidenceCheck[] = [];
	const originalHash = await sha256Hex(bundle.originalPdf);

	checks.push(submissionsCheck(bundle));
	const keys = new Map<string, PublicKey>();
	checks.push(...(await credentialChecks(bundle, keys)));
	checks.push(await imageCheck(bundle));

	const manifests: (Manifest | null)[] = [];
	const signers: SignerReport[] = [];
	for (const submission of bundle.submissions) {
		const { report, manifest } = await signerChecks(bundle, submission, keys, originalHash);
		signers.push(report);
		manifests.push(manifest);
	}

	const finalPdf = options.finalPdf ?? bundle.finalPdf;
	const rendered = await renderCheck(bundle, manifests, finalPdf);
	checks.push(rendered.check);
	const checker =
		options.checkPdfSignature === undefined ? checkPdfSignature : options.checkPdfSignature;
	checks.push(
		await pdfSignatureCheck(finalPdf, rendered.length, bundle.signingCertificate, checker)
	);
	checks.push(await chainCheck(bundle));
	checks.push(
		skipped(
			'credential-owners',
			'EV3',
			'Which person holds each passkey is the server’s record (enrolment after an invite); the keys prove who signed only as far as that record is trusted.'
		)
	);
	checks.push(
		skipped(
			'audit-anchor-mac',
			'EV16',
			'The anchored head is signed with HMAC under the server’s secret audit key; only the server can check its MAC.'
		)
	);

	const all = [...checks, ...signers.flatMap((s) => s.checks)];
	const seen = new Set(all.flatMap((c) => (c.status === 'failed' ? [c.code] : [])));
	return {
		verdict: seen.size === 0 ? 'valid' : 'invalid',
		envelope: bundle.envelope,
		renderer: bundle.renderer,
		signers,
		checks,
		codes: EVIDENCE_CODES.filter((c) => seen.has(c)),
		notChecked: all
			.filter((c) => c.status === 'not-checked')
			.map((c) => ({ name: c.name, reason: c.detail }))
	};
}

/**
 * EV3: a finished contract has at least one submission, each under its own id; an archive with
 * none would verify vacuously, one with a repeated id would let a ticket or audit row count twice.
 */
function submissionsCheck(bundle: EvidenceBundle): EvidenceCheck {
	const ids = bundle.submissions.map((s) => s.id);
	if (ids.length === 0) {
		return failed('submissions', 'EV3', 'ARCHIVE_INVALID', 'The archive holds no submission');
	}
	if (new Set(ids).size !== ids.length) {
		return failed('submissions', 'EV3', 'ARCHIVE_INVALID', 'A submission id is listed twice');
	}
	return passed('submissions', 'EV3', `${ids.length} submission(s), in acceptance order`);
}

/** EV3: every credential's COSE key is supported, matches its algorithm and its SPKI PEM. */
async function credentialChecks(
	bundle: EvidenceBundle,
	keys: Map<string, PublicKey>
): Promise<EvidenceCheck[]> {
	const out: EvidenceCheck[] = [];
	for (const credential of bundle.credentials) {
		const name = `credential ${credential.id}`;
		if (keys.has(credential.id)) {
			out.push(failed(name, 'EV3', 'ARCHIVE_INVALID', 'The credential is listed twice'));
			continue;
		}
		const imported = await importCoseKey(credential.publicKeyCose);
		if (!imported.ok) {
			out.push(failed(name, 'EV3', 'ARCHIVE_INVALID', imported.message));
		} else if (imported.key.algorithm !== credential.algorithm) {
			out.push(
				failed(name, 'EV3', 'ARCHIVE_INVALID', 'The COSE key’s algorithm is not the one listed')
			);
		} else if (!samePem(imported.key.spkiPem, credential.publicKeySpki)) {
			out.push(
				failed(name, 'EV3', 'ARCHIVE_INVALID', 'The SPKI PEM is not the key the COSE key holds')
			);
		} else {
			keys.set(credential.id, imported.key);
			out.push(passed(name, 'EV3', `${COSE_ALGORITHMS[credential.algorithm]} key, SPKI matches`));
		}
	}
	return out;
}

/** EV13: every image file hashes to the SHA-256 it is named by. */
async function imageCheck(bundle: EvidenceBundle): Promise<EvidenceCheck> {
	const wrong: string[] = [];
	for (const [name, bytes] of bundle.images) {
		if ((await sha256Hex(bytes)) !== name) wrong.push(name);
	}
	return wrong.length
		? failed(
				'images',
				'EV13',
				'IMAGE_MISMATCH',
				`Bytes do not hash to their name: ${wrong.join(', ')}`
			)
		: passed('images', 'EV13', `${bundle.images.size} image(s) hash to their names`);
}

/** EV4–EV12, EV17 for one submission. */
async function signerChecks(
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

/** EV14: render(original, manifests, images, font) is an identical prefix of the final PDF. */
async function renderCheck(
	bundle: EvidenceBundle,
	manifests: readonly (Manifest | null)[],
	finalPdf: Uint8Array | null
): Promise<{ check: EvidenceCheck; length: number | null }> {
	if (!finalPdf)
		return { check: skipped('render', 'EV14', 'No final PDF was given'), length: null };
	if (manifests.some((m) => m === null)) {
		return {
			check: skipped('render', 'EV14', 'A manifest is unreadable, so render cannot be reproduced'),
			length: null
		};
	}
	let rendered: Uint8Array;
	try {
		rendered = await render(
			bundle.originalPdf,
			manifests as Manifest[],
			bundle.images,
			bundle.font ? { font: bundle.font } : {}
		);
	} catch (error) {
		return {
			check: failed(
				'render',
				'EV14',
				'RENDER_MISMATCH',
				`render() refused the archive’s inputs: ${error instanceof Error ? error.message : String(error)}`
			),
			length: null
		};
	}
	const prefix =
		finalPdf.byteLength >= rendered.byteLength &&
		equalBytes(finalPdf.subarray(0, rendered.byteLength), rendered);
	return prefix
		? {
				check: passed(
					'render',
					'EV14',
					`The first ${rendered.byteLength} bytes of the final PDF are render()’s output (SHA-256 ${await sha256Hex(rendered)})`
				),
				length: rendered.byteLength
			}
		: {
				check: failed(
					'render',
					'EV14',
					'RENDER_MISMATCH',
					'The final PDF does not begin with render(original, manifests)'
				),
				length: null
			};
}

/** How often `needle` (ASCII) occurs in `bytes`. */
function occurrences(bytes: Uint8Array, needle: string): number {
	const pattern = new TextEncoder().encode(needle);
	let count = 0;
	outer: for (let i = bytes.indexOf(pattern[0]!); i >= 0; i = bytes.indexOf(pattern[0]!, i + 1)) {
		for (let j = 1; j < pattern.length; j++) if (bytes[i + j] !== pattern[j]) continue outer;
		count += 1;
	}
	return count;
}

/**
 * EV15: one PAdES signature, valid, over the whole file except its /Contents, made with the
 * archive's platform certificate, and its signed revision reaches past the rendered document (so
 * it covers the certificate pages too). Exactly one signature follows the rendered document: a
 * second one added later (a re-signed copy) is not the platform's seal of this contract.
 */
async function pdfSignatureCheck(
	finalPdf: Uint8Array | null,
	renderedLength: number | null,
	certificate: Uint8Array | null,
	check: VerifyOptions['checkPdfSignature']
): Promise<EvidenceCheck> {
	const name = 'pdf-signature';
	if (!finalPdf) return skipped(name, 'EV15', 'No final PDF was given');
	if (!check) return skipped(name, 'EV15', 'No PDF signature checker is available here');
	let facts: PdfSignatureReport;
	try {
		facts = await check(finalPdf);
	} catch (error) {
		return failed(
			name,
			'EV15',
			'PDF_SIGNATURE_INVALID',
			`The signature could not be read: ${error instanceof Error ? error.message : String(error)}`
		);
	}
	const problems = facts.problems.length ? ` (${facts.problems.join(', ')})` : '';
	if (!facts.present)
		return failed(name, 'EV15', 'PDF_SIGNATURE_INVALID', `No signature${problems}`);
	if (!facts.valid) {
		return failed(name, 'EV15', 'PDF_SIGNATURE_INVALID', `The signature is not valid${problems}`);
	}
	if (!facts.coversWholeFile) {
		return failed(
			name,
			'EV15',
			'PDF_SIGNATURE_INVALID',
			`Bytes were added after the signed revision${problems}`
		);
	}
	if (renderedLength !== null && facts.signedLength <= renderedLength) {
		return failed(
			name,
			'EV15',
			'PDF_SIGNATURE_INVALID',
			'The signature does not cover the certificate appended to the rendered document'
		);
	}
	if (
		renderedLength !== null &&
		occurrences(finalPdf.subarray(renderedLength), '/ByteRange') !== 1
	) {
		return failed(
			name,
			'EV15',
			'PDF_SIGNATURE_INVALID',
			'More than one signature follows the rendered document: the file was signed again'
		);
	}
	if (certificate && !(facts.signer && equalBytes(facts.signer.certificateDer, certificate))) {
		return failed(
			name,
			'EV15',
			'PDF_SIGNATURE_INVALID',
			`Signed by ${facts.signer?.subject ?? 'an unknown certificate'}, not the archive’s platform certificate`
		);
	}
	const who = facts.signer ? ` by ${facts.signer.subject} (issuer ${facts.signer.issuer})` : '';
	const when = facts.timestamp?.valid ? `, timestamped ${facts.timestamp.time}` : '';
	return passed(name, 'EV15', `Valid signature over the whole file${who}${when}`);
}

/**
 * EV16: the audit rows link from the first given row to the anchored head: seqs consecutive,
 * each prevHash the previous row's hash (the genesis hash before seq 1), each full row's hash
 * recomputed from its content (SPEC A2), and the last row is the anchored head.
 */
async function chainCheck(bundle: EvidenceBundle): Promise<EvidenceCheck> {
	const { rows, head } = bundle.audit;
	const broken = (detail: string) => failed('audit-chain', 'EV16', 'CHAIN_BROKEN', detail);
	if (rows.length === 0) return broken('The archive holds no audit rows');
	let previous: { seq: number; hash: string } | null = null;
	for (const row of rows) {
		if (previous && row.seq !== previous.seq + 1) {
			return broken(`seq ${row.seq} follows ${previous.seq}: rows are missing`);
		}
		const expectedPrev = previous?.hash ?? (row.seq === 1 ? GENESIS_HASH : null);
		if (expectedPrev !== null && row.prevHash !== expectedPrev) {
			return broken(`seq ${row.seq}: prevHash is not the previous row's hash`);
		}
		if (!('redacted' in row)) {
			let data: unknown;
			try {
				data = JSON.parse(row.data);
			} catch {
				return broken(`seq ${row.seq}: data is not JSON`);
			}
			if (canonicalJson(data) !== row.data) return broken(`seq ${row.seq}: data is not canonical`);
			if ((await auditHash({ ...row, data })) !== row.hash) {
				return broken(`seq ${row.seq}: the hash does not match the row's content`);
			}
		}
		previous = { seq: row.seq, hash: row.hash };
	}
	if (!head) return broken('The archive holds no anchored head');
	if (!previous || previous.seq !== head.seq || previous.hash !== head.hash) {
		return broken(`The rows end at seq ${previous?.seq}, not at the anchored head ${head.seq}`);
	}
	const full = rows.filter((r) => !('redacted' in r)).length;
	return passed(
		'audit-chain',
		'EV16',
		`Rows ${rows[0]!.seq}–${head.seq} link to the anchored head (${full} in full)`
	);
}
