import fontkit, { type Font, type FontCollection } from '@cantoo/fontkit';

/** One parse per font bytes object, for as long as the caller keeps the bytes. */
const parsed = new WeakMap<Uint8Array, Font | FontCollection>();

/**
 * fontkit for pdf-lib's `registerFontkit`, parsing each font bytes object once. pdf-lib parses
 * the font it embeds on every document, and fontkit then decodes the tables a layout needs
 * (cmap, metrics, GSUB, GPOS) on first use: for the 10 MB CJK font that was most of a
 * certificate's cost, paid again for every contract. A parsed font is only read afterwards
 * (each embedding takes a subset of its own), so one parse serves every document; the server
 * keeps the font's bytes for its lifetime (`loadCjkFont`), and with them the parse.
 */
export const parsedOnceFontkit = {
	create(bytes: Uint8Array, postscriptName?: string): Font | FontCollection | null {
		if (postscriptName !== undefined) return fontkit.create(bytes, postscriptName);
		let font = parsed.get(bytes);
		if (!font) {
			font = fontkit.create(bytes);
			parsed.set(bytes, font);
		}
		return font;
	}
};

/** What pdf-lib reads of a layout: the glyphs, for their ids and advances. */
type Run = Pick<ReturnType<Font['layout']>, 'glyphs'>;

/** Each piece's shaped glyphs, per parsed font and features: kept for the process, bounded. */
const shapedPieces = new WeakMap<Font, Map<string, Run['glyphs']>>();
const SHAPED_PIECES_LIMIT = 50_000;

/**
 * `parsedOnceFontkit` whose fonts shape text piece by piece (`pieces` splits it; pieces across
 * whose edges the font never shapes, such as spaces and single CJK characters) and remember
 * each piece's glyphs for the process. pdf-lib shapes a line to measure it and again to draw
 * it, and a line breaker measures many candidate lines: fontkit's shaping of whole lines was
 * most of a certificate's time, while its pieces (labels, digits, common characters) recur in
 * every certificate. Everything but `layout` goes to the shared parse untouched.
 */
export function piecewiseFontkit(pieces: RegExp): typeof parsedOnceFontkit {
	return {
		create(bytes, postscriptName) {
			const font = parsedOnceFontkit.create(bytes, postscriptName);
			if (!font || !('layout' in font)) return font;
			let cache = shapedPieces.get(font);
			if (!cache) {
				cache = new Map();
				shapedPieces.set(font, cache);
			}
			const known = cache;
			return new Proxy(font, {
				get(target, key) {
					if (key !== 'layout') return Reflect.get(target, key, target);
					return (text: string, features?: Record<string, boolean>): Run => {
						// fontkit shapes a text in the script of its first letter; each piece is
						// shaped in that script too, so a date gets the glyphs it gets in its line.
						const script = scriptOf(text);
						if (script === undefined) return target.layout(text, features);
						const prefix = `${script}\u0000${features ? JSON.stringify(features) : ''}\u0000`;
						const glyphs: Run['glyphs'] = [];
						for (const piece of text.match(pieces) ?? []) {
							let shaped = known.get(prefix + piece);
							if (!shaped) {
								shaped = target.layout(piece, features ?? [], script).glyphs;
								if (known.size >= SHAPED_PIECES_LIMIT) known.clear();
								known.set(prefix + piece, shaped);
							}
							for (const glyph of shaped) glyphs.push(glyph);
						}
						return { glyphs };
					};
				}
			});
		}
	};
}

/** The first character of a script other than Common or Inherited (as fontkit looks for it). */
const FIRST_LETTER = /[^\p{Script=Common}\p{Script=Inherited}]/u;
/** The scripts the certificate writes in, by their OpenType tags. */
const SCRIPT_TAGS: [RegExp, string][] = [
	[/\p{Script=Han}/u, 'hani'],
	[/\p{Script=Latin}/u, 'latn']
];

/**
 * The OpenType script fontkit picks for `text` ('zzzz' when it has no letter), or undefined
 * for a script not listed here (then the text is shaped whole, as fontkit would).
 */
function scriptOf(text: string): string | undefined {
	const first = FIRST_LETTER.exec(text)?.[0];
	if (first === undefined) return 'zzzz';
	return SCRIPT_TAGS.find(([pattern]) => pattern.test(first))?.[1];
}
