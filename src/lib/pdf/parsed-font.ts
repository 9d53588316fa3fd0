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

/**
 * `parsedOnceFontkit` whose fonts remember each text's layout for as long as this object lives
 * (one certificate). pdf-lib shapes a line once to measure it and again to draw it, and the
 * line breaker measures the same candidates more than once: fontkit's shaping was most of a
 * certificate's time. Everything but `layout` goes to the shared parse untouched, so the tables
 * it decodes stay decoded for the next document.
 */
export function memoisingFontkit(): typeof parsedOnceFontkit {
	return {
		create(bytes, postscriptName) {
			const font = parsedOnceFontkit.create(bytes, postscriptName);
			if (!font || !('layout' in font)) return font;
			const runs = new Map<string, ReturnType<Font['layout']>>();
			return new Proxy(font, {
				get(target, key) {
					if (key !== 'layout') return Reflect.get(target, key, target);
					return (text: string, features?: unknown, ...rest: unknown[]) => {
						// Any other arguments (script, language) are not worth a key: not remembered.
						if (rest.length > 0 || (features !== undefined && typeof features !== 'object')) {
							return target.layout(text, features as never, ...(rest as []));
						}
						const key = features ? `${JSON.stringify(features)}\u0000${text}` : text;
						let run = runs.get(key);
						if (!run) {
							run = target.layout(text, features as never);
							runs.set(key, run);
						}
						return run;
					};
				}
			});
		}
	};
}
