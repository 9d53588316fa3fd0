import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test, expect } from './support/fixtures';
import { serveBundle } from './support/bundle';
import { loadSigningIdentity, signPdf } from '../../src/lib/server/signing';
import { finishedPdf } from '../support/finished-pdf';

test.use({ serviceWorkers: 'block' });

const b64 = (bytes: Uint8Array) => Buffer.from(bytes).toString('base64');

// The evidence verifier checks a finished contract's signature in a browser worker: the same
// checkPdfSignature, bundled for the browser, must give the verdicts it gives in Node.
test('checkPdfSignature runs in a browser worker with WebCrypto and tells valid, changed and appended files apart', async ({
	page
}) => {
	test.setTimeout(120_000);
	const dir = mkdtempSync(join(tmpdir(), 'sealpass-sigcheck-'));
	try {
		const identity = await loadSigningIdentity(
			{ kind: 'generated', dir: join(dir, 'signing') },
			{ now: new Date('2026-01-01T00:00:00Z') }
		);
		const signed = await signPdf(await finishedPdf(), identity, {
			signingTime: new Date('2026-03-01T04:15:00Z')
		});
		const changed = signed.slice();
		changed[12] = changed[12]! ^ 1;
		const appended = new Uint8Array([...signed, 0x0a, 0x25, 0x0a]);
		const { url: entry } = await serveBundle(page, 'src/lib/pdf/pdf-signature.ts');
		const cases = { signed: b64(signed), changed: b64(changed), appended: b64(appended) };
		const results = await page.evaluate(
			async ({ entry, cases }) => {
				const source = `import { checkPdfSignature } from '${new URL(entry, location.href)}';
					onmessage = async (e) => postMessage(await checkPdfSignature(e.data));`;
				const worker = new Worker(
					URL.createObjectURL(new Blob([source], { type: 'text/javascript' })),
					{ type: 'module' }
				);
				const out: Record<string, object> = {};
				for (const [name, data] of Object.entries(cases)) {
					const bytes = Uint8Array.from(atob(data), (c) => c.charCodeAt(0));
					const report = await new Promise<{
						valid: boolean;
						coversWholeFile: boolean;
						problems: string[];
						signer: { subject: string } | null;
					}>((resolve, reject) => {
						worker.onmessage = (e) => resolve(e.data);
						worker.onerror = (e) => reject(new Error(e.message));
						worker.postMessage(bytes);
					});
					out[name] = {
						valid: report.valid,
						coversWholeFile: report.coversWholeFile,
						problems: report.problems,
						subject: report.signer?.subject
					};
				}
				worker.terminate();
				return out;
			},
			{ entry, cases }
		);
		expect(results.signed).toMatchObject({ valid: true, coversWholeFile: true, problems: [] });
		expect((results.signed as { subject: string }).subject).toContain(
			'CN=SealPass platform signature'
		);
		expect(results.changed).toMatchObject({ valid: false, problems: ['DIGEST_MISMATCH'] });
		expect(results.appended).toMatchObject({
			valid: true,
			coversWholeFile: false,
			problems: ['NOT_WHOLE_FILE']
		});
	} finally {
		rmSync(dir, { recursive: true, force: true });
	}
});
