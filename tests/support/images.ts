import sharp from 'sharp';
import { createHash } from 'node:crypto';

/*
 * Image fixtures made by code, so no binary is committed and every run uses identical bytes.
 */

export function sha256Hex(bytes: Uint8Array): string {
	return createHash('sha256').update(bytes).digest('hex');
}

/** A handwritten-looking black signature on a transparent background, 600 × 200 px. */
export async function signaturePng(): Promise<Uint8Array> {
	const svg = `<svg xmlns="http://www.w3.org/2000/svg" width="600" height="200">
		<path d="M20 150 C 80 20, 120 20, 150 120 S 220 190, 260 80 S 330 20, 360 140 S 450 170, 580 60"
			fill="none" stroke="#111" stroke-width="10" stroke-linecap="round"/></svg>`;
	return new Uint8Array(await sharp(Buffer.from(svg)).png().toBuffer());
}

/** A solid red disc seal on transparent, `px` square: every opaque pixel is seal red. */
export async function discSealPng(px = 400): Promise<Uint8Array> {
	const r = px / 2;
	const svg = `<svg xmlns="http://www.w3.org/2000/svg" width="${px}" height="${px}">
		<circle cx="${r}" cy="${r}" r="${r - 2}" fill="#d4000f"/></svg>`;
	return new Uint8Array(await sharp(Buffer.from(svg)).png().toBuffer());
}

/** A JPEG photo-like image (opaque), for checking JPEG embedding. */
export async function photoJpeg(): Promise<Uint8Array> {
	return new Uint8Array(
		await sharp({ create: { width: 320, height: 240, channels: 3, background: '#3366aa' } })
			.jpeg({ quality: 80 })
			.toBuffer()
	);
}

/**
 * The default generated official seal (round, 42 mm, 合同专用章) rasterised at 300 dpi, as the
 * seal editor will save it. Rasterising SVG text needs a CJK font (fonts-noto-cjk).
 */
export async function officialSealPng(orgName = '示例科技有限公司'): Promise<Uint8Array> {
	const { sealSvg, normaliseSealSpec } = await import('../../src/lib/domain/seal-svg');
	const svg = sealSvg(normaliseSealSpec({ orgName, bottomCode: '3201000012345' }));
	const px = Math.round((42 / 25.4) * 300);
	return new Uint8Array(
		await sharp(Buffer.from(svg), { density: 300 }).resize(px, px).png().toBuffer()
	);
}

/**
 * A square seal whose upper half is seal red and lower half blue, `px` square: drawn on a page
 * it shows at once where it landed and whether it stands upright (red above blue).
 */
export async function uprightSealPng(px = 200): Promise<Uint8Array> {
	const half = px / 2;
	const svg = `<svg xmlns="http://www.w3.org/2000/svg" width="${px}" height="${px}">
		<rect x="0" y="0" width="${px}" height="${half}" fill="#d4000f"/>
		<rect x="0" y="${half}" width="${px}" height="${half}" fill="#0000c8"/></svg>`;
	return new Uint8Array(await sharp(Buffer.from(svg)).png().toBuffer());
}
