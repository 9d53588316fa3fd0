import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { strFromU8, unzipSync } from 'fflate';
import { createHash } from 'node:crypto';
import { createFinalisingWorld, type ReviewWorld } from '../../../../tests/support/review-world';
import { signPdf as padesSign, type SigningIdentity } from '../signing';
import { JobRunner } from '../platform/job-runner';
import { FINALISE_JOB } from '$lib/domain/completion';
import { createNotifiers } from '../platform/notify';
import { loadCjkFont } from '../platform/fonts';
import { EVIDENCE_FORMAT, unpackEvidence } from '$lib/evidence/format';
import { verifyEvidence } from '$lib/evidence/verify';
import { finaliseEnvelope } from './finalise';
import { evidenceArchive } from './evidence';

// The archive the server builds for a contract with a date: real SQLite, blobs, ingest, render
// with the installed CJK font, certificate and PAdES signature.

const ORIGIN = 'https://sign.example.cn';
let world: ReviewWorld;
let identity: SigningIdentity;
let runner: JobRunner;

beforeEach(async () => {
	({ world, identity } = await createFinalisingWorld());
	const deps = {
		db: world.open.db,
		blobs: world.blobs,
		clock: () => world.now(),
		origin: ORIGIN,
		signPdf: (pdf: Uint8Array, signingTime: Date) => padesSign(pdf, identity, { signingTime }),
		notifiers: createNotifiers({ smtpUrl: null, smtpFrom: 'sealpass@example.cn' })
	};
	runner = new JobRunner(world.open.db, () => world.now()).register(FINALISE_JOB, (job, owner) =>
		finaliseEnvelope(deps, job, owner)
	);
	await world.addContract('env-date', '日期合同 Dated contract');
});

afterEach(async () => {
	await runner.stop();
	await world.close();
});

describe('the evidence archive of a contract with a date', () => {
	it('EV1, EV14: names the installed font by SHA-256 instead of carrying it, and verifies with that font', async () => {
		expect((await world.sign('env-date', { date: '2026年3月1日' })).status).toBe(201);
		await runner.runDue();
		const archive = await evidenceArchive(
			{
				db: world.open.db,
				blobs: world.blobs,
				origin: ORIGIN,
				signingCertificate: identity.certificate,
				renderer: 'sealpass test'
			},
			world.alice,
			'env-date'
		);
		if (!archive.ok) throw new Error(archive.message);
		expect(archive.final).toBe(true);
		const font = await loadCjkFont();
		const sha256 = createHash('sha256').update(font).digest('hex');
		const entries = unzipSync(archive.bytes);
		expect(Object.keys(entries).filter((name) => name.endsWith('.ttf'))).toEqual([]);
		expect(JSON.parse(strFromU8(entries['index.json']!))).toMatchObject({
			format: EVIDENCE_FORMAT,
			font: {
				sha256,
				size: font.byteLength,
				name: 'NotoSansSC_400Regular.ttf',
				sources: [
					expect.stringMatching(
						/^npm:@expo-google-fonts\/noto-sans-sc@[\d.]+\/400Regular\/NotoSansSC_400Regular\.ttf$/
					),
					`${ORIGIN}/api/fonts/cjk`
				]
			}
		});
		const unpacked = await unpackEvidence(archive.bytes);
		if (!unpacked.ok) throw new Error(unpacked.message);
		const report = await verifyEvidence(unpacked.bundle, { font });
		expect(report.codes).toEqual([]);
		expect(report.checks.find((c) => c.name === 'render')?.status).toBe('passed');
		// The 10 MB font is what a date used to add: the archive stays far below it.
		expect(archive.bytes.byteLength).toBeLessThan(500_000);
	});
});
