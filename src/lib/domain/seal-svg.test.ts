import { describe, expect, it } from 'vitest';
import {
	DEFAULT_SEAL_SPECS,
	normaliseSealSpec,
	SEAL_FONT_FAMILY,
	SEAL_RED,
	sealSvg,
	validateSealSpec,
	type SealProblemCode,
	type SealSpec
} from './seal-svg';

// The SVG is read back with regular expressions (vitest runs in node, no DOM): the output format
// is ours and fixed, so a strict pattern also proves the format itself.

interface ParsedGlyph {
	ch: string;
	x: number;
	y: number;
	rotate: number;
	sx: number;
	sy: number;
	baseline: number;
}

const GLYPH =
	/<text x="0" y="(-?[\d.]+)" transform="translate\((-?[\d.]+) (-?[\d.]+)\) rotate\((-?[\d.]+)\) scale\((-?[\d.]+) (-?[\d.]+)\)">([^<]*)<\/text>/g;

function unescape(text: string): string {
	return text
		.replace(/&lt;/g, '<')
		.replace(/&gt;/g, '>')
		.replace(/&quot;/g, '"')
		.replace(/&amp;/g, '&');
}

function run(svg: string, role: 'name' | 'centre' | 'code') {
	const m = new RegExp(
		`<g class="seal-${role}" font-size="([\\d.]+)" text-anchor="middle">\\n([\\s\\S]*?)\\n</g>`
	).exec(svg);
	if (!m) return undefined;
	const glyphs: ParsedGlyph[] = [...m[2]!.matchAll(GLYPH)].map((g) => ({
		baseline: Number(g[1]),
		x: Number(g[2]),
		y: Number(g[3]),
		rotate: Number(g[4]),
		sx: Number(g[5]),
		sy: Number(g[6]),
		ch: unescape(g[7]!)
	}));
	expect(m[2]!.split('\n')).toHaveLength(glyphs.length);
	return { fontSize: Number(m[1]), glyphs };
}

function mustRun(svg: string, role: 'name' | 'centre' | 'code') {
	const r = run(svg, role);
	if (!r) throw new Error(`no ${role} run`);
	return r;
}

function starPoints(svg: string): [number, number][] {
	const m = /<polygon class="seal-star" points="([^"]+)"\/>/.exec(svg);
	if (!m) throw new Error('no star');
	return m[1]!.split(' ').map((p) => p.split(',').map(Number) as [number, number]);
}

const DEG = 180 / Math.PI;
/** Direction of (dx, dy) in degrees clockwise from up, on a y-down screen. */
const bearing = (dx: number, dy: number) => Math.atan2(dx, -dy) * DEG;

/** The four corners of a glyph's em box (scaled), relative to the seal centre. */
function corners(g: ParsedGlyph, f: number, cx: number, cy: number): [number, number][] {
	const w = (g.sx * f) / 2;
	const h = (g.sy * f) / 2;
	const r = g.rotate / DEG;
	return [
		[-w, -h],
		[w, -h],
		[w, h],
		[-w, h]
	].map(([lx, ly]) => [
		g.x - cx + lx! * Math.cos(r) - ly! * Math.sin(r),
		g.y - cy + lx! * Math.sin(r) + ly! * Math.cos(r)
	]);
}

const round = (over: Partial<SealSpec> = {}) =>
	normaliseSealSpec({ shape: 'round', orgName: '福建省某某科技有限公司', ...over });
const oval = (over: Partial<SealSpec> = {}) =>
	normaliseSealSpec({ shape: 'oval', orgName: '上海某某贸易有限公司', ...over });
const square = (orgName: string, over: Partial<SealSpec> = {}) =>
	normaliseSealSpec({ shape: 'square', orgName, ...over });

const codes = (spec: SealSpec) => validateSealSpec(spec).map((p) => `${p.code}:${p.field}`);

