/**
 * Generated seals (SPEC S): a seal spec becomes a standalone SVG whose user unit is one
 * millimetre, so the same drawing is previewed in the browser and rasterised for the PDF at the
 * physical size a real seal would have. Pure and deterministic: same spec, same string.
 *
 * Angles in this file are measured clockwise from "up" (12 o'clock), as SVG's rotate() turns
 * clockwise on screen; an ellipse point at parameter t is (a·sin t, −b·cos t) from the centre.
 */

export type SealShape = 'round' | 'oval' | 'square';

export interface SealSpec {
	shape: SealShape;
	/** Outer size in millimetres, including the border. */
	widthMm: number;
	heightMm: number;
	/** Round and oval: the organisation name along the upper arc. Square: the 2–4 characters. */
	orgName: string;
	/** Horizontal text in the middle, e.g. 合同专用章; empty for none. Not drawn on square seals. */
	centreText: string;
	/** Text along the lower arc, e.g. the 13-digit seal code; empty for none. Not on square seals. */
	bottomCode: string;
	/** Solid five-pointed star in the middle. Not drawn on square seals. */
	star: boolean;
	/** Ink colour as #rgb or #rrggbb. */
	colour: string;
	/** Border stroke width in millimetres. */
	ringWidthMm: number;
	/** Arc, in degrees centred on the top, that the name may occupy. Not used by square seals. */
	arcDegrees: number;
	/** CSS font stack; the text is shaped by whoever rasterises the SVG, so CJK serifs go first. */
	fontFamily: string;
}

/** Why a spec cannot be drawn; stable codes that clients key their messages on. */
export type SealProblemCode =
	| 'SHAPE_UNKNOWN'
	| 'SIZE_OUT_OF_RANGE'
	| 'ROUND_NOT_CIRCLE'
	| 'NAME_EMPTY'
	| 'NAME_TOO_LONG'
	| 'SQUARE_NAME_LENGTH'
	| 'CENTRE_TEXT_TOO_LONG'
	| 'BOTTOM_CODE_TOO_LONG'
	| 'TEXT_INVALID'
	| 'COLOUR_INVALID'
	| 'RING_WIDTH_OUT_OF_RANGE'
	| 'ARC_OUT_OF_RANGE'
	| 'FONT_FAMILY_EMPTY';

export interface SealProblem {
	code: SealProblemCode;
	field: keyof SealSpec;
}

export const SEAL_SHAPES: readonly SealShape[] = ['round', 'oval', 'square'];
// Limits of a spec. Real seals run from ~12 mm personal seals to ~60 mm government seals, so a
// size outside 10–80 mm is a typo; past 40 characters an arc name is too small to read.
export const SEAL_SIZE_MIN_MM = 10;
export const SEAL_SIZE_MAX_MM = 80;
export const SEAL_RING_MIN_MM = 0.2;
export const SEAL_ARC_MIN_DEGREES = 90;
export const SEAL_ARC_MAX_DEGREES = 300;
export const SEAL_NAME_MAX_CHARS = 40;
export const SEAL_CENTRE_TEXT_MAX_CHARS = 12;
export const SEAL_BOTTOM_CODE_MAX_CHARS = 24;

/** Seal-ink red, close to the vermilion of real stamp pads. */
export const SEAL_RED = '#d4000f';

/** Song/Ming serifs are what engraved seals look like; Noto first because it is free to ship. */
export const SEAL_FONT_FAMILY =
	"'Noto Serif SC','Noto Serif CJK SC','Source Han Serif SC','Songti SC','STSong','SimSun','Noto Sans CJK SC',serif";

/**
 * Proportions of common Chinese seals, so most users can press 完成制作 without touching them:
 * 42 mm round contract seal, 45 × 30 mm oval finance seal, 20 mm square legal-representative seal.
 */
