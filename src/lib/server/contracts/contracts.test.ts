import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { randomUUID } from 'node:crypto';
import { mkdtemp, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { migrateToLatest, type OpenDatabase } from '../db';
import type { User } from '../db/schema';
import { FolderBlobStore } from '../platform/blob-folder';
import { seedIfEmpty } from '../platform/seed';
import { ConsoleNotifier, type Notifiers } from '../platform/notify';
import { listInbox, loadEnvelope } from './envelopes';
import { verifyAuditLog } from '../audit';
import {
	contractDetail,
	createContract,
	listContracts,
	listTemplates,
	replaceDocument,
	revokeContract,
	saveFields,
	saveTemplate,
	sendContract,
	notifyTurn,
	TURN_NOTICE_JOB,
	type ContractDeps
} from '.';
import { claimJob, enqueueJob } from '../platform/jobs';
import { sampleManifest } from '$lib/domain/fixtures';
import { addPasskey, ticketPool } from '../../../../tests/support/test-server';
import type { ContractInput } from '$lib/domain/api-requests';
import { simulatedVerifier } from '../auth';
import type { Field } from '$lib/domain/envelope';
import type { Manifest } from '$lib/domain/manifest';
import {
	A4,
	multiPagePdf,
	noise,
	qpdfEncrypted,
	truncated
} from '../../../../tests/support/test-pdfs';
import { openTestDatabase } from '../../../../tests/support/test-db';

// The admin's contract lifecycle over a real SQLite file, a real blob folder and the real
// killable PDF inspection worker.

let dir: string;
let open: OpenDatabase;
let deps: ContractDeps;
let admin: User;
const clock = () => new Date('2026-03-01T08:00:00Z');
const sent: string[] = [];

beforeEach(async () => {
	dir = await mkdtemp(join(tmpdir(), 'sealpass-contracts-'));
	open = await openTestDatabase(join(dir, 'app.db'));
	await migrateToLatest(open);
	const blobs = new FolderBlobStore(join(dir, 'blobs'), 60 << 20);
	await seedIfEmpty(open.db, blobs, clock, false);
	admin = await open.db.selectFrom('users').selectAll().executeTakeFirstOrThrow();
	sent.length = 0;
	const notifiers: Notifiers = {
		console: new ConsoleNotifier((line) => sent.push(line)),
		smtp: null,
		sms: null
	};
	deps = { db: open.db, clock, origin: 'http://localhost', notifiers, blobs };
});
afterEach(async () => {
	await open.close();
	await rm(dir, { recursive: true, force: true });
});

function input(over: Partial<ContractInput> = {}): ContractInput {
	return {
		title: ' Supply  agreement ',
		signingOrder: 'sequential',
		deadline: '2026-03-31',
		parties: [
			{
				name: 'Demo Co.',
				kind: 'organisation',
				signers: [{ name: '', contact: 'admin@example.com', userId: admin.id, order: 1 }]
			},
			{
				name: '李四',
				kind: 'person',
				signers: [{ name: '李四', contact: 'Li.Si@Example.com', userId: null, order: 2 }]
			}
		],
		...over
	};
}

async function rowCounts() {
	const count = async (table: 'envelopes' | 'contract_signers' | 'blobs' | 'envelope_revisions') =>
		Number(
			(
				await open.db
					.selectFrom(table)
					.select((eb) => eb.fn.countAll().as('n'))
					.executeTakeFirstOrThrow()
			).n
		);
	return {
		envelopes: await count('envelopes'),
		signers: await count('contract_signers'),
		blobs: await count('blobs'),
		revisions: await count('envelope_revisions')
	};
}

async function blobFiles(): Promise<string[]> {
	const root = join(dir, 'blobs');
	const entries = await readdir(root, { recursive: true, withFileTypes: true }).catch(() => []);
	return entries.filter((e) => e.isFile()).map((e) => e.name);
}

/** A ready layout: one required signature field per signer and a riding seam for the first. */
function layout(signerIds: string[]): Field[] {
	return [
		...signerIds.map((signerId, i) => ({
			id: `sig-${i}`,
			kind: 'signature' as const,
			signerId,
			page: 1,
			rect: { x: 72 + i * 200, y: 100, width: 160, height: 56 },
			required: true
		})),
		{
			id: 'seam',
			kind: 'riding-seam',
			signerId: signerIds[0]!,
			page: 1,
			rect: { x: 900, y: 300, width: 60, height: 120 },
			required: true
		}
	];
}

async function draft(over: Partial<ContractInput> = {}): Promise<string> {
	const created = await createContract(deps, admin, input(over), await multiPagePdf());
	if (!created.ok) throw new Error(created.code);
	return created.id;
}

describe('createContract', () => {
	it('stores a draft with parties, signers, deadline, page sizes and revision 1', async () => {
		const id = await draft();
		const detail = (await contractDetail(open.db, admin.org_id, id))!;
		expect(detail).toMatchObject({
			title: 'Supply agreement',
			status: 'draft',
			revision: 1,
			deadline: '2026-03-31',
			signingOrder: 'sequential'
		});
		expect(detail.pages).toHaveLength(3);
		expect(detail.pages[1]).toEqual({ width: 792, height: 612 });
		expect(detail.parties.map((p) => p.kind)).toEqual(['organisation', 'person']);
		expect(detail.signers).toMatchObject([
			{ name: 'Administrator', order: 1, userId: admin.id, contact: 'admin@example.com' },
			{ name: '李四', order: 2, userId: null, contact: 'li.si@example.com' }
		]);
		expect(detail.readiness.map((p) => p.code)).toEqual([
			'SIGNER_WITHOUT_FIELD',
			'SIGNER_WITHOUT_FIELD'
		]);
		expect(await rowCounts()).toEqual({ envelopes: 1, signers: 2, blobs: 1, revisions: 1 });
		expect(await blobFiles()).toEqual([detail.docHash]);
		// A draft is nobody's to sign yet.
		expect(await listInbox(open.db, admin.id)).toEqual([]);
	});

	it('parallel order puts every signer at order 1', async () => {
		const created = await createContract(
			deps,
			admin,
			input({ signingOrder: 'parallel' }),
			await multiPagePdf()
		);
		const detail = (await contractDetail(open.db, admin.org_id, created.ok ? created.id : ''))!;
		expect(detail.signers.map((s) => s.order)).toEqual([1, 1]);
	});

	it.each([
		['an encrypted PDF', 'PDF_ENCRYPTED', async () => qpdfEncrypted(await multiPagePdf())],
		['a truncated PDF', 'PDF_MALFORMED', async () => truncated(await multiPagePdf(), 0.5)],
		['a file that is not a PDF', 'PDF_MALFORMED', async () => noise(4096)]
	])('refuses %s with %s and leaves no rows or blobs behind', async (_, code, make) => {
		const result = await createContract(deps, admin, input(), await make());
		expect(result).toMatchObject({ ok: false, code });
		// The form says "not a PDF" apart from "damaged PDF".
		expect(!result.ok && result.details?.notPdf === true).toBe(_ === 'a file that is not a PDF');
		expect(await rowCounts()).toEqual({ envelopes: 0, signers: 0, blobs: 0, revisions: 0 });
		expect(await blobFiles()).toEqual([]);
	});

	it('refuses form problems before the PDF is looked at, naming the field', async () => {
		const pdf = await multiPagePdf();
		expect(await createContract(deps, admin, input({ title: '  ' }), pdf)).toMatchObject({
			code: 'CONTRACT_INVALID',
			details: { field: 'title' }
		});
		expect(await createContract(deps, admin, input({ deadline: '2026-02-28' }), pdf)).toMatchObject(
			{ code: 'CONTRACT_INVALID', details: { field: 'deadline' } }
		);
		expect(await createContract(deps, admin, input({ deadline: '2026-02-30' }), pdf)).toMatchObject(
			{ code: 'CONTRACT_INVALID', details: { field: 'deadline' } }
		);
		const noContact = input();
		noContact.parties[1]!.signers[0]!.contact = null;
		expect(await createContract(deps, admin, noContact, pdf)).toMatchObject({
			code: 'CONTACT_INVALID',
			details: { index: 1 }
		});
		const stranger = input();
		stranger.parties[0]!.signers[0]!.userId = randomUUID();
		expect(await createContract(deps, admin, stranger, pdf)).toMatchObject({
			code: 'CONTRACT_INVALID',
			details: { field: 'signer' }
		});
		expect(await rowCounts()).toEqual({ envelopes: 0, signers: 0, blobs: 0, revisions: 0 });
	});
});

describe('saveFields', () => {
	it('L1: clamps every field into its page and reports readiness (L8)', async () => {
		const id = await draft();
		const saved = await saveFields(deps, admin.org_id, id, layout(['signer-1', 'signer-2']));
		expect(saved).toMatchObject({ ok: true, readiness: [] });
		const stored = (await loadEnvelope(open.db, id))!.envelope;
		expect(stored.fields.find((f) => f.id === 'seam')!.rect).toEqual({
			x: A4.width - 60,
			y: 300,
			width: 60,
			height: 120
		});
	});

	it('refuses unknown signers and pages instead of dropping them', async () => {
		const id = await draft();
		const [first] = layout(['signer-1']);
		expect(
			await saveFields(deps, admin.org_id, id, [{ ...first!, signerId: 'signer-9' }])
		).toMatchObject({ code: 'CONTRACT_INVALID' });
		expect(await saveFields(deps, admin.org_id, id, [{ ...first!, page: 4 }])).toMatchObject({
			code: 'CONTRACT_INVALID'
		});
		expect((await loadEnvelope(open.db, id))!.envelope.fields).toEqual([]);
	});

	it('is refused for another organisation', async () => {
		const id = await draft();
		expect(await saveFields(deps, 'other-org', id, [])).toMatchObject({ code: 'NOT_FOUND' });
	});
});

describe('sendContract', () => {
	it('LC8: a later signer of a sequential contract with no account is invited at their turn, not at send', async () => {
		const id = await draft();
		await saveFields(deps, admin.org_id, id, layout(['signer-1', 'signer-2']));
		expect(await sendContract(deps, admin, id)).toEqual({
			ok: true,
			invited: 0,
			notified: 1,
			notifyFailed: 0,
			waiting: 1,
			// No mail or SMS service in this world: the message waits on the outbox page.
			held: 1
		});
		// Nobody was invited, so 李四 is nowhere yet: no account, no inbox, no message.
		expect(await open.db.selectFrom('invites').selectAll().execute()).toHaveLength(0);
		const pending = await open.db
			.selectFrom('contract_signers')
			.select('user_id')
			.where('envelope_id', '=', id)
			.where('signer_id', '=', 'signer-2')
			.executeTakeFirstOrThrow();
		expect(pending.user_id).toBeNull();
		expect(sent.filter((line) => line.includes('li.si@example.com'))).toEqual([]);

		// The admin signs: their accepted decision opens 李四's turn, whose notice invites them.
		const key = await addPasskey(open.db, admin.id, clock().toISOString());
		const [ticket] = await ticketPool(open.db, clock, admin.id, key.credentialId);
		const manifest = sampleManifest({
			envelopeId: id,
			signerId: 'signer-1',
			credentialId: key.credentialId,
			ticket: { id: ticket!.id, nonce: ticket!.nonce }
		});
		await open.db
			.insertInto('submissions')
			.values({
				id: 'sub-admin',
				envelope_id: id,
				seq: 1,
				user_id: admin.id,
				credential_id: key.credentialId,
				ticket_id: ticket!.id,
				manifest_json: JSON.stringify(manifest),
				manifest_hash: 'a'.repeat(64),
				assertion_json: '{}',
				device_time: manifest.deviceTime,
				received_at: clock().toISOString(),
				status: 'accepted'
			})
			.execute();
		await enqueueJob(open.db, TURN_NOTICE_JOB, `${id}@1:signer-2`, clock());
		const job = (await claimJob(open.db, TURN_NOTICE_JOB, 'test', clock()))!;
		await notifyTurn(deps, job, 'test');

		const invite = await open.db.selectFrom('invites').selectAll().executeTakeFirstOrThrow();
		expect(invite.contact).toBe('li.si@example.com');
		expect(invite.created_by).toBe(admin.id);
		expect((await listInbox(open.db, invite.user_id)).map((i) => i.id)).toEqual([id]);
		expect((await loadEnvelope(open.db, id))!.signerUsers.get('signer-2')).toBe(invite.user_id);
		expect(sent.filter((line) => line.includes('li.si@example.com'))).toHaveLength(1);
	});

	it('L8: refuses a contract that is not ready and names the problems', async () => {
		const id = await draft();
		await saveFields(deps, admin.org_id, id, layout(['signer-1']));
		const result = await sendContract(deps, admin, id);
		expect(result).toMatchObject({
			code: 'CONTRACT_NOT_READY',
			details: { problems: [{ code: 'SIGNER_WITHOUT_FIELD', signerId: 'signer-2' }] }
		});
		expect((await contractDetail(open.db, admin.org_id, id))!.status).toBe('draft');
	});

	it('invites the new signer, notifies the existing one, and puts it in their inboxes', async () => {
		const id = await draft({ signingOrder: 'parallel' });
		await saveFields(deps, admin.org_id, id, layout(['signer-1', 'signer-2']));
		const result = await sendContract(deps, admin, id);
		expect(result).toEqual({
			ok: true,
			invited: 1,
			notified: 1,
			notifyFailed: 0,
			waiting: 0,
			held: 2
		});

		const invite = await open.db.selectFrom('invites').selectAll().executeTakeFirstOrThrow();
		expect(invite.contact).toBe('li.si@example.com');
		const notifications = await open.db
			.selectFrom('notifications')
			.select(['recipient', 'body'])
			.orderBy('created_at')
			.execute();
		expect(notifications.map((n) => n.recipient).sort()).toEqual([
			'admin@example.com',
			'li.si@example.com'
		]);
		expect(notifications.find((n) => n.recipient === 'admin@example.com')!.body).toContain(
			'Supply agreement'
		);
		expect(sent).toHaveLength(2);

		const detail = (await contractDetail(open.db, admin.org_id, id))!;
		expect(detail.status).toBe('sent');
		expect(detail.sentAt).toBe(clock().toISOString());
		expect(detail.signers[1]!.userId).toBe(invite.user_id);
		expect((await listInbox(open.db, admin.id)).map((i) => i.id)).toEqual([id]);
		expect((await listInbox(open.db, invite.user_id)).map((i) => i.id)).toEqual([id]);
		const stored = (await loadEnvelope(open.db, id))!;
		expect(stored.signerUsers.get('signer-2')).toBe(invite.user_id);

		// Sending twice is refused and invites nobody again.
		expect(await sendContract(deps, admin, id)).toMatchObject({ code: 'CONTRACT_NOT_EDITABLE' });
		expect(await open.db.selectFrom('invites').selectAll().execute()).toHaveLength(1);
		// Fields are frozen once sent.
		expect(await saveFields(deps, admin.org_id, id, [])).toMatchObject({
			code: 'CONTRACT_NOT_EDITABLE'
		});
	});
});

describe('required signer level (PC11)', () => {
	async function certifyAdmin(level: 'checksum-valid' | 'provider-verified') {
		await open.db
			.updateTable('users')
			.set({ cert_level: level })
			.where('id', '=', admin.id)
			.execute();
	}

	it('stores the requirement; none by default', async () => {
		const plain = await draft();
		const strict = await draft({ requiredLevel: 'checksum-valid' });
		expect((await loadEnvelope(open.db, plain))!.requiredLevel).toBeNull();
		expect((await loadEnvelope(open.db, strict))!.requiredLevel).toBe('checksum-valid');
	});

	it('refuses to send while a named account is below the level, and sends once it is not', async () => {
		const id = await draft({ requiredLevel: 'checksum-valid', signingOrder: 'parallel' });
		await saveFields(deps, admin.org_id, id, layout(['signer-1', 'signer-2']));
		expect(await sendContract(deps, admin, id)).toMatchObject({
			ok: false,
			code: 'SIGNER_NOT_CERTIFIED',
			details: { required: 'checksum-valid', signerIds: ['signer-1'] }
		});
		// Nothing happened: nobody invited, still a draft.
		expect(await open.db.selectFrom('invites').selectAll().execute()).toHaveLength(0);
		expect((await contractDetail(open.db, admin.org_id, id))!.status).toBe('draft');
		// The new person (signer-2) certifies after the link; only the existing account counts.
		await certifyAdmin('checksum-valid');
		expect(await sendContract(deps, admin, id)).toMatchObject({ ok: true, invited: 1 });
	});

	it('refuses provider-verified on a server without an identity provider (PC8)', async () => {
		const id = await draft({ requiredLevel: 'provider-verified' });
		await saveFields(deps, admin.org_id, id, layout(['signer-1', 'signer-2']));
		await certifyAdmin('provider-verified');
		expect(await sendContract(deps, admin, id)).toMatchObject({
			code: 'CERTIFICATION_UNREACHABLE'
		});
		const withProvider = { ...deps, identity: simulatedVerifier };
		expect(await sendContract(withProvider, admin, id)).toMatchObject({ ok: true });
	});
});

describe('revokeContract', () => {
	it('needs a reason and then closes the contract with it', async () => {
		const id = await draft();
		expect(await revokeContract(deps, admin, id, '   ')).toMatchObject({
			code: 'REASON_INVALID'
		});
		expect(await revokeContract(deps, admin, id, ' Wrong price ')).toEqual({ ok: true });
		const detail = (await contractDetail(open.db, admin.org_id, id))!;
		expect(detail).toMatchObject({ status: 'revoked', revokeReason: 'Wrong price' });
		expect(await revokeContract(deps, admin, id, 'again')).toMatchObject({
			code: 'CONTRACT_NOT_EDITABLE'
		});
		expect(await replaceDocument(deps, admin, id, await multiPagePdf())).toMatchObject({
			code: 'CONTRACT_NOT_EDITABLE'
		});
	});
});

describe('audit of contract writes', () => {
	it('A1: create, send, replace and revoke each append one chained event naming the admin', async () => {
		const id = await draft();
		await saveFields(deps, admin.org_id, id, layout(['signer-1', 'signer-2']));
		expect(await sendContract(deps, admin, id)).toMatchObject({ ok: true });
		expect(await replaceDocument(deps, admin, id, await multiPagePdf())).toMatchObject({
			ok: true
		});
		sent.length = 0;
		expect(await revokeContract(deps, admin, id, 'Wrong price')).toEqual({ ok: true });
		// Both signers of the sent contract are told, with the title and the reason.
		const told = sent.filter((line) => line.includes('Supply agreement'));
		expect(told).toHaveLength(2);
		expect(told.every((line) => line.includes('Wrong price') && line.includes('撤回'))).toBe(true);
		// A refused write records nothing.
		expect(await revokeContract(deps, admin, id, 'again')).toMatchObject({ ok: false });
		const rows = await open.db
			.selectFrom('audit_log')
			.select(['kind', 'actor', 'subject'])
			.where('subject', '=', id)
			.orderBy('seq')
			.execute();
		expect(rows).toEqual(
			['envelope.created', 'envelope.sent', 'envelope.replaced', 'envelope.revoked'].map(
				(kind) => ({ kind, actor: admin.id, subject: id })
			)
		);
		expect(await verifyAuditLog(open.db)).toMatchObject({ ok: true, firstBroken: null });
	});
});

describe('replaceDocument', () => {
	it('L7: bumps the revision and docHash and keeps fields whose page exists', async () => {
		const id = await draft();
		await saveFields(deps, admin.org_id, id, [
			...layout(['signer-1', 'signer-2']),
			{ ...layout(['signer-2'])[0]!, id: 'p3', page: 3 }
		]);
		await sendContract(deps, admin, id);
		const before = (await contractDetail(open.db, admin.org_id, id))!;
		const result = await replaceDocument(deps, admin, id, await multiPagePdf([A4, A4]));
		expect(result).toEqual({ ok: true, revision: 2, dropped: ['p3'] });
		const after = (await contractDetail(open.db, admin.org_id, id))!;
		expect(after.revision).toBe(2);
		expect(after.status).toBe('sent');
		expect(after.docHash).not.toBe(before.docHash);
		expect(after.pages).toHaveLength(2);
		expect(after.fields.map((f) => f.id)).toEqual(['sig-0', 'sig-1', 'seam']);
		expect((await rowCounts()).revisions).toBe(2);
		const listed = await listContracts(open.db, admin.org_id);
		expect(listed[0]).toMatchObject({ revision: 2, pageCount: 2 });
	});

	it('a refused replacement changes nothing', async () => {
		const id = await draft();
		const before = await contractDetail(open.db, admin.org_id, id);
		const result = await replaceDocument(deps, admin, id, qpdfEncrypted(await multiPagePdf()));
		expect(result).toMatchObject({ ok: false, code: 'PDF_ENCRYPTED' });
		expect(await contractDetail(open.db, admin.org_id, id)).toEqual(before);
		expect(await blobFiles()).toHaveLength(1);
	});
});

describe('templates', () => {
	it('L5: saves the stored layout by signer slot and lists it; the same name replaces it', async () => {
		const id = await draft();
		await saveFields(deps, admin.org_id, id, layout(['signer-1', 'signer-2']));
		const saved = await saveTemplate(deps, admin, { name: 'Two parties', contractId: id });
		expect(saved).toMatchObject({ ok: true });
		await saveFields(deps, admin.org_id, id, layout(['signer-2', 'signer-1']).slice(0, 2));
		await saveTemplate(deps, admin, { name: 'Two parties', contractId: id });
		const templates = await listTemplates(open.db, admin.org_id);
		expect(templates).toHaveLength(1);
		expect(templates[0]!.fields.map((f) => f.signerIndex)).toEqual([1, 0]);
		expect(await saveTemplate(deps, admin, { name: ' ', contractId: id })).toMatchObject({
			code: 'CONTRACT_INVALID'
		});
	});
});

describe('contractDetail progress', () => {
	it('shows who signed, who returned it and why, with device and receipt times', async () => {
		const id = await draft({ signingOrder: 'parallel' });
		await saveFields(deps, admin.org_id, id, layout(['signer-1', 'signer-2']));
		await sendContract(deps, admin, id);
		const other = (await open.db.selectFrom('invites').select('user_id').executeTakeFirstOrThrow())
			.user_id;
		const accept = async (
			userId: string,
			signerId: string,
			decision: Manifest['decision'],
			seq: number
		) => {
			const credentialId = `cred-${seq}`;
			const ticketId = randomUUID();
			await open.db
				.insertInto('credentials')
				.values({
					id: credentialId,
					user_id: userId,
					public_key: new Uint8Array([1]),
					counter: 0,
					transports: '[]',
					device_type: 'singleDevice',
					backed_up: 0,
					name: 'test',
					created_at: clock().toISOString(),
					last_used_at: null,
					revoked_at: null
				})
				.execute();
			await open.db
				.insertInto('tickets')
				.values({
					id: ticketId,
					user_id: userId,
					credential_id: credentialId,
					nonce: `n${seq}`,
					issued_at: clock().toISOString(),
					expires_at: '2026-04-01T00:00:00Z',
					used_at: clock().toISOString(),
					used_by_submission: null
				})
				.execute();
			await open.db
				.insertInto('submissions')
				.values({
					id: randomUUID(),
					envelope_id: id,
					seq,
					user_id: userId,
					credential_id: credentialId,
					ticket_id: ticketId,
					manifest_json: JSON.stringify({ signerId, revision: 1, decision }),
					manifest_hash: String(seq).repeat(64),
					assertion_json: '{}',
					device_time: `2026-03-0${seq}T01:00:00.000Z`,
					received_at: `2026-03-0${seq + 2}T09:00:00.000Z`,
					status: 'accepted'
				})
				.execute();
		};
		await accept(admin.id, 'signer-1', { kind: 'signed' }, 1);
		await accept(other, 'signer-2', { kind: 'rejected', reason: '价格有误' }, 2);
		const detail = (await contractDetail(open.db, admin.org_id, id))!;
		expect(detail.progress).toEqual([
			{
				signerId: 'signer-1',
				state: 'signed',
				reason: null,
				deviceTime: '2026-03-01T01:00:00.000Z',
				receivedAt: '2026-03-03T09:00:00.000Z',
				revision: 1
			},
			{
				signerId: 'signer-2',
				state: 'rejected',
				reason: '价格有误',
				deviceTime: '2026-03-02T01:00:00.000Z',
				receivedAt: '2026-03-04T09:00:00.000Z',
				revision: 1
			}
		]);
		expect(detail.signers.map((s) => s.enrolled)).toEqual([true, true]);
	});
});
