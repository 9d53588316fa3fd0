import { PngEmbedder, type PDFDocument, type PDFRef } from '@cantoo/pdf-lib';
import { zlibSync } from 'fflate';

/** An image XObject in the document being rendered. */
export interface Embedded {
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

/**
 * Embeds the PNG whose verified SHA-256 is `hash`: render() and the certificate of completion
 * draw the same signatures and seals, and within one finalisation the second pays nothing for
 * them. The caller has checked the bytes against the hash.
 */
export async function embedPng(
	doc: PDFDocument,
	hash: string,
	bytes: Uint8Array
): Promise<Embedded> {
	return embedEncodedPng(doc, await encodePng(hash, bytes));
}
