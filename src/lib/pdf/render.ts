import {
	PDFContentStream,
	PDFDocument,
	PDFArray,
	PDFDict,
	PDFName,
	ParseSpeeds,
	PngEmbedder,
	type PDFRef,
	StandardFonts,
	EncryptedPDFError,
	clip,
	concatTransformationMatrix,
	drawObject,
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
import { zlibSync } from 'fflate';
import { mmToPt, type Rect } from '$lib/domain/envelope';
import type { Manifest, SizeMm } from '$lib/domain/manifest';
import type { ErrorCode } from '$lib/domain/errors';
import { seamPages } from '$lib/domain/rules';
import { sha256Hex } from '$lib/domain/canonical';
import { inspectImage } from './images';

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

/** Name given to the embedded font subset: fixed, so the bytes never depend on a counter. */
const FONT_NAME = 'SealPassCJK';

/**
 * Draws the marks of accepted manifests onto the original PDF: signatures fitted into their
 * fields, seals at real size, date text, riding-seam slices. Pure and deterministic (R-PDF1):
 * no clock, no randomness, metadata untouched, so the same inputs give the same bytes in the
 * browser preview and on the server. Rejected manifests draw nothing. Each distinct image is
 * embedded once however many pages show it.
 */
export async function render(
	original: Uint8Array,
	manifests: readonly Manifest[],
	assets: ReadonlyMap<string, Uint8Array>,
	options: RenderOptions = {}
): Promise<Uint8Array<ArrayBuffer>> {
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
	const pages = doc.getPages();
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
			embedded = embedEncodedPng(doc, await encodePng(hash, bytes));
		} else {
			const jpg = await doc.embedJpg(bytes);
			embedded = { ref: jpg.ref, width: jpg.width, height: jpg.height };
		}
		images.set(hash, embedded);
		return embedded;
	};
	// Image placements are collected per page and written as one small uncompressed content
	// stream per page at the end: a riding seam touches every page of a 2000-page contract, and
	// a deflated stream per page costs time and, for a few dozen bytes of operators, no space.
	const placements = new Map<PDFPage, PDFOperator[]>();
	const textPages = new Set<PDFPage>();
	const place = (page: PDFPage, img: Embedded, box: Rect, clipTo?: Rect) => {
		let ops = placements.get(page);
		if (!ops) placements.set(page, (ops = []));
		const name = xObjectName(doc, page, img.ref);
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
	const pageAt = (n: number): PDFPage => {
		const page = pages[n - 1];
		if (!page) throw new RenderError('PAGE_OUT_OF_RANGE', `Page ${n} of ${pages.length}`);
		return page;
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
			const page = pageAt(fill.page);
			const box = offset(page, fill.rect);
			if (fill.kind === 'signature') {
				const img = await image(fill.image);
				place(page, img, fitInside(img.width, img.height, box));
			} else if (fill.kind === 'seal') {
				place(
					page,
					await image(fill.image),
					centred(box.x + box.width / 2, box.y + box.height / 2, fill.sizeMm)
				);
			} else {
				const f = await textFont(fill.text);
				textPages.add(page);
				const size = Math.min(12, box.height * 0.8);
				page.drawText(fill.text, {
					x: box.x + 2,
					y: box.y + (box.height - size) / 2 + size * 0.15,
					size,
					font: f,
					color: rgb(0, 0, 0)
				});
			}
		}
		for (const seal of manifest.seals) {
			const page = pageAt(seal.page);
			const origin = offset(page, { x: seal.centre.x, y: seal.centre.y, width: 0, height: 0 });
			place(page, await image(seal.image), centred(origin.x, origin.y, seal.sizeMm));
		}
		for (const seam of manifest.ridingSeams) {
			const list = seamPages(seam.pages, pages.length);
			const img = await image(seam.image);
			const width = mmToPt(seam.sizeMm.width);
			const height = mmToPt(seam.sizeMm.height);
			const slice = width / list.length;
			list.forEach((n, i) => {
				const page = pageAt(n);
				const box = offset(page, { x: 0, y: 0, ...page.getSize() });
				const y = box.y + seam.position * box.height - height / 2;
				// Right edge: page i shows the i-th slice from the left, flush with the edge.
				// Left edge: page i shows the i-th slice from the right. Either way the pages'
				// slices together make the whole seal, and the image object is shared.
				const clipX = seam.edge === 'right' ? box.x + box.width - slice : box.x;
				const imageX =
					seam.edge === 'right' ? clipX - i * slice : box.x - (list.length - 1 - i) * slice;
				place(page, img, { x: imageX, y, width, height }, { x: clipX, y, width: slice, height });
			});
		}
	}
	// Pages in document order, so the object numbers of the new streams never depend on the
	// order in which manifests happened to touch pages.
	for (const page of pages) {
		const ops = placements.get(page);
		if (!ops) continue;
		// Wrap the original content in q … Q so a graphics state it leaves behind (a transform, a
		// clip) cannot move or hide our marks; pages pdf-lib drew text on are wrapped already.
		const stream = doc.context.register(PDFContentStream.of(doc.context.obj({}), ops, false));
		appendContents(doc, page, stream, !textPages.has(page));
	}
	// objectsPerTick: pdf-lib otherwise yields to the event loop every 50 objects while saving,
	// which costs more than the writing itself on long documents. Render runs in a worker or on
	// the server, where there is no UI to keep responsive.
	const bytes = await doc.save({ updateFieldAppearances: false, objectsPerTick: Infinity });
	const out = new Uint8Array(bytes.byteLength);
	out.set(bytes);
	return out;
}

