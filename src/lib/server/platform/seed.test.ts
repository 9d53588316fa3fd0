import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { execFileSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { migrateToLatest, type OpenDatabase } from '../db';
import { FolderBlobStore } from './blob-folder';
import { seedIfEmpty, DEMO_CONTRACT_TITLE, DEMO_SEAL_ID, DEMO_SIGNER_ID } from './seed';
import { loadEnvelope } from '../contracts';
import { openTestDatabase } from '../../../../tests/support/test-db';

let dir: string;
let open: OpenDatabase;
const clock = () => new Date('2026-03-01T08:00:00Z');

beforeEach(async () => {
	dir = await mkdtemp(join(tmpdir(), 'sealpass-seed-'));
	open = await openTestDatabase(join(dir, 'app.db'));
	await migrateToLatest(open);
});
afterEach(async () => {
	await open.close();
	await rm(dir, { recursive: true, force: true });
});

describe('seedIfEmpty', () => {
	it('seeds one organisation, one admin and a bilingual multi-page demo contract, once', async () => {
		const blobs = new FolderBlobStore(join(dir, 'blobs'), 1 << 24);
		expect(await seedIfEmpty(open.db, blobs, clock, true)).toBe(true);
		expect(await seedIfEmpty(open.db, blobs, clock, true)).toBe(false);

		const users = await open.db.selectFrom('users').selectAll().execute();
		expect(users.map((u) => u.role)).toEqual(['admin']);
		const [envelope, ...more] = await open.db.selectFrom('envelopes').selectAll().execute();
		expect(more).toEqual([]);
		expect(envelope?.title).toBe(DEMO_CONTRACT_TITLE);

		const pdf = await blobs.get(envelope!.doc_sha256);
		const file = join(dir, 'demo.pdf');
		writeFileSync(file, pdf!);
		// Outside judges: qpdf finds no damage, poppler reads both languages on 3 pages.
		execFileSync('qpdf', ['--check', file]);
		const info = execFileSync('pdfinfo', [file]).toString();
		expect(info).toMatch(/Pages:\s+3/);
		expect(envelope?.page_count).toBe(3);
		const text = execFileSync('pdftotext', [file, '-']).toString();
		expect(text).toContain('采购合同');
		expect(text).toContain('Purchase Agreement');

		// Out for signing by the admin: a signature and a seal field inside the last A4 page.
		const stored = await loadEnvelope(open.db, envelope!.id);
		expect(stored?.envelope.status).toBe('sent');
		expect(stored?.envelope.docHash).toBe(envelope!.doc_sha256);
		expect(stored?.signerUsers.get(DEMO_SIGNER_ID)).toBe(users[0]!.id);
		const fields = stored!.envelope.fields;
		expect(fields.map((f) => f.kind).sort()).toEqual(['seal', 'signature']);
		for (const field of fields) {
			expect(field.page).toBe(3);
			const page = stored!.envelope.pages[field.page - 1]!;
			expect(field.rect.x + field.rect.width).toBeLessThanOrEqual(page.width);
			expect(field.rect.y + field.rect.height).toBeLessThanOrEqual(page.height);
		}
		const seals = await open.db.selectFrom('seal_authorisations').selectAll().execute();
		expect(seals.map((s) => [s.seal_id, s.user_id])).toEqual([[DEMO_SEAL_ID, users[0]!.id]]);
	});
});
