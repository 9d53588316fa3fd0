import { execFile } from 'node:child_process';
import { createHash } from 'node:crypto';
import {
	existsSync,
	mkdirSync,
	mkdtempSync,
	readdirSync,
	readFileSync,
	rmSync,
	writeFileSync
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import sharp from 'sharp';
import { ensureNodeBuildInChild, root } from '../../../../scripts/node-build.mjs';
import { SEAL_IMAGE, SIGNATURE_IMAGE, sampleManifest } from '../../domain/fixtures';
import { inspectPdf } from '../../pdf/inspect';
import { multiPagePdf, qpdfEncrypted, truncated } from '../../../../tests/support/test-pdfs';
import { strToU8, zipSync } from 'fflate';
import { packEvidence } from '../../evidence/format';
import {
	cloneBundle,
	createEvidenceWorld,
	formatOneBundle
} from '../../../../tests/support/evidence-world';

interface Run {
	status: number | null;
	stdout: string;
	stderr: string;
}

/** Runs the real launcher, as a user or a script would: `node bin/sealpass.mjs ...`. */
function sealpass(...args: string[]): Promise<Run> {
	return new Promise((resolve) => {
		execFile(
			process.execPath,
			[join(root, 'bin', 'sealpass.mjs'), ...args],
			{ cwd: dir, encoding: 'utf8' },
			(error, stdout, stderr) => {
				const status = error ? (typeof error.code === 'number' ? error.code : null) : 0;
				resolve({ status, stdout, stderr });
			}
		);
	});
}

const sha256 = (bytes: Uint8Array) => createHash('sha256').update(bytes).digest('hex');

let dir: string;
let signature: Uint8Array;
let seal: Uint8Array;

beforeAll(async () => {
	await ensureNodeBuildInChild();
	dir = mkdtempSync(join(tmpdir(), 'sealpass-cli-'));
	const pdf = await multiPagePdf();
	writeFileSync(join(dir, 'ok.pdf'), pdf);
	writeFileSync(join(dir, 'encrypted.pdf'), qpdfEncrypted(pdf));
	writeFileSync(join(dir, 'truncated.pdf'), truncated(pdf, 0.7));
	writeFileSync(join(dir, 'not-a.pdf'), 'hello');
	signature = new Uint8Array(
		await sharp({ create: { width: 320, height: 100, channels: 4, background: '#0008' } })
			.png()
			.toBuffer()
	);
	seal = new Uint8Array(
		await sharp({ create: { width: 200, height: 200, channels: 4, background: '#c00a' } })
			.png()
			.toBuffer()
	);
	// The sample manifest, pointing at the hashes of these real images.
	const manifest = JSON.parse(
		JSON.stringify(sampleManifest())
			.replaceAll(SIGNATURE_IMAGE, sha256(signature))
			.replaceAll(SEAL_IMAGE, sha256(seal))
	);
	writeFileSync(join(dir, 'manifests.json'), JSON.stringify([manifest]));
	mkdirSync(join(dir, 'assets'));
	writeFileSync(join(dir, 'assets', 'signature.png'), signature);
	writeFileSync(join(dir, 'assets', 'seal.png'), seal);
	writeFileSync(join(dir, 'assets', 'README.txt'), 'not an image');
}, 120_000);

afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('sealpass inspect', () => {
	it('prints the JSON verdict of a good PDF and exits 0', async () => {
		const run = await sealpass('inspect', 'ok.pdf');
		expect(run.status, run.stderr).toBe(0);
		expect(JSON.parse(run.stdout)).toEqual({
			file: 'ok.pdf',
			size: readFileSync(join(dir, 'ok.pdf')).length,
			pages: 3,
			encrypted: false,
			verdict: 'ok'
		});
	});

	it('refuses an encrypted PDF with PDF_ENCRYPTED and exit status 2', async () => {
		const run = await sealpass('inspect', 'encrypted.pdf');
		expect(run.status, run.stderr).toBe(2);
		expect(JSON.parse(run.stdout)).toMatchObject({
			file: 'encrypted.pdf',
			pages: 3,
			encrypted: true,
			verdict: 'refused',
			code: 'PDF_ENCRYPTED'
		});
		expect(run.stderr).toContain('PDF_ENCRYPTED');
	});

	it('refuses truncated and non-PDF files with PDF_MALFORMED', async () => {
		for (const file of ['truncated.pdf', 'not-a.pdf']) {
			const run = await sealpass('inspect', file);
			expect(run.status, run.stderr).toBe(2);
			expect(JSON.parse(run.stdout)).toMatchObject({ verdict: 'refused', code: 'PDF_MALFORMED' });
		}
	});

	it('applies the limits given on the command line', async () => {
		const pages = await sealpass('inspect', 'ok.pdf', '--max-pages', '2');
		expect(pages.status, pages.stderr).toBe(2);
		expect(JSON.parse(pages.stdout)).toMatchObject({ code: 'PDF_TOO_MANY_PAGES', pages: 3 });
		const bytes = await sealpass('inspect', '--max-bytes', '100', 'ok.pdf');
		expect(JSON.parse(bytes.stdout)).toMatchObject({ code: 'PDF_TOO_LARGE', pages: null });
	});

	it('exits 1 with a message on usage errors and unreadable files', async () => {
		const usageErrors = [
			[],
			['inspect'],
			['inspect', 'a.pdf', 'b.pdf'],
			['frobnicate'],
			['inspect', '--max-pages', 'x', 'ok.pdf'],
			['inspect', '--nope', 'ok.pdf']
		];
		const runs = await Promise.all(usageErrors.map((args) => sealpass(...args)));
		runs.forEach((run, i) => {
			expect(run.status, usageErrors[i]?.join(' ')).toBe(1);
			expect(run.stdout).toBe('');
			expect(run.stderr).toContain('Usage:');
		});
		const missing = await sealpass('inspect', 'missing.pdf');
		expect(missing.status, missing.stderr).toBe(1);
		expect(missing.stderr).toMatch(/cannot read missing\.pdf/);
	});

	it('prints help on --help and exits 0', async () => {
		const run = await sealpass('--help');
		expect(run.status, run.stderr).toBe(0);
		expect(run.stdout).toContain('sealpass inspect FILE.pdf');
		expect(run.stdout).toContain('sealpass render --manifests M.json --assets DIR IN.pdf OUT.pdf');
	});
});

describe('sealpass render', () => {
	const render = (manifests: string, assets: string, input: string, output: string) =>
		sealpass('render', '--manifests', manifests, '--assets', assets, input, output);

	it('renders the manifests onto the PDF, writes OUT.pdf and prints its hash', async () => {
		const run = await render('manifests.json', 'assets', 'ok.pdf', 'out.pdf');
		expect(run.stderr).toContain('skipping assets/README.txt');
		expect(run.status, run.stderr).toBe(0);
		const out = new Uint8Array(readFileSync(join(dir, 'out.pdf')));
		expect(JSON.parse(run.stdout)).toEqual({
			file: 'out.pdf',
			size: out.length,
			sha256: sha256(out)
		});
		expect(await inspectPdf(out)).toMatchObject({ ok: true, pages: 3 });
		// Atomic write: the temp file was renamed, nothing is left beside OUT.pdf.
		expect(readdirSync(dir).filter((f) => f.endsWith('.tmp'))).toEqual([]);
		// Deterministic: the same inputs give the same bytes.
		const again = await render('manifests.json', 'assets', 'ok.pdf', 'again.pdf');
		expect(again.status, again.stderr).toBe(0);
		expect(sha256(new Uint8Array(readFileSync(join(dir, 'again.pdf'))))).toBe(sha256(out));
	});

	it('refuses an encrypted input PDF before rendering, and writes nothing', async () => {
		const run = await render('manifests.json', 'assets', 'encrypted.pdf', 'enc-out.pdf');
		expect(run.status, run.stderr).toBe(2);
		expect(run.stderr).toContain('PDF_ENCRYPTED');
		expect(existsSync(join(dir, 'enc-out.pdf'))).toBe(false);
	});

	it('refuses a missing image with IMAGE_MISSING', async () => {
		mkdirSync(join(dir, 'only-signature'));
		writeFileSync(join(dir, 'only-signature', 'sig.png'), signature);
		const run = await render('manifests.json', 'only-signature', 'ok.pdf', 'missing-out.pdf');
		expect(run.status, run.stderr).toBe(2);
		expect(run.stderr).toContain('IMAGE_MISSING');
		expect(existsSync(join(dir, 'missing-out.pdf'))).toBe(false);
	});

	it('refuses a PNG asset that fails inspection with its code', async () => {
		mkdirSync(join(dir, 'broken-assets'));
		writeFileSync(join(dir, 'broken-assets', 'seal.png'), seal.slice(0, seal.length - 20));
		const run = await render('manifests.json', 'broken-assets', 'ok.pdf', 'broken-out.pdf');
		expect(run.status, run.stderr).toBe(2);
		expect(run.stderr).toMatch(/IMAGE_INVALID: broken-assets\/seal\.png/);
	});

	it('refuses manifests that are not JSON or not manifests with MANIFEST_INVALID', async () => {
		writeFileSync(join(dir, 'bad.json'), '{ nope');
		writeFileSync(join(dir, 'object.json'), '{}');
		writeFileSync(join(dir, 'extra-key.json'), JSON.stringify([{ ...sampleManifest(), x: 1 }]));
		const files = ['bad.json', 'object.json', 'extra-key.json'];
		const runs = await Promise.all(files.map((f) => render(f, 'assets', 'ok.pdf', 'bad-out.pdf')));
		runs.forEach((run, i) => {
			expect(run.status, files[i]).toBe(2);
			expect(run.stderr).toContain('MANIFEST_INVALID');
		});
		expect(existsSync(join(dir, 'bad-out.pdf'))).toBe(false);
	});

	it('exits 1 when an option is missing or the assets directory cannot be read', async () => {
		const noAssets = await sealpass('render', '--manifests', 'manifests.json', 'ok.pdf', 'x.pdf');
		expect(noAssets.status, noAssets.stderr).toBe(1);
		expect(noAssets.stderr).toContain('--assets');
		const badDir = await render('manifests.json', 'no-such-dir', 'ok.pdf', 'x.pdf');
		expect(badDir.status, badDir.stderr).toBe(1);
		expect(badDir.stderr).toContain('cannot read the assets directory');
	});
});

describe('sealpass verify', () => {
	let finalPdf: Uint8Array;
	let fontSha256: string;

	beforeAll(async () => {
		const world = await createEvidenceWorld();
		finalPdf = world.bundle.finalPdf!;
		fontSha256 = world.bundle.font!.sha256;
		writeFileSync(join(dir, 'evidence.zip'), await packEvidence(world.bundle));
		writeFileSync(
			join(dir, 'format-1.zip'),
			await packEvidence(formatOneBundle(world.bundle, world.font))
		);
		writeFileSync(join(dir, 'right.ttf'), world.font);
		writeFileSync(join(dir, 'wrong.ttf'), world.font.subarray(0, world.font.length - 1));
		// An archive whose dates were drawn with a font this installation does not have.
		const elsewhere = cloneBundle(world.bundle);
		elsewhere.font!.sha256 = 'ab'.repeat(32);
		writeFileSync(join(dir, 'other-font.zip'), await packEvidence(elsewhere));
		const forged = cloneBundle(world.bundle);
		forged.submissions[1] = await world.submit('sub-bob', world.manifests.bob, world.bob, {
			bogusSignature: true
		});
		writeFileSync(join(dir, 'forged.zip'), await packEvidence(forged));
		const tampered = finalPdf.slice();
		tampered[Math.floor(world.rendered.length / 2)]! ^= 0x20;
		writeFileSync(join(dir, 'tampered.pdf'), tampered);
	}, 120_000);

	it('EV18: a valid archive prints VALID and exits 0; --json gives the report', async () => {
		const run = await sealpass('verify', 'evidence.zip');
		expect(run.status, run.stderr).toBe(0);
		expect(run.stdout).toContain('Verdict: VALID');
		expect(run.stdout).toMatch(/ok {3}assertion \(EV10\)/);
		const json = await sealpass('verify', 'evidence.zip', '--json');
		expect(json.status, json.stderr).toBe(0);
		const report = JSON.parse(json.stdout);
		expect(report).toMatchObject({ verdict: 'valid', codes: [] });
		expect(report.signers.map((s: { signerId: string }) => s.signerId)).toEqual(['alice', 'bob']);
	}, 120_000);

	it('EV18: a forged assertion or a tampered final PDF exits 2 with the codes', async () => {
		const forged = await sealpass('verify', 'forged.zip');
		expect(forged.status, forged.stderr).toBe(2);
		expect(forged.stdout).toContain('Verdict: INVALID (ASSERTION_INVALID)');
		expect(forged.stderr).toContain('ASSERTION_INVALID');
		const tampered = await sealpass('verify', 'evidence.zip', 'tampered.pdf', '--json');
		expect(tampered.status, tampered.stderr).toBe(2);
		expect(JSON.parse(tampered.stdout)).toMatchObject({
			verdict: 'invalid',
			codes: ['RENDER_MISMATCH', 'PDF_SIGNATURE_INVALID']
		});
	}, 120_000);

	it('EV14: the archive names the font, the installed font re-renders it; --font gives the file', async () => {
		const archive = readFileSync(join(dir, 'evidence.zip'));
		expect(archive.includes('fonts/cjk.ttf')).toBe(false);
		expect(archive.byteLength).toBeLessThan(finalPdf.byteLength + 1_000_000);
		for (const args of [[], ['--font', 'right.ttf']]) {
			const run = await sealpass('verify', 'evidence.zip', '--json', ...args);
			expect(run.status, run.stderr).toBe(0);
			const report = JSON.parse(run.stdout);
			expect(report.verdict).toBe('valid');
			expect(report.checks.find((c: { name: string }) => c.name === 'render').status).toBe(
				'passed'
			);
		}
	}, 120_000);

	it('EV14: another font than the named one is refused before any verdict, naming the SHA-256', async () => {
		const wrong = await sealpass('verify', 'evidence.zip', '--font', 'wrong.ttf');
		expect(wrong.status).toBe(1);
		expect(wrong.stdout).toBe('');
		expect(wrong.stderr).toContain('FONT_MISMATCH');
		expect(wrong.stderr).toContain(fontSha256);
		expect(wrong.stderr).toContain('--font');
		const installed = await sealpass('verify', 'other-font.zip', '--json');
		expect(installed.status).toBe(1);
		expect(installed.stderr).toContain(`FONT_MISMATCH`);
		expect(installed.stderr).toContain('ab'.repeat(32));
		expect(installed.stderr).toContain('the installed font');
		expect(JSON.parse(installed.stdout)).toMatchObject({
			verdict: null,
			code: 'FONT_MISMATCH',
			expected: { sha256: 'ab'.repeat(32), name: 'NotoSansSC_400Regular.ttf' },
			actual: { sha256: fontSha256 }
		});
	}, 120_000);

	it('EV2, EV14: a format-1 archive with the font inside still verifies, whatever --font says', async () => {
		const run = await sealpass('verify', 'format-1.zip', '--font', 'wrong.ttf');
		expect(run.status, run.stderr).toBe(0);
		expect(run.stdout).toContain('Verdict: VALID');
		expect(run.stdout).toMatch(/ok {3}render \(EV14\)/);
	}, 120_000);

	it('EV2: a zip that is not an evidence archive exits 2 with ARCHIVE_INVALID', async () => {
		writeFileSync(join(dir, 'other.zip'), zipSync({ 'notes.txt': strToU8('hello') }));
		const run = await sealpass('verify', 'other.zip', '--json');
		expect(run.status, run.stderr).toBe(2);
		expect(JSON.parse(run.stdout)).toMatchObject({
			verdict: 'invalid',
			codes: ['ARCHIVE_INVALID']
		});
		expect(run.stderr).toContain('ARCHIVE_INVALID');
		const usage = await sealpass('verify');
		expect(usage.status).toBe(1);
		expect(usage.stderr).toContain('Usage:');
	});
});
