import { beforeAll, describe, expect, it } from 'vitest';
import sharp from 'sharp';
import { strToU8, zipSync } from 'fflate';
import { canonicalJson } from '$lib/domain/canonical';
import { EVIDENCE_FORMAT, EVIDENCE_FORMAT_1, packEvidence, unpackEvidence } from './format';
import { verifyEvidence, type EvidenceReport, type VerifyOptions } from './verify';
import {
	cloneBundle,
	createEvidenceWorld,
	formatOneBundle,
	makeSigningIdentity,
	SIGNING_TIME,
	type EvidenceWorld
} from '../../../tests/support/evidence-world';
import { signPdf } from '$lib/server/signing';
import { sha256Hex } from '../../../tests/support/images';
import { cjkFontBytes } from '../../../tests/support/pdfs';

let world: EvidenceWorld;

beforeAll(async () => {
	world = await createEvidenceWorld();
}, 120_000);

/** Verified as the CLI does: with the installed font, the one the archive names. */
function verify(bundle: Parameters<typeof verifyEvidence>[0], options: VerifyOptions = {}) {
	return verifyEvidence(bundle, { font: cjkFontBytes(), ...options });
}

/** Every failed check's code, signers and archive alike. */
function failures(report: EvidenceReport): string[] {
	return report.codes;
}

function signerCodes(report: EvidenceReport, submissionId: string): string[] {
	const signer = report.signers.find((s) => s.submissionId === submissionId)!;
	return signer.checks.flatMap((c) => (c.status === 'failed' ? [c.code] : []));
}

/**
 * The bundle with every byte string replaced by its SHA-256: compared whole, a font of megabytes
 * costs the deep equality minutes; by hash, equal bytes still compare equal and no others do.
 */
function digest(value: unknown): unknown {
	if (value instanceof Uint8Array) return `sha256:${sha256Hex(value)}`;
	if (value instanceof Map) return [...value].map(([k, v]) => [k, digest(v)]);
	if (Array.isArray(value)) return value.map(digest);
	if (value && typeof value === 'object') {
		return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, digest(v)]));
	}
	return value;
}

/** One pixel of a PNG changed and the image encoded again: looks the same, is not the same. */
async function onePixelChanged(png: Uint8Array): Promise<Uint8Array> {
	const { data, info } = await sharp(png).raw().toBuffer({ resolveWithObject: true });
	const at =
		(Math.floor(info.height / 2) * info.width + Math.floor(info.width / 2)) * info.channels;
	data[at] = data[at]! ^ 0x01;
	return new Uint8Array(
		await sharp(data, { raw: { width: info.width, height: info.height, channels: info.channels } })
			.png()
			.toBuffer()
	);
}

describe('evidence archive format', () => {
	it('EV1: packing is deterministic and unpacking gives the bundle back', async () => {
		const a = await packEvidence(world.bundle);
		const b = await packEvidence(cloneBundle(world.bundle));
		expect(sha256Hex(a)).toBe(sha256Hex(b));
		const unpacked = await unpackEvidence(a);
		if (!unpacked.ok) throw new Error(unpacked.message);
		expect(digest(unpacked.bundle)).toEqual(digest(world.bundle));
		expect(sha256Hex(await packEvidence(unpacked.bundle))).toBe(sha256Hex(a));
	});

	it('EV2: a zip that is not an evidence archive is ARCHIVE_INVALID', async () => {
		const notZip = await unpackEvidence(strToU8('PK not really'));
		expect(notZip).toMatchObject({ ok: false, code: 'ARCHIVE_INVALID' });
		const other = await unpackEvidence(zipSync({ 'hello.txt': strToU8('hi') }));
		expect(other).toMatchObject({ ok: false, code: 'ARCHIVE_INVALID' });
		const wrongIndex = await unpackEvidence(
			zipSync({ 'index.json': strToU8(JSON.stringify({ format: 'something-else/1' })) })
		);
		expect(wrongIndex).toMatchObject({ ok: false, code: 'ARCHIVE_INVALID' });
	});

	it('EV2: a file changed, added or removed after packing is ARCHIVE_INVALID', async () => {
		const { unzipSync } = await import('fflate');
		const entries = unzipSync(await packEvidence(world.bundle));
		// Stored, not deflated: the archive holds a font of megabytes.
		const zip = (files: Record<string, Uint8Array>) => zipSync(files, { level: 0 });
		expect(await unpackEvidence(zip(entries))).toMatchObject({ ok: true });
		const changed = { ...entries, 'original.pdf': strToU8('%PDF-1.7 not the original') };
		expect(await unpackEvidence(zip(changed))).toMatchObject({ code: 'ARCHIVE_INVALID' });
		const added = { ...entries, 'extra.txt': strToU8('slipped in') };
		expect(await unpackEvidence(zip(added))).toMatchObject({ code: 'ARCHIVE_INVALID' });
		const removed = Object.fromEntries(
			Object.entries(entries).filter(([name]) => name !== 'final.pdf')
		);
		expect(await unpackEvidence(zip(removed))).toMatchObject({ code: 'ARCHIVE_INVALID' });
	});
});

