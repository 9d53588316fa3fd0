import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createFinalisingWorld, type ReviewWorld } from '../../../../tests/support/review-world';
import { pdfsig, qpdfCheck } from '../../../../tests/support/poppler';
import { checkPdfSignature } from '$lib/pdf/pdf-signature';
import { signPdf as padesSign, type SigningIdentity } from '../signing';
import { pdfText } from '../../../../tests/support/pdf-text';
import { JobRunner } from '../platform/job-runner';
import { claimJob, findJob } from '../platform/jobs';
import { FINALISE_JOB } from '$lib/domain/completion';
import { decideSubmission } from '../review';
import { loadEnvelope, renderEnvelope } from '../contracts';
import { finaliseEnvelope, type PdfSigner } from './finalise';
import { participantFinal } from './final-document';
import { COMPLETED_NOTICE_JOB, notifyCompleted } from './notify-completed';
import { createNotifiers } from '../platform/notify';
import { evidenceArchive } from './evidence';
import { unpackEvidence } from '$lib/evidence/format';
import { verifyEvidence } from '$lib/evidence/verify';
import { listInbox } from '../contracts';

// A real SQLite file and blob store, a real ingest with a software passkey, the real render,
// certificate and PAdES signature (a generated local CA), judged by qpdf, pdftotext and pdfsig.

let world: ReviewWorld;
let signPdf: PdfSigner;
let identity: SigningIdentity;
let runner: JobRunner;
const logs: string[] = [];

const later = (ms: number) => new Date(world.now().getTime() + ms);

function makeRunner() {
	const deps = {
		db: world.open.db,
		blobs: world.blobs,
		clock: () => world.now(),
		origin: 'https://sign.example.cn',
		signPdf: (pdf: Uint8Array, at: Date) => signPdf(pdf, at),
		notifiers: createNotifiers({ smtpUrl: null, smtpFrom: 'sealpass@example.cn' })
	};
	return new JobRunner(
		world.open.db,
		() => world.now(),
		undefined,
		(m) => logs.push(m)
	)
		.register(FINALISE_JOB, (job, owner) => finaliseEnvelope(deps, job, owner))
		.register(COMPLETED_NOTICE_JOB, (job, owner) => notifyCompleted(deps, job, owner));
}

async function envelopeRow(id: string) {
	return world.open.db
		.selectFrom('envelopes')
		.select(['status', 'completed_at', 'final_sha256', 'finalised_at'])
		.where('id', '=', id)
		.executeTakeFirstOrThrow();
}

async function finalisedEvents(id: string) {
	return world.open.db
		.selectFrom('audit_log')
		.select(['kind', 'data'])
		.where('subject', '=', id)
		.where('kind', '=', 'envelope.finalised')
		.execute();
}

beforeEach(async () => {
	({ world, identity } = await createFinalisingWorld());
	signPdf = (pdf, signingTime) => padesSign(pdf, identity, { signingTime });
	runner = makeRunner();
	logs.length = 0;
	await world.addContract('env-1', '设备采购合同 Equipment purchase');
});

afterEach(async () => {
	await runner.stop();
	await world.close();
});

