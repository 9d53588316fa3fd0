import 'fake-indexeddb/auto';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { sampleEnvelope, SEAL_IMAGE, SIGNATURE_IMAGE } from '$lib/domain/fixtures';
import type { Draft } from '$lib/domain/draft';
import { DeviceDb, type DeviceEnvelope } from './db';
import { ApiError } from '../api';
import { compose, decided, type ConfirmContext } from './confirm';
import { errorMessageFor } from '../error-message';

// The device's seal pre-check before the passkey (SK5), against a real Dexie (fake-indexeddb):
// compose() holds every stamp to the device's own seals with the rule the server applies.

const NOW = new Date('2026-03-01T08:00:00Z');
let db: DeviceDb;
let ctx: ConfirmContext;

beforeEach(async () => {
	db = new DeviceDb(`sealpass-confirm-${crypto.randomUUID()}`);
	await db.seals.put({
		id: 'seal-contract',
		name: '合同专用章',
		shape: 'round',
		sizeMm: { width: 42, height: 42 },
		image: SEAL_IMAGE
	});
	await db.tickets.put({
		id: 'ticket-1',
		nonce: 'bm9uY2Utbm9uY2Utbm9uY2Utbm9uY2Utbm9uY2U',
		credentialId: 'cred-alice',
		expiresAt: '2026-03-20T08:00:00.000Z',
		spentBy: null
	});
	const envelope = sampleEnvelope();
	ctx = {
		row: { id: envelope.id, definition: envelope } as DeviceEnvelope,
		envelope,
		signerId: 'alice',
		credential: { credentialId: 'cred-alice', userId: 'user-alice' }
	};
});

afterEach(async () => {
	db.close();
	await db.delete();
});

/** Alice's draft: her signature and one seal stamp in her seal field. */
function draft(stamp: { sealId?: string; image?: string; width?: number } = {}): Draft {
	const width = stamp.width ?? 42;
	return {
		fills: {
			'f-sig-a': { kind: 'signature', image: SIGNATURE_IMAGE },
			'f-seal-a': {
				kind: 'seal',
				sealId: stamp.sealId ?? 'seal-contract',
				image: stamp.image ?? SEAL_IMAGE,
				sizeMm: { width, height: width }
			}
		},
		seals: [],
		ridingSeams: []
	};
}

async function refusal(d: Draft): Promise<string | null> {
	try {
		await compose(ctx, { kind: 'signed' }, d, NOW, db);
		return null;
	} catch (error) {
		if (error instanceof ApiError) return error.code;
		throw error;
	}
}

describe('the device checks its stamps before the passkey (SK5)', () => {
	it('SK5: a stamp of the device’s seal at its size composes', async () => {
		const composed = await compose(ctx, { kind: 'signed' }, draft(), NOW, db);
		expect(composed.images).toEqual([SIGNATURE_IMAGE, SEAL_IMAGE]);
	});

	it('SK5/R20: another image under the seal’s id is SEAL_IMAGE_MISMATCH, another size SEAL_SIZE_MISMATCH', async () => {
		expect(await refusal(draft({ image: 'f'.repeat(64) }))).toBe('SEAL_IMAGE_MISMATCH');
		expect(await refusal(draft({ width: 30 }))).toBe('SEAL_SIZE_MISMATCH');
		// The ticket stays unspent: nothing was confirmed.
		expect((await db.tickets.get('ticket-1'))?.spentBy).toBeNull();
	});

	it('SK5/R13: a stamp with a seal the device no longer holds (revoked or disabled since) is SEAL_NOT_AUTHORISED', async () => {
		await db.seals.clear();
		expect(await refusal(draft())).toBe('SEAL_NOT_AUTHORISED');
	});

	it('a rejection stamps nothing and is never held up by the seal check', async () => {
		await db.seals.clear();
		const composed = await compose(ctx, { kind: 'rejected', reason: '金额有误' }, draft(), NOW, db);
		expect(composed.images).toEqual([]);
	});
});

describe('the 待同步 item words the seal refusals in both languages', () => {
	it('SEAL_IMAGE_MISMATCH, SEAL_SIZE_MISMATCH and SEAL_DISABLED have their own message in English and Chinese', () => {
		const fallback = [errorMessageFor('INTERNAL', 'en'), errorMessageFor('INTERNAL', 'zh-CN')];
		for (const code of ['SEAL_IMAGE_MISMATCH', 'SEAL_SIZE_MISMATCH', 'SEAL_DISABLED']) {
			const en = errorMessageFor(code, 'en');
			const zh = errorMessageFor(code, 'zh-CN');
			expect(fallback).not.toContain(en);
			expect(fallback).not.toContain(zh);
			expect(en).toMatch(/seal/i);
			expect(zh).toMatch(/印章|盖章/);
			expect(zh).toMatch(/[\u4e00-\u9fff]/);
		}
		expect(errorMessageFor('SEAL_DISABLED', 'zh-CN')).toContain('停用');
	});
});

describe('a decision on the device belongs to its round (SPEC LC2)', () => {
	it('LC2/R10: a return synced for revision 1 blocks that revision only; after the resend (revision 2) the signer decides again', async () => {
		const composed = await compose(ctx, { kind: 'rejected', reason: '价格有误' }, draft(), NOW, db);
		await db.outbox.add({
			createdAt: NOW.toISOString(),
			credentialId: 'cred-alice',
			envelopeId: ctx.envelope.id,
			manifest: composed.manifest,
			manifestHash: composed.manifestHash,
			idempotencyKey: 'k1',
			assertion: {} as never,
			images: [],
			previewHash: null,
			state: 'synced',
			attempts: 1,
			nextAttemptAt: null,
			error: null,
			result: null,
			syncedAt: NOW.toISOString()
		});
		expect(await decided(db, ctx.envelope.id, 'alice', 1)).toBe(true);
		expect(await decided(db, ctx.envelope.id, 'alice', 2)).toBe(false);
		expect(await decided(db, ctx.envelope.id, 'bob', 1)).toBe(false);
	});
});