export const DEFAULT_SEAL_SPECS: Readonly<Record<SealShape, Readonly<SealSpec>>> = Object.freeze({
	round: Object.freeze({
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
	}),
	oval: Object.freeze({
		shape: 'oval',
		widthMm: 45,
		heightMm: 30,
		orgName: '',
		centreText: '财务专用章',
		bottomCode: '',
		star: false,
		colour: SEAL_RED,
		ringWidthMm: 1,
		arcDegrees: 230,
		fontFamily: SEAL_FONT_FAMILY
	}),
	square: Object.freeze({
		shape: 'square',
		widthMm: 20,
		heightMm: 20,
		orgName: '',
		centreText: '',
		bottomCode: '',
		star: false,
		colour: SEAL_RED,
		ringWidthMm: 1,
		arcDegrees: 240,
		fontFamily: SEAL_FONT_FAMILY
	})
} satisfies Record<SealShape, SealSpec>);

// Layout proportions, as fractions of the seal's smaller outer dimension unless named otherwise,
// so a 38 mm or 58 mm seal looks like the 42 mm one. Chosen by eye against common contract seals
// and checked by rasterising the output, not taken from a standard.
const NAME_FONT = 0.15; // tallest name glyph
const TEXT_GAP = 0.02; // clear space between the border and the arc text
const NAME_FILL = 0.95; // share of each glyph's pitch, at its feet, that its width may take
const NAME_MAX_PITCH_EM = 1.6; // a short name stops spreading out at this spacing
const MIN_SQUEEZE = 0.5; // narrower than this reads badly: shrink the font instead
const STAR_RADIUS = 1 / 6;
const STAR_INNER_RATIO = 0.381966; // sin 18° / sin 54°: the inner points of a regular pentagram
const CENTRE_FONT_WITH_STAR = 0.11;
const CENTRE_FONT_ALONE = 0.14;
const CENTRE_MAX_WIDTH = 0.55; // fraction of the seal's width
const CODE_FONT = 0.065;
const CODE_PITCH_EM = 0.62; // digits are about half an em wide
const CODE_MARGIN_DEGREES = 12; // kept clear between the name and the bottom code at each end
const SQUARE_GAP = 0.04;
const SQUARE_FILL = 0.94;
/** Distance from the glyph's visual centre down to its baseline, in em, for CJK and digits alike. */
const BASELINE_EM = 0.36;

/**
 * Fills every field the caller left out with the defaults of the chosen shape (round when none),
 * so that a form can hold only what the user changed. A round or square seal given one side gets
 * the other equal to it; text is trimmed and the colour lower-cased so equal seals compare equal.
 */
export function normaliseSealSpec(partial: Partial<SealSpec>): SealSpec {
	const shape = partial.shape ?? 'round';
	const base = DEFAULT_SEAL_SPECS[shape] ?? DEFAULT_SEAL_SPECS.round;
	const same = shape === 'round' || shape === 'square';
	const widthMm = partial.widthMm ?? (same ? partial.heightMm : undefined) ?? base.widthMm;
	const heightMm = partial.heightMm ?? (same ? partial.widthMm : undefined) ?? base.heightMm;
	return {
		shape,
		widthMm,
		heightMm,
		orgName: (partial.orgName ?? base.orgName).trim(),
		centreText: (partial.centreText ?? base.centreText).trim(),
		bottomCode: (partial.bottomCode ?? base.bottomCode).trim(),
		star: partial.star ?? base.star,
		colour: (partial.colour ?? base.colour).trim().toLowerCase(),
		ringWidthMm: partial.ringWidthMm ?? base.ringWidthMm,
		arcDegrees: partial.arcDegrees ?? base.arcDegrees,
		fontFamily: (partial.fontFamily ?? base.fontFamily).trim()
	};
}

/** Characters as the user sees them: a rare CJK Extension B character is one glyph, not two. */
function glyphs(text: string): string[] {
	return Array.from(text);
}

/** Control characters and lone surrogates cannot be written in XML 1.0 at all. */
function isXmlIllegal(ch: string): boolean {
	const cp = ch.codePointAt(0) ?? 0;
	return (
		(cp < 0x20 && cp !== 0x09 && cp !== 0x0a && cp !== 0x0d) ||
		(cp >= 0x7f && cp <= 0x9f) ||
		(cp >= 0xd800 && cp <= 0xdfff) ||
		cp === 0xfffe ||
		cp === 0xffff
	);
}

/**
 * Lists every reason the spec cannot be drawn, all at once so a form can mark each field. An
 * empty list means sealSvg will draw it. Fields a shape does not draw are not checked for it.
 */
