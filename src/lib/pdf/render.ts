import {
	PDFContentStream,
	PDFDocument,
	PDFArray,
	PDFDict,
	PDFName,
	PDFRawStream,
	PDFStream,
	PDFRef,
	ParseSpeeds,
	StandardFonts,
	EncryptedPDFError,
	clip,
	concatTransformationMatrix,
	degrees,
	drawObject,
	drawText,
	endPath,
	popGraphicsState,
	pushGraphicsState,
	rectangle,
	rgb,
	type PDFFont,
	type PDFOperator,
	type PDFPage
} from '@cantoo/pdf-lib';
import fontkit from '@cantoo/fontkit';
import { mmToPt, type Rect } from '$lib/domain/envelope';
import type { Manifest, SizeMm } from '$lib/domain/manifest';
import type { ErrorCode } from '$lib/domain/errors';
import { seamPages } from '$lib/domain/rules';
import { sha256Hex } from '$lib/domain/canonical';
import { stackDepth, type EncodedContent, type StackDepth } from './content-depth';
import { inspectImage } from './images';
import { embedPng, type Embedded } from './png-image';
import {
	boxFromCorners,
	displayToUser,
	displayedSize,
	normaliseRotation,
	pdfLibPageBox,
	visibleBox,
	type PageBox
} from './page-box';
import { LazyReadError, PdfReader, type LazyPage } from './pdf-reader';
import { Dict, Name, Num, Ref, Stream, type PdfValue } from './pdf-syntax';
import { rewrite } from './rewrite';

/** A render refused for its input; `code` is a stable error code the caller can show. */
export class RenderError extends Error {
	constructor(
		readonly code: ErrorCode,
		message: string
	) {
		super(message);
		this.name = 'RenderError';
	}
}

export interface RenderOptions {
	/** A CJK-capable TrueType/OpenType font for date text; without it only Latin-1 dates render. */
	font?: Uint8Array;
}

/** Extra states saved before content stackDepth() could not read in full. */
const CONTENT_MARGIN = 16;

/** Name given to the embedded font subset: fixed, so the bytes never depend on a counter. */
const FONT_NAME = 'SealPassCJK';

/**
 * Draws the marks of accepted manifests onto the original PDF: signatures fitted into their
 * fields, seals at real size, date text, riding-seam slices. Pure and deterministic (R-PDF1):
 * no clock, no randomness, metadata untouched, so the same inputs give the same bytes in the
 * browser preview and on the server. Rejected manifests draw nothing. Each distinct image is
 * embedded once however many pages show it.
 *
 * Memory (the goal: at most 5 × the file size + 60 MB): loading a whole document with pdf-lib
 * costs more than that on long contracts, so the original is read lazily (pdf-reader.ts) and
 * written again by splicing (rewrite.ts) — only the page dictionaries are parsed (SPEC P9).
 */
export async function render(
	original: Uint8Array,
	manifests: readonly Manifest[],
	assets: ReadonlyMap<string, Uint8Array>,
	options: RenderOptions = {}
): Promise<Uint8Array<ArrayBuffer>> {
	const lazy = await lazyTarget(original);
	if (lazy) {
		try {
			return await draw(lazy, manifests, assets, options);
		} catch (error) {
			// Something in the file the lazy reader met only while writing (an object without
			// endobj, overlapping objects): the full parser may still read it.
			if (!(error instanceof LazyReadError)) throw error;
		}
	}
	return draw(await fullTarget(original), manifests, assets, options);
}

