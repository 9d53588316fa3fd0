/**
 * Checks an untrusted signature or seal image by its bytes, never by its name or MIME type
 * (untrusted input, so no decoding): the type by magic bytes, the dimensions from the header, and
 * enough structure to know the file is complete. No pixel is decoded, so a decompression bomb costs
 * nothing here and is refused by its claimed size. Pure: runs in the browser and in Node.
 */
import type { ErrorCode } from '../domain/errors';

export interface ImageLimits {
	/** Largest accepted file, in bytes. */
	maxBytes?: number;
	/** Most pixels (width × height) accepted: bounds the memory a decoder would need. */
	maxPixels?: number;
}

/** 10 MB and 40 megapixels: a phone photo of a seal fits; a decoder stays under ~160 MB RGBA. */
export const DEFAULT_IMAGE_LIMITS: Readonly<Required<ImageLimits>> = Object.freeze({
	maxBytes: 10 * 1024 * 1024,
	maxPixels: 40_000_000
});

export type ImageType = 'png' | 'jpeg';

export type ImageInspection =
	| { ok: true; type: ImageType; width: number; height: number }
	| { ok: false; code: Extract<ErrorCode, 'IMAGE_INVALID' | 'IMAGE_TOO_LARGE'>; message: string };

const PNG_SIGNATURE = [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a];

/**
 * Why: callers that hold a directory or an upload of mixed files need to tell "not an image at
 * all" (skip it) from "an image that is broken" (refuse it), which one code cannot say.
 */
export function sniffImageType(bytes: Uint8Array): ImageType | null {
	if (PNG_SIGNATURE.every((b, i) => bytes[i] === b)) return 'png';
	if (bytes[0] === 0xff && bytes[1] === 0xd8 && bytes[2] === 0xff) return 'jpeg';
	return null;
}

/**
 * Why: an image goes into the signed PDF and into the evidence, so it must be a PNG or JPEG that
 * pdf-lib can embed and every viewer can show; a truncated, mislabelled or absurdly large file is
 * refused up front with a stable code instead of failing the render after the signer confirmed.
 */
export function inspectImage(bytes: Uint8Array, limits: ImageLimits = {}): ImageInspection {
	const maxBytes = limits.maxBytes ?? DEFAULT_IMAGE_LIMITS.maxBytes;
	const maxPixels = limits.maxPixels ?? DEFAULT_IMAGE_LIMITS.maxPixels;
	if (bytes.byteLength > maxBytes) {
		return tooLarge(`The image has ${bytes.byteLength} bytes; at most ${maxBytes} are accepted.`);
	}
	const type = sniffImageType(bytes);
	if (type === null) return invalid('Not a PNG or JPEG file (unknown magic bytes).');
	const header = type === 'png' ? readPng(bytes) : readJpeg(bytes);
	if ('error' in header) return invalid(header.error);
	const { width, height } = header;
	if (width === 0 || height === 0)
		return invalid(`The image has a zero dimension (${width}×${height}).`);
	// Checked before the structure walk: the claimed size alone decides, whatever follows it.
	if (width * height > maxPixels) {
		return tooLarge(`The image has ${width}×${height} pixels; at most ${maxPixels} are accepted.`);
	}
	const incomplete = type === 'png' ? pngIncomplete(bytes) : jpegIncomplete(bytes, header.scanAt);
	if (incomplete) return invalid(incomplete);
	return { ok: true, type, width, height };
}

type Header = { width: number; height: number; scanAt: number } | { error: string };

// PNG: signature, then IHDR must be the first chunk: length 13, "IHDR", width, height, bit depth,
// colour type, compression, filter, interlace, CRC (PNG spec §11.2.2).
function readPng(bytes: Uint8Array): Header {
	if (bytes.byteLength < 33) return { error: 'The PNG header is truncated.' };
	if (u32(bytes, 8) !== 13 || text(bytes, 12, 4) !== 'IHDR') {
		return { error: 'The PNG does not start with an IHDR chunk.' };
	}
	if (crc32(bytes, 12, 29) !== u32(bytes, 29)) return { error: 'The PNG header is corrupt (CRC).' };
	const width = u32(bytes, 16);
	const height = u32(bytes, 20);
	const depth = bytes[24] ?? 0;
	const colour = bytes[25] ?? 0;
	// Dimensions are limited to 2^31 - 1 by the spec; a larger value is a corrupt header.
	if (width > 0x7fffffff || height > 0x7fffffff)
		return { error: 'The PNG dimensions are invalid.' };
	const depths = PNG_DEPTHS[colour];
	if (!depths?.includes(depth) || bytes[26] !== 0 || bytes[27] !== 0 || (bytes[28] ?? 2) > 1) {
		return { error: `Unsupported PNG format (colour type ${colour}, bit depth ${depth}).` };
	}
	return { width, height, scanAt: 33 };
}

/** Allowed bit depths per colour type (PNG spec table 11.1). */
const PNG_DEPTHS: Record<number, number[]> = {
	0: [1, 2, 4, 8, 16],
	2: [8, 16],
	3: [1, 2, 4, 8],
	4: [8, 16],
	6: [8, 16]
};