describe('verifyEvidence', () => {
	it('EV3–EV17: the untouched contract verifies, signer by signer', async () => {
		const report = await verify(world.bundle);
		expect(failures(report)).toEqual([]);
		expect(report.verdict).toBe('valid');
		expect(report.signers.map((s) => [s.signerId, s.algorithm, s.decision])).toEqual([
			['alice', 'ES256', 'signed'],
			['bob', 'ES256', 'signed']
		]);
		for (const signer of report.signers) {
			expect(signer.checks.every((c) => c.status === 'passed')).toBe(true);
		}
		expect(report.checks.find((c) => c.name === 'render')?.status).toBe('passed');
		// The HMAC of the head needs the server's key: said, not silently skipped.
		expect(report.notChecked.map((n) => n.name)).toContain('audit-anchor-mac');
	});

	it.each([
		['EdDSA', 'RS256'],
		['RS256', 'EdDSA']
	] as const)(
		'EV3, EV10: passkeys with %s and %s verify',
		async (a, b) => {
			const other = await createEvidenceWorld({ alice: a, bob: b });
			const report = await verify(other.bundle);
			expect(failures(report)).toEqual([]);
			expect(report.signers.map((s) => s.algorithm)).toEqual([a, b]);
			// A forged signature is caught with these keys too.
			const forged = cloneBundle(other.bundle);
			forged.submissions[0]!.assertion.signature[10]! ^= 0xff;
			expect(signerCodes(await verify(forged), 'sub-alice')).toEqual(['ASSERTION_INVALID']);
		},
		120_000
	);

	it('EV10: a forged assertion is ASSERTION_INVALID', async () => {
		const forged = cloneBundle(world.bundle);
		forged.submissions[0] = await world.submit('sub-alice', world.manifests.alice, world.alice, {
			bogusSignature: true
		});
		const report = await verify(forged);
		expect(report.verdict).toBe('invalid');
		expect(signerCodes(report, 'sub-alice')).toEqual(['ASSERTION_INVALID']);
		expect(signerCodes(report, 'sub-bob')).toEqual([]);
	});

	it('EV3: a SPKI that is not the COSE key is ARCHIVE_INVALID', async () => {
		const bundle = cloneBundle(world.bundle);
		bundle.credentials[0]!.publicKeySpki = world.bob.publicKeySpki;
		const report = await verify(bundle);
		expect(failures(report)).toContain('ARCHIVE_INVALID');
		// Without a trusted key alice's assertion cannot count.
		expect(signerCodes(report, 'sub-alice')).toEqual(['ASSERTION_INVALID']);
	});

	it('EV3: an archive without submissions, or with one twice, is ARCHIVE_INVALID', async () => {
		const empty = cloneBundle(world.bundle);
		empty.submissions = [];
		empty.finalPdf = null;
		expect((await verify(empty)).codes).toEqual(['ARCHIVE_INVALID']);
		const twice = cloneBundle(world.bundle);
		twice.submissions.push(twice.submissions[1]!);
		expect((await verify(twice)).codes).toContain('ARCHIVE_INVALID');
	});

	it("EV7, EV10: another signer's manifest under an assertion is CHALLENGE_MISMATCH", async () => {
		const swapped = cloneBundle(world.bundle);
		swapped.submissions[0]!.manifest = swapped.submissions[1]!.manifest.slice();
		const codes = signerCodes(await verify(swapped), 'sub-alice');
		expect(codes).toContain('CHALLENGE_MISMATCH');
		expect(codes).toContain('ASSERTION_INVALID');
	});

	it('EV7: an edited manifest is CHALLENGE_MISMATCH', async () => {
		const edited = cloneBundle(world.bundle);
		const manifest = { ...world.manifests.alice, deviceTime: '2026-03-01T07:00:00.000Z' };
		edited.submissions[0]!.manifest = new TextEncoder().encode(canonicalJson(manifest));
		const report = await verify(edited);
		// The audit trail recorded the manifest that was signed, not this one.
		expect(signerCodes(report, 'sub-alice')).toEqual(['CHALLENGE_MISMATCH', 'AUDIT_MISMATCH']);
		// The marks are the same, so render still matches: the signature is what catches it.
		expect(report.checks.find((c) => c.name === 'render')?.status).toBe('passed');
	});

	it('EV4: manifest bytes that are not canonical are MANIFEST_INVALID', async () => {
		const bundle = cloneBundle(world.bundle);
		bundle.submissions[1]!.manifest = new TextEncoder().encode(
			JSON.stringify(world.manifests.bob, null, 1)
		);
		const report = await verify(bundle);
		expect(signerCodes(report, 'sub-bob')).toEqual(
			expect.arrayContaining(['MANIFEST_INVALID', 'CHALLENGE_MISMATCH'])
		);
		expect(report.notChecked.map((n) => n.name)).toContain('render');
	});

	it('EV6, EV8, EV9: wrong origin, wrong rpId and no user verification each have a code', async () => {
		const cases = [
			[{ origin: 'https://evil.example' }, 'CLIENT_DATA_INVALID'],
			[{ rpId: 'evil.example' }, 'RP_ID_MISMATCH'],
			[{ uv: false }, 'FLAGS_MISSING']
		] as const;
		for (const [options, code] of cases) {
			const bundle = cloneBundle(world.bundle);
			bundle.submissions[1] = await world.submit(
				'sub-bob',
				world.manifests.bob,
				world.bob,
				options
			);
			expect(signerCodes(await verify(bundle), 'sub-bob')).toEqual([code]);
		}
	});

	it('EV5, EV14: another original is DOC_HASH_MISMATCH and RENDER_MISMATCH', async () => {
		const bundle = cloneBundle(world.bundle);
		const { multiPagePdf, A4 } = await import('../../../tests/support/test-pdfs');
		bundle.originalPdf = await multiPagePdf([A4, A4, A4, A4]);
		const report = await verify(bundle);
		expect(signerCodes(report, 'sub-alice')).toEqual(['DOC_HASH_MISMATCH']);
		expect(failures(report)).toEqual(['DOC_HASH_MISMATCH', 'RENDER_MISMATCH']);
	});

	it('EV13, EV14: one changed pixel of the seal image is IMAGE_MISMATCH and RENDER_MISMATCH', async () => {
		const bundle = cloneBundle(world.bundle);
		const sealHash = world.bundle.sealVersions[0]!.sha256;
		bundle.images.set(sealHash, await onePixelChanged(world.bundle.images.get(sealHash)!));
		const report = await verify(bundle);
		expect(failures(report)).toEqual(['IMAGE_MISMATCH', 'RENDER_MISMATCH']);
		// Packed and unpacked, the changed image travels and is still caught.
		const unpacked = await unpackEvidence(await packEvidence(bundle));
		if (!unpacked.ok) throw new Error(unpacked.message);
		expect((await verify(unpacked.bundle)).codes).toContain('IMAGE_MISMATCH');
	});

	it('EV14, EV15: a final PDF whose rendered part was changed is RENDER_MISMATCH and PDF_SIGNATURE_INVALID', async () => {
		const bundle = cloneBundle(world.bundle);
		const at = Math.floor(world.rendered.length / 2);
		bundle.finalPdf![at] = bundle.finalPdf![at]! ^ 0x20;
		// The signed range covers those bytes too.
		const both = ['RENDER_MISMATCH', 'PDF_SIGNATURE_INVALID'];
		expect(failures(await verify(bundle))).toEqual(both);
		// The final PDF held apart replaces the archive's copy.
		const apart = await verify(world.bundle, { finalPdf: bundle.finalPdf! });
		expect(apart.codes).toEqual(both);
	});

	it('EV15: the platform signature covers the whole final PDF with the archive certificate', async () => {
		const report = await verify(world.bundle);
		const check = report.checks.find((c) => c.name === 'pdf-signature')!;
		expect(check.status).toBe('passed');
		expect(check.detail).toContain('SealPass evidence world');
		// Without a checker the check is reported as not made, never as passed.
		const without = await verify(world.bundle, { checkPdfSignature: null });
		expect(without.verdict).toBe('valid');
		expect(without.notChecked.map((n) => n.name)).toContain('pdf-signature');
	});

	it('EV15: bytes appended after the signature are PDF_SIGNATURE_INVALID', async () => {
		const appended = new Uint8Array([
			...world.bundle.finalPdf!,
			...new TextEncoder().encode('\n% appended after signing\n')
		]);
		const report = await verify(world.bundle, { finalPdf: appended });
		expect(report.codes).toEqual(['PDF_SIGNATURE_INVALID']);
	});

	it('EV15: a byte changed in the certificate pages is PDF_SIGNATURE_INVALID, the render still matches', async () => {
		const changed = world.bundle.finalPdf!.slice();
		const at =
			world.rendered.length + Math.floor((world.certified.length - world.rendered.length) / 2);
		changed[at] = changed[at]! ^ 0x01;
		const report = await verify(world.bundle, { finalPdf: changed });
		expect(report.codes).toEqual(['PDF_SIGNATURE_INVALID']);
		expect(report.checks.find((c) => c.name === 'pdf-signature')?.detail).toContain(
			'DIGEST_MISMATCH'
		);
	});

	it('EV15: a final PDF signed again, or signed by another certificate, is PDF_SIGNATURE_INVALID', async () => {
		const other = await makeSigningIdentity('Someone Else');
		const again = await signPdf(world.bundle.finalPdf!, other, { signingTime: SIGNING_TIME });
		const twice = await verify(world.bundle, { finalPdf: again });
		expect(twice.codes).toEqual(['PDF_SIGNATURE_INVALID']);
		expect(twice.checks.find((c) => c.name === 'pdf-signature')?.detail).toContain('signed again');
		const instead = await signPdf(world.certified, other, { signingTime: SIGNING_TIME });
		const resigned = await verify(world.bundle, { finalPdf: instead });
		expect(resigned.codes).toEqual(['PDF_SIGNATURE_INVALID']);
		expect(resigned.checks.find((c) => c.name === 'pdf-signature')?.detail).toContain(
			'Someone Else'
		);
	}, 60_000);

	it('EV11, EV12: a ticket of another passkey and a retired seal image are caught', async () => {
		const bundle = cloneBundle(world.bundle);
		bundle.tickets[0]!.credentialId = world.bob.credentialId;
		bundle.sealVersions[0]!.validUntil = '2026-02-01T00:00:00.000Z';
		const codes = signerCodes(await verify(bundle), 'sub-alice');
		expect(codes).toEqual(['TICKET_MISMATCH', 'SEAL_MISMATCH']);
	});

	it('EV16: a cut, edited or reordered audit chain is CHAIN_BROKEN', async () => {
		const cut = cloneBundle(world.bundle);
		cut.audit.rows.splice(3, 1);
		expect(failures(await verify(cut))).toEqual(['CHAIN_BROKEN']);

		const tail = cloneBundle(world.bundle);
		tail.audit.rows.pop();
		expect(failures(await verify(tail))).toEqual(['CHAIN_BROKEN']);

		const edited = cloneBundle(world.bundle);
		const row = edited.audit.rows[0]!;
		if ('redacted' in row) throw new Error('row 1 is the contract’s own');
		row.data = row.data.replace('采购合同', '租赁合同');
		const report = await verify(edited);
		expect(failures(report)).toEqual(['CHAIN_BROKEN']);
		expect(report.checks.find((c) => c.name === 'audit-chain')?.detail).toContain('seq 1');
	});

	it('EV17: a submission the audit trail does not record is AUDIT_MISMATCH', async () => {
		const bundle = cloneBundle(world.bundle);
		bundle.audit.rows = bundle.audit.rows.map((row) =>
			'redacted' in row || row.kind !== 'submission.signed' || row.subject !== 'sub-bob'
				? row
				: { seq: row.seq, prevHash: row.prevHash, hash: row.hash, redacted: true as const }
		);
		const report = await verify(bundle);
		expect(failures(report)).toEqual(['AUDIT_MISMATCH']);
		expect(signerCodes(report, 'sub-bob')).toEqual(['AUDIT_MISMATCH']);
	});
});

