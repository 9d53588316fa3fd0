// Finalisation against render alone (`npm run bench -- finalise`): the same 200-page contract
// rendered, then rendered + certificate of completion + PAdES signature, as the server's job does.
// Reported as the ratio of the two medians measured in one process; goal ≤ 1.5.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { render } from '$lib/pdf/render';
import { appendCertificate } from '$lib/pdf/certificate';
import { sha256Hex } from '$lib/domain/canonical';
import type { CertificateData } from '$lib/domain/certificate';
import { loadCjkFont } from '$lib/server/platform/fonts';
import { qrModules } from '$lib/server/finalise';
import { loadSigningIdentity, signPdf } from '$lib/server/signing';
import { loadCase, median } from './render-bench';

export const FINALISE_GOAL = 1.5;

function certificate(
	renderedSha256: string,
	docHash: string,
	seal: string,
	signature: string
): CertificateData {
	const signer = (i: number) => ({
		name: `王小明 ${i}`,
		contact: '138****5678',
		level: '自行填写 / self-declared',
		role: i ? '乙方 Party B' : '甲方 Party A',
		party: '示例科技有限公司',
		credentialId: 'Kx3fQ9aZ…q1Zw',
		authenticator: 'iCloud Keychain',
		confirmedAt: '2026-03-01T01:00:00Z',
		receivedAt: '2026-03-01T04:12:30Z',
		viewedAt: null,
		ip: null,
		device: null,
		ticketId: `ticket-${i}`,
		decision: { kind: 'signed' as const },
		seals: [{ name: '合同专用章', id: 'seal-1', thumbnail: seal }],
		signature
	});
	const url = 'https://sealpass.example.com/verify?doc=bench-200';
	return {
		documentId: 'bench-200',
		title: '设备采购合同 Bench',
		revisions: [{ number: 1, at: '2026-02-27T08:00:00Z', sha256: docHash }],
		originalSha256: docHash,
		renderedSha256,
		sender: { name: '合同管理员', contact: '—' },
		createdAt: '2026-02-27T08:00:00Z',
		sentAt: '2026-02-28T08:00:00Z',
		completedAt: '2026-03-01T04:12:30Z',
		utcOffsetMinutes: 480,
		signers: [signer(0), signer(1)],
		events: Array.from({ length: 12 }, (_, i) => ({
			at: `2026-03-01T0${i % 10}:00:00Z`,
			kind: 'submission.signed',
			actor: `王小明 ${i % 2}`
		})),
		chainHead: { seq: 42, hash: 'c'.repeat(64), hmac: 'd'.repeat(64) },
		verifyUrl: url,
		qr: qrModules(url)
	};
}

export async function main(argv: string[]): Promise<void> {
	const [dir, name = 'text-200'] = argv;
	const { c, original, assets, manifest } = loadCase(dir!, name);
	const font = await loadCjkFont();
	const keys = mkdtempSync(join(tmpdir(), 'sealpass-bench-signing-'));
	try {
		const identity = await loadSigningIdentity({ kind: 'generated', dir: keys });
		const [sig, seal] = [...assets.keys()];
		const images = assets;
		const signingTime = new Date();
		const docHash = await sha256Hex(original);
		const finalise = async () => {
			const rendered = await render(original, [manifest], assets, { font });
			const data = certificate(await sha256Hex(rendered), docHash, seal!, sig!);
			const certified = await appendCertificate(rendered, data, { font, images });
			return signPdf(certified, identity, { signingTime });
		};
		// Warm both paths first (JIT, PNG decoding), as on a server that has done this before.
		for (let i = 0; i < 2; i++) {
			await render(original, [manifest], assets, { font });
			await finalise();
		}
		const runs = 9;
		const renderMs = await median(runs, () => render(original, [manifest], assets, { font }));
		const finaliseMs = await median(runs, finalise);
		const ratio = finaliseMs / renderMs;
		// Where the time goes: the certificate and the signature alone, each on the same input.
		const rendered = await render(original, [manifest], assets, { font });
		const data = certificate(await sha256Hex(rendered), docHash, seal!, sig!);
		const certificateMs = await median(runs, () =>
			appendCertificate(rendered, data, { font, images })
		);
		const certified = await appendCertificate(rendered, data, { font, images });
		const signMs = await median(runs, () => signPdf(certified, identity, { signingTime }));
		console.log(
			JSON.stringify({
				case: name,
				pages: c.pages,
				render_ms: +renderMs.toFixed(1),
				finalise_ms: +finaliseMs.toFixed(1),
				certificate_ms: +certificateMs.toFixed(1),
				sign_ms: +signMs.toFixed(1),
				finalise_over_render: +ratio.toFixed(3),
				finalise_over_render_goal: FINALISE_GOAL,
				pass: ratio <= FINALISE_GOAL
			})
		);
	} finally {
		rmSync(keys, { recursive: true, force: true });
	}
}