/** Draws the marks of `manifests` into `target` and serialises it. */
async function draw(
	target: Target,
	manifests: readonly Manifest[],
	assets: ReadonlyMap<string, Uint8Array>,
	options: RenderOptions
): Promise<Uint8Array<ArrayBuffer>> {
	const { doc, pages } = target;
	// pdf-lib recovers what it can from a damaged file; a document with no pages left is not one.
	if (pages.length === 0) throw new RenderError('PDF_MALFORMED', 'The PDF has no readable pages');
	const images = new Map<string, Embedded>();
	let font: PDFFont | null = null;

	const image = async (hash: string): Promise<Embedded> => {
		const cached = images.get(hash);
		if (cached) return cached;
		const bytes = assets.get(hash);
		if (!bytes) throw new RenderError('IMAGE_MISSING', `No asset for image ${hash}`);
		const info = inspectImage(bytes);
		if (!info.ok) throw new RenderError(info.code, `Image ${hash}: ${info.message}`);
		// The manifest (and so the passkey) names the image by hash: draw only those very bytes.
		if ((await sha256Hex(bytes)) !== hash) {
			throw new RenderError('IMAGE_INVALID', `Image bytes do not match their hash ${hash}`);
		}
		let embedded: Embedded;
		if (info.type === 'png') {
			embedded = await embedPng(doc, hash, bytes);
		} else {
			const jpg = await doc.embedJpg(bytes);
			embedded = { ref: jpg.ref, width: jpg.width, height: jpg.height };
		}
		images.set(hash, embedded);
		return embedded;
	};
	// Operators are collected per page and written as one small uncompressed content stream per
	// page at the end: a riding seam touches every page of a 2000-page contract, and a deflated
	// stream per page costs time and, for a few dozen bytes of operators, no space.
	const placements = new Map<number, PDFOperator[]>();
	const opsOf = (index: number): PDFOperator[] => {
		let ops = placements.get(index);
		if (!ops) placements.set(index, (ops = []));
		return ops;
	};
	const place = (index: number, img: Embedded, box: Rect, clipTo?: Rect) => {
		const ops = opsOf(index);
		const name = pages[index]!.name('XObject', 'SP', img.ref);
		ops.push(pushGraphicsState());
		if (clipTo) {
			ops.push(rectangle(r3(clipTo.x), r3(clipTo.y), r3(clipTo.width), r3(clipTo.height)));
			ops.push(clip(), endPath());
		}
		ops.push(
			concatTransformationMatrix(r3(box.width), 0, 0, r3(box.height), r3(box.x), r3(box.y)),
			drawObject(name),
			popGraphicsState()
		);
	};
	const indexOf = (n: number): number => {
		if (!Number.isInteger(n) || n < 1 || n > pages.length) {
			throw new RenderError('PAGE_OUT_OF_RANGE', `Page ${n} of ${pages.length}`);
		}
		return n - 1;
	};
	const textFont = async (text: string): Promise<PDFFont> => {
		if (!font && options.font) {
			doc.registerFontkit(fontkit);
			font = await doc.embedFont(options.font, { subset: true, customName: FONT_NAME });
		}
		font ??= await doc.embedFont(StandardFonts.Helvetica);
		if (!options.font) {
			// Without a CJK font only Latin-1 text can be drawn; say so instead of a pdf-lib error.
			try {
				font.encodeText(text);
			} catch {
				throw new RenderError('INTERNAL', 'A CJK font is needed to render this date text');
			}
		}
		return font;
	};

	for (const manifest of manifests) {
		if (manifest.decision.kind !== 'signed') continue;
		for (const fill of manifest.fills) {
			const index = indexOf(fill.page);
			// Positions are on the page as displayed (PG1); the page's stream maps them to user space.
			const box = fill.rect;
			if (fill.kind === 'signature') {
				const img = await image(fill.image);
				place(index, img, fitInside(img.width, img.height, box));
			} else if (fill.kind === 'seal') {
				place(
					index,
					await image(fill.image),
					centred(box.x + box.width / 2, box.y + box.height / 2, fill.sizeMm)
				);
			} else {
				const f = await textFont(fill.text);
				const size = Math.min(12, box.height * 0.8);
				opsOf(index).push(
					...drawText(f.encodeText(fill.text), {
						color: rgb(0, 0, 0),
						font: pages[index]!.name('Font', 'SPF', f.ref),
						size,
						rotate: degrees(0),
						xSkew: degrees(0),
						ySkew: degrees(0),
						x: r3(box.x + 2),
						y: r3(box.y + (box.height - size) / 2 + size * 0.15)
					})
				);
			}
		}
		for (const seal of manifest.seals) {
			const index = indexOf(seal.page);
			place(index, await image(seal.image), centred(seal.centre.x, seal.centre.y, seal.sizeMm));
		}
		for (const seam of manifest.ridingSeams) {
			const list = seamPages(seam.pages, pages.length);
			const img = await image(seam.image);
			const width = mmToPt(seam.sizeMm.width);
			const height = mmToPt(seam.sizeMm.height);
			const slice = width / list.length;
			list.forEach((n, i) => {
				const index = indexOf(n);
				const box = { x: 0, y: 0, ...displayedSize(pages[index]!.box) };
				const y = box.y + seam.position * box.height - height / 2;
				// Right edge: page i shows the i-th slice from the left, flush with the edge.
				// Left edge: page i shows the i-th slice from the right. Either way the pages'
				// slices together make the whole seal, and the image object is shared.
				const clipX = seam.edge === 'right' ? box.x + box.width - slice : box.x;
				const imageX =
					seam.edge === 'right' ? clipX - i * slice : box.x - (list.length - 1 - i) * slice;
				place(index, img, { x: imageX, y, width, height }, { x: clipX, y, width: slice, height });
			});
		}
	}
	// Pages in document order, so the object numbers of the new streams never depend on the
	// order in which manifests happened to touch pages.
	const streams = new Map<number, Marks>();
	for (let index = 0; index < pages.length; index++) {
		const ops = placements.get(index);
		if (!ops) continue;
		const page = pages[index]!;
		// P10: the original is preceded by `saves` × q, one more than the most states its content
		// ever restores beyond what it saved, so none of its Q can reach below our first q. Our
		// stream then restores every state still open — the original's leftovers and our q's —
		// which lands exactly on the page's initial state, whatever the original did to it.
		// A page with more content than stackDepth() reads (a pathological file) gets extra saves.
		// Restores stay exact for what was read: poppler stops drawing a page's content at a Q
		// with nothing saved, so restoring too many would hide the marks themselves.
		const { min, end, complete } = page.depth();
		const saves = 1 - min + (complete ? 0 : CONTENT_MARGIN);
		const open = saves + end;
		const restores = Array.from({ length: open }, () => popGraphicsState());
		const [a, b, c, d, e, f] = displayToUser(page.box);
		const identity = a === 1 && b === 0 && c === 0 && d === 1 && e === 0 && f === 0;
		const turn = identity ? [] : [concatTransformationMatrix(a, b, c, d, r3(e), r3(f))];
		const content = PDFContentStream.of(doc.context.obj({}), [...restores, ...turn, ...ops], false);
		streams.set(index, { ref: doc.context.register(content), saves });
	}
	const bytes = await target.finish(streams);
	if (bytes.buffer instanceof ArrayBuffer) return bytes as Uint8Array<ArrayBuffer>;
	const out = new Uint8Array(bytes.byteLength);
	out.set(bytes);
	return out;
}

