import {
	PDFDocument,
	ParseSpeeds,
	PDFName,
	PDFPage,
	PDFRef,
	degrees,
	drawImage,
	fill,
	popGraphicsState,
	pushGraphicsState,
	rectangle,
	setFillingColor,
	rgb,
	type PDFFont,
	type RGB
} from '@cantoo/pdf-lib';
import { sha256Hex } from '$lib/domain/canonical';
import {
	describeGap,
	formatInstant,
	offlineGap,
	type CertificateData,
	type CertificateSigner
} from '$lib/domain/certificate';
import { CJK, breakLines } from '$lib/domain/line-break';
import { parsedOnceFontkit, piecewiseFontkit } from './parsed-font';
import { RenderError } from './render';
import { embedPng, type Embedded } from './png-image';
import { appendUpdate, dictBytes, endsWithClassicXref, type UpdateObject } from './incremental';
import { LazyReadError, PdfReader } from './pdf-reader';
import { Dict, Num, Ref } from './pdf-syntax';
import { pdfLibBytes } from './rewrite';

export { endsWithClassicXref };

/** What the certificate is drawn with besides its data. */
export interface CertificateAssets {
	/** The CJK TrueType font the server ships (Noto Sans SC): subset into the certificate. */
	font: Uint8Array;
	/** PNG bytes of seal thumbnails and signatures, keyed by their SHA-256 (CertificateData). */
	images: ReadonlyMap<string, Uint8Array>;
}

/** A4 in points, and the margins every certificate element stays inside (CE5). */
export const CERT_PAGE = { width: 595.28, height: 841.89 } as const;
export const CERT_MARGIN = { left: 48, right: 48, top: 56, bottom: 64 } as const;

/**
 * The embedded font's name: a fixed six-letter subset tag (PDF 9.6.4), so readers know it is a
 * subset and the bytes never depend on a random tag.
 */
const FONT_NAME = 'SPCERT+NotoSansSC-Regular';

/**
 * fontkit's shaping without its positioning features: pdf-lib draws and measures with each
 * glyph's own advance and never uses the positions they compute, so they only cost time. The
 * glyphs (substitutions such as ligatures) are chosen as before.
 */
const GLYPH_CHOICE_ONLY = { kern: false, mark: false, mkmk: false, curs: false };

const LABEL_WIDTH = 138;
const GUTTER = 10;
const VALUE_X = CERT_MARGIN.left + LABEL_WIDTH + GUTTER;
const CONTENT_WIDTH = CERT_PAGE.width - CERT_MARGIN.left - CERT_MARGIN.right;
const VALUE_WIDTH = CERT_PAGE.width - CERT_MARGIN.right - VALUE_X;
const BODY = 8.5;
const SMALL = 7.5;
const LEADING = 12;
const QR_SIZE = 92;

const INK = rgb(0.1, 0.1, 0.1);
const GREY = rgb(0.42, 0.42, 0.42);
const RULE = rgb(0.78, 0.78, 0.78);
const ACCENT = rgb(0.7, 0.07, 0.1);

/**
 * Spaces, CJK characters one by one, and the runs of anything else between them: the pieces
 * the certificate's text is shaped in. The CJK font shapes nothing across their edges (no
 * ligature or contextual form joins a word to a space or to a Chinese character).
 */
const PIECES = new RegExp(`\\s|${CJK.source}|(?:(?!${CJK.source})\\S)+`, 'gu');

type Cmd =
	| { t: 'text'; x: number; y: number; size: number; text: string; color: RGB }
	| { t: 'image'; hash: string; x: number; y: number; w: number; h: number }
	| { t: 'rect'; x: number; y: number; w: number; h: number; color: RGB };

/**
 * Appends the certificate of completion to the rendered contract as an incremental update
 * (CE1): the rendered bytes stay an identical prefix, so anyone holding them can see that the
 * certificate added pages and changed nothing before. Pure and deterministic (CE6): no clock,
 * no randomness, metadata untouched; the same inputs give the same bytes in Node and browsers.
 * Throws RenderError when the data's rendered hash does not match the bytes (CE2) or an image
 * is missing or not the bytes its hash names.
 */