/** Walks the chunk list: a cut-off file has a chunk running past the end or no IEND. */
function pngIncomplete(bytes: Uint8Array): string | null {
	let at = 8;
	let sawData = false;
	while (at + 12 <= bytes.byteLength) {
		const length = u32(bytes, at);
		const type = text(bytes, at + 4, 4);
		if (at + 12 + length > bytes.byteLength)
			return `The PNG is truncated inside its ${type} chunk.`;
		if (type === 'IDAT') sawData = true;
		if (type === 'IEND') return sawData ? null : 'The PNG has no image data.';
		at += 12 + length;
	}
	return 'The PNG is truncated (no IEND chunk).';
}

// JPEG: SOI, then marker segments up to a start-of-frame that holds precision, height, width and
// the component count (ITU T.81 §B.2.2).
function readJpeg(bytes: Uint8Array): Header {
	let at = 2;
	let frame: { width: number; height: number } | null = null;
	for (;;) {
		// Markers may be preceded by any number of 0xFF fill bytes (T.81 §B.1.1.2).
		if (bytes[at] !== 0xff) {
			return {
				error: at >= bytes.byteLength ? 'The JPEG header is truncated.' : 'Corrupt JPEG marker.'
			};
		}
		while (bytes[at] === 0xff) at++;
		const marker = bytes[at];
		if (marker === undefined) return { error: 'The JPEG header is truncated.' };
		at++;
		// Stand-alone markers carry no length.
		if (marker === 0x01 || (marker >= 0xd0 && marker <= 0xd7)) continue;
		if (marker === 0xd8 || marker === 0xd9)
			return { error: 'The JPEG ends before its image data.' };
		if (at + 2 > bytes.byteLength) return { error: 'The JPEG header is truncated.' };
		const length = u16(bytes, at);
		if (length < 2) return { error: 'Corrupt JPEG segment length.' };
		if (at + length > bytes.byteLength) return { error: 'The JPEG header is truncated.' };
		if (isStartOfFrame(marker)) {
			// Only Huffman baseline, extended and progressive 8-bit frames are embeddable in a PDF
			// (DCTDecode) and shown by every viewer; lossless and arithmetic coding are not.
			if (marker > 0xc2) return { error: 'Unsupported JPEG coding (lossless or arithmetic).' };
			if (length < 8) return { error: 'The JPEG frame header is truncated.' };
			const components = bytes[at + 7] ?? 0;
			if (bytes[at + 2] !== 8) return { error: 'Unsupported JPEG precision (only 8-bit).' };
			if (![1, 3, 4].includes(components)) {
				return { error: `Unsupported JPEG with ${components} colour components.` };
			}
			frame = { height: u16(bytes, at + 3), width: u16(bytes, at + 5) };
		}
		if (marker === 0xda) {
			if (!frame) return { error: 'The JPEG has image data before its frame header.' };
			return { ...frame, scanAt: at + length };
		}
		at += length;
	}
}

function isStartOfFrame(marker: number): boolean {
	// C4 (DHT), C8 (reserved) and CC (DAC) sit in the SOF range but are not frames.
	return marker >= 0xc0 && marker <= 0xcf && marker !== 0xc4 && marker !== 0xc8 && marker !== 0xcc;
}

/**
 * A complete JPEG has an EOI marker after its scan data. Entropy-coded data escapes 0xFF as
 * FF 00, so FF D9 after the scan start is the end; trailing bytes after EOI (some cameras add
 * them) are tolerated.
 */
function jpegIncomplete(bytes: Uint8Array, scanAt: number): string | null {
	for (let i = bytes.byteLength - 2; i >= scanAt; i--) {
		if (bytes[i] === 0xff && bytes[i + 1] === 0xd9) return null;
	}
	return 'The JPEG is truncated (no end-of-image marker).';
}

function invalid(message: string): ImageInspection {
	return { ok: false, code: 'IMAGE_INVALID', message };
}

function tooLarge(message: string): ImageInspection {
	return { ok: false, code: 'IMAGE_TOO_LARGE', message };
}

function u16(bytes: Uint8Array, at: number): number {
	return ((bytes[at] ?? 0) << 8) | (bytes[at + 1] ?? 0);
}

function u32(bytes: Uint8Array, at: number): number {
	return (
		(((bytes[at] ?? 0) << 24) >>> 0) +
		((bytes[at + 1] ?? 0) << 16) +
		((bytes[at + 2] ?? 0) << 8) +
		(bytes[at + 3] ?? 0)
	);
}

function text(bytes: Uint8Array, at: number, length: number): string {
	return String.fromCharCode(...bytes.subarray(at, at + length));
}

let crcTable: Uint32Array | undefined;

/** CRC-32 (ISO 3309, as PNG uses it) of `bytes[from, to)`. */
function crc32(bytes: Uint8Array, from: number, to: number): number {
	if (!crcTable) {
		crcTable = new Uint32Array(256);
		for (let n = 0; n < 256; n++) {
			let c = n;
			for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
			crcTable[n] = c >>> 0;
		}
	}
	let crc = 0xffffffff;
	for (let i = from; i < to; i++) {
		crc = (crcTable[(crc ^ (bytes[i] ?? 0)) & 0xff] ?? 0) ^ (crc >>> 8);
	}
	return (crc ^ 0xffffffff) >>> 0;
}
