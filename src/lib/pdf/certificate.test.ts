import { beforeAll, describe, expect, it } from 'vitest';
import { PDFDocument } from '@cantoo/pdf-lib';
import { appendCertificate, CERT_MARGIN, CERT_PAGE, endsWithClassicXref } from './certificate';
import { RenderError } from './render';
import type { CertificateData, CertificateSigner } from '$lib/domain/certificate';
import { discSealPng, sha256Hex, signaturePng } from '../../../tests/support/images';
import { cjkFontBytes, textPdf } from '../../../tests/support/pdfs';
import { pdfImages, qpdfCheck, rasterise } from '../../../tests/support/poppler';
import { pdfFonts, pdfText, wordBoxes } from '../../../tests/support/pdf-text';

/** 60 characters, no spaces: the longest kind of Chinese company name to wrap. */
const LONG_COMPANY =
	'上海浦东新区国际贸易与供应链管理及跨境电子商务综合服务集团股份有限公司第一分公司华东区域运营管理中心';

let rendered: Uint8Array;
let renderedHash: string;
let signature: Uint8Array;
let seal: Uint8Array;
let images: Map<string, Uint8Array>;

beforeAll(async () => {
	rendered = await textPdf(2, { chinese: true });
	renderedHash = sha256Hex(rendered);
	signature = await signaturePng();
	seal = await discSealPng(96);
	images = new Map([
		[sha256Hex(signature), signature],
		[sha256Hex(seal), seal]
	]);
});

/** A version-2 QR-sized matrix with the three finder patterns and a fixed pattern inside. */
function qrMatrix(n = 25): boolean[][] {
	const finder = (r: number, c: number) => {
		const ring = Math.max(Math.abs(r - 3), Math.abs(c - 3));
		return ring !== 2 && ring <= 3;
	};
	return Array.from({ length: n }, (_, r) =>
		Array.from({ length: n }, (_, c) => {
			if (r < 7 && c < 7) return finder(r, c);
			if (r < 7 && c >= n - 7) return finder(r, c - (n - 7));
			if (r >= n - 7 && c < 7) return finder(r - (n - 7), c);
			if (r < 8 || c < 8 || (r < 8 && c >= n - 8) || (r >= n - 8 && c < 8)) return false;
			return (r * 7 + c * 3) % 5 === 0;
		})
	);
}

function signer(i: number, over: Partial<CertificateSigner> = {}): CertificateSigner {
	return {
		name: i % 2 ? `王小明${i}` : `Alexandra Catherine Montgomery-Smythe ${i}`,
		contact: `138****${String(1000 + i).slice(-4)}`,
		level: '实名认证（身份证） Verified identity',
		role: i % 2 ? '乙方 Party B' : '甲方 Party A',
		party: LONG_COMPANY,
		credentialId: `Kx3f…q${i}Zw`,
		authenticator: i % 3 ? 'iCloud Keychain' : null,
		confirmedAt: '2026-03-01T01:00:00Z',
		receivedAt: i === 0 ? '2026-03-01T04:12:30Z' : '2026-03-01T01:00:20Z',
		viewedAt: i % 2 ? '2026-02-28T09:30:00Z' : null,
		ip: i % 2 ? '203.0.113.7' : null,
		device: i % 2 ? 'iOS 19 · Safari 19' : null,
		ticketId: `tk_${'0'.repeat(20)}${i}`,
		decision: { kind: 'signed' },
		seals: [{ name: `${LONG_COMPANY}合同专用章`, id: `seal-${i}`, thumbnail: sha256Hex(seal) }],
		signature: sha256Hex(signature),
		...over
	};
}

function data(signers: number, over: Partial<CertificateData> = {}): CertificateData {
	return {
		documentId: 'env_7f3a9c2e-41d8-4b6a-9e21-5c0d8f1b2a73',
		title: `设备采购合同（${LONG_COMPANY}）`,
		revisions: [
			{ number: 1, at: '2026-02-27T08:00:00Z', sha256: 'a'.repeat(64) },
			{ number: 2, at: '2026-02-28T08:00:00Z', sha256: 'b'.repeat(64) }
		],
		originalSha256: 'b'.repeat(64),
		renderedSha256: renderedHash,
		sender: { name: '合同管理员 赵敏', contact: 'zh***@example.com' },
		createdAt: '2026-02-27T08:00:00Z',
		sentAt: '2026-02-28T08:00:00Z',
		completedAt: '2026-03-01T04:12:30Z',
		utcOffsetMinutes: 480,
		signers: Array.from({ length: signers }, (_, i) => signer(i)),
		events: Array.from({ length: 30 }, (_, i) => ({
			at: `2026-03-01T0${i % 10}:00:00Z`,
			kind: i % 2 ? 'submission.signed' : 'review.accepted',
			actor: i % 2 ? `王小明${i}` : 'admin@example.com'
		})),
		chainHead: { seq: 1234, hash: 'c'.repeat(64), hmac: 'd'.repeat(64) },
		verifyUrl: 'https://sealpass.example.com/verify?doc=env_7f3a9c2e-41d8-4b6a-9e21-5c0d8f1b2a73',
		qr: qrMatrix(),
		...over
	};
}