export async function appendCertificate(
	rendered: Uint8Array,
	data: CertificateData,
	assets: CertificateAssets
): Promise<Uint8Array<ArrayBuffer>> {
	// CE2: the certificate states the rendered document's hash; never state one not checked.
	if ((await sha256Hex(rendered)) !== data.renderedSha256) {
		throw new RenderError('PDF_MALFORMED', 'The rendered document does not hash to renderedSha256');
	}
	const reader = lazyReader(rendered);
	return reader
		? appendLazily(rendered, reader, data, assets)
		: appendByFullParse(rendered, data, assets);
}

/** The lazy reader of `pdf`, or null when it cannot read the file's structure. */
function lazyReader(pdf: Uint8Array): PdfReader | null {
	try {
		const reader = new PdfReader(pdf);
		return reader.trailer.has('Encrypt') ? null : reader;
	} catch (error) {
		if (error instanceof LazyReadError) return null;
		throw error;
	}
}

/**
 * The pages are drawn by pdf-lib into a scratch document whose objects are numbered after the
 * rendered file's, then appended with our own incremental update, which also lists them in the
 * root of the page tree. Only the trailer, the catalog and that node are read: loading the
 * whole 200-page contract into pdf-lib to add a few pages was most of the certificate's time.
 */
async function appendLazily(
	rendered: Uint8Array,
	reader: PdfReader,
	data: CertificateData,
	assets: CertificateAssets
): Promise<Uint8Array<ArrayBuffer>> {
	const catalog = reader.dict(reader.trailer.get('Root'));
	const rootRef = catalog?.get('Pages');
	const root = reader.dict(rootRef);
	if (!(rootRef instanceof Ref) || !root) return appendByFullParse(rendered, data, assets);
	const kids = reader.resolve(root.get('Kids'));
	const count = reader.resolve(root.get('Count'));
	if (!Array.isArray(kids) || !(count instanceof Num)) {
		return appendByFullParse(rendered, data, assets);
	}

	const doc = await PDFDocument.create({ updateMetadata: false });
	const { context } = doc;
	// The scratch document's own catalog and page tree must not reach the output.
	for (const [ref] of context.enumerateIndirectObjects()) context.delete(ref);
	context.largestObjectNumber = reader.size - 1;
	const pages: PDFPage[] = [];
	await drawCertificatePages(doc, data, assets, {
		run: async (work) => work(),
		add: (page) => pages.push(page)
	});
	await doc.flush();

	// What the root passes down to its kids, the certificate pages must not take: a turn or a
	// crop box meant for the contract's pages.
	const parent = PDFRef.of(rootRef.n, rootRef.g);
	for (const page of pages) {
		page.node.set(PDFName.of('Parent'), parent);
		if (root.has('Rotate')) page.node.set(PDFName.of('Rotate'), context.obj(0));
		if (root.has('CropBox')) page.node.set(PDFName.of('CropBox'), page.node.MediaBox());
	}
	const objects: UpdateObject[] = [];
	for (const [ref, object] of context.enumerateIndirectObjects()) {
		objects.push({ n: ref.objectNumber, g: ref.generationNumber, bytes: pdfLibBytes(object) });
	}
	const tree = new Dict(root.map);
	tree.set('Kids', [
		...kids,
		...pages.map((p) => new Ref(p.ref.objectNumber, p.ref.generationNumber))
	]);
	tree.set('Count', Num.of(count.value + pages.length));
	objects.push({ n: rootRef.n, g: rootRef.g, bytes: dictBytes(tree) });
	return appendUpdate(rendered, reader, objects).bytes;
}

/** How the pages are put into their document: plain, or with pdf-lib's change tracking. */
interface Placement {
	/** Runs work that adds objects (images, pages, drawing). */
	run<T>(work: () => T | Promise<T>): Promise<T>;
	/** Puts a new page at the end of the document. */
	add(page: PDFPage): void;
}