/** An image XObject in the document being rendered. */
interface Embedded {
	ref: PDFRef;
	width: number;
	height: number;
}

/** A PNG decoded, split into colour and alpha, and deflated: the costly part of embedding. */
interface EncodedPng {
	width: number;
	height: number;
	bitsPerComponent: number;
	rgb: Uint8Array;
	alpha?: Uint8Array;
}

/*
 * Seals and signatures are drawn again and again (every preview, every finalisation), and
 * decoding + re-deflating a print-resolution PNG costs more than stamping a 200-page contract.
 * The encoded form depends only on the bytes (keyed by their verified SHA-256), so caching it
 * keeps render() a pure function. Bounded, oldest dropped first.
 */
const PNG_CACHE_LIMIT = 64;
const pngCache = new Map<string, EncodedPng>();

async function encodePng(hash: string, bytes: Uint8Array): Promise<EncodedPng> {
	const hit = pngCache.get(hash);
	if (hit) return hit;
	// pdf-lib's decoded PNG (colour and alpha split) is typed private but is the documented
	// input of its own embedder; reusing it avoids a second PNG decoder in the bundle.
	const { image } = (await PngEmbedder.for(bytes)) as unknown as {
		image: Omit<EncodedPng, 'rgb' | 'alpha'> & {
			rgbChannel: Uint8Array;
			alphaChannel?: Uint8Array;
		};
	};
	const encoded: EncodedPng = {
		width: image.width,
		height: image.height,
		bitsPerComponent: image.bitsPerComponent,
		rgb: zlibSync(image.rgbChannel),
		alpha: image.alphaChannel ? zlibSync(image.alphaChannel) : undefined
	};
	if (pngCache.size >= PNG_CACHE_LIMIT) pngCache.delete(pngCache.keys().next().value!);
	pngCache.set(hash, encoded);
	return encoded;
}

/** Writes an encoded PNG as an image XObject (with its soft mask for transparency). */
function embedEncodedPng(doc: PDFDocument, png: EncodedPng): Embedded {
	const { context } = doc;
	const common = {
		Type: 'XObject',
		Subtype: 'Image',
		Width: png.width,
		Height: png.height,
		BitsPerComponent: png.bitsPerComponent,
		Filter: 'FlateDecode'
	};
	const SMask = png.alpha
		? context.register(
				context.stream(png.alpha, { ...common, ColorSpace: 'DeviceGray', Decode: [0, 1] })
			)
		: undefined;
	const ref = context.register(
		context.stream(png.rgb, { ...common, ColorSpace: 'DeviceRGB', SMask })
	);
	return { ref, width: png.width, height: png.height };
}

/** Rounds to 1/1000 pt: far below print precision, and it keeps each page's operators short. */
function r3(n: number): number {
	return Math.round(n * 1000) / 1000;
}

/**
 * Registers an image under a short name in the page's own XObject resources (an inherited
 * resource dictionary is copied first, so other pages do not change) and returns the name.
 * Names are the first free SP0, SP1, …: short and deterministic.
 */
function xObjectName(doc: PDFDocument, page: PDFPage, ref: PDFRef): PDFName {
	const { context } = doc;
	const node = page.node;
	let resources = node.Resources();
	if (!resources) {
		const inherited = context.lookupMaybe(
			node.getInheritableAttribute(PDFName.of('Resources')),
			PDFDict
		);
		resources = inherited ? inherited.clone(context) : context.obj({});
		node.set(PDFName.of('Resources'), resources);
	}
	let xObjects = resources.lookupMaybe(PDFName.of('XObject'), PDFDict);
	if (!xObjects) {
		xObjects = context.obj({});
		resources.set(PDFName.of('XObject'), xObjects);
	}
	for (const [key, value] of xObjects.entries()) if (value === ref) return key;
	let i = 0;
	while (xObjects.has(PDFName.of(`SP${i}`))) i++;
	const name = PDFName.of(`SP${i}`);
	xObjects.set(name, ref);
	return name;
}

/**
 * Appends our content stream to the page, first putting the existing streams between shared
 * `q` and `Q` streams when `wrap` is set. Done by hand rather than by pdf-lib's normalize(),
 * which also adds empty Annots, Font and ExtGState entries to every page it touches: bytes that
 * a riding seam would add to each of thousands of pages.
 */
function appendContents(doc: PDFDocument, page: PDFPage, stream: PDFRef, wrap: boolean): void {
	const { context } = doc;
	const key = PDFName.of('Contents');
	const current = page.node.get(key);
	const resolved = current ? context.lookup(current) : undefined;
	const streams = resolved instanceof PDFArray ? resolved.asArray() : current ? [current] : [];
	const wrapped = wrap
		? [
				context.getPushGraphicsStateContentStream(),
				...streams,
				context.getPopGraphicsStateContentStream()
			]
		: streams;
	page.node.set(key, context.obj([...wrapped, stream]));
}

/** Shifts a rectangle from page coordinates into the page's visible box (CropBox origin). */
function offset(page: PDFPage, rect: Rect): Rect {
	const crop = page.getCropBox();
	return { ...rect, x: rect.x + crop.x, y: rect.y + crop.y };
}

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
