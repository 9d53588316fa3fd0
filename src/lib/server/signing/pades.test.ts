import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { execFileSync, spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as asn1js from 'asn1js';
import * as pkijs from 'pkijs';
import { PDFDocument } from '@cantoo/pdf-lib';
import { loadSigningIdentity, signPdf, SigningError, type SigningIdentity } from '.';
import { GENERATED_FILES } from './identity';
import { checkPdfSignature } from '$lib/pdf/pdf-signature';
import { finishedPdf } from '../../../../tests/support/finished-pdf';
import { nssTrusting, pdfsig, qpdfCheck } from '../../../../tests/support/poppler';
import { pdfjsPage } from '../../../../tests/support/renderers';
import { startTsa, type LocalTsa } from '../../../../tests/support/tsa';

// The finished contract sealed with the platform's PAdES signature, judged by poppler's pdfsig
// (with and without the platform CA trusted in an NSS database), qpdf, pdf.js and our own
// checker, which must agree with pdfsig on every file. Real keys, a real TSA, no mocks.

const signingTime = new Date('2026-03-01T04:15:00Z');
let dir: string;
let identity: SigningIdentity;
let tsa: LocalTsa;
let nssDir: string;
let finished: Uint8Array;
let signed: Uint8Array;

beforeAll(async () => {
	dir = mkdtempSync(join(tmpdir(), 'sealpass-pades-'));
	const signingDir = join(dir, 'signing');
	[identity, tsa, finished] = await Promise.all([
		loadSigningIdentity(
			{ kind: 'generated', dir: signingDir },
			{ name: 'pades test', now: new Date('2026-01-01T00:00:00Z') }
		),
		startTsa(),
		finishedPdf()
	]);
	nssDir = nssTrusting([readFileSync(join(signingDir, GENERATED_FILES.ca), 'utf8'), tsa.caPem]);
	signed = await signPdf(finished, identity, { signingTime, reason: 'Contract completed' });
}, 60_000);

afterAll(async () => {
	await tsa?.stop();
	rmSync(dir, { recursive: true, force: true });
	if (nssDir) rmSync(nssDir, { recursive: true, force: true });
});

/** The last signature's CMS SignerInfo and where its /Contents hex starts in the file. */
function lastSignerInfo(pdf: Uint8Array): { info: pkijs.SignerInfo; hex: string; at: number } {
	const text = new TextDecoder('latin1').decode(pdf);
	const at = text.lastIndexOf('/Contents <') + '/Contents <'.length;
	const hex = text.slice(at, text.indexOf('>', at));
	const der = Uint8Array.from(hex.match(/../g)!, (h) => parseInt(h, 16));
	const content = new pkijs.ContentInfo({ schema: asn1js.fromBER(der).result });
	const cms = new pkijs.SignedData({ schema: content.content });
	return { info: cms.signerInfos[0]!, hex, at };
}

/** A copy of `pdf` with one bit of the last signature's value flipped, the rest untouched. */
function flipSignatureValue(pdf: Uint8Array): Uint8Array {
	const { info, hex, at } = lastSignerInfo(pdf);
	const value = Buffer.from(info.signature.valueBlock.valueHexView).toString('hex');
	const offset = hex.toLowerCase().indexOf(value);
	expect(offset).toBeGreaterThan(0);
	const out = pdf.slice();
	const i = at + offset + value.length - 1;
	out[i] = out[i] === 0x30 ? 0x31 : 0x30;
	return out;
}

/**
 * `openssl ts -verify` of the last signature's time-stamp token against the SHA-256 of its
 * signature value, with the local TSA's CA trusted: a judge of the token other than our checker.
 */
function opensslVerifiesToken(pdf: Uint8Array): string {
	const { info } = lastSignerInfo(pdf);
	const token = info.unsignedAttrs?.attributes.find((a) => a.type === '1.2.840.113549.1.9.16.2.14')
		?.values[0];
	expect(token).toBeDefined();
	const work = mkdtempSync(join(dir, 'token-'));
	writeFileSync(join(work, 'token.der'), new Uint8Array(token!.toBER()));
	writeFileSync(join(work, 'ca.pem'), tsa.caPem);
	writeFileSync(join(work, 'tsa.pem'), tsa.certPem);
	const digest = createHash('sha256').update(info.signature.valueBlock.valueHexView).digest('hex');
	const out = spawnSync(
		'openssl',
		['ts', '-verify', '-digest', digest, '-token_in', '-in', 'token.der'].concat([
			'-CAfile',
			'ca.pem',
			'-untrusted',
			'tsa.pem'
		]),
		{ cwd: work }
	);
	return `${out.stdout}${out.stderr}`;
}

async function pageCount(pdf: Uint8Array): Promise<number> {
	return (await PDFDocument.load(pdf, { updateMetadata: false })).getPageCount();
}

describe('signPdf', () => {
	it('PS1: seals a finished contract with one PAdES signature that pdfsig finds valid over the whole file', async () => {
		// Incremental: the finished contract is an identical prefix of the signed file.
		expect(Buffer.from(signed.subarray(0, finished.length)).equals(Buffer.from(finished))).toBe(
			true
		);
		const report = pdfsig(signed);
		expect(report).toContain('Signature Type: ETSI.CAdES.detached');
		expect(report).toContain('Signature Validation: Signature is Valid.');
		expect(report).toContain('Total document signed');
		expect(report).toContain('Signing Time: Mar 01 2026 04:15:00');
		expect(report).toContain('SealPass platform signature (pades test)');
		// Without the platform CA the reader cannot place the certificate...
		expect(report).toMatch(/Certificate Validation: Certificate issuer (isn't Trusted|is unknown)/);
		// ...and with it imported into the reader's NSS database the certificate is trusted.
		expect(pdfsig(signed, nssDir)).toContain('Certificate Validation: Certificate is Trusted.');
		// PAdES baseline: the signing-certificate-v2 attribute binds the certificate.
		expect(lastSignerInfo(signed).info.signedAttrs!.attributes.map((a) => a.type)).toContain(
			'1.2.840.113549.1.9.16.2.47'
		);
		expect(qpdfCheck(signed).status).toBe(0);
		// pdf.js opens and draws the signed file, every page of it still there.
		const pages = await pageCount(finished);
		expect(await pageCount(signed)).toBe(pages);
		expect((await pdfjsPage(signed, pages, 20)).width).toBeGreaterThan(0);
	});

	it('PS2: our checker reads the same signature as pdfsig: valid, whole file, the signer and time', async () => {
		const report = await checkPdfSignature(signed);
		expect(report).toMatchObject({
			present: true,
			valid: true,
			coversWholeFile: true,
			signedLength: signed.length,
			subFilter: 'ETSI.CAdES.detached',
			signingTime: signingTime.toISOString(),
			timestamp: null,
			problems: []
		});
		expect(report.signer?.subject).toContain('CN=SealPass platform signature (pades test)');
		expect(report.signer?.issuer).toContain('CN=SealPass local CA (pades test)');
		expect(
			Buffer.from(report.signer!.certificateDer).equals(Buffer.from(identity.certificate))
		).toBe(true);
	});

	it('PS3: the same document, time and identity sign to the same bytes', async () => {
		const again = await signPdf(finished, identity, { signingTime, reason: 'Contract completed' });
		expect(Buffer.from(again).equals(Buffer.from(signed))).toBe(true);
	});

	it('PS4: one changed byte inside the signed range is a digest mismatch for pdfsig and for us', async () => {
		const changed = signed.slice();
		// Inside the header's binary comment: the file still parses, only the digest differs.
		const at = finished.indexOf(0x25, 5) + 2;
		changed[at] = changed[at]! ^ 0x01;
		expect(pdfsig(changed)).toContain('Signature Validation: Digest Mismatch.');
		const report = await checkPdfSignature(changed);
		expect(report.valid).toBe(false);
		expect(report.problems).toContain('DIGEST_MISMATCH');
	});

	it('PS4: bytes appended after signing are "not total document signed" for pdfsig and for us', async () => {
		const appended = new Uint8Array([...signed, ...new TextEncoder().encode('\n% later\n')]);
		const text = pdfsig(appended);
		expect(text).toContain('Signature is Valid.');
		expect(text).toMatch(/not total document signed/i);
		const report = await checkPdfSignature(appended);
		expect(report).toMatchObject({
			valid: true,
			coversWholeFile: false,
			signedLength: signed.length,
			problems: ['NOT_WHOLE_FILE']
		});
	});

	it('PS4: a changed signature value fails for pdfsig and for us', async () => {
		const broken = flipSignatureValue(signed);
		expect(pdfsig(broken)).toContain('Signature Validation: Signature is Invalid.');
		const check = await checkPdfSignature(broken);
		expect(check.valid).toBe(false);
		expect(check.problems).toEqual(['SIGNATURE_INVALID']);
	});

	it('PS4: an unsigned PDF has no signature for pdfsig or for us', async () => {
		expect(pdfsig(finished)).toContain('does not contain any signatures');
		const report = await checkPdfSignature(finished);
		expect(report).toMatchObject({ present: false, valid: false, problems: ['NO_SIGNATURE'] });
	});

	it('PS5: with a TSA the signature is B-T: a real RFC 3161 token over the signature value', async () => {
		const before = Date.now();
		const bt = await signPdf(finished, identity, { signingTime, tsaUrl: tsa.url });
		expect(tsa.requests()).toBeGreaterThan(0);
		expect(Buffer.from(bt.subarray(0, finished.length)).equals(Buffer.from(finished))).toBe(true);
		const text = pdfsig(bt, nssDir);
		expect(text).toContain('Signature is Valid.');
		expect(text).toContain('Total document signed');
		// pdfsig 22.12 prints no time-stamp line; openssl judges the token pdfsig accepted.
		expect(opensslVerifiesToken(bt)).toContain('Verification: OK');
		const report = await checkPdfSignature(bt);
		expect(report.valid).toBe(true);
		expect(report.problems).toEqual([]);
		expect(report.timestamp?.valid).toBe(true);
		// The token's time is the TSA's clock now, not the claimed signing time.
		const stamped = Date.parse(report.timestamp!.time);
		expect(stamped).toBeGreaterThanOrEqual(Math.floor(before / 1000) * 1000 - 2000);
		expect(stamped).toBeLessThanOrEqual(Date.now() + 2000);
		expect(qpdfCheck(bt).status).toBe(0);
	});

	it('PS5: a time-stamp token whose imprint is not this signature value is reported invalid', async () => {
		const bt = await signPdf(finished, identity, { signingTime, tsaUrl: tsa.url });
		expect((await checkPdfSignature(bt)).timestamp?.valid).toBe(true);
		const report = await checkPdfSignature(flipSignatureValue(bt));
		expect(report.timestamp?.valid).toBe(false);
		expect(report.problems).toEqual(['SIGNATURE_INVALID', 'TIMESTAMP_INVALID']);
	});

	it('PS1: a document that already has a form keeps its fields, the signature field added beside them', async () => {
		const doc = await PDFDocument.load(finished, { updateMetadata: false });
		const form = doc.getForm();
		form.createTextField('Signature_1').addToPage(doc.getPage(0), { x: 50, y: 50 });
		form.createCheckBox('agreed').addToPage(doc.getPage(0), { x: 50, y: 100 });
		const withForm = await doc.save({ useObjectStreams: true });
		const out = await signPdf(withForm, identity, { signingTime });
		expect(Buffer.from(out.subarray(0, withForm.length)).equals(Buffer.from(withForm))).toBe(true);
		const report = pdfsig(out);
		expect(report).toContain('Signature is Valid.');
		expect(report).toContain('Total document signed');
		// The existing field's name is taken, so the signature's is the next one.
		expect(report).toContain('Signature Field Name: Signature_2');
		expect(await checkPdfSignature(out)).toMatchObject({ valid: true, problems: [] });
		expect(qpdfCheck(out).status).toBe(0);
		const names = (await PDFDocument.load(out, { updateMetadata: false }))
			.getForm()
			.getFields()
			.map((f) => f.getName());
		expect(names).toEqual(['Signature_1', 'agreed', 'Signature_2']);
	});

	it('PS6: refuses to sign at a time outside the certificate’s validity', async () => {
		await expect(
			signPdf(finished, identity, { signingTime: new Date('1999-01-01T00:00:00Z') })
		).rejects.toMatchObject({ code: 'CERT_NOT_VALID' });
		await expect(
			signPdf(finished, identity, { signingTime: new Date('1999-01-01T00:00:00Z') })
		).rejects.toBeInstanceOf(SigningError);
	});

	it('PS2: an ECDSA identity from PEM files signs, and pdfsig and our checker agree it is valid', async () => {
		const ec = join(dir, 'ec');
		execFileSync('mkdir', ['-p', ec]);
		execFileSync(
			'openssl',
			[
				'req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:P-256', '-nodes',
				'-keyout', 'key.pem', '-out', 'cert.pem', '-days', '365', '-subj', '/CN=EC signer/O=SealPass tests',
				'-addext', 'keyUsage=critical,digitalSignature,nonRepudiation'
			], // prettier-ignore
			{ cwd: ec, stdio: 'pipe' }
		);
		const ecIdentity = await loadSigningIdentity({
			kind: 'pem',
			certPath: join(ec, 'cert.pem'),
			keyPath: join(ec, 'key.pem'),
			chainPath: null
		});
		expect(ecIdentity.signer.signatureAlgorithm).toBe('ECDSA');
		const out = await signPdf(finished, ecIdentity, { signingTime: new Date() });
		expect(pdfsig(out)).toContain('Signature is Valid.');
		const report = await checkPdfSignature(out);
		expect(report).toMatchObject({ valid: true, coversWholeFile: true, problems: [] });
		expect(report.signer?.subject).toBe('CN=EC signer, O=SealPass tests');
	});
});
