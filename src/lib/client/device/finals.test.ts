import 'fake-indexeddb/auto';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { createHash } from 'node:crypto';
import { Dexie } from 'dexie';
import { packEvidence, EVIDENCE_FORMAT, type EvidenceBundle } from '$lib/evidence/format';
import type { InboxItem } from '$lib/domain/api-types';
import { DeviceDb, type DeviceEnvelope } from './db';
import { applyInbox, removeDownload } from './downloads';
import { fetchMissingFinals, finalFileName, keepFinal, keptFinal } from './finals';

// The finished contract's files on the device against a real Dexie (fake-indexeddb: IndexedDB
// in memory) and an in-process server that answers like /api/envelopes/[id]/final and
// /evidence. The browser end to end run is tests/e2e/final-copies.spec.ts.

const hex = (bytes: Uint8Array) => createHash('sha256').update(bytes).digest('hex');
const bytesOf = (text: string) => new TextEncoder().encode(text);

interface Contract {
	final: Uint8Array;
	evidence: Uint8Array;
}

interface FakeServer {
	contracts: Map<string, Contract>;
	/** Flip a byte of every answer, as a broken proxy would. */
	damage: boolean;
	offline: boolean;
	/** Called once a body is about to be answered (a test forgets the envelope meanwhile). */
	onAnswer: (id: string) => Promise<void>;
	requests: string[];
}

const realFetch = globalThis.fetch;
let server: FakeServer;
let db: DeviceDb;
/** Free bytes navigator.storage.estimate() reports. */
let free: number;

/** A well-formed archive (docs/evidence.md) of contract `id` whose final PDF is `final`. */
function archive(id: string, final: Uint8Array): Promise<Uint8Array> {
	const bundle: EvidenceBundle = {
		format: EVIDENCE_FORMAT,
		renderer: 'sealpass test',
		envelope: { id, title: id, revision: 1 },
		webauthn: { rpId: 'sign.example.cn', origins: ['https://sign.example.cn'] },
		originalPdf: bytesOf('%PDF-1.7 original'),
		finalPdf: final,
		signingCertificate: null,
		font: null,
		submissions: [],
		credentials: [],
		tickets: [],
		sealVersions: [],
		images: new Map(),
		audit: { rows: [], head: null }
	};
	return packEvidence(bundle);
}

async function contract(id: string): Promise<Contract> {
	const final = bytesOf(`%PDF-1.7 final of ${id}`);
	return { final, evidence: await archive(id, final) };
}

function row(id: string, meta: Partial<DeviceEnvelope> = {}): DeviceEnvelope {
	const final = server.contracts.get(id)?.final;
	return {
		id,
		title: `Contract ${id}`,
		status: 'completed',
		revision: 1,
		docHash: 'a'.repeat(64),
		pageCount: 1,
		size: 100,
		myState: 'signed',
		createdAt: '2026-03-01T08:00:00.000Z',
		finalSha256: final ? hex(final) : null,
		downloadedAt: null,
		notice: null,
		definition: null,
		accepted: null,
		...meta
	};
}

function item(r: DeviceEnvelope): InboxItem {
	const { id, title, status, revision, docHash, pageCount, size, myState, createdAt } = r;
	return { id, title, status, revision, docHash, pageCount, size, myState, createdAt };
}

async function keptBytes(id: string, kind: 'pdf' | 'evidence'): Promise<string | null> {
	const file = await keptFinal(id, kind, db);
	return file ? hex(new Uint8Array(await file.data.arrayBuffer())) : null;
}

beforeEach(async () => {
	server = {
		contracts: new Map(),
		damage: false,
		offline: false,
		onAnswer: async () => {},
		requests: []
	};
	free = 1 << 30;
	// Node 20 has no navigator: the device's room check reads this one.
	vi.stubGlobal('navigator', {
		storage: { estimate: async () => ({ quota: free + 1000, usage: 1000 }) }
	});
	globalThis.fetch = (async (path: string) => {
		if (server.offline) throw new TypeError('Failed to fetch');
		server.requests.push(path);
		const match = /^\/api\/envelopes\/([^/]+)\/(final|evidence)$/.exec(path);
		const found = match && server.contracts.get(decodeURIComponent(match[1]!));
		if (!match || !found) return Response.json({ error: { code: 'NOT_FOUND' } }, { status: 404 });
		await server.onAnswer(decodeURIComponent(match[1]!));
		const body = (match[2] === 'final' ? found.final : found.evidence).slice();
		if (server.damage) body[body.length - 5]! ^= 0xff;
		return new Response(body, { headers: { 'Content-Length': String(body.byteLength) } });
	}) as typeof fetch;
	db = new DeviceDb(`test-${crypto.randomUUID()}`);
	await db.open();
});

afterEach(async () => {
	globalThis.fetch = realFetch;
	vi.unstubAllGlobals();
	await db.delete();
});