/**
 * What render() draws into: the pages of the original and the document new objects are made
 * in. Two kinds: an incremental update (the original bytes kept, only the changed page
 * dictionaries and the new objects appended) and pdf-lib's full load and rewrite, the fallback
 * for files the lazy reader does not understand.
 */
interface Target {
	doc: PDFDocument;
	pages: readonly TargetPage[];
	/** Serialises the result, giving each page in `streams` its marks on top. */
	finish(streams: ReadonlyMap<number, Marks>): Promise<Uint8Array>;
}

/** A page's marks: their content stream, and how many states to save before the original. */
interface Marks {
	ref: PDFRef;
	saves: number;
}

interface TargetPage {
	/** The visible box and turn: positions are on the page as displayed (PG1). */
	box: PageBox;
	/** How the original content moves the graphics-state stack (read only for marked pages). */
	depth(): StackDepth;
	/**
	 * Registers `ref` under a short name in the page's own `kind` resources (an inherited
	 * resource dictionary is copied first, so other pages do not change) and returns the name.
	 * Names are the first free `prefix`0, `prefix`1, …: short and deterministic.
	 */
	name(kind: 'XObject' | 'Font', prefix: string, ref: PDFRef): PDFName;
}

/** The first free `prefix`N in `dict`, or the name `ref` already has there. */
function freeName(dict: PDFDict, prefix: string, ref: PDFRef): PDFName {
	for (const [key, value] of dict.entries()) if (value === ref) return key;
	let i = 0;
	while (dict.has(PDFName.of(`${prefix}${i}`))) i++;
	const name = PDFName.of(`${prefix}${i}`);
	dict.set(name, ref);
	return name;
}