describe('defaults and normalisation', () => {
	it('S1: a round seal defaults to 42 mm with a 1.2 mm ring, a star and 合同专用章', () => {
		const spec = normaliseSealSpec({});
		expect(spec).toEqual({
			shape: 'round',
			widthMm: 42,
			heightMm: 42,
			orgName: '',
			centreText: '合同专用章',
			bottomCode: '',
			star: true,
			colour: SEAL_RED,
			ringWidthMm: 1.2,
			arcDegrees: 240,
			fontFamily: SEAL_FONT_FAMILY
		});
		expect(SEAL_FONT_FAMILY).toMatch(/^'Noto Serif SC'.*SimSun.*serif$/);
	});

	it('S1: an oval seal defaults to 45 × 30 mm 财务专用章 without a star', () => {
		expect(normaliseSealSpec({ shape: 'oval' })).toMatchObject({
			widthMm: 45,
			heightMm: 30,
			centreText: '财务专用章',
			star: false,
			ringWidthMm: 1
		});
	});

	it('S1: a square seal defaults to 20 × 20 mm with nothing but the name', () => {
		expect(normaliseSealSpec({ shape: 'square' })).toMatchObject({
			widthMm: 20,
			heightMm: 20,
			centreText: '',
			bottomCode: '',
			star: false
		});
	});

	it('S1: the defaults cannot be changed by a careless caller', () => {
		expect(Object.isFrozen(DEFAULT_SEAL_SPECS.round)).toBe(true);
		expect(Object.isFrozen(DEFAULT_SEAL_SPECS)).toBe(true);
	});

	it('S2: a round or square seal given one side gets the other equal; an oval does not', () => {
		expect(normaliseSealSpec({ shape: 'round', widthMm: 38 })).toMatchObject({
			widthMm: 38,
			heightMm: 38
		});
		expect(normaliseSealSpec({ shape: 'square', heightMm: 24 })).toMatchObject({
			widthMm: 24,
			heightMm: 24
		});
		expect(normaliseSealSpec({ shape: 'oval', widthMm: 50 })).toMatchObject({
			widthMm: 50,
			heightMm: 30
		});
	});

	it('S2: trims text, lower-cases the colour and keeps what the caller set', () => {
		const spec = normaliseSealSpec({
			orgName: '  某某公司 ',
			centreText: ' 公章\n',
			bottomCode: ' 123 ',
			colour: ' #FF0000 ',
			star: false,
			arcDegrees: 200
		});
		expect(spec).toMatchObject({
			orgName: '某某公司',
			centreText: '公章',
			bottomCode: '123',
			colour: '#ff0000',
			star: false,
			arcDegrees: 200
		});
	});
});