export function validateSealSpec(spec: SealSpec): SealProblem[] {
	const problems: SealProblem[] = [];
	const add = (code: SealProblemCode, field: keyof SealSpec) => problems.push({ code, field });
	const inRange = (mm: number) =>
		Number.isFinite(mm) && mm >= SEAL_SIZE_MIN_MM && mm <= SEAL_SIZE_MAX_MM;

	if (!SEAL_SHAPES.includes(spec.shape)) add('SHAPE_UNKNOWN', 'shape');
	if (!inRange(spec.widthMm)) add('SIZE_OUT_OF_RANGE', 'widthMm');
	if (!inRange(spec.heightMm)) add('SIZE_OUT_OF_RANGE', 'heightMm');
	if (spec.shape === 'round' && spec.widthMm !== spec.heightMm) add('ROUND_NOT_CIRCLE', 'heightMm');

	const name = glyphs(spec.orgName.trim());
	const arcShape = spec.shape !== 'square';
	if (name.length === 0) add('NAME_EMPTY', 'orgName');
	else if (!arcShape && (name.length < 2 || name.length > 4)) add('SQUARE_NAME_LENGTH', 'orgName');
	else if (arcShape && name.length > SEAL_NAME_MAX_CHARS) add('NAME_TOO_LONG', 'orgName');
	if (name.some(isXmlIllegal)) add('TEXT_INVALID', 'orgName');

	if (arcShape) {
		const centre = glyphs(spec.centreText.trim());
		const code = glyphs(spec.bottomCode.trim());
		if (centre.length > SEAL_CENTRE_TEXT_MAX_CHARS) add('CENTRE_TEXT_TOO_LONG', 'centreText');
		if (centre.some(isXmlIllegal)) add('TEXT_INVALID', 'centreText');
		if (code.length > SEAL_BOTTOM_CODE_MAX_CHARS) add('BOTTOM_CODE_TOO_LONG', 'bottomCode');
		if (code.some(isXmlIllegal)) add('TEXT_INVALID', 'bottomCode');
		if (
			!Number.isFinite(spec.arcDegrees) ||
			spec.arcDegrees < SEAL_ARC_MIN_DEGREES ||
			spec.arcDegrees > SEAL_ARC_MAX_DEGREES
		) {
			add('ARC_OUT_OF_RANGE', 'arcDegrees');
		}
	}

	if (!/^#(?:[0-9a-f]{3}|[0-9a-f]{6})$/i.test(spec.colour)) add('COLOUR_INVALID', 'colour');
	const smaller = Math.min(spec.widthMm, spec.heightMm);
	if (
		!Number.isFinite(spec.ringWidthMm) ||
		spec.ringWidthMm < SEAL_RING_MIN_MM ||
		!(spec.ringWidthMm <= smaller / 10)
	) {
		add('RING_WIDTH_OUT_OF_RANGE', 'ringWidthMm');
	}
	if (spec.fontFamily.trim() === '') add('FONT_FAMILY_EMPTY', 'fontFamily');
	return problems;
}

/** Three decimals is a micrometre: finer than any printer, and it keeps the output stable. */
function num(n: number): string {
	return String(Math.round(n * 1000) / 1000);
}

/**
 * Text and attribute values go through here; characters XML cannot carry are dropped. Every
 * attribute is written in double quotes, so a single quote (as in the font stack) stays as it is.
 */
function escapeXml(text: string): string {
	return glyphs(text)
		.filter((ch) => !isXmlIllegal(ch))
		.join('')
		.replace(/&/g, '&amp;')
		.replace(/</g, '&lt;')
		.replace(/>/g, '&gt;')
		.replace(/"/g, '&quot;');
}

const DEG = 180 / Math.PI;

interface Ellipse {
	a: number;
	b: number;
}

/** Speed of the parametrisation at t, the integrand of the arc length. */
function speed(e: Ellipse, t: number): number {
	return Math.hypot(e.a * Math.cos(t), e.b * Math.sin(t));
}

/** Signed arc length from t0 to t1 by Simpson's rule; an ellipse has no closed form for it. */
function arcLength(e: Ellipse, t0: number, t1: number): number {
	const steps = 64;
	const h = (t1 - t0) / steps;
	let sum = speed(e, t0) + speed(e, t1);
	for (let i = 1; i < steps; i++) sum += speed(e, t0 + i * h) * (i % 2 === 1 ? 4 : 2);
	return (sum * h) / 3;
}

/** The parameter reached after a signed arc length s from t0, by bisection (length is monotonic). */
function paramAtLength(e: Ellipse, t0: number, s: number): number {
	let lo = t0 - Math.PI;
	let hi = t0 + Math.PI;
	for (let i = 0; i < 60; i++) {
		const mid = (lo + hi) / 2;
		if (arcLength(e, t0, mid) < s) lo = mid;
		else hi = mid;
	}
	return (lo + hi) / 2;
}

/** Direction of the outward normal at t, in degrees clockwise from up: the glyph's "up". */
function outwardDegrees(e: Ellipse, t: number): number {
	return Math.atan2(Math.sin(t) / e.a, Math.cos(t) / e.b) * DEG;
}

interface Glyph {
	ch: string;
	x: number;
	y: number;
	rotate: number;
	scaleX: number;
	scaleY: number;
}

interface TextRun {
	role: 'name' | 'centre' | 'code';
	fontSize: number;
	glyphs: Glyph[];
}

interface ArcFrame {
	cx: number;
	cy: number;
	/** Outer semi-axes. */
	a: number;
	b: number;
	ring: number;
	gap: number;
}

/** The ellipse through the centres of glyphs of size f that sit just inside the border. */
function textEllipse(frame: ArcFrame, f: number): Ellipse {
	const inset = frame.ring + frame.gap + f / 2;
	return { a: frame.a - inset, b: frame.b - inset };
}

/**
 * Lays the name out along the upper arc, left to right clockwise, each glyph centred in an
 * equal share of arc length and turned so its top faces away from the centre. Long names first
 * get narrower glyphs, as engravers do, and only below half width a smaller font.
 * Returns the run and the parameter where the name ends, which bounds the bottom code.
 */
function layoutName(
	chars: string[],
	frame: ArcFrame,
	maxFont: number,
	arcDegrees: number
): { run: TextRun; endT: number } {
	const n = chars.length;
	let f = maxFont;
	let e = textEllipse(frame, f);
	let total = 0;
	let scaleX = 1;
	for (let attempt = 0; attempt < 200; attempt++) {
		e = textEllipse(frame, f);
		const halfArc = arcLength(e, 0, arcDegrees / DEG / 2);
		total = Math.min(2 * halfArc, n * NAME_MAX_PITCH_EM * f);
		// Neighbours come closest at the glyphs' feet, so the width is measured on that ellipse.
		const feet = textEllipse(frame, 2 * f);
		const feetTotal = 2 * arcLength(feet, 0, paramAtLength(e, 0, total / 2));
		scaleX = Math.min(1, (NAME_FILL * feetTotal) / n / f);
		if (scaleX >= MIN_SQUEEZE) break;
		f *= 0.97;
	}
	const pitch = total / n;
	const out: Glyph[] = chars.map((ch, i) => {
		const t = paramAtLength(e, 0, -total / 2 + (i + 0.5) * pitch);
		return {
			ch,
			x: frame.cx + e.a * Math.sin(t),
			y: frame.cy - e.b * Math.cos(t),
			rotate: outwardDegrees(e, t),
			scaleX,
			scaleY: 1
		};
	});
	return { run: { role: 'name', fontSize: f, glyphs: out }, endT: paramAtLength(e, 0, total / 2) };
}

/**
 * Lays the code along the lower arc so that it reads left to right the normal way up: glyph tops
 * face the centre. It never reaches into the name's arc; a code too long for the gap gets smaller.
 */
function layoutCode(chars: string[], frame: ArcFrame, maxFont: number, nameEndT: number): TextRun {
	const n = chars.length;
	const margin = CODE_MARGIN_DEGREES / DEG;
	let f = maxFont;
	let e = textEllipse(frame, f);
	for (let attempt = 0; attempt < 200; attempt++) {
		e = textEllipse(frame, f);
		const room = arcLength(e, nameEndT + margin, 2 * Math.PI - nameEndT - margin);
		if (n * CODE_PITCH_EM * f <= room) break;
		f *= 0.97;
	}
	const pitch = CODE_PITCH_EM * f;
	const total = n * pitch;
	const out: Glyph[] = chars.map((ch, i) => {
		// Reading left to right along the bottom runs towards smaller t.
		const t = paramAtLength(e, Math.PI, total / 2 - (i + 0.5) * pitch);
		return {
			ch,
			x: frame.cx + e.a * Math.sin(t),
			y: frame.cy - e.b * Math.cos(t),
			rotate: Math.atan2(-Math.sin(t) / e.a, -Math.cos(t) / e.b) * DEG,
			scaleX: 1,
			scaleY: 1
		};
	});
	return { role: 'code', fontSize: f, glyphs: out };
}

/** Horizontal glyphs of one em each, centred on (cx, cy), squeezed to fit maxWidth. */
function layoutLine(
	chars: string[],
	cx: number,
	cy: number,
	font: number,
	maxWidth: number
): TextRun {
	const n = chars.length;
	let f = font;
	let scaleX = Math.min(1, maxWidth / (n * f));
	if (scaleX < MIN_SQUEEZE) {
		f = maxWidth / (n * MIN_SQUEEZE);
		scaleX = MIN_SQUEEZE;
	}
	const pitch = f * scaleX;
	const out: Glyph[] = chars.map((ch, i) => ({
		ch,
		x: cx - (n * pitch) / 2 + (i + 0.5) * pitch,
		y: cy,
		rotate: 0,
		scaleX,
		scaleY: 1
	}));
	return { role: 'centre', fontSize: f, glyphs: out };
}

/** Ten points alternating outer and inner radius, one tip straight up, as on the national emblem. */
function starPoints(cx: number, cy: number, r: number): string {
	const points: string[] = [];
	for (let k = 0; k < 10; k++) {
		const radius = k % 2 === 0 ? r : r * STAR_INNER_RATIO;
		const angle = (k * 36) / DEG;
		points.push(`${num(cx + radius * Math.sin(angle))},${num(cy - radius * Math.cos(angle))}`);
	}
	return points.join(' ');
}

/**
 * Cells of a square seal in reading order. Seals read right column first, top to bottom: 2
 * characters are two tall columns; 3 put the first character alone in a tall right column and
 * the other two down the left; 4 make a 2 × 2 grid (the common "XX之印" form).
 */
function squareCells(
	n: number,
	x0: number,
	y0: number,
	w: number,
	h: number
): { x: number; y: number; w: number; h: number }[] {
	const colW = w / 2;
	const right = x0 + colW;
	const left = x0;
	if (n === 2) {
		return [
			{ x: right, y: y0, w: colW, h },
			{ x: left, y: y0, w: colW, h }
		];
	}
	const half = h / 2;
	if (n === 3) {
		return [
			{ x: right, y: y0, w: colW, h },
			{ x: left, y: y0, w: colW, h: half },
			{ x: left, y: y0 + half, w: colW, h: half }
		];
	}
	return [
		{ x: right, y: y0, w: colW, h: half },
		{ x: right, y: y0 + half, w: colW, h: half },
		{ x: left, y: y0, w: colW, h: half },
		{ x: left, y: y0 + half, w: colW, h: half }
	];
}

/** Each character fills its cell, stretched or squeezed as seal engravers do. */
function layoutSquare(chars: string[], spec: SealSpec): TextRun {
	const inset = spec.ringWidthMm + SQUARE_GAP * Math.min(spec.widthMm, spec.heightMm);
	const cells = squareCells(
		chars.length,
		inset,
		inset,
		spec.widthMm - 2 * inset,
		spec.heightMm - 2 * inset
	);
	const f = Math.min(...cells.map((c) => Math.min(c.w, c.h))) * SQUARE_FILL;
	const out: Glyph[] = chars.map((ch, i) => {
		const cell = cells[i]!;
		return {
			ch,
			x: cell.x + cell.w / 2,
			y: cell.y + cell.h / 2,
			rotate: 0,
			scaleX: (cell.w * SQUARE_FILL) / f,
			scaleY: (cell.h * SQUARE_FILL) / f
		};
	});
	return { role: 'name', fontSize: f, glyphs: out };
}

/** One <text> per glyph so position and turn never depend on the rasteriser's font metrics. */
function renderRun(run: TextRun): string {
	const lines = run.glyphs.map(
		(g) =>
			`<text x="0" y="${num(BASELINE_EM * run.fontSize)}" transform="translate(${num(g.x)} ${num(g.y)}) rotate(${num(g.rotate)}) scale(${num(g.scaleX)} ${num(g.scaleY)})">${escapeXml(g.ch)}</text>`
	);
	return [
		`<g class="seal-${run.role}" font-size="${num(run.fontSize)}" text-anchor="middle">`,
		...lines,
		'</g>'
	].join('\n');
}

/**
 * Draws the seal as a standalone SVG string, width and height in mm and one user unit per mm.
 * Throws when validateSealSpec finds problems, because a half-drawn seal must never be stamped.
 */
export function sealSvg(spec: SealSpec): string {
	const problems = validateSealSpec(spec);
	if (problems.length > 0) {
		throw new Error(
			`Invalid seal spec: ${problems.map((p) => `${p.code}(${p.field})`).join(', ')}`
		);
	}
	const w = spec.widthMm;
	const h = spec.heightMm;
	const cx = w / 2;
	const cy = h / 2;
	const ring = spec.ringWidthMm;
	const smaller = Math.min(w, h);
	const colour = escapeXml(spec.colour);
	const name = glyphs(spec.orgName.trim());
	const body: string[] = [];
	const runs: TextRun[] = [];

	if (spec.shape === 'square') {
		body.push(
			`<rect x="${num(ring / 2)}" y="${num(ring / 2)}" width="${num(w - ring)}" height="${num(h - ring)}" fill="none" stroke="${colour}" stroke-width="${num(ring)}"/>`
		);
		runs.push(layoutSquare(name, spec));
	} else {
		body.push(
			spec.shape === 'round'
				? `<circle cx="${num(cx)}" cy="${num(cy)}" r="${num(cx - ring / 2)}" fill="none" stroke="${colour}" stroke-width="${num(ring)}"/>`
				: `<ellipse cx="${num(cx)}" cy="${num(cy)}" rx="${num(cx - ring / 2)}" ry="${num(cy - ring / 2)}" fill="none" stroke="${colour}" stroke-width="${num(ring)}"/>`
		);
		const frame: ArcFrame = { cx, cy, a: cx, b: cy, ring, gap: TEXT_GAP * smaller };
		const { run, endT } = layoutName(name, frame, NAME_FONT * smaller, spec.arcDegrees);
		runs.push(run);

		const starR = STAR_RADIUS * smaller;
		if (spec.star) {
			body.push(`<polygon class="seal-star" points="${starPoints(cx, cy, starR)}"/>`);
		}
		const centre = glyphs(spec.centreText.trim());
		if (centre.length > 0) {
			const font = (spec.star ? CENTRE_FONT_WITH_STAR : CENTRE_FONT_ALONE) * smaller;
			// Below the star's lower tips (cos 36° of its radius) with a small gap, or dead centre.
			const y = spec.star ? cy + starR * Math.cos(36 / DEG) + TEXT_GAP * smaller + font / 2 : cy;
			runs.push(layoutLine(centre, cx, y, font, CENTRE_MAX_WIDTH * w));
		}
		const code = glyphs(spec.bottomCode.trim());
		if (code.length > 0) runs.push(layoutCode(code, frame, CODE_FONT * smaller, endT));
	}

	const drawn =
		spec.shape === 'square' ? [spec.orgName] : [spec.orgName, spec.centreText, spec.bottomCode];
	const label = drawn
		.map((s) => s.trim())
		.filter((s) => s !== '')
		.join(' ');
	return [
		`<svg xmlns="http://www.w3.org/2000/svg" xml:lang="zh-CN" width="${num(w)}mm" height="${num(h)}mm" viewBox="0 0 ${num(w)} ${num(h)}" role="img" aria-label="${escapeXml(label)}">`,
		`<g fill="${colour}" font-family="${escapeXml(spec.fontFamily)}" font-weight="bold">`,
		...body,
		...runs.map(renderRun),
		'</g>',
		'</svg>'
	].join('\n');
}
