import { appendCertificate } from '../../src/lib/pdf/certificate';
import type { CertificateData } from '../../src/lib/domain/certificate';
import { sha256Hex } from './images';
import { cjkFontBytes, textPdf } from './pdfs';

/**
 * A finished contract as the finalisation job hands it to the signer: a rendered document
 * (Chinese text, object streams, as our renderer writes) with the certificate of completion
 * appended as an incremental update. One signer without images keeps it quick to make.
 */
export async function finishedPdf(pages = 2): Promise<Uint8Array> {
	const rendered = await textPdf(pages, { chinese: true });
	const data: CertificateData = {
		documentId: 'env_signing-test',
		title: '设备采购合同 Equipment purchase',
		revisions: [{ number: 1, at: '2026-02-27T08:00:00Z', sha256: 'a'.repeat(64) }],
		originalSha256: 'a'.repeat(64),
		renderedSha256: sha256Hex(rendered),
		sender: { name: '合同管理员 赵敏', contact: 'zh***@example.com' },
		createdAt: '2026-02-27T08:00:00Z',
		sentAt: '2026-02-28T08:00:00Z',
		completedAt: '2026-03-01T04:12:30Z',
		utcOffsetMinutes: 480,
		signers: [
			{
				name: '王小明',
				contact: '138****1001',
				level: '实名认证（身份证） Verified identity',
				role: '乙方 Party B',
				party: '示例科技有限公司',
				credentialId: 'Kx3f…q1Zw',
				authenticator: null,
				confirmedAt: '2026-03-01T01:00:00Z',
				receivedAt: '2026-03-01T01:00:20Z',
				viewedAt: null,
				ip: null,
				device: null,
				ticketId: 'tk_1',
				decision: { kind: 'signed' },
				seals: [],
				signature: null
			}
		],
		events: [{ at: '2026-03-01T01:00:20Z', kind: 'submission.signed', actor: '王小明' }],
		chainHead: { seq: 7, hash: 'c'.repeat(64), hmac: 'd'.repeat(64) },
		verifyUrl: 'https://sealpass.example.com/verify?doc=env_signing-test',
		qr: Array.from({ length: 21 }, (_, r) =>
			Array.from({ length: 21 }, (_, c) => (r + c) % 3 === 0)
		)
	};
	return appendCertificate(rendered, data, { font: cjkFontBytes(), images: new Map() });
}