/** Lays out the certificate and draws its pages into `doc`. */
async function drawCertificatePages(
	doc: PDFDocument,
	data: CertificateData,
	assets: CertificateAssets,
	place: Placement
): Promise<void> {
	doc.registerFontkit(piecewiseFontkit(PIECES));
	const font = await doc.embedFont(assets.font, {
		subset: true,
		customName: FONT_NAME,
		features: GLYPH_CHOICE_ONLY
	});
	// The same parse pdf-lib embeds from, for its cmap: pdf-lib keeps its own reference private.
	const glyphs = parsedOnceFontkit.create(assets.font);
	if (!glyphs || !('hasGlyphForCodePoint' in glyphs)) {
		throw new RenderError('INTERNAL', 'The certificate font is a collection, not one font');
	}
	const layout = new Layout(font, (text) => printable(text, glyphs));
	drawCertificate(layout, data, (hash) => pngSize(assets.images.get(hash)));
	const pages = layout.finish(data.documentId);

	const images = new Map<string, Embedded>();
	for (const cmds of pages) {
		for (const cmd of cmds) {
			if (cmd.t !== 'image' || images.has(cmd.hash)) continue;
			images.set(cmd.hash, await place.run(() => embedImage(doc, cmd.hash, assets.images)));
		}
	}
	for (const cmds of pages) {
		const page = await place.run(() => {
			const page = PDFPage.create(doc);
			page.setSize(CERT_PAGE.width, CERT_PAGE.height);
			return page;
		});
		place.add(page);
		await place.run(() => drawPage(page, cmds, font, images));
	}
}

/** pdf-lib's load of the whole file and its incremental save: for files the lazy reader does not handle. */
async function appendByFullParse(
	rendered: Uint8Array,
	data: CertificateData,
	assets: CertificateAssets
): Promise<Uint8Array<ArrayBuffer>> {
	let doc: PDFDocument;
	try {
		doc = await PDFDocument.load(rendered, {
			forIncrementalUpdate: true,
			updateMetadata: false,
			parseSpeed: ParseSpeeds.Fastest
		});
	} catch (error) {
		throw new RenderError('PDF_MALFORMED', error instanceof Error ? error.message : String(error));
	}
	// In an incremental update pdf-lib marks each changed dict or array for saving by searching
	// every object of the file for the one that holds it: on a 200-page contract that search,
	// once per new page array, drawn operator, font width and written stream, was most of the
	// certificate's time. Only inserting a page into the page tree changes objects the file
	// already has; the pages, their contents, the font and the images are new objects, which the
	// update writes anyway. So pdf-lib tracks changes only while a page is inserted.
	const tracking = doc.context.snapshot;
	if (!tracking) throw new RenderError('INTERNAL', 'The document was not loaded for an update');
	const untracked = async <T>(work: () => T | Promise<T>): Promise<T> => {
		doc.context.snapshot = undefined;
		try {
			return await work();
		} finally {
			doc.context.snapshot = tracking;
		}
	};
	await drawCertificatePages(doc, data, assets, {
		run: untracked,
		add: (page) => doc.addPage(page)
	});
	const update = await untracked(() =>
		doc.saveIncremental(tracking, {
			objectsPerTick: Infinity,
			useObjectStreams: !endsWithClassicXref(rendered)
		})
	);
	const out = new Uint8Array(rendered.length + update.length);
	out.set(rendered);
	out.set(update, rendered.length);
	return out;
}

function drawPage(
	page: PDFPage,
	cmds: readonly Cmd[],
	font: PDFFont,
	images: ReadonlyMap<string, Embedded>
): void {
	for (let i = 0; i < cmds.length; i++) {
		const cmd = cmds[i]!;
		if (cmd.t === 'text') {
			page.drawText(cmd.text, {
				x: r2(cmd.x),
				y: r2(cmd.y),
				size: cmd.size,
				font,
				color: cmd.color
			});
		} else if (cmd.t === 'rect') {
			// A run of same-coloured rectangles (a QR code's modules, a rule) is one filled path:
			// pdf-lib's drawRectangle writes a dozen operators for each, hundreds per QR code.
			const path = [pushGraphicsState(), setFillingColor(cmd.color)];
			let j = i;
			for (; j < cmds.length; j++) {
				const next = cmds[j]!;
				if (next.t !== 'rect' || !sameColor(next.color, cmd.color)) break;
				path.push(rectangle(r2(next.x), r2(next.y), r2(next.w), r2(next.h)));
			}
			path.push(fill(), popGraphicsState());
			page.pushOperators(...path);
			i = j - 1;
		} else {
			const name = page.node.newXObject('Image', images.get(cmd.hash)!.ref);
			page.pushOperators(
				...drawImage(name, {
					x: r2(cmd.x),
					y: r2(cmd.y),
					width: r2(cmd.w),
					height: r2(cmd.h),
					rotate: degrees(0),
					xSkew: degrees(0),
					ySkew: degrees(0)
				})
			);
		}
	}
}