describe('the device store, version 3', () => {
	it('opens a version 2 store with every row kept, and the new finals table empty', async () => {
		const name = `test-v2-${crypto.randomUUID()}`;
		// The store exactly as the previous release declared it.
		const v2 = new Dexie(name);
		v2.version(1).stores({
			envelopes: 'id, docHash, downloadedAt',
			blobs: 'sha256',
			meta: 'key',
			outbox: '++id, [credentialId+id], envelopeId, state'
		});
		v2.version(2).stores({ seals: 'id', tickets: 'id, credentialId, expiresAt' });
		const before = {
			envelopes: [row('e1', { downloadedAt: '2026-03-01T09:00:00.000Z' })],
			blobs: [{ sha256: 'b'.repeat(64), data: 'bytes', size: 5, type: 'application/pdf' }],
			meta: [{ key: 'pullCursor', value: 'c1' }],
			outbox: [{ id: 1, credentialId: 'k', envelopeId: 'e1', state: 'pending', manifest: {} }],
			seals: [{ id: 's1', name: 'seal', image: 'c'.repeat(64) }],
			tickets: [{ id: 't1', credentialId: 'k', expiresAt: '2026-04-01T00:00:00.000Z' }]
		};
		for (const [table, rows] of Object.entries(before)) await v2.table(table).bulkAdd(rows);
		expect(v2.verno).toBe(2);
		v2.close();

		const v3 = new DeviceDb(name);
		try {
			await v3.open();
			expect(v3.verno).toBe(3);
			for (const [table, rows] of Object.entries(before)) {
				expect(await v3.table(table).toArray()).toEqual(rows);
			}
			expect(await v3.finals.count()).toBe(0);
		} finally {
			await v3.delete();
		}
	});
});

describe('fetchMissingFinals', () => {
	it('keeps the final PDF of each finalised contract, checked against finalSha256, once', async () => {
		server.contracts.set('done', await contract('done'));
		await db.envelopes.bulkPut([
			row('done'),
			// Completed but not finalised yet, and not completed: nothing to fetch.
			row('finalising'),
			row('open', { status: 'sent', myState: 'pending' })
		]);
		const result = await fetchMissingFinals({}, db);
		expect(result).toEqual({ kept: ['done'], errors: {}, stopped: null });
		expect(await keptBytes('done', 'pdf')).toBe(hex(server.contracts.get('done')!.final));
		const file = await keptFinal('done', 'pdf', db);
		expect(file).toMatchObject({ kind: 'pdf', sha256: hex(server.contracts.get('done')!.final) });
		expect(file!.data.type).toBe('application/pdf');
		expect(server.requests).toEqual(['/api/envelopes/done/final']);
		// The evidence archive is never fetched unasked.
		expect(await keptFinal('done', 'evidence', db)).toBeUndefined();

		// Kept: the next run asks the server nothing.
		expect(await fetchMissingFinals({}, db)).toEqual({ kept: [], errors: {}, stopped: null });
		expect(server.requests).toHaveLength(1);
	});

	it('refuses bytes that do not hash to finalSha256: DOWNLOAD_CORRUPT, nothing kept, the next contract still fetched', async () => {
		server.contracts.set('a', await contract('a'));
		server.contracts.set('b', await contract('b'));
		await db.envelopes.bulkPut([row('a'), row('b', { finalSha256: 'f'.repeat(64) })]);
		const result = await fetchMissingFinals({}, db);
		expect(result.kept).toEqual(['a']);
		expect(result.errors.b?.code).toBe('DOWNLOAD_CORRUPT');
		expect(await keptFinal('b', 'pdf', db)).toBeUndefined();

		// A contract that failed is skipped when asked, and not retried within the run.
		server.requests = [];
		expect(await fetchMissingFinals({ skip: new Set(['b']) }, db)).toEqual({
			kept: [],
			errors: {},
			stopped: null
		});
		expect(server.requests).toEqual([]);
	});

	it('a device short of space stops the run with STORAGE_FULL and keeps nothing; offline stops with NETWORK', async () => {
		server.contracts.set('a', await contract('a'));
		server.contracts.set('b', await contract('b'));
		await db.envelopes.bulkPut([row('a'), row('b')]);
		free = 10;
		const full = await fetchMissingFinals({}, db);
		expect(full.kept).toEqual([]);
		expect(full.stopped?.error.code).toBe('STORAGE_FULL');
		// One attempt, not one per contract: the next would not fit either.
		expect(server.requests).toHaveLength(1);
		expect(await db.finals.count()).toBe(0);

		free = 1 << 30;
		server.offline = true;
		const offline = await fetchMissingFinals({}, db);
		expect(offline.stopped?.error.code).toBe('NETWORK');
		expect(await db.finals.count()).toBe(0);

		server.offline = false;
		expect((await fetchMissingFinals({}, db)).kept.sort()).toEqual(['a', 'b']);
	});
});