function rectOf(
	value: PdfValue | undefined,
	resolve: (v: PdfValue | undefined) => PdfValue | undefined
): Rect | undefined {
	const array = resolve(value);
	if (!Array.isArray(array) || array.length !== 4) return undefined;
	const [x1, y1, x2, y2] = array.map((v) => {
		const n = resolve(v);
		if (!(n instanceof Num)) throw new LazyReadError('A page box holds a non-number');
		return n.value;
	}) as [number, number, number, number];
	return boxFromCorners(x1, y1, x2, y2);
}

/**
 * The lazy target, or null when the lazy reader cannot read this file's structure (the choice
 * depends on the bytes alone, so it is the same in every run and every runtime). Only the
 * cross-reference sections, the page tree and the page dictionaries are parsed, by our own
 * small parser; the output is written by rewrite() from the original bytes. Peak memory stays
 * near twice the file size.
 */
async function lazyTarget(original: Uint8Array): Promise<Target | null> {
	let reader: PdfReader;
	let leaves: LazyPage[];
	let boxes: PageBox[];
	try {
		reader = new PdfReader(original);
		if (reader.trailer.has('Encrypt')) {
			throw new RenderError('PDF_ENCRYPTED', 'The PDF is encrypted');
		}
		leaves = reader.pages();
		const resolve = (v: PdfValue | undefined) => reader.resolve(v);
		boxes = leaves.map(({ dict, inherited }) => {
			const key = (k: string) => dict.get(k) ?? inherited.get(k);
			const media = rectOf(key('MediaBox'), resolve);
			if (!media) throw new LazyReadError('A page has no MediaBox');
			const rotate = resolve(key('Rotate'));
			return {
				visible: visibleBox(media, rectOf(key('CropBox'), resolve)),
				rotate: normaliseRotation(rotate instanceof Num ? rotate.value : undefined)
			};
		});
	} catch (error) {
		// Encrypted files are refused as by the full parser; anything else the lazy reader
		// cannot read (a damaged xref, an unusual filter) goes to pdf-lib, which can repair.
		if (error instanceof RenderError) throw error;
		return null;
	}
	if (leaves.length === 0) return null;
	// The scratch document holds the new objects (images, fonts, content streams), numbered
	// after the original's; its own catalog and page tree must not reach the output.
	const doc = await PDFDocument.create({ updateMetadata: false });
	const { context } = doc;
	for (const [ref] of context.enumerateIndirectObjects()) context.delete(ref);
	context.largestObjectNumber = reader.size - 1;

	// Resources each marked page will carry: a direct copy of its own or inherited dictionary.
	const resources = new Map<number, Dict>();
	// Sub-dictionaries already copied into a page's resources (so edited in place, not re-read).
	const own = new WeakSet<Dict>();
	const contentsOf = (leaf: LazyPage): PdfValue[] => {
		const current = leaf.dict.get('Contents');
		const list = current instanceof Ref ? reader.arrayAt(current) : current;
		return Array.isArray(list) ? list : current ? [current] : [];
	};
	const pages: TargetPage[] = leaves.map((leaf, index) => ({
		box: boxes[index]!,
		depth() {
			const streams: EncodedContent[] = [];
			for (const v of contentsOf(leaf)) {
				const stream = v instanceof Ref ? reader.object(v) : undefined;
				if (!(stream instanceof Stream)) continue;
				const filter = reader.resolve(stream.dict.get('Filter'));
				const list = Array.isArray(filter) ? filter.map((f) => reader.resolve(f)) : [filter];
				const filters = list.flatMap((f) => (f instanceof Name ? [f.text] : []));
				streams.push({ filters, data: stream.data });
			}
			return stackDepth(streams);
		},
		name(kind, prefix, ref) {
			let res = resources.get(index);
			if (!res) {
				const current = leaf.dict.get('Resources') ?? leaf.inherited.get('Resources');
				res = new Dict(reader.dict(current)?.map);
				resources.set(index, res);
			}
			let sub = res.get(kind);
			if (!(sub instanceof Dict && own.has(sub))) {
				sub = new Dict(reader.dict(sub)?.map);
				own.add(sub);
				res.set(kind, sub);
			}
			for (const [key, value] of sub.map) {
				if (value instanceof Ref && value.n === ref.objectNumber) return PDFName.of(key);
			}
			let i = 0;
			while (sub.has(`${prefix}${i}`)) i++;
			sub.set(`${prefix}${i}`, new Ref(ref.objectNumber, ref.generationNumber));
			return PDFName.of(`${prefix}${i}`);
		}
	}));

	return {
		doc,
		pages,
		async finish(streams) {
			if (streams.size === 0) {
				const out = new Uint8Array(original.byteLength);
				out.set(original);
				return out;
			}
			const ref = (r: PDFRef) => new Ref(r.objectNumber, r.generationNumber);
			const replaced = new Map<number, { g: number; dict: Dict }>();
			for (const [index, marks] of streams) {
				const leaf = leaves[index]!;
				const dict = new Dict(leaf.dict.map);
				const res = resources.get(index);
				if (res) dict.set('Resources', res);
				// The original between our saves and the marks' restores (P10), so a graphics
				// state it leaves behind (a transform, a clip, extra Q) cannot move or hide them.
				const saves = ref(savesStream(context, marks.saves));
				dict.set('Contents', [saves, ...contentsOf(leaf), ref(marks.ref)]);
				replaced.set(leaf.ref.n, { g: reader.generation(leaf.ref.n), dict });
			}
			await doc.flush();
			return rewrite(original, reader, context, replaced);
		}
	};
}