describe('validation', () => {
	it('S3: a filled-in default of each shape has no problems', () => {
		expect(validateSealSpec(round())).toEqual([]);
		expect(validateSealSpec(oval())).toEqual([]);
		expect(validateSealSpec(square('张三'))).toEqual([]);
	});

	it('S3: sizes must be finite and within 10–80 mm', () => {
		expect(codes(oval({ widthMm: 9.9, ringWidthMm: 0.5 }))).toEqual(['SIZE_OUT_OF_RANGE:widthMm']);
		expect(codes(oval({ heightMm: 80.1 }))).toEqual(['SIZE_OUT_OF_RANGE:heightMm']);
		expect(codes(oval({ widthMm: Number.NaN }))).toContain('SIZE_OUT_OF_RANGE:widthMm');
		expect(codes(oval({ widthMm: 10, heightMm: 80, ringWidthMm: 1 }))).toEqual([]);
	});

	it('S3: a round seal must be a circle', () => {
		expect(codes(round({ widthMm: 42, heightMm: 40 }))).toEqual(['ROUND_NOT_CIRCLE:heightMm']);
	});

	it('S3: an unknown shape is reported', () => {
		const spec = { ...round(), shape: 'hexagon' } as unknown as SealSpec;
		expect(codes(spec)).toContain('SHAPE_UNKNOWN:shape');
	});

	it('S3: the name must not be empty, nor longer than 40 characters on an arc', () => {
		expect(codes(round({ orgName: '   ' }))).toEqual(['NAME_EMPTY:orgName']);
		expect(codes(round({ orgName: '字'.repeat(40) }))).toEqual([]);
		expect(codes(round({ orgName: '字'.repeat(41) }))).toEqual(['NAME_TOO_LONG:orgName']);
	});

	it('S3: a square seal takes 2 to 4 characters, counted as the user sees them', () => {
		expect(codes(square('张'))).toEqual(['SQUARE_NAME_LENGTH:orgName']);
		expect(codes(square('欧阳小明印'))).toEqual(['SQUARE_NAME_LENGTH:orgName']);
		expect(codes(square('𠀀𠀁'))).toEqual([]);
		expect(codes(square(''))).toEqual(['NAME_EMPTY:orgName']);
	});

	it('S3: centre text is at most 12 characters and the bottom code at most 24', () => {
		expect(codes(round({ centreText: '章'.repeat(12), bottomCode: '1'.repeat(24) }))).toEqual([]);
		expect(codes(round({ centreText: '章'.repeat(13), bottomCode: '1'.repeat(25) }))).toEqual([
			'CENTRE_TEXT_TOO_LONG:centreText',
			'BOTTOM_CODE_TOO_LONG:bottomCode'
		]);
	});

	it('S3: text with control characters or lone surrogates is refused', () => {
		expect(codes(round({ orgName: '某\u0001公司' }))).toEqual(['TEXT_INVALID:orgName']);
		expect(codes(round({ centreText: '\ud800章' }))).toEqual(['TEXT_INVALID:centreText']);
		expect(codes(round({ bottomCode: '12\u008534' }))).toEqual(['TEXT_INVALID:bottomCode']);
	});

	it('S3: the colour must be #rgb or #rrggbb', () => {
		for (const ok of ['#d4000f', '#F00', '#abcdef'])
			expect(codes(round({ colour: ok }))).toEqual([]);
		for (const bad of ['red', '#12345', 'd4000f', '#ggg000', 'url(#x)', '#d4000f"']) {
			expect(codes(round({ colour: bad })), bad).toEqual(['COLOUR_INVALID:colour']);
		}
	});

	it('S3: the ring is at least 0.2 mm and at most a tenth of the smaller side', () => {
		expect(codes(round({ ringWidthMm: 0.19 }))).toEqual(['RING_WIDTH_OUT_OF_RANGE:ringWidthMm']);
		expect(codes(round({ ringWidthMm: 4.2 }))).toEqual([]);
		expect(codes(round({ ringWidthMm: 4.3 }))).toEqual(['RING_WIDTH_OUT_OF_RANGE:ringWidthMm']);
		expect(codes(oval({ ringWidthMm: 3.1 }))).toEqual(['RING_WIDTH_OUT_OF_RANGE:ringWidthMm']);
		expect(codes(round({ ringWidthMm: Number.NaN }))).toEqual([
			'RING_WIDTH_OUT_OF_RANGE:ringWidthMm'
		]);
	});

	it('S3: the name arc spans 90° to 300°, and only arc shapes check it', () => {
		expect(codes(round({ arcDegrees: 89 }))).toEqual(['ARC_OUT_OF_RANGE:arcDegrees']);
		expect(codes(oval({ arcDegrees: 301 }))).toEqual(['ARC_OUT_OF_RANGE:arcDegrees']);
		expect(codes(square('张三', { arcDegrees: 0 }))).toEqual([]);
	});

	it('S3: the font stack must not be empty', () => {
		expect(codes(round({ fontFamily: ' ' }))).toEqual(['FONT_FAMILY_EMPTY:fontFamily']);
	});

	it('S3: every problem is reported at once', () => {
		const all = codes(
			normaliseSealSpec({ shape: 'round', widthMm: 5, heightMm: 90, colour: 'red', orgName: '' })
		);
		expect(all).toEqual([
			'SIZE_OUT_OF_RANGE:widthMm',
			'SIZE_OUT_OF_RANGE:heightMm',
			'ROUND_NOT_CIRCLE:heightMm',
			'NAME_EMPTY:orgName',
			'COLOUR_INVALID:colour',
			'RING_WIDTH_OUT_OF_RANGE:ringWidthMm'
		] satisfies `${SealProblemCode}:${string}`[]);
	});

	it('S4: sealSvg refuses an invalid spec and names the problems', () => {
		expect(() => sealSvg(round({ orgName: '' }))).toThrow(/NAME_EMPTY\(orgName\)/);
		expect(() => sealSvg(round({ orgName: '某\u0000' }))).toThrow(/TEXT_INVALID/);
	});
});

