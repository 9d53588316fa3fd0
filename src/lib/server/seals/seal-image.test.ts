import { describe, expect, it } from 'vitest';
import sharp from 'sharp';
import { normaliseSealSpec } from '$lib/domain/seal-svg';
import { fontconfigXml, rasteriseSeal, sealFontDirs, SEAL_DPI } from './seal-image';
import { demoSealSpec } from '../platform/seed';

interface Pixels {
	data: Uint8Array;
	width: number;
	height: number;
}

/** Decodes the PNG back with sharp: the test judges pixels, not our own encoder's word. */
async function decode(png: Uint8Array): Promise<Pixels> {
	const { data, info } = await sharp(png).ensureAlpha().raw().toBuffer({ resolveWithObject: true });
	expect(info.channels).toBe(4);
	return { data, width: info.width, height: info.height };
}

function alphaAt(p: Pixels, x: number, y: number): number {
	return p.data[(y * p.width + x) * 4 + 3]!;
}

/** Opaque seal-red pixels in a box, and the box's alpha values (to compare two images). */
function region(p: Pixels, x0: number, y0: number, x1: number, y1: number) {
	let red = 0;
	const alpha: number[] = [];
	for (let y = y0; y < y1; y++) {
		for (let x = x0; x < x1; x++) {
			const i = (y * p.width + x) * 4;
			const [r, g, b, a] = [p.data[i]!, p.data[i + 1]!, p.data[i + 2]!, p.data[i + 3]!];
			alpha.push(a);
			if (a > 200 && r > 150 && g < 80 && b < 80) red++;
		}
	}
	return { red, alpha };
}

describe('fontconfigXml', () => {
	it('lists only the shipped font folders, so system fonts never take part', () => {
		const xml = fontconfigXml(sealFontDirs(), '/tmp/cache');
		const dirs = [...xml.matchAll(/<dir>([^<]*)<\/dir>/g)].map((m) => m[1]);
		expect(dirs).toEqual(sealFontDirs());
		expect(dirs.every((d) => d!.includes('noto-sans-sc'))).toBe(true);
		expect(xml).not.toContain('<include');
		expect(xml).toContain('<cachedir>/tmp/cache</cachedir>');
	});
});

describe('rasteriseSeal', () => {
	it('draws the demo seal at 300 dpi for its real size: red name arc, transparent corners', async () => {
		const spec = demoSealSpec();
		const png = await rasteriseSeal(spec);
		const meta = await sharp(png).metadata();
		expect(meta.format).toBe('png');
		expect(meta.hasAlpha).toBe(true);
		// 42 mm at 300 dpi.
		const side = Math.round((42 / 25.4) * SEAL_DPI);
		expect([meta.width, meta.height]).toEqual([side, side]);
		expect(meta.density).toBe(SEAL_DPI);

		const p = await decode(png);
		// Outside the ring: fully transparent, so the paper shows through when stamped.
		for (const [x, y] of [
			[0, 0],
			[side - 1, 0],
			[0, side - 1],
			[side - 1, side - 1],
			[20, 20]
		] as const) {
			expect(alphaAt(p, x, y)).toBe(0);
		}
		// The name arc: inside the ring (1.2 mm + 0.84 mm gap ≈ 24 px) at the top centre, glyphs
		// 6.3 mm ≈ 74 px tall. Real ink there, in seal red.
		const arc = region(p, side / 2 - 80, 24, side / 2 + 80, 100);
		expect(arc.red).toBeGreaterThan(1500);
		// Between the name and the star (7 mm radius around the centre) the paper shows.
		expect(alphaAt(p, side / 2, 130)).toBe(0);
	});

	it('shapes the characters with a CJK font: different names of equal length draw differently', async () => {
		// A missing font draws every character as the same empty box; real glyphs differ.
		const a = await decode(await rasteriseSeal(demoSealSpec()));
		const b = await decode(
			await rasteriseSeal(normaliseSealSpec({ shape: 'round', orgName: '甲乙丙丁戊己庚辛' }))
		);
		const side = a.width;
		const ra = region(a, side / 2 - 80, 24, side / 2 + 80, 100);
		const rb = region(b, side / 2 - 80, 24, side / 2 + 80, 100);
		const differing = ra.alpha.filter((v, i) => Math.abs(v - rb.alpha[i]!) > 128).length;
		expect(differing).toBeGreaterThan(500);
	});
});