function sameColor(a: RGB, b: RGB): boolean {
	return a.red === b.red && a.green === b.green && a.blue === b.blue;
}

async function embedImage(
	doc: PDFDocument,
	hash: string,
	images: ReadonlyMap<string, Uint8Array>
): Promise<Embedded> {
	const bytes = images.get(hash);
	if (!bytes) throw new RenderError('IMAGE_MISSING', `No image for ${hash}`);
	if ((await sha256Hex(bytes)) !== hash) {
		throw new RenderError('IMAGE_INVALID', `Image bytes do not match their hash ${hash}`);
	}
	try {
		// The encoding render() made of the same signature or seal is reused (png-image.ts).
		return await embedPng(doc, hash, bytes);
	} catch (error) {
		throw new RenderError('IMAGE_INVALID', error instanceof Error ? error.message : String(error));
	}
}

/**
 * CE7: a character the font has no glyph for would print as an empty box, which reads as a
 * different name; it is printed as its code point instead ("[U+20BB7]"), which stays exact.
 */
function printable(text: string, font: { hasGlyphForCodePoint(cp: number): boolean }): string {
	let out = '';
	for (const ch of text) {
		const cp = ch.codePointAt(0)!;
		if (cp < 0x20 && ch !== '\n') continue;
		out +=
			ch === '\n' || font.hasGlyphForCodePoint(cp) ? ch : `[U+${cp.toString(16).toUpperCase()}]`;
	}
	return out;
}

/** Rounds to 1/100 pt: short operators, and no float noise between runtimes. */
function r2(n: number): number {
	return Math.round(n * 100) / 100;
}

/**
 * Flows blocks down A4 pages between the margins (CE5): every line is placed only after
 * checking it fits above the bottom margin, so nothing can run off a page however long the
 * names or how many the signers; a section that breaks repeats its table header.
 */
class Layout {
	private pages: Cmd[][] = [[]];
	private y = CERT_PAGE.height - CERT_MARGIN.top;
	/** Drawn again at the top of a page a table continues on. */
	private header: (() => void) | null = null;

	constructor(
		private readonly font: PDFFont,
		readonly clean: (text: string) => string
	) {}

	get current(): Cmd[] {
		return this.pages[this.pages.length - 1]!;
	}

	/** The shaped width of `text` (pieces shaped once per process, see piecewiseFontkit). */
	width(text: string, size: number): number {
		return this.font.widthOfTextAtSize(text, size);
	}

	/** Advance of each character alone at size 1, for the line breaker's cheap estimate. */
	private readonly advances = new Map<string, number>();

	/** The sum of the characters' own advances: near the shaped width, at a map look-up each. */
	estimate(text: string, size: number): number {
		let sum = 0;
		for (const ch of text) {
			let advance = this.advances.get(ch);
			if (advance === undefined) {
				advance = this.font.widthOfTextAtSize(ch, 1);
				this.advances.set(ch, advance);
			}
			sum += advance;
		}
		return sum * size;
	}

	lines(text: string, size: number, width: number): string[] {
		return breakLines(
			this.clean(text),
			width,
			(s) => this.width(s, size),
			(s) => this.estimate(s, size)
		);
	}

	newPage(): void {
		this.pages.push([]);
		this.y = CERT_PAGE.height - CERT_MARGIN.top;
		const header = this.header;
		if (header) {
			this.header = null;
			header();
			this.header = header;
		}
	}

	/** Makes room for `height` points, starting a page when they do not fit. */
	ensure(height: number): void {
		if (this.y - height < CERT_MARGIN.bottom) this.newPage();
	}

	gap(points: number): void {
		this.y -= points;
	}

	/** Runs `body` with `header` drawn atop each page it continues on (and first, if asked). */
	withHeader(header: () => void, body: () => void, drawFirst = true): void {
		if (drawFirst) header();
		this.header = header;
		body();
		this.header = null;
	}