describe('finalisation', () => {
	it('C4: the signature that completes a contract queues one job, which writes the final PDF', async () => {
		const signed = await world.sign('env-1');
		expect(signed.status).toBe(201);
		const row = await envelopeRow('env-1');
		expect(row).toMatchObject({ status: 'completed', final_sha256: null });
		expect(row.completed_at).toBe(world.now().toISOString());
		expect(await findJob(world.open.db, FINALISE_JOB, 'env-1')).toMatchObject({ state: 'queued' });

		// The finalisation, then the notice it queued.
		expect(await runner.runDue()).toBe(2);
		const done = await envelopeRow('env-1');
		expect(done.final_sha256).toMatch(/^[0-9a-f]{64}$/);
		const final = (await world.blobs.get(done.final_sha256!))!;
		// The rendered contract is an identical prefix: the certificate is an incremental update.
		const stored = (await loadEnvelope(world.open.db, 'env-1'))!;
		const rendered = (await renderEnvelope(world.open.db, world.blobs, stored.envelope))!;
		expect(Buffer.from(final.subarray(0, rendered.pdf.byteLength)).equals(rendered.pdf)).toBe(true);
		expect(final.byteLength).toBeGreaterThan(rendered.pdf.byteLength);
		expect(qpdfCheck(final).status).toBe(0);
		// One PAdES signature over the whole file: the certificate pages included, nothing after.
		const report = await checkPdfSignature(final);
		expect(report).toMatchObject({ present: true, valid: true, coversWholeFile: true });
		expect(report.subFilter).toBe('ETSI.CAdES.detached');
		const poppler = pdfsig(final);
		expect(poppler).toContain('Signature is Valid.');
		expect(poppler).toContain('Total document signed');
		const text = pdfText(final, 4);
		expect(text).toContain('env-1');
		expect(text).toContain('设备采购合同');
		expect(text).toContain(rendered.sha256);
		expect(await findJob(world.open.db, FINALISE_JOB, 'env-1')).toMatchObject({ state: 'done' });
		const events = await finalisedEvents('env-1');
		expect(events).toHaveLength(1);
		expect(JSON.parse(events[0]!.data)).toMatchObject({
			sha256: done.final_sha256,
			renderedSha256: rendered.sha256,
			size: final.byteLength
		});
	});

	it('PC9: the certificate prints the stored certification level and method, simulated named as such', async () => {
		await world.open.db
			.updateTable('users')
			.set({
				cert_level: 'provider-verified',
				cert_method: 'face-match',
				cert_provider: 'simulated',
				cert_reference: 'sim-1'
			})
			.execute();
		expect((await world.sign('env-1')).status).toBe(201);
		expect(await runner.runDue()).toBe(2);
		const final = (await world.blobs.get((await envelopeRow('env-1')).final_sha256!))!;
		const text = pdfText(final, 4).replace(/\s+/g, ' ');
		expect(text).toContain('SIMULATED');
		expect(text).toContain('face match');
	});

	it('C4: parties get the final PDF once it exists; strangers never learn the contract exists', async () => {
		await world.sign('env-1');
		expect(await participantFinal(world.open.db, world.alice, 'env-1')).toMatchObject({
			ok: false,
			code: 'NOT_FINAL'
		});
		expect((await listInbox(world.open.db, world.alice.id))[0]?.finalSha256).toBeNull();
		await runner.runDue();
		const { final_sha256 } = await envelopeRow('env-1');
		for (const user of [world.alice, world.admin]) {
			expect(await participantFinal(world.open.db, user, 'env-1')).toEqual({
				ok: true,
				sha256: final_sha256,
				title: '设备采购合同 Equipment purchase (signed)'
			});
		}
		expect(await participantFinal(world.open.db, world.stranger, 'env-1')).toMatchObject({
			ok: false,
			code: 'NOT_FOUND'
		});
		expect((await listInbox(world.open.db, world.alice.id))[0]?.finalSha256).toBe(final_sha256);
	});

	it('C7: once finalised, every party with a contact is told, in both languages, with the links', async () => {
		await world.open.db
			.insertInto('contract_signers')
			.values([
				{
					envelope_id: 'env-1',
					signer_id: 'alice',
					name: '王小明',
					contact: '13812345678',
					user_id: world.alice.id,
					invite_id: null,
					notified_at: null
				}
			])
			.execute();
		await world.sign('env-1');
		await runner.runDue();
		const sent = await world.open.db.selectFrom('notifications').selectAll().execute();
		expect(sent).toHaveLength(1);
		expect(sent[0]).toMatchObject({ recipient: '13812345678', error: null });
		expect(sent[0]!.subject).toBe(
			'合同已完成签署：设备采购合同 Equipment purchase / Contract completed: 设备采购合同 Equipment purchase'
		);
		expect(sent[0]!.body).toContain('https://sign.example.cn/inbox/env-1');
		expect(sent[0]!.body).toContain('https://sign.example.cn/verify?doc=env-1');
		expect(sent[0]!.body).toContain('王小明');
		expect(await findJob(world.open.db, COMPLETED_NOTICE_JOB, 'env-1')).toMatchObject({
			state: 'done'
		});
	});

	it('EV: the evidence archive the server builds verifies with the independent verifier', async () => {
		await world.sign('env-1');
		await runner.runDue();
		const deps = {
			db: world.open.db,
			blobs: world.blobs,
			origin: 'https://sign.example.cn',
			signingCertificate: identity.certificate,
			renderer: 'sealpass test'
		};
		const archive = await evidenceArchive(deps, world.alice, 'env-1');
		if (!archive.ok) throw new Error(archive.message);
		expect(archive.final).toBe(true);
		const unpacked = await unpackEvidence(archive.bytes);
		if (!unpacked.ok) throw new Error(unpacked.message);
		const report = await verifyEvidence(unpacked.bundle);
		expect(report.codes).toEqual([]);
		expect(report.verdict).toBe('valid');
		expect(report.signers).toHaveLength(1);
		// The contract's own audit rows are in full, others' only as links.
		const full = unpacked.bundle.audit.rows.filter((r) => !('redacted' in r));
		expect(full.map((r) => ('kind' in r ? r.kind : ''))).toContain('envelope.finalised');
		expect(await evidenceArchive(deps, world.stranger, 'env-1')).toMatchObject({
			ok: false,
			code: 'NOT_FOUND'
		});
	});

	it('C5: a finalised contract is never finalised again', async () => {
		await world.sign('env-1');
		await runner.runDue();
		const first = await envelopeRow('env-1');
		// Even a job forced back into the queue finds the final file and changes nothing.
		await world.open.db.updateTable('jobs').set({ state: 'queued' }).execute();
		world.setNow(later(60_000));
		await runner.runDue();
		expect(await envelopeRow('env-1')).toEqual(first);
		expect(await finalisedEvents('env-1')).toHaveLength(1);
	});

	it('C5: a failed attempt leaves no final file, and the retry finalises once', async () => {
		await world.sign('env-1');
		let calls = 0;
		signPdf = async (pdf) => {
			calls += 1;
			if (calls === 1) throw new Error('signing key unreadable');
			return padesSign(pdf, identity, { signingTime: world.now() });
		};
		await runner.runDue();
		expect((await envelopeRow('env-1')).final_sha256).toBeNull();
		expect(await findJob(world.open.db, FINALISE_JOB, 'env-1')).toMatchObject({
			state: 'queued',
			last_error: 'signing key unreadable'
		});
		expect(logs.join('\n')).toContain('signing key unreadable');
		expect(await runner.runDue()).toBe(0); // not before the retry wait
		world.setNow(later(60_000));
		expect(await runner.runDue()).toBe(2); // the finalisation and its notice
		expect((await envelopeRow('env-1')).final_sha256).not.toBeNull();
		expect(await finalisedEvents('env-1')).toHaveLength(1);
	});

	it('C5: a job held by a process that died is taken over when its lease runs out', async () => {
		await world.sign('env-1');
		const dead = await claimJob(world.open.db, FINALISE_JOB, 'dead-process', world.now());
		expect(dead).not.toBeNull();
		expect(await runner.runDue()).toBe(0);
		world.setNow(later(5 * 60_000 + 1));
		expect(await runner.runDue()).toBe(2); // the finalisation and its notice
		expect((await envelopeRow('env-1')).final_sha256).not.toBeNull();
		expect(await findJob(world.open.db, FINALISE_JOB, 'env-1')).toMatchObject({
			state: 'done',
			attempts: 2
		});
	});

	it('C3: a flagged submission holds finalisation until the flag is resolved', async () => {
		const signed = await world.sign('env-1');
		const id = (signed.body as { submissionId: string }).submissionId;
		const flag = await decideSubmission(world.open.db, () => world.now(), world.admin, id, {
			decision: 'flagged',
			comment: '印章颜色可疑'
		});
		expect(flag.ok).toBe(true);
		expect(await runner.runDue()).toBe(0);
		expect(await findJob(world.open.db, FINALISE_JOB, 'env-1')).toMatchObject({ state: 'held' });
		expect((await envelopeRow('env-1')).final_sha256).toBeNull();

		world.setNow(later(1000));
		await decideSubmission(world.open.db, () => world.now(), world.admin, id, {
			decision: 'ok',
			comment: '已与盖章人核实'
		});
		expect(await runner.runDue()).toBe(2); // the finalisation and its notice
		expect((await envelopeRow('env-1')).final_sha256).not.toBeNull();
	});
});