/** pdf-lib's full load and rewrite: for files the lazy reader does not handle. */
async function fullTarget(original: Uint8Array): Promise<Target> {
	let doc: PDFDocument;
	try {
		doc = await PDFDocument.load(original, {
			updateMetadata: false,
			parseSpeed: ParseSpeeds.Fastest
		});
	} catch (error) {
		if (error instanceof EncryptedPDFError) throw new RenderError('PDF_ENCRYPTED', error.message);
		throw new RenderError('PDF_MALFORMED', error instanceof Error ? error.message : String(error));
	}
	const { context } = doc;
	const leaves = doc.getPages();
	const pages: TargetPage[] = leaves.map((page) => ({
		box: pdfLibPageBox(page),
		depth: () => stackDepth(contentData(doc, page)),
		name(kind, prefix, ref) {
			const node = page.node;
			let res = node.Resources();
			if (!res) {
				const inherited = context.lookupMaybe(
					node.getInheritableAttribute(PDFName.of('Resources')),
					PDFDict
				);
				res = inherited ? inherited.clone(context) : context.obj({});
				node.set(PDFName.of('Resources'), res);
			}
			let sub = res.lookupMaybe(PDFName.of(kind), PDFDict);
			if (!sub) {
				sub = context.obj({});
				res.set(PDFName.of(kind), sub);
			}
			return freeName(sub, prefix, ref);
		}
	}));
	return {
		doc,
		pages,
		async finish(streams) {
			for (const [index, marks] of streams) appendContents(doc, leaves[index]!, marks);
			// objectsPerTick: pdf-lib otherwise yields to the event loop every 50 objects while
			// saving, which costs more than the writing itself on long documents. Render runs in a
			// worker or on the server, where there is no UI to keep responsive.
			return doc.save({ updateFieldAppearances: false, objectsPerTick: Infinity });
		}
	};
}