describe('SVG document', () => {
	it('S5: width and height are in mm and the viewBox makes one user unit one millimetre', () => {
		expect(sealSvg(round())).toMatch(
			/^<svg xmlns="http:\/\/www\.w3\.org\/2000\/svg" xml:lang="zh-CN" width="42mm" height="42mm" viewBox="0 0 42 42" role="img" aria-label="福建省某某科技有限公司 合同专用章">/
		);
		expect(sealSvg(oval())).toContain('width="45mm" height="30mm" viewBox="0 0 45 30"');
		expect(sealSvg(square('张三', { widthMm: 18.5 }))).toContain(
			'width="18.5mm" height="18.5mm" viewBox="0 0 18.5 18.5"'
		);
		expect(sealSvg(round())).toMatch(/<\/g>\n<\/svg>$/);
	});

	it('S6: the border is stroked in the seal colour with its outer edge on the bounds', () => {
		const svg = sealSvg(round({ colour: '#c00' }));
		expect(svg).toContain(
			'<circle cx="21" cy="21" r="20.4" fill="none" stroke="#c00" stroke-width="1.2"/>'
		);
		expect(svg).toContain('<g fill="#c00" font-family="');
		expect(sealSvg(oval())).toContain(
			'<ellipse cx="22.5" cy="15" rx="22" ry="14.5" fill="none" stroke="#d4000f" stroke-width="1"/>'
		);
		expect(sealSvg(square('张三'))).toContain(
			'<rect x="0.5" y="0.5" width="19" height="19" fill="none" stroke="#d4000f" stroke-width="1"/>'
		);
	});

	it('S14: text and attributes are XML-escaped', () => {
		const svg = sealSvg(round({ orgName: 'A<B&C"D>', centreText: '&<"' }));
		expect(svg).toContain('aria-label="A&lt;B&amp;C&quot;D&gt; &amp;&lt;&quot;"');
		expect(mustRun(svg, 'name').glyphs.map((g) => g.ch)).toEqual([...'A<B&C"D>']);
		expect(mustRun(svg, 'centre').glyphs.map((g) => g.ch)).toEqual(['&', '<', '"']);
		// Every < opens a tag and every & starts an entity.
		expect(svg).not.toMatch(/<(?![a-z/])/);
		expect(svg).not.toMatch(/&(?!amp;|lt;|gt;|quot;)/);
		expect(svg.match(/<text /g)).toHaveLength(svg.match(/<\/text>/g)!.length);
	});

	it('S14: a font stack with a double quote cannot break out of its attribute', () => {
		const svg = sealSvg(round({ fontFamily: '"Evil" onload="x"' }));
		expect(svg).toContain('font-family="&quot;Evil&quot; onload=&quot;x&quot;"');
	});

	it('S15: the same spec always gives the same string, with at most 3 decimals', () => {
		for (const spec of [
			round({ bottomCode: '3501000012345' }),
			oval({ bottomCode: '3101150012345', star: true }),
			square('李四之印')
		]) {
			const svg = sealSvg(spec);
			expect(sealSvg(structuredClone(spec))).toBe(svg);
			expect(svg).not.toMatch(/\d\.\d{4}/);
			expect(svg).not.toMatch(/NaN|Infinity|e-\d/);
		}
	});
});