	/** Text wrapped into `width`, each line placed on its own (so it may continue overleaf). */
	paragraph(text: string, size: number, color: RGB, x = CERT_MARGIN.left, width = CONTENT_WIDTH) {
		const leading = Math.max(LEADING, size * 1.4);
		for (const line of this.lines(text, size, width)) {
			this.ensure(leading);
			this.y -= leading;
			this.text(x, this.y + leading - size * 1.1, size, line, color);
		}
	}

	text(x: number, y: number, size: number, text: string, color: RGB): void {
		if (text) this.current.push({ t: 'text', x, y, size, text, color });
	}

	rule(): void {
		this.ensure(6);
		this.current.push({
			t: 'rect',
			x: CERT_MARGIN.left,
			y: this.y - 3,
			w: CONTENT_WIDTH,
			h: 0.6,
			color: RULE
		});
		this.y -= 6;
	}

	/** A section heading, kept with at least a few lines of what follows. */
	heading(zh: string, en: string): void {
		this.ensure(22 + 3 * LEADING);
		this.y -= 6;
		this.paragraph(`${zh}  ${en}`, 11, ACCENT);
		this.rule();
	}

	/**
	 * Columns of wrapped text side by side, emitted one band of lines at a time, so a tall row
	 * continues on the next page instead of running off this one.
	 */
	row(cells: { x: number; width: number; parts: { text: string; size: number; color: RGB }[] }[]) {
		const columns = cells.map((cell) =>
			cell.parts.flatMap((part) =>
				this.lines(part.text, part.size, cell.width).map((line) => ({ ...part, line }))
			)
		);
		const bands = Math.max(1, ...columns.map((c) => c.length));
		for (let i = 0; i < bands; i++) {
			this.ensure(LEADING);
			this.y -= LEADING;
			columns.forEach((column, c) => {
				const item = column[i];
				if (item) this.text(cells[c]!.x, this.y + 2.5, item.size, item.line, item.color);
			});
		}
		this.y -= 3;
	}

	/** A label (Chinese over English) and its value. */
	field(zh: string, en: string, value: string): void {
		this.row([
			{
				x: CERT_MARGIN.left,
				width: LABEL_WIDTH,
				parts: [
					{ text: zh, size: BODY, color: INK },
					{ text: en, size: SMALL, color: GREY }
				]
			},
			{ x: VALUE_X, width: VALUE_WIDTH, parts: [{ text: value, size: BODY, color: INK }] }
		]);
	}

	/** A label and an image fitted into a box in the value column. */
	image(zh: string, en: string, hash: string, size: { w: number; h: number }, img: ImageSize) {
		const height = Math.max(size.h, 2 * LEADING) + 4;
		this.ensure(height);
		const top = this.y;
		this.text(CERT_MARGIN.left, top - LEADING + 2.5, BODY, this.clean(zh), INK);
		this.text(CERT_MARGIN.left, top - 2 * LEADING + 2.5, SMALL, this.clean(en), GREY);
		const scale = Math.min(size.w / img.width, size.h / img.height);
		const w = img.width * scale;
		const h = img.height * scale;
		this.current.push({ t: 'image', hash, x: VALUE_X, y: top - 2 - h, w, h });
		this.y -= height;
	}

	/** A block of fixed height drawn by `draw(top)`, moved whole to the next page if needed. */
	block(height: number, draw: (top: number) => void): void {
		this.ensure(height);
		draw(this.y);
		this.y -= height;
	}

	/** Finishes the pages: every page gets the document id and "page x of n" (CE1). */
	finish(documentId: string): Cmd[][] {
		const n = this.pages.length;
		this.pages.forEach((cmds, i) => {
			const footer = [
				`文档编号 Document ID: ${documentId}`,
				`签署完成证明 第 ${i + 1} / ${n} 页 · Certificate of completion, page ${i + 1} of ${n}`
			];
			const lines = footer.flatMap((text) => this.lines(text, SMALL, CONTENT_WIDTH));
			cmds.push({
				t: 'rect',
				x: CERT_MARGIN.left,
				y: CERT_MARGIN.bottom - 8,
				w: CONTENT_WIDTH,
				h: 0.6,
				color: RULE
			});
			lines.forEach((line, k) => {
				cmds.push({
					t: 'text',
					x: CERT_MARGIN.left,
					y: CERT_MARGIN.bottom - 8 - 10 * (k + 1),
					size: SMALL,
					text: line,
					color: GREY
				});
			});
		});
		return this.pages;
	}
}