const assets = () => ({ font: cjkFontBytes(), images });

async function pageCount(pdf: Uint8Array): Promise<number> {
	return (await PDFDocument.load(pdf, { updateMetadata: false })).getPageCount();
}

describe('appendCertificate', () => {
	it('CE1 CE6: appends pages as an incremental update, the same bytes every time, clean by qpdf', async () => {
		const a = await appendCertificate(rendered, data(2), assets());
		const b = await appendCertificate(rendered, data(2), assets());
		expect(sha256Hex(a)).toBe(sha256Hex(b));
		// The rendered document is an identical prefix: the certificate changes nothing before it.
		expect(sha256Hex(a.subarray(0, rendered.length))).toBe(renderedHash);
		expect(qpdfCheck(a).status).toBe(0);
		expect(await pageCount(a)).toBeGreaterThan(2);
		// pdftoppm renders every page.
		expect(rasterise(a, 20).length).toBe(await pageCount(a));
	});

	it('CE1: continues a file with classic cross-reference tables with a classic table', async () => {
		const doc = await PDFDocument.create({ updateMetadata: false });
		doc.addPage([595.28, 841.89]);
		const classic = new Uint8Array(await doc.save({ useObjectStreams: false }));
		expect(endsWithClassicXref(classic)).toBe(true);
		expect(endsWithClassicXref(rendered)).toBe(false);
		const out = await appendCertificate(
			classic,
			data(1, { renderedSha256: sha256Hex(classic) }),
			assets()
		);
		expect(endsWithClassicXref(out)).toBe(true);
		expect(sha256Hex(out.subarray(0, classic.length))).toBe(sha256Hex(classic));
		expect(qpdfCheck(out).status).toBe(0);
		expect(pdfText(out, 2)).toContain('签署完成证明');
	});

	it('CE1: every certificate page carries the document id and its page x of n', async () => {
		const pdf = await appendCertificate(rendered, data(12), assets());
		const total = await pageCount(pdf);
		const n = total - 2;
		expect(n).toBeGreaterThan(2);
		for (let x = 1; x <= n; x++) {
			const text = pdfText(pdf, 2 + x).replace(/\s+/g, ' ');
			expect(text).toContain('env_7f3a9c2e-41d8-4b6a-9e21-5c0d8f1b2a73');
			expect(text).toContain(`第 ${x} / ${n} 页`);
			expect(text).toContain(`page ${x} of ${n}`);
		}
		// A page showing a signer's evidence names the signer, also when it continues overleaf.
		for (let p = 3; p <= total; p++) {
			const text = pdfText(pdf, p).replace(/\s+/g, ' ');
			if (/Passkey credential ID|Offline gap|Ticket ID|Seal name|Signature/.test(text)) {
				expect(text, `page ${p}`).toMatch(/Signer \d+ of 12/);
			}
		}
		expect(pdfText(pdf, 3, total)).toContain('（续）');
		// The contract's own pages are left alone.
		expect(pdfText(pdf, 1, 2)).not.toContain('Document ID');
	});

	it('CE1 CE7: Chinese labels come back as text from an embedded subset font, no glyph boxes', async () => {
		const pdf = await appendCertificate(rendered, data(2), assets());
		const text = pdfText(pdf, 3).replace(/\s+/g, '');
		for (const label of [
			'签署完成证明',
			'合同名称',
			'文档编号',
			'通行密钥',
			'服务器接收时间',
			'审计事件'
		]) {
			expect(pdfText(pdf, 3, 99).replace(/\s+/g, '')).toContain(label);
		}
		expect(text).toContain('CertificateofCompletion');
		const fonts = pdfFonts(pdf).filter((f) => f.name.includes('NotoSansSC'));
		expect(fonts).toEqual([
			{
				name: 'SPCERT+NotoSansSC-Regular',
				type: 'CID TrueType',
				embedded: true,
				subset: true,
				unicode: true
			}
		]);
	});

	it('CE4: shows every signer with the passkey evidence and the offline gap, in both languages', async () => {
		const d = data(3);
		const pdf = await appendCertificate(rendered, d, assets());
		const text = pdfText(pdf, 3, 99).replace(/\s+/g, '');
		for (const s of d.signers) {
			expect(text).toContain(s.name.replace(/\s+/g, ''));
			expect(text).toContain(s.credentialId);
			expect(text).toContain(s.ticketId);
		}
		expect(text).toContain('离线确认，3小时12分钟后送达服务器');
		expect(text).toContain('confirmedoffline3h12minbeforeitreachedtheserver');
		expect(text).toContain('在线确认');
		expect(text).toContain('iCloudKeychain');
		// What the other products show too: viewed time, upload IP and device, the sender.
		expect(text).toContain('2026-02-2817:30:00UTC+08:00');
		expect(text).toContain('203.0.113.7·iOS19·Safari19');
		expect(text).toContain('未记录notrecorded');
		expect(text).toContain('合同管理员赵敏·zh***@example.com');
		// Device time and server time, both at the stated offset.
		expect(text).toContain('2026-03-0109:00:00UTC+08:00');
		expect(text).toContain('2026-03-0112:12:30UTC+08:00');
		// Chain head and hashes.
		expect(text).toContain('#1234');
		expect(text).toContain(renderedHash);
		// Seal thumbnails and signatures are on the certificate pages.
		const placed = pdfImages(pdf).filter((row) => row.page > 2 && row.type === 'image');
		expect(placed.length).toBe(2 * d.signers.length);
	});

	it('CE5: 12 signers and a 60-character company name wrap inside the margins of every page', async () => {
		const pdf = await appendCertificate(rendered, data(12), assets());
		if (process.env.CERT_OUT) (await import('node:fs')).writeFileSync(process.env.CERT_OUT, pdf);
		const boxes = wordBoxes(pdf).filter((w) => w.page > 2);
		expect(boxes.length).toBeGreaterThan(500);
		const slack = 0.5;
		for (const w of boxes) {
			const where = `page ${w.page} "${w.text}"`;
			expect(w.xMin, where).toBeGreaterThanOrEqual(CERT_MARGIN.left - slack);
			expect(w.xMax, where).toBeLessThanOrEqual(CERT_PAGE.width - CERT_MARGIN.right + slack);
			expect(w.yMin, where).toBeGreaterThanOrEqual(CERT_MARGIN.top - 14);
			expect(w.yMax, where).toBeLessThanOrEqual(CERT_PAGE.height - 20);
			expect(w.pageWidth).toBeCloseTo(CERT_PAGE.width, 1);
		}
		// Body text (not the footer) stays above the bottom margin.
		const footerTop = CERT_PAGE.height - CERT_MARGIN.bottom + 6;
		const body = boxes.filter((w) => w.yMin < footerTop);
		for (const w of body) expect(w.yMax).toBeLessThanOrEqual(footerTop + 2);
		// The long name is all there, wrapped over lines, and every signer's name is found.
		const text = pdfText(pdf, 3, 99).replace(/\s+/g, '');
		expect(text).toContain(LONG_COMPANY);
		for (let i = 0; i < 12; i++) expect(text).toContain(signer(i).name.replace(/\s+/g, ''));
		// No line starts with closing punctuation.
		for (const line of pdfText(pdf, 3, 99).split('\n')) {
			expect(/^\s*[，。、；：？！）」』】》]/.test(line), line).toBe(false);
		}
		// Pixels: nothing is drawn outside the side margins of any certificate page.
		const dpi = 36;
		const k = dpi / 72;
		const pages = rasterise(pdf, dpi, 3, await pageCount(pdf));
		for (const page of pages) {
			const left = Math.floor(CERT_MARGIN.left * k) - 1;
			const right = Math.ceil((CERT_PAGE.width - CERT_MARGIN.right) * k) + 1;
			let outside = 0;
			for (let y = 0; y < page.height; y++) {
				for (let x = 0; x < page.width; x++) {
					if (x >= left && x <= right) continue;
					const i = (y * page.width + x) * 3;
					if (page.data[i]! + page.data[i + 1]! + page.data[i + 2]! < 600) outside++;
				}
			}
			expect(outside).toBe(0);
		}
	});

	it('CE5: a long audit trail continues over pages, its table header repeated on each', async () => {
		const events = Array.from({ length: 150 }, (_, i) => ({
			at: '2026-03-01T00:00:00Z',
			kind: i % 2 ? 'submission.signed' : 'envelope.viewed',
			actor: `${LONG_COMPANY} 经办人 ${i}`
		}));
		const pdf = await appendCertificate(rendered, data(1, { events }), assets());
		const total = await pageCount(pdf);
		let pagesWithEvents = 0;
		for (let p = 3; p <= total; p++) {
			const text = pdfText(pdf, p);
			if (!/submission\.signed|envelope\.viewed/.test(text)) continue;
			pagesWithEvents++;
			expect(text.replace(/\s+/g, ' ')).toContain('时间 Time');
		}
		expect(pagesWithEvents).toBeGreaterThanOrEqual(3);
		const all = pdfText(pdf, 3, total).replace(/\s+/g, '');
		expect(all).toContain(`${LONG_COMPANY}经办人149`);
	});

	it('CE5: draws the QR modules given, finder patterns dark and quiet zone light', async () => {
		const pdf = await appendCertificate(rendered, data(1), assets());
		const text = pdfText(pdf, 3, 99).replace(/\s+/g, '');
		expect(text).toContain('https://sealpass.example.com/verify?doc=env_7f3a9c2e');
		const dpi = 144;
		const k = dpi / 72;
		const [page] = rasterise(pdf, dpi, 3);
		const words = wordBoxes(pdf).filter((w) => w.page === 3);
		// The QR sits left of the verify text, level with it: its top-left dark pixel is the
		// corner of the first finder pattern.
		const intro = words.find((w) => w.text.startsWith('扫描二维码'))!;
		const isDark = (x: number, y: number) => page!.data[(y * page!.width + x) * 3]! < 100;
		let top = Infinity;
		let left = Infinity;
		for (let y = Math.round((intro.yMin - 10) * k); y < (intro.yMin + 100) * k; y++) {
			for (let x = 0; x < 190 * k; x++) {
				if (!isDark(x, y)) continue;
				top = Math.min(top, y);
				left = Math.min(left, x);
			}
		}
		const module = (92 / (25 + 8)) * k;
		// Quiet zone of 4 modules inside the QR box, which starts at the left margin.
		expect(left / k).toBeCloseTo(CERT_MARGIN.left + 4 * (92 / 33), 0);
		const dark = (col: number, row: number) =>
			isDark(Math.round(left + (col + 0.5) * module), Math.round(top + (row + 0.5) * module));
		expect(dark(0, 0)).toBe(true);
		expect(dark(3, 3)).toBe(true);
		expect(dark(1, 1)).toBe(false);
		expect(dark(24, 0)).toBe(true);
		expect(dark(0, 24)).toBe(true);
		expect(dark(-2, 0)).toBe(false);
	});

	it('CE1: a rejecting signer shows the decision and reason, with no signature image', async () => {
		const d = data(1, {
			signers: [
				signer(1, {
					decision: {
						kind: 'rejected',
						reason: '第三条付款期限与谈判结果不符，请修改后重新发送。'
					},
					signature: null,
					seals: []
				})
			]
		});
		const pdf = await appendCertificate(rendered, d, assets());
		const text = pdfText(pdf, 3, 99).replace(/\s+/g, '');
		expect(text).toContain('拒签Rejected:第三条付款期限与谈判结果不符，请修改后重新发送。');
		expect(pdfImages(pdf).filter((row) => row.page > 2)).toEqual([]);
	});

	it('CE7: a character the font lacks prints as its code point, not a box', async () => {
		const pdf = await appendCertificate(
			rendered,
			data(1, { signers: [signer(1, { name: '李\u{E000}明' })] }),
			assets()
		);
		expect(pdfText(pdf, 3, 99)).toContain('李[U+E000]明');
	});

	it('CE2: refuses a rendered document that does not hash to renderedSha256, and wrong images', async () => {
		await expect(
			appendCertificate(rendered, data(1, { renderedSha256: 'e'.repeat(64) }), assets())
		).rejects.toMatchObject({ code: 'PDF_MALFORMED' });
		await expect(
			appendCertificate(rendered, data(1), { font: cjkFontBytes(), images: new Map() })
		).rejects.toMatchObject({ code: 'IMAGE_MISSING' });
		const swapped = new Map([
			[sha256Hex(signature), seal],
			[sha256Hex(seal), seal]
		]);
		const error = await appendCertificate(rendered, data(1), {
			font: cjkFontBytes(),
			images: swapped
		}).catch((e: unknown) => e);
		expect(error).toBeInstanceOf(RenderError);
		expect(error).toMatchObject({ code: 'IMAGE_INVALID' });
	});
});