describe('round seal', () => {
	const C = 21;

	it('S7: one upright glyph per character of the name, in reading order', () => {
		const name = mustRun(sealSvg(round()), 'name');
		expect(name.glyphs.map((g) => g.ch).join('')).toBe('福建省某某科技有限公司');
	});

	it('S16: a supplementary-plane character is one glyph', () => {
		const name = mustRun(sealSvg(round({ orgName: '𠀀𠀁有限公司' })), 'name');
		expect(name.glyphs.map((g) => g.ch)).toEqual(['𠀀', '𠀁', '有', '限', '公', '司']);
	});

	it('S7: the name runs left to right clockwise, centred on the top', () => {
		const { glyphs } = mustRun(sealSvg(round()), 'name');
		expect(glyphs[0]!.x).toBeLessThan(C);
		expect(glyphs.at(-1)!.x).toBeGreaterThan(C);
		for (let i = 1; i < glyphs.length; i++) {
			expect(glyphs[i]!.rotate).toBeGreaterThan(glyphs[i - 1]!.rotate);
		}
		// Odd count: the middle glyph sits exactly at 12 o'clock.
		expect(glyphs[5]).toMatchObject({ x: C, rotate: 0 });
		expect(glyphs[0]!.rotate).toBeCloseTo(-glyphs.at(-1)!.rotate, 2);
	});

	it('S8: each glyph is turned by the bearing of its position, so its top faces outward', () => {
		for (const n of [1, 2, 5, 11, 18, 27, 40]) {
			const { glyphs } = mustRun(sealSvg(round({ orgName: '印'.repeat(n) })), 'name');
			for (const g of glyphs) {
				expect(Math.abs(g.rotate - bearing(g.x - C, g.y - C)), `${n}`).toBeLessThan(0.02);
			}
		}
	});

	it('S7: glyphs lie on one circle and are evenly spaced over the 240° arc', () => {
		const { glyphs } = mustRun(sealSvg(round()), 'name');
		const radii = glyphs.map((g) => Math.hypot(g.x - C, g.y - C));
		for (const r of radii) expect(r).toBeCloseTo(radii[0]!, 2);
		const step = glyphs[1]!.rotate - glyphs[0]!.rotate;
		for (let i = 1; i < glyphs.length; i++) {
			expect(glyphs[i]!.rotate - glyphs[i - 1]!.rotate).toBeCloseTo(step, 1);
		}
		// 11 cells share 240°: centres run from −120° + step/2 to 120° − step/2.
		expect(step).toBeCloseTo(240 / 11, 1);
		expect(glyphs[0]!.rotate).toBeCloseTo(-120 + step / 2, 1);
	});

	it('S7: the arc follows arcDegrees', () => {
		const { glyphs } = mustRun(sealSvg(round({ arcDegrees: 200 })), 'name');
		expect(glyphs[1]!.rotate - glyphs[0]!.rotate).toBeCloseTo(200 / 11, 1);
	});

	it('S7: a short name stops spreading out at 1.6 em per glyph', () => {
		const { glyphs, fontSize } = mustRun(sealSvg(round({ orgName: '腾讯公司' })), 'name');
		const r = Math.hypot(glyphs[0]!.x - C, glyphs[0]!.y - C);
		const pitch = ((glyphs[1]!.rotate - glyphs[0]!.rotate) / DEG) * r;
		expect(pitch).toBeCloseTo(1.6 * fontSize, 1);
		expect(glyphs[0]!.sx).toBe(1);
	});

	it('S9: the name font is 0.15 of the diameter, centred just inside the ring', () => {
		const { glyphs, fontSize } = mustRun(sealSvg(round()), 'name');
		expect(fontSize).toBe(6.3);
		// 21 − 1.2 ring − 0.84 gap − 3.15 half glyph
		expect(Math.hypot(glyphs[0]!.x - C, glyphs[0]!.y - C)).toBeCloseTo(15.81, 2);
		// Glyph centre is its baseline minus 0.36 em.
		expect(glyphs[0]!.baseline).toBeCloseTo(0.36 * fontSize, 3);
	});

	it('S9: longer names get narrower glyphs, then a smaller font, and never overlap', () => {
		let lastWidth = Infinity;
		for (let n = 1; n <= 40; n++) {
			const { glyphs, fontSize: f } = mustRun(sealSvg(round({ orgName: '國'.repeat(n) })), 'name');
			expect(glyphs).toHaveLength(n);
			const g0 = glyphs[0]!;
			expect(g0.sx).toBeGreaterThanOrEqual(0.5);
			expect(g0.sx).toBeLessThanOrEqual(1);
			const width = g0.sx * f;
			expect(width).toBeLessThanOrEqual(lastWidth + 1e-9);
			lastWidth = width;
			if (n >= 30) expect(f).toBeLessThan(6.3);
			// Every corner of every glyph box is inside the ring's inner edge.
			for (const g of glyphs) {
				for (const [x, y] of corners(g, f, C, C)) {
					expect(Math.hypot(x, y), `n=${n}`).toBeLessThanOrEqual(21 - 1.2 + 0.002);
				}
			}
			// Neighbours do not touch at their feet, where they come closest.
			if (n > 1) {
				const r = Math.hypot(g0.x - C, g0.y - C);
				const step = (glyphs[1]!.rotate - g0.rotate) / DEG;
				const feetChord = 2 * (r - f / 2) * Math.sin(step / 2);
				expect(width, `n=${n}`).toBeLessThanOrEqual(feetChord + 0.002);
			}
		}
	});

	it('S9: the font scales with the seal', () => {
		const small = mustRun(sealSvg(round({ widthMm: 38, heightMm: 38 })), 'name');
		const large = mustRun(sealSvg(round({ widthMm: 58, heightMm: 58 })), 'name');
		expect(small.fontSize).toBe(5.7);
		expect(large.fontSize).toBe(8.7);
	});

	it('S10: a solid five-pointed star of radius 7 mm sits at the centre, one tip up', () => {
		const svg = sealSvg(round());
		const points = starPoints(svg);
		expect(points).toHaveLength(10);
		expect(points[0]).toEqual([21, 14]);
		const mx = points.reduce((s, p) => s + p[0], 0) / 10;
		const my = points.reduce((s, p) => s + p[1], 0) / 10;
		expect(mx).toBeCloseTo(21, 2);
		expect(my).toBeCloseTo(21, 2);
		points.forEach(([x, y], k) => {
			expect(Math.hypot(x - 21, y - 21)).toBeCloseTo(k % 2 === 0 ? 7 : 7 * 0.381966, 2);
			expect(bearing(x - 21, y - 21)).toBeCloseTo(k * 36 > 180 ? k * 36 - 360 : k * 36, 1);
		});
		expect(svg).not.toMatch(/<polygon[^>]*fill="none"/);
	});

	it('S10: star: false draws no star', () => {
		expect(sealSvg(round({ star: false }))).not.toContain('seal-star');
	});

	it('S11: the centre text is horizontal, centred, and below the star', () => {
		const { glyphs, fontSize: f } = mustRun(sealSvg(round()), 'centre');
		expect(glyphs.map((g) => g.ch).join('')).toBe('合同专用章');
		expect(f).toBe(4.62);
		const starBottom = 21 + 7 * Math.cos(36 / DEG);
		for (const g of glyphs) {
			expect(g.rotate).toBe(0);
			expect(g.y).toBe(glyphs[0]!.y);
			expect(g.y - f / 2).toBeGreaterThan(starBottom);
		}
		expect(glyphs[2]!.x).toBe(21);
		expect(glyphs[0]!.x + glyphs[4]!.x).toBeCloseTo(42, 2);
		expect(glyphs[1]!.x - glyphs[0]!.x).toBeCloseTo(f * glyphs[0]!.sx, 2);
	});

	it('S11: without a star the centre text sits in the middle, larger', () => {
		const { glyphs, fontSize } = mustRun(sealSvg(round({ star: false })), 'centre');
		expect(glyphs[0]!.y).toBe(21);
		expect(fontSize).toBe(5.88);
	});

	it('S11: long centre text is squeezed into 0.55 of the width', () => {
		const { glyphs, fontSize: f } = mustRun(
			sealSvg(round({ centreText: '合同专用章合同专用章' })),
			'centre'
		);
		const span = glyphs.at(-1)!.x - glyphs[0]!.x + f * glyphs[0]!.sx;
		expect(span).toBeCloseTo(0.55 * 42, 1);
		expect(glyphs[0]!.sx).toBeLessThan(1);
	});

	it('S11: empty centre text draws nothing', () => {
		expect(run(sealSvg(round({ centreText: '' })), 'centre')).toBeUndefined();
	});

	it('S12: the bottom code reads left to right along the lower arc with glyph tops facing in', () => {
		const svg = sealSvg(round({ bottomCode: '3501000012345' }));
		const { glyphs, fontSize } = mustRun(svg, 'code');
		expect(glyphs.map((g) => g.ch).join('')).toBe('3501000012345');
		expect(fontSize).toBe(2.73);
		for (let i = 0; i < glyphs.length; i++) {
			const g = glyphs[i]!;
			expect(g.y).toBeGreaterThan(21);
			if (i > 0) expect(g.x).toBeGreaterThan(glyphs[i - 1]!.x);
			// Bearing of the position, turned half a circle: upright when read from below.
			let expected = bearing(g.x - 21, g.y - 21) - 180;
			if (expected <= -180) expected += 360;
			expect(Math.abs(g.rotate - expected)).toBeLessThan(0.05);
		}
		expect(glyphs[6]).toMatchObject({ x: 21, rotate: 0 });
		// Its glyphs hug the ring like the name does.
		const r = Math.hypot(glyphs[6]!.x - 21, glyphs[6]!.y - 21);
		expect(r).toBeCloseTo(21 - 1.2 - 0.84 - fontSize / 2, 2);
	});

	it('S12: a long code shrinks to keep 12° clear of the name at each end', () => {
		const svg = sealSvg(round({ orgName: '國'.repeat(30), bottomCode: '1234567890'.repeat(2) }));
		const name = mustRun(svg, 'name');
		const code = mustRun(svg, 'code');
		expect(code.fontSize).toBeLessThan(2.73);
		// Bearings: the name runs from about −120° to 120°; the code's ends sit beyond ±180° − x.
		const codeFirst = bearing(code.glyphs[0]!.x - 21, code.glyphs[0]!.y - 21);
		const codeLast = bearing(code.glyphs.at(-1)!.x - 21, code.glyphs.at(-1)!.y - 21);
		expect(codeLast - name.glyphs.at(-1)!.rotate).toBeGreaterThan(12);
		expect(name.glyphs[0]!.rotate - codeFirst).toBeGreaterThan(12);
	});

	it('S12: no bottom code draws nothing', () => {
		expect(run(sealSvg(round()), 'code')).toBeUndefined();
	});
});