/** Rounds to 1/1000 pt: far below print precision, and it keeps each page's operators short. */
function r3(n: number): number {
	return Math.round(n * 1000) / 1000;
}

/** The page's existing content streams, as references or direct objects. */
function pageContents(doc: PDFDocument, page: PDFPage) {
	const current = page.node.get(PDFName.of('Contents'));
	const resolved = current ? doc.context.lookup(current) : undefined;
	return resolved instanceof PDFArray ? resolved.asArray() : current ? [current] : [];
}

/** A page's content streams as stored (filters and encoded bytes), for stackDepth(). */
function contentData(doc: PDFDocument, page: PDFPage): EncodedContent[] {
	const out: EncodedContent[] = [];
	for (const item of pageContents(doc, page)) {
		const stream = doc.context.lookup(item);
		if (!(stream instanceof PDFStream)) continue;
		if (stream instanceof PDFContentStream) {
			out.push({ filters: [], data: stream.getUnencodedContents() });
			continue;
		}
		if (!(stream instanceof PDFRawStream)) continue;
		const filter = stream.dict.lookup(PDFName.of('Filter'));
		const list =
			filter instanceof PDFArray ? filter.asArray().map((f) => doc.context.lookup(f)) : [filter];
		const filters = list.flatMap((f) => (f instanceof PDFName ? [f.decodeText()] : []));
		out.push({ filters, data: stream.contents });
	}
	return out;
}

/**
 * Appends our marks to the page after the existing streams, which come after `saves` × q (P10).
 * Done by hand rather than by pdf-lib's normalize(), which also adds empty Annots, Font and
 * ExtGState entries to every page it touches: bytes that a riding seam would add to each of
 * thousands of pages.
 */
function appendContents(doc: PDFDocument, page: PDFPage, marks: Marks): void {
	const { context } = doc;
	page.node.set(
		PDFName.of('Contents'),
		context.obj([savesStream(context, marks.saves), ...pageContents(doc, page), marks.ref])
	);
}

/**
 * A content stream of `count` × q, one per count and document: a single q is pdf-lib's shared
 * one, so ordinary pages all point at one object as before.
 */
function savesStream(context: PDFDocument['context'], count: number): PDFRef {
	if (count === 1) return context.getPushGraphicsStateContentStream();
	let byCount = savesStreams.get(context);
	if (!byCount) savesStreams.set(context, (byCount = new Map()));
	let ref = byCount.get(count);
	if (!ref) {
		const ops = Array.from({ length: count }, () => pushGraphicsState());
		ref = context.register(PDFContentStream.of(context.obj({}), ops, false));
		byCount.set(count, ref);
	}
	return ref;
}
const savesStreams = new WeakMap<PDFDocument['context'], Map<number, PDFRef>>();

/** The largest box with the image's aspect ratio inside `box`, centred in it. */
export function fitInside(imgWidth: number, imgHeight: number, box: Rect): Rect {
	const scale = Math.min(box.width / imgWidth, box.height / imgHeight);
	const width = imgWidth * scale;
	const height = imgHeight * scale;
	return {
		x: box.x + (box.width - width) / 2,
		y: box.y + (box.height - height) / 2,
		width,
		height
	};
}

function centred(cx: number, cy: number, size: SizeMm): Rect {
	const width = mmToPt(size.width);
	const height = mmToPt(size.height);
	return { x: cx - width / 2, y: cy - height / 2, width, height };
}