describe('the font dates were drawn with', () => {
	const renderCheck = (report: EvidenceReport) => report.checks.find((c) => c.name === 'render')!;

	it('EV1, EV14: format 2 names the font by SHA-256 instead of carrying it; the installed font re-renders', async () => {
		const { unzipSync, strFromU8 } = await import('fflate');
		const entries = unzipSync(await packEvidence(world.bundle));
		expect(Object.keys(entries).filter((name) => name.endsWith('.ttf'))).toEqual([]);
		const index = JSON.parse(strFromU8(entries['index.json']!));
		expect(index.format).toBe(EVIDENCE_FORMAT);
		expect(index.font).toEqual({
			sha256: sha256Hex(cjkFontBytes()),
			size: cjkFontBytes().byteLength,
			name: 'NotoSansSC_400Regular.ttf',
			sources: [expect.stringMatching(/\/api\/fonts\/cjk$/)]
		});
		const unpacked = await unpackEvidence(await packEvidence(world.bundle));
		if (!unpacked.ok) throw new Error(unpacked.message);
		const report = await verifyEvidence(unpacked.bundle, { font: cjkFontBytes() });
		expect(report.verdict).toBe('valid');
		expect(renderCheck(report).status).toBe('passed');
	});

	it('EV14: without the named font, or with another, the render is not checked and the report names the SHA-256', async () => {
		const expected = sha256Hex(cjkFontBytes());
		const other = cjkFontBytes().slice();
		other[other.length - 1]! ^= 0x01;
		for (const font of [undefined, other]) {
			const report = await verifyEvidence(world.bundle, font ? { font } : {});
			const check = renderCheck(report);
			expect(check.status).toBe('not-checked');
			expect(check.detail).toContain(expected);
			if (font) expect(check.detail).toContain(sha256Hex(other));
			expect(report.notChecked.map((n) => n.name)).toContain('render');
		}
		// A tampered final PDF is still caught by its signature when the render cannot run.
		const changed = world.bundle.finalPdf!.slice();
		changed[Math.floor(world.rendered.length / 2)]! ^= 0x20;
		const report = await verifyEvidence(world.bundle, { finalPdf: changed });
		expect(report.codes).toEqual(['PDF_SIGNATURE_INVALID']);
	});

	it('EV2, EV14: a format-1 archive that carries the font still unpacks, packs to the same bytes and verifies with no font given', async () => {
		const legacy = await packEvidence(formatOneBundle(world.bundle, cjkFontBytes()));
		const { unzipSync } = await import('fflate');
		expect(Object.keys(unzipSync(legacy))).toContain('fonts/cjk.ttf');
		const unpacked = await unpackEvidence(legacy);
		if (!unpacked.ok) throw new Error(unpacked.message);
		expect(unpacked.bundle.format).toBe(EVIDENCE_FORMAT_1);
		expect(unpacked.bundle.font?.sha256).toBe(sha256Hex(cjkFontBytes()));
		expect(sha256Hex(await packEvidence(unpacked.bundle))).toBe(sha256Hex(legacy));
		const report = await verifyEvidence(unpacked.bundle);
		expect(report.verdict).toBe('valid');
		expect(renderCheck(report).status).toBe('passed');
		// Its own font is the one it renders with: a font given beside it changes nothing.
		const other = cjkFontBytes().slice(0, 1000);
		expect(renderCheck(await verifyEvidence(unpacked.bundle, { font: other })).status).toBe(
			'passed'
		);
	});

	it('EV2: a format-2 index that names the font by anything but a SHA-256 and size is ARCHIVE_INVALID', async () => {
		const { unzipSync, strFromU8 } = await import('fflate');
		const entries = unzipSync(await packEvidence(world.bundle));
		const index = JSON.parse(strFromU8(entries['index.json']!));
		for (const font of [
			'fonts/cjk.ttf',
			{ ...index.font, sha256: 'abc' },
			{ ...index.font, size: 0 }
		]) {
			const bad = { ...entries, 'index.json': strToU8(JSON.stringify({ ...index, font })) };
			expect(await unpackEvidence(zipSync(bad, { level: 0 }))).toMatchObject({
				code: 'ARCHIVE_INVALID'
			});
		}
	});
});