describe('oval seal', () => {
	const CX = 22.5;
	const CY = 15;

	/** Fits x²/a² + y²/b² = 1 through two glyph centres (relative to the seal centre). */
	function fit(g1: ParsedGlyph, g2: ParsedGlyph) {
		const [x1, y1, x2, y2] = [g1.x - CX, g1.y - CY, g2.x - CX, g2.y - CY];
		const det = x1 * x1 * y2 * y2 - x2 * x2 * y1 * y1;
		const p = (y2 * y2 - y1 * y1) / det;
		const q = (x1 * x1 - x2 * x2) / det;
		return { a: 1 / Math.sqrt(p), b: 1 / Math.sqrt(q) };
	}

	/** Arc length along the ellipse between parameters, as a fine polyline. */
	function polylineLength(a: number, b: number, t0: number, t1: number) {
		let len = 0;
		const steps = 2000;
		for (let i = 0; i < steps; i++) {
			const u = t0 + ((t1 - t0) * i) / steps;
			const v = t0 + ((t1 - t0) * (i + 1)) / steps;
			len += Math.hypot(a * (Math.sin(v) - Math.sin(u)), b * (Math.cos(v) - Math.cos(u)));
		}
		return len;
	}

	it('S7: one glyph per character, on one ellipse, symmetric about the vertical axis', () => {
		const { glyphs } = mustRun(sealSvg(oval()), 'name');
		expect(glyphs.map((g) => g.ch).join('')).toBe('上海某某贸易有限公司');
		const e = fit(glyphs[0]!, glyphs[4]!);
		for (const g of glyphs) {
			expect(((g.x - CX) / e.a) ** 2 + ((g.y - CY) / e.b) ** 2).toBeCloseTo(1, 3);
		}
		for (let i = 0; i < 5; i++) {
			const [l, r] = [glyphs[i]!, glyphs[9 - i]!];
			expect(l.x + r.x).toBeCloseTo(2 * CX, 2);
			expect(l.y).toBeCloseTo(r.y, 2);
			expect(l.rotate).toBeCloseTo(-r.rotate, 2);
		}
		// Same inset from the border as the round seal: ring 1 + gap 0.6 + half of a 4.5 mm glyph.
		expect(e.a).toBeCloseTo(22.5 - 3.85, 1);
		expect(e.b).toBeCloseTo(15 - 3.85, 1);
	});

	it('S8: each glyph is turned to the ellipse normal at its position, top outward', () => {
		for (const name of ['上海某某贸易有限公司', '深圳市某某电子科技股份有限公司', '某某公司']) {
			const { glyphs } = mustRun(sealSvg(oval({ orgName: name })), 'name');
			const e = fit(glyphs[0]!, glyphs[Math.floor(glyphs.length / 2)]!);
			for (const g of glyphs) {
				const normal = bearing((g.x - CX) / e.a ** 2, (g.y - CY) / e.b ** 2);
				expect(Math.abs(g.rotate - normal), name).toBeLessThan(0.1);
			}
		}
	});

	it('S7: glyphs are evenly spaced by arc length, not by angle', () => {
		const { glyphs } = mustRun(sealSvg(oval()), 'name');
		const e = fit(glyphs[0]!, glyphs[4]!);
		const t = glyphs.map((g) => Math.atan2((g.x - CX) / e.a, -(g.y - CY) / e.b));
		const lengths = t.slice(1).map((ti, i) => polylineLength(e.a, e.b, t[i]!, ti));
		for (const l of lengths) expect(l / lengths[0]!).toBeCloseTo(1, 2);
		const angles = t.slice(1).map((ti, i) => ti - t[i]!);
		expect(Math.abs(angles[0]! - angles[4]!)).toBeGreaterThan(0.01);
	});

	it('S9: every glyph box stays inside the ring, whatever the name length', () => {
		for (let n = 2; n <= 40; n += 3) {
			const { glyphs, fontSize: f } = mustRun(sealSvg(oval({ orgName: '國'.repeat(n) })), 'name');
			for (const g of glyphs) {
				for (const [x, y] of corners(g, f, CX, CY)) {
					expect((x / 21.5) ** 2 + (y / 14) ** 2, `n=${n}`).toBeLessThanOrEqual(1.0005);
				}
			}
		}
	});

	it('S12: the bottom code runs left to right under the centre, tops facing in', () => {
		const svg = sealSvg(oval({ bottomCode: '3101150012345' }));
		const { glyphs } = mustRun(svg, 'code');
		expect(glyphs).toHaveLength(13);
		expect(glyphs[6]).toMatchObject({ x: CX, rotate: 0 });
		for (let i = 1; i < 13; i++) expect(glyphs[i]!.x).toBeGreaterThan(glyphs[i - 1]!.x);
		for (let i = 0; i < 6; i++) {
			expect(glyphs[i]!.rotate).toBeGreaterThan(0);
			expect(glyphs[i]!.rotate).toBeCloseTo(-glyphs[12 - i]!.rotate, 2);
		}
	});

	it('S10: a star on an oval is centred too, with the centre text beneath it', () => {
		const svg = sealSvg(oval({ star: true }));
		expect(starPoints(svg)[0]).toEqual([22.5, 10]);
		const centre = mustRun(svg, 'centre');
		expect(centre.glyphs[0]!.y - centre.fontSize / 2).toBeGreaterThan(15 + 5 * Math.cos(36 / DEG));
	});

	it('S11: without a star the centre text is in the middle', () => {
		const centre = mustRun(sealSvg(oval()), 'centre');
		expect(centre.glyphs.map((g) => g.ch).join('')).toBe('财务专用章');
		expect(centre.glyphs[2]).toMatchObject({ x: CX, y: CY, rotate: 0 });
	});
});

