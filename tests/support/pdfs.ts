import { PDFDocument, StandardFonts, rgb } from '@cantoo/pdf-lib';
import fontkit from '@cantoo/fontkit';
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';

const require = createRequire(import.meta.url);
let cjkFont: Uint8Array | null = null;

/** The OFL CJK font the server uses, for fixtures with Chinese text. */
export function cjkFontBytes(): Uint8Array {
	cjkFont ??= new Uint8Array(
		readFileSync(
			require.resolve('@expo-google-fonts/noto-sans-sc/400Regular/NotoSansSC_400Regular.ttf')
		)
	);
	return cjkFont;
}

/**
 * A deterministic A4 text document: `pages` pages of grey Chinese/English lines. With
 * `withImage`, each page also shows a (shared) photo, as in scanned contracts.
 */
export async function textPdf(
	pages: number,
	opts: { chinese?: boolean; image?: Uint8Array } = {}
): Promise<Uint8Array> {
	const doc = await PDFDocument.create({ updateMetadata: false });
	doc.setCreationDate(new Date('2026-01-01T00:00:00Z'));
	doc.setModificationDate(new Date('2026-01-01T00:00:00Z'));
	let font;
	if (opts.chinese) {
		doc.registerFontkit(fontkit);
		font = await doc.embedFont(cjkFontBytes(), { subset: true, customName: 'FixtureCJK' });
	} else {
		font = await doc.embedFont(StandardFonts.Helvetica);
	}
	const picture = opts.image ? await doc.embedJpg(opts.image) : null;
	for (let p = 1; p <= pages; p++) {
		const page = doc.addPage([595.28, 841.89]);
		for (let line = 0; line < 40; line++) {
			const text = opts.chinese
				? `第${p}页 第${line + 1}行 甲方乙方合同条款 Clause ${line + 1} of page ${p}`
				: `Page ${p}, line ${line + 1}: the parties agree to the terms set out in this clause.`;
			page.drawText(text, { x: 50, y: 790 - line * 18, size: 10, font, color: rgb(0.3, 0.3, 0.3) });
		}
		if (picture) page.drawImage(picture, { x: 200, y: 60, width: 160, height: 120 });
	}
	return new Uint8Array(await doc.save());
}
