import { crc32 } from 'node:zlib';
import { beforeAll, describe, expect, it } from 'vitest';
import sharp from 'sharp';
import { PDFDocument } from '@cantoo/pdf-lib';
import { DEFAULT_IMAGE_LIMITS, inspectImage, sniffImageType } from './images';

const image = (width: number, height: number, channels: 3 | 4 = 4) =>
	sharp({ create: { width, height, channels, background: { r: 200, g: 20, b: 30, alpha: 0.5 } } });
const bytesOf = async (s: ReturnType<typeof sharp>) => new Uint8Array(await s.toBuffer());

/** A PNG whose IHDR claims other dimensions, with a correct CRC so only the size is wrong. */
function pngClaiming(png: Uint8Array, width: number, height: number): Uint8Array {
	const out = png.slice();
	const view = new DataView(out.buffer);
	view.setUint32(16, width);
	view.setUint32(20, height);
	view.setUint32(29, crc32(out.subarray(12, 29)));
	return out;
}

/** Offset of the JPEG's first SOF segment (its FF Cx marker). */
function sofOffset(jpeg: Uint8Array): number {
	for (let i = 2; i < jpeg.length - 1; i++) {
		const m = jpeg[i + 1] ?? 0;
		if (jpeg[i] === 0xff && m >= 0xc0 && m <= 0xc2) return i;
	}
	throw new Error('no SOF');
}

/** A JPEG whose frame header claims other dimensions. */
function jpegClaiming(jpeg: Uint8Array, width: number, height: number): Uint8Array {
	const out = jpeg.slice();
	const view = new DataView(out.buffer);
	const at = sofOffset(out);
	view.setUint16(at + 5, height);
	view.setUint16(at + 7, width);
	return out;
}

let png: Uint8Array;
let jpeg: Uint8Array;

beforeAll(async () => {
	png = await bytesOf(image(300, 120).png());
	jpeg = await bytesOf(image(640, 480, 3).jpeg({ quality: 80 }));
});

describe('inspectImage', () => {
	it('reads type and size of a real PNG and JPEG, which pdf-lib then embeds', async () => {
		expect(inspectImage(png)).toEqual({ ok: true, type: 'png', width: 300, height: 120 });
		expect(inspectImage(jpeg)).toEqual({ ok: true, type: 'jpeg', width: 640, height: 480 });
		// What inspection accepts, the renderer can embed.
		const doc = await PDFDocument.create();
		await expect(doc.embedPng(png)).resolves.toBeDefined();
		await expect(doc.embedJpg(jpeg)).resolves.toBeDefined();
	});

	it('accepts the PNG and JPEG variants signature pads and phones produce', async () => {
		const variants = [
			[await bytesOf(image(50, 40, 3).png({ palette: true })), 'png'],
			[await bytesOf(image(50, 40).greyscale().png()), 'png'],
			[await bytesOf(image(50, 40).png({ compressionLevel: 0 })), 'png'],
			[await bytesOf(image(50, 40, 3).jpeg({ progressive: true })), 'jpeg'],
			[await bytesOf(image(50, 40, 3).greyscale().jpeg()), 'jpeg'],
			[await bytesOf(image(50, 40, 3).toColourspace('cmyk').jpeg()), 'jpeg']
		] as const;
		for (const [bytes, type] of variants) {
			expect(inspectImage(bytes)).toEqual({ ok: true, type, width: 50, height: 40 });
		}
	});

	it('tolerates bytes after a JPEG end-of-image marker', () => {
		const padded = new Uint8Array([...jpeg, 0, 1, 2, 3]);
		expect(inspectImage(padded)).toMatchObject({ ok: true, type: 'jpeg' });
	});

	it('refuses truncated PNGs and JPEGs as IMAGE_INVALID', () => {
		for (const cut of [
			png.slice(0, 20),
			png.slice(0, 33),
			png.slice(0, png.length - 1),
			png.slice(0, Math.floor(png.length / 2)),
			jpeg.slice(0, 3),
			jpeg.slice(0, 30),
			jpeg.slice(0, sofOffset(jpeg) + 5),
			jpeg.slice(0, Math.floor(jpeg.length / 2)),
			jpeg.slice(0, jpeg.length - 2)
		]) {
			expect(inspectImage(cut)).toMatchObject({ ok: false, code: 'IMAGE_INVALID' });
		}
	});

	it('refuses wrong magic bytes as IMAGE_INVALID, whatever the content', async () => {
		const gif = await bytesOf(image(10, 10).gif());
		const webp = await bytesOf(image(10, 10).webp());
		const pdf = new TextEncoder().encode('%PDF-1.7\n%%EOF\n');
		for (const bytes of [gif, webp, pdf, new Uint8Array(0), png.slice(1), jpeg.slice(1)]) {
			expect(inspectImage(bytes)).toMatchObject({ ok: false, code: 'IMAGE_INVALID' });
		}
	});

	it('refuses huge claimed dimensions as IMAGE_TOO_LARGE without decoding', () => {
		expect(inspectImage(pngClaiming(png, 100_000, 100_000))).toMatchObject({
			ok: false,
			code: 'IMAGE_TOO_LARGE'
		});
		expect(inspectImage(jpegClaiming(jpeg, 65_535, 65_535))).toMatchObject({
			ok: false,
			code: 'IMAGE_TOO_LARGE'
		});
		// The limit is on pixels: 40 megapixels pass, one more row does not.
		expect(inspectImage(pngClaiming(png, 8000, 5000))).toMatchObject({ ok: true });
		expect(inspectImage(pngClaiming(png, 8000, 5001))).toMatchObject({ code: 'IMAGE_TOO_LARGE' });
		expect(inspectImage(png, { maxPixels: 300 * 120 - 1 })).toMatchObject({
			code: 'IMAGE_TOO_LARGE'
		});
	});

	it('refuses zero dimensions and corrupt headers as IMAGE_INVALID', () => {
		expect(inspectImage(pngClaiming(png, 0, 120))).toMatchObject({ code: 'IMAGE_INVALID' });
		expect(inspectImage(jpegClaiming(jpeg, 640, 0))).toMatchObject({ code: 'IMAGE_INVALID' });
		// Dimensions changed without fixing the CRC: the header is corrupt.
		const badCrc = png.slice();
		badCrc[19] = 0x10;
		expect(inspectImage(badCrc)).toMatchObject({ code: 'IMAGE_INVALID' });
		// A lossless JPEG frame (SOF3): no PDF viewer can show it.
		const lossless = jpeg.slice();
		lossless[sofOffset(lossless) + 1] = 0xc3;
		expect(inspectImage(lossless)).toMatchObject({ code: 'IMAGE_INVALID' });
	});

	it('refuses a file over the byte limit as IMAGE_TOO_LARGE, before reading it', () => {
		expect(inspectImage(png, { maxBytes: png.length - 1 })).toMatchObject({
			code: 'IMAGE_TOO_LARGE'
		});
		expect(inspectImage(new Uint8Array(100), { maxBytes: 10 })).toMatchObject({
			code: 'IMAGE_TOO_LARGE'
		});
		expect(DEFAULT_IMAGE_LIMITS).toEqual({ maxBytes: 10 * 1024 * 1024, maxPixels: 40_000_000 });
	});

	it('tells images from other files by magic bytes alone', () => {
		expect(sniffImageType(png)).toBe('png');
		expect(sniffImageType(jpeg)).toBe('jpeg');
		expect(sniffImageType(new TextEncoder().encode('hello'))).toBeNull();
		expect(sniffImageType(new Uint8Array(0))).toBeNull();
	});
});