interface ImageSize {
	width: number;
	height: number;
}

/** The PNG's pixel size from its IHDR, without decoding it (layout needs the aspect ratio). */
function pngSize(bytes: Uint8Array | undefined): ImageSize {
	if (!bytes || bytes.length < 24) return { width: 1, height: 1 };
	const v = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
	return { width: v.getUint32(16) || 1, height: v.getUint32(20) || 1 };
}

/** Lays out every section; `size` gives an image's pixel size (its bytes are checked later). */
function drawCertificate(
	layout: Layout,
	data: CertificateData,
	size: (hash: string) => ImageSize
): void {
	const t = (iso: string) => formatInstant(iso, data.utcOffsetMinutes);
	layout.paragraph('签署完成证明', 18, INK);
	layout.paragraph('Certificate of Completion', 12, GREY);
	layout.gap(6);
	layout.paragraph(data.title, 13, INK);
	layout.gap(4);
	layout.rule();

	layout.heading('合同', 'Contract');
	layout.field('合同名称', 'Title', data.title);
	layout.field('文档编号', 'Document ID', data.documentId);
	layout.field(
		'版本',
		'Revisions',
		data.revisions
			.map((r) => `第 ${r.number} 版 Revision ${r.number} · ${t(r.at)}\nSHA-256 ${r.sha256}`)
			.join('\n')
	);
	layout.field('原件 SHA-256', 'Original document', data.originalSha256);
	layout.field('盖章后文件 SHA-256', 'Rendered document', data.renderedSha256);
	layout.field('发起人', 'Sent by', `${data.sender.name} · ${data.sender.contact}`);
	layout.field('创建时间', 'Created', t(data.createdAt));
	layout.field('发出时间', 'Sent', t(data.sentAt));
	layout.field('完成时间', 'Completed', t(data.completedAt));

	layout.heading('验证', 'Verify');
	const intro =
		'扫描二维码或打开链接，无需登录即可离线核验本文件的签名、通行密钥证据和审计链。\n' +
		'Scan the code or open the link to check this file, its passkey evidence and its audit ' +
		'chain, without signing in and without network access.';
	const introLines = layout.lines(intro, BODY, VALUE_WIDTH - 8).length;
	const urlLines = layout.lines(data.verifyUrl, BODY, VALUE_WIDTH - 8).length;
	const textHeight = (introLines + urlLines) * LEADING + 6;
	const qrHeight = QR_SIZE + 6;
	if (Math.max(qrHeight, textHeight) <= CERT_PAGE.height - CERT_MARGIN.top - CERT_MARGIN.bottom) {
		layout.block(Math.max(qrHeight, textHeight), (top) => {
			drawQr(layout, data.qr, CERT_MARGIN.left, top - 2);
			let y = top - LEADING + 2.5;
			for (const line of layout.lines(intro, BODY, VALUE_WIDTH - 8)) {
				layout.text(VALUE_X, y, BODY, line, INK);
				y -= LEADING;
			}
			for (const line of layout.lines(data.verifyUrl, BODY, VALUE_WIDTH - 8)) {
				layout.text(VALUE_X, y, BODY, line, ACCENT);
				y -= LEADING;
			}
		});
	} else {
		layout.block(qrHeight, (top) => drawQr(layout, data.qr, CERT_MARGIN.left, top - 2));
		layout.field('验证链接', 'Verify link', data.verifyUrl);
	}

	layout.heading('签署人', `Signers (${data.signers.length})`);
	data.signers.forEach((signer, i) => drawSigner(layout, signer, i, data.signers.length, t, size));

	layout.heading('审计事件', `Audit events (${data.events.length})`);
	const cols = [
		{ x: CERT_MARGIN.left, width: 118 },
		{ x: CERT_MARGIN.left + 124, width: 150 },
		{ x: CERT_MARGIN.left + 280, width: CONTENT_WIDTH - 280 }
	];
	const head = () =>
		layout.row(
			[
				['时间', 'Time'],
				['事件', 'Event'],
				['操作者', 'Actor']
			].map(([zh, en], c) => ({
				...cols[c]!,
				parts: [{ text: `${zh} ${en}`, size: SMALL, color: GREY }]
			}))
		);
	layout.withHeader(head, () => {
		for (const event of data.events) {
			layout.row(
				[t(event.at), event.kind, event.actor].map((text, c) => ({
					...cols[c]!,
					parts: [{ text, size: SMALL, color: INK }]
				}))
			);
		}
	});
	layout.gap(4);
	layout.field('审计链锚定头', 'Anchored audit-chain head', `#${data.chainHead.seq}`);
	layout.field('链哈希', 'Chain hash (SHA-256)', data.chainHead.hash);
	layout.field('服务器签名', 'Server HMAC', data.chainHead.hmac);
}

