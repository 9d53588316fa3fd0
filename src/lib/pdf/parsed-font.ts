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