describe('square seal', () => {
	// 20 mm, ring 1, gap 0.8: the text box runs from 1.8 to 18.2 and each column is 8.2 wide.
	it('S13: four characters make a 2 × 2 grid read right column first, top to bottom', () => {
		const { glyphs, fontSize } = mustRun(sealSvg(square('李四之印')), 'name');
		expect(glyphs.map((g) => g.ch).join('')).toBe('李四之印');
		const at = glyphs.map((g) => [g.x, g.y]);
		expect(at).toEqual([
			[14.1, 5.9],
			[14.1, 14.1],
			[5.9, 5.9],
			[5.9, 14.1]
		]);
		expect(fontSize).toBeCloseTo(8.2 * 0.94, 3);
		for (const g of glyphs) expect(g).toMatchObject({ rotate: 0, sx: 1, sy: 1 });
	});

	it('S13: two characters are two tall columns, the first on the right', () => {
		const { glyphs, fontSize } = mustRun(sealSvg(square('张三')), 'name');
		expect(glyphs.map((g) => [g.ch, g.x, g.y])).toEqual([
			['张', 14.1, 10],
			['三', 5.9, 10]
		]);
		for (const g of glyphs) {
			expect(g.sx).toBe(1);
			expect(g.sy * fontSize).toBeCloseTo(16.4 * 0.94, 2);
		}
	});

	it('S13: three characters put the first alone in a tall right column, the rest down the left', () => {
		const { glyphs } = mustRun(sealSvg(square('王小明')), 'name');
		expect(glyphs.map((g) => [g.ch, g.x, g.y])).toEqual([
			['王', 14.1, 10],
			['小', 5.9, 5.9],
			['明', 5.9, 14.1]
		]);
		expect(glyphs[0]!.sy).toBeCloseTo(2, 2);
		expect(glyphs[1]!.sy).toBe(1);
	});

	it('S13: a rectangular seal stretches the glyphs to fill their cells, inside the border', () => {
		const spec = square('李四之印', { widthMm: 16, heightMm: 24 });
		const { glyphs, fontSize: f } = mustRun(sealSvg(spec), 'name');
		for (const g of glyphs) {
			for (const [x, y] of corners(g, f, 0, 0)) {
				expect(x).toBeGreaterThanOrEqual(1);
				expect(x).toBeLessThanOrEqual(15);
				expect(y).toBeGreaterThanOrEqual(1);
				expect(y).toBeLessThanOrEqual(23);
			}
			expect(g.sy).toBeGreaterThan(g.sx);
		}
	});

	it('S13: centre text, bottom code and star are not drawn on a square seal', () => {
		const svg = sealSvg(square('张三', { centreText: '章', bottomCode: '123', star: true }));
		expect(svg).not.toContain('seal-star');
		expect(run(svg, 'centre')).toBeUndefined();
		expect(run(svg, 'code')).toBeUndefined();
		expect(svg).toContain('aria-label="张三"');
	});
});
