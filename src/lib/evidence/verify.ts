import { auditHash, GENESIS_HASH } from '$lib/domain/audit';
import { canonicalJson, sha256Hex } from '$lib/domain/canonical';
import type { Manifest } from '$lib/domain/manifest';
import { checkPdfSignature, type PdfSignatureReport } from '$lib/pdf/pdf-signature';
import { render } from '$lib/pdf/render';
import {
	EVIDENCE_CODES,
	failed,
	passed,
	skipped,
	type EvidenceCheck,
	type EvidenceCode
} from './checks';
import { resolveFont } from './font';
import type { EvidenceBundle } from './format';
import { signerChecks, type SignerReport } from './signer';
import { COSE_ALGORITHMS, equalBytes, importCoseKey, samePem, type PublicKey } from './webauthn';

/*
 * The independent verifier of an evidence archive (SPEC EV3–EV18, docs/evidence.md): every
 * check a third party makes, each with its rule id and, when it fails, a stable code. It trusts
 * nothing in the archive that it can recompute: hashes, signatures, the rendered document and
 * the audit links are all recomputed here.
 */

export type { EvidenceCheck, EvidenceCode, SignerReport };

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
	/**
	 * The verifier's own copy of the font the archive names (its installation's, or a file its
	 * user gave). Used only when it has the named SHA-256; otherwise EV14 is not checked and the
	 * report says which font it needs. Ignored for format-1 archives, which carry the font.
	 */
	font?: Uint8Array;
}

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
	const rendered = await renderCheck(bundle, manifests, finalPdf, options.font ?? null);
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

/**
 * EV14: render(original, manifests, images, font) is an identical prefix of the final PDF, with
 * the very font the archive names and never another: without it the render is not checked.
 */
async function renderCheck(
	bundle: EvidenceBundle,
	manifests: readonly (Manifest | null)[],
	finalPdf: Uint8Array | null,
	candidateFont: Uint8Array | null
): Promise<{ check: EvidenceCheck; length: number | null }> {
	if (!finalPdf)
		return { check: skipped('render', 'EV14', 'No final PDF was given'), length: null };
	if (manifests.some((m) => m === null)) {
		return {
			check: skipped('render', 'EV14', 'A manifest is unreadable, so render cannot be reproduced'),
			length: null
		};
	}
	const font = await resolveFont(bundle.font, candidateFont);
	if (!font.ok) return { check: skipped('render', 'EV14', font.message), length: null };
	let rendered: Uint8Array;
	try {
		rendered = await render(
			bundle.originalPdf,
			manifests as Manifest[],
			bundle.images,
			font.font ? { font: font.font } : {}
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
