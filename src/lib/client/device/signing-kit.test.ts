import 'fake-indexeddb/auto';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createHash } from 'node:crypto';
import sharp from 'sharp';
import type { MySeal, MySealsResponse } from '$lib/domain/api-types';
import { DeviceDb } from './db';
import { ApiError } from '../api';
import {
	downloadSigningKit,
	kitSealContext,
	saveDefaultSignature,
	uploadPendingSignature
} from './signing-kit';

// The device side of the signing kit against a real Dexie (fake-indexeddb: IndexedDB in memory)
// and a small in-process server that answers like /api/me/seals, /api/blobs and
// /api/me/signature. The browser end to end run is tests/e2e/signing-kit.spec.ts.

const hex = (bytes: Uint8Array) => createHash('sha256').update(bytes).digest('hex');

async function png(colour: string): Promise<Uint8Array> {
	return new Uint8Array(
		await sharp({ create: { width: 8, height: 8, channels: 4, background: colour } })
			.png()
			.toBuffer()
	);
}

interface FakeServer {
	kit: MySealsResponse;
	images: Map<string, Uint8Array>;
	/** Bytes the next /api/blobs answer carries instead of the real ones. */
	damage: boolean;
	offline: boolean;
	uploads: Uint8Array[];
}

const realFetch = globalThis.fetch;
let server: FakeServer;
let db: DeviceDb;
let red: Uint8Array;
let blue: Uint8Array;
let ink: Uint8Array;

function sealOf(id: string, image: Uint8Array): MySeal {
	return { id, name: id, shape: 'round', sizeMm: { width: 42, height: 42 }, image: hex(image) };
}

beforeEach(async () => {
	red = await png('#d4000f');
	blue = await png('#0000ff');
	ink = await png('#111111');
	server = {
		kit: { seals: [], defaultSignature: null },
		images: new Map([red, blue, ink].map((b) => [hex(b), b])),
		damage: false,
		offline: false,
		uploads: []
	};
	// The module under test calls the global fetch; the in-process server answers it here.
	globalThis.fetch = (async (path: string, init: RequestInit = {}) => {
		if (server.offline) throw new TypeError('Failed to fetch');
		if (path === '/api/me/seals') return Response.json(server.kit);
		if (path.startsWith('/api/blobs/')) {
			const bytes = server.images.get(path.slice('/api/blobs/'.length));
			if (!bytes) return Response.json({ error: { code: 'NOT_FOUND' } }, { status: 404 });
			const body = bytes.slice();
			if (server.damage) body[body.length - 20]! ^= 0xff;
			return new Response(body, { headers: { 'Content-Type': 'image/png' } });
		}
		if (path === '/api/me/signature' && init.method === 'PUT') {
			const bytes = new Uint8Array(init.body as Uint8Array);
			server.uploads.push(bytes);
			server.images.set(hex(bytes), bytes);
			server.kit.defaultSignature = hex(bytes);
			return Response.json({ image: hex(bytes) });
		}
		return Response.json({ error: { code: 'NOT_FOUND' } }, { status: 404 });
	}) as typeof fetch;
	db = new DeviceDb(`test-${crypto.randomUUID()}`);
	await db.open();
});

afterEach(async () => {
	globalThis.fetch = realFetch;
	await db.delete();
});

async function blobHashes(): Promise<Record<string, string>> {
	const out: Record<string, string> = {};
	for (const blob of await db.blobs.toArray()) {
		out[blob.sha256] = hex(new Uint8Array(await blob.data.arrayBuffer()));
	}
	return out;
}