describe('keepFinal', () => {
	it('keeps the evidence archive of this contract whose final PDF is finalSha256; refuses another contract’s or a damaged one', async () => {
		server.contracts.set('c', await contract('c'));
		await db.envelopes.put(row('c'));
		const kept = await keepFinal('c', 'evidence', () => {}, db);
		expect(kept).toMatchObject({
			kind: 'evidence',
			sha256: hex(server.contracts.get('c')!.evidence)
		});
		expect(kept.data.type).toBe('application/zip');
		expect(await keptBytes('c', 'evidence')).toBe(hex(server.contracts.get('c')!.evidence));
		await db.finals.clear();

		// The archive of another contract, even with the same final PDF: refused.
		const c = server.contracts.get('c')!;
		server.contracts.set('c', { ...c, evidence: await archive('other', c.final) });
		await expect(keepFinal('c', 'evidence', () => {}, db)).rejects.toMatchObject({
			code: 'DOWNLOAD_CORRUPT'
		});
		// This contract's archive with another final PDF: refused.
		server.contracts.set('c', { ...c, evidence: await archive('c', bytesOf('%PDF-1.7 other')) });
		await expect(keepFinal('c', 'evidence', () => {}, db)).rejects.toMatchObject({
			code: 'DOWNLOAD_CORRUPT'
		});
		// Damaged in transit: refused.
		server.contracts.set('c', c);
		server.damage = true;
		await expect(keepFinal('c', 'evidence', () => {}, db)).rejects.toMatchObject({
			code: 'DOWNLOAD_CORRUPT'
		});
		expect(await db.finals.count()).toBe(0);
	});

	it('keeps nothing for a contract the device forgot during the download, or one not finalised', async () => {
		server.contracts.set('d', await contract('d'));
		await db.envelopes.put(row('d'));
		server.onAnswer = async (id) => {
			await db.envelopes.delete(id);
		};
		await expect(keepFinal('d', 'pdf', () => {}, db)).rejects.toMatchObject({ code: 'NOT_FOUND' });
		expect(await db.finals.count()).toBe(0);

		server.onAnswer = async () => {};
		await db.envelopes.put(row('d', { finalSha256: null }));
		await expect(keepFinal('d', 'pdf', () => {}, db)).rejects.toMatchObject({ code: 'NOT_FOUND' });
		expect(server.requests).toHaveLength(1);
	});
});

describe('forgetting an envelope', () => {
	it('takes its kept files with it: when the inbox drops it, and when its removed download goes', async () => {
		for (const id of ['listed', 'dropped', 'removed']) {
			server.contracts.set(id, await contract(id));
		}
		const listed = row('listed', { downloadedAt: '2026-03-01T09:00:00.000Z' });
		const removed = row('removed', { downloadedAt: '2026-03-01T09:00:00.000Z' });
		await db.envelopes.bulkPut([listed, row('dropped'), removed]);
		await fetchMissingFinals({}, db);
		for (const id of ['listed', 'dropped', 'removed'])
			await keepFinal(id, 'evidence', () => {}, db);
		expect(await db.finals.count()).toBe(6);

		// The server no longer lists 'dropped' (not downloaded: forgotten) nor 'removed'
		// (downloaded: kept with a notice, files and all).
		await applyInbox([{ ...item(listed), finalSha256: listed.finalSha256 }], db);
		expect(await db.envelopes.get('dropped')).toBeUndefined();
		expect(await keptFinal('dropped', 'pdf', db)).toBeUndefined();
		expect(await keptFinal('dropped', 'evidence', db)).toBeUndefined();
		expect((await db.envelopes.get('removed'))?.notice).toBe('removed');
		expect(await keptFinal('removed', 'pdf', db)).toBeDefined();

		// Removing that download forgets the envelope and its files.
		await removeDownload('removed', db);
		expect(await db.envelopes.get('removed')).toBeUndefined();
		expect(await db.finals.where('envelopeId').equals('removed').count()).toBe(0);

		// A listed envelope keeps its files when its download is removed: the card still offers them.
		await removeDownload('listed', db);
		expect((await db.envelopes.get('listed'))?.downloadedAt).toBeNull();
		expect(
			(await db.finals.where('envelopeId').equals('listed').toArray()).map((f) => f.kind).sort()
		).toEqual(['evidence', 'pdf']);
	});
});

describe('finalFileName', () => {
	it('names the saved copy after the contract, safe as one file name on every system', () => {
		expect(finalFileName('Joint agreement 联合协议', 'pdf')).toBe(
			'Joint agreement 联合协议-signed.pdf'
		);
		expect(finalFileName('A/B: "terms"?', 'evidence')).toBe('A_B_ _terms__-evidence.zip');
		expect(finalFileName('..\\..\\x', 'pdf')).toBe('_.._x-signed.pdf');
		expect(finalFileName('  ', 'evidence')).toBe('contract-evidence.zip');
	});
});