function drawSigner(
	layout: Layout,
	s: CertificateSigner,
	index: number,
	count: number,
	t: (iso: string) => string,
	size: (hash: string) => ImageSize
): void {
	layout.ensure(LEADING * 6);
	layout.gap(4);
	layout.paragraph(`签署人 ${index + 1} / ${count} · Signer ${index + 1} of ${count}`, SMALL, GREY);
	layout.paragraph(s.name, 11, INK);
	// A signer's evidence that continues overleaf says whose it is, so no page is ambiguous.
	const continued = () =>
		layout.paragraph(
			`签署人 ${index + 1} / ${count}（续）· Signer ${index + 1} of ${count} (continued): ${s.name}`,
			SMALL,
			GREY
		);
	layout.withHeader(continued, () => signerFields(layout, s, t, size), false);
	layout.rule();
}

function signerFields(
	layout: Layout,
	s: CertificateSigner,
	t: (iso: string) => string,
	size: (hash: string) => ImageSize
): void {
	layout.field('联系方式', 'Contact (masked)', s.contact);
	layout.field('认证级别', 'Certification level', s.level);
	layout.field('角色 / 签约方', 'Role / party', `${s.role} · ${s.party}`);
	layout.field('通行密钥', 'Passkey credential ID', s.credentialId);
	layout.field('认证器', 'Authenticator', s.authenticator ?? '未知 unknown');
	const none = '未记录 not recorded';
	layout.field('查看时间', 'Viewed', s.viewedAt ? t(s.viewedAt) : none);
	layout.field('设备确认时间', 'Confirmed on device (device clock)', t(s.confirmedAt));
	layout.field('服务器接收时间', 'Received by server', t(s.receivedAt));
	const gap = describeGap(offlineGap(s.confirmedAt, s.receivedAt));
	layout.field('离线间隔', 'Offline gap', `${gap.zh}\n${gap.en}`);
	layout.field('上传地址 / 设备', 'Upload IP / device', `${s.ip ?? none} · ${s.device ?? none}`);
	layout.field('签署券', 'Ticket ID', s.ticketId);
	layout.field(
		'决定',
		'Decision',
		s.decision.kind === 'signed' ? '已签署 Signed' : `拒签 Rejected: ${s.decision.reason}`
	);
	for (const seal of s.seals) {
		layout.image('印章', 'Seal', seal.thumbnail, { w: 48, h: 48 }, size(seal.thumbnail));
		layout.field('印章名称', 'Seal name', seal.name);
		layout.field('印章编号', 'Seal ID', seal.id);
	}
	if (s.signature) {
		layout.image('签名', 'Signature', s.signature, { w: 180, h: 56 }, size(s.signature));
	}
}

/** Draws the QR modules as filled runs, quiet zone included, in a QR_SIZE square. */
function drawQr(layout: Layout, qr: boolean[][], x: number, top: number): void {
	const n = qr.length;
	if (n === 0) return;
	const module = QR_SIZE / (n + 8); // 4 modules of quiet zone on each side
	for (let r = 0; r < n; r++) {
		const row = qr[r]!;
		let c = 0;
		while (c < n) {
			if (!row[c]) {
				c++;
				continue;
			}
			const start = c;
			while (c < n && row[c]) c++;
			layout.current.push({
				t: 'rect',
				x: x + (4 + start) * module,
				y: top - (4 + r + 1) * module,
				w: (c - start) * module,
				h: module,
				color: INK
			});
		}
	}
}