describe('downloadSigningKit', () => {
	it('SK1, SK4: keeps exactly the authorised seals, each with verified image bytes', async () => {
		server.kit = { seals: [sealOf('a', red), sealOf('b', blue)], defaultSignature: hex(ink) };
		await downloadSigningKit(db);
		expect(await db.seals.toArray()).toEqual(server.kit.seals);
		expect(await blobHashes()).toEqual({
			[hex(red)]: hex(red),
			[hex(blue)]: hex(blue),
			[hex(ink)]: hex(ink)
		});
		expect((await db.meta.get('defaultSignature'))?.value).toBe(hex(ink));

		// Seal b is revoked: it leaves the device, and so does its image (nothing else uses it).
		server.kit = { seals: [sealOf('a', red)], defaultSignature: null };
		await downloadSigningKit(db);
		expect((await db.seals.toArray()).map((s) => s.id)).toEqual(['a']);
		expect(Object.keys(await blobHashes()).sort()).toEqual([hex(red), hex(ink)].sort());
		expect(await db.meta.get('defaultSignature')).toBeUndefined();
	});

	it("OC5: the organisation's certification state is kept, and an uncertified one stamps nothing on the device", async () => {
		server.kit = { seals: [sealOf('a', red)], defaultSignature: null, orgCertState: 'pending' };
		await downloadSigningKit(db);
		const state = (await db.meta.get('orgCertState'))?.value;
		expect(state).toBe('pending');
		const now = new Date('2026-03-01T08:00:00Z');
		expect(kitSealContext(await db.seals.toArray(), now, state).orgCertified).toBe(false);
		server.kit = { ...server.kit, orgCertState: 'certified' };
		await downloadSigningKit(db);
		const certified = (await db.meta.get('orgCertState'))?.value;
		expect(kitSealContext(await db.seals.toArray(), now, certified).orgCertified).toBe(true);
		// An older server says nothing: the device does not judge what it was not told.
		expect(kitSealContext([], now, undefined).orgCertified).toBeUndefined();
	});

	it('SK4: an image a waiting signature drew with stays when its seal is revoked', async () => {
		server.kit = { seals: [sealOf('b', blue)], defaultSignature: null };
		await downloadSigningKit(db);
		await db.outbox.add({ images: [hex(blue)] } as never);
		server.kit = { seals: [], defaultSignature: null };
		await downloadSigningKit(db);
		expect(await db.seals.count()).toBe(0);
		expect(Object.keys(await blobHashes())).toEqual([hex(blue)]);
	});

	it('SK4: a damaged image is refused with DOWNLOAD_CORRUPT and the device keeps its seals', async () => {
		server.kit = { seals: [sealOf('a', red)], defaultSignature: null };
		await downloadSigningKit(db);
		server.kit = { seals: [sealOf('b', blue)], defaultSignature: null };
		server.damage = true;
		await expect(downloadSigningKit(db)).rejects.toMatchObject({ code: 'DOWNLOAD_CORRUPT' });
		expect((await db.seals.toArray()).map((s) => s.id)).toEqual(['a']);
		expect(Object.keys(await blobHashes())).toEqual([hex(red)]);
		server.offline = true;
		await expect(downloadSigningKit(db)).rejects.toMatchObject({ code: 'NETWORK' });
		expect((await db.seals.toArray()).map((s) => s.id)).toEqual(['a']);
	});
});

describe('saveDefaultSignature / uploadPendingSignature', () => {
	it('SK3: saves offline at once, survives a kit download, uploads when online', async () => {
		server.offline = true;
		const hash = await saveDefaultSignature(ink, db);
		expect(hash).toBe(hex(ink));
		expect(await blobHashes()).toEqual({ [hash]: hash });
		expect((await db.meta.get('defaultSignature'))?.value).toBe(hash);
		await expect(uploadPendingSignature(db)).rejects.toMatchObject({ code: 'NETWORK' });
		expect((await db.meta.get('defaultSignaturePending'))?.value).toBe(hash);

		// Back online, the server still has an older default: the device's newer one wins.
		server.offline = false;
		server.kit = { seals: [], defaultSignature: hex(blue) };
		await downloadSigningKit(db);
		expect((await db.meta.get('defaultSignature'))?.value).toBe(hash);

		expect(await uploadPendingSignature(db)).toBe(hash);
		expect(server.uploads.map(hex)).toEqual([hash]);
		expect(await db.meta.get('defaultSignaturePending')).toBeUndefined();
		expect(await uploadPendingSignature(db)).toBeNull();
		expect(server.uploads).toHaveLength(1);
	});

	it('SK3: refuses a broken or non-PNG image before keeping anything', async () => {
		const jpeg = new Uint8Array(
			await sharp({ create: { width: 8, height: 8, channels: 3, background: '#fff' } })
				.jpeg()
				.toBuffer()
		);
		for (const bad of [jpeg, ink.slice(0, 40), new Uint8Array([1, 2, 3])]) {
			const error = await saveDefaultSignature(bad, db).catch((e: unknown) => e);
			expect(error).toBeInstanceOf(ApiError);
			expect((error as ApiError).code).toBe('IMAGE_INVALID');
		}
		expect(await db.blobs.count()).toBe(0);
		expect(await db.meta.count()).toBe(0);
	});
});
