// Generates every PNG icon the web app manifest and iOS need from the one source SVG, so
// the icons can never drift from the logo and no binary image is committed.
import sharp from 'sharp';
import { mkdir, readFile, writeFile, stat } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import { dirname, join } from 'node:path';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const source = join(root, 'static/icon.svg');
const outDir = join(root, 'static/generated');
const background = '#b3121b';

/** name → [size, padding fraction] ; maskable icons keep the logo inside the 80 % safe zone. */
const targets = {
	'pwa-192x192.png': [192, 0],
	'pwa-512x512.png': [512, 0],
	'maskable-512x512.png': [512, 0.1],
	'apple-touch-icon-180x180.png': [180, 0.06],
	'favicon-48x48.png': [48, 0]
};

async function upToDate() {
	try {
		const src = await stat(source);
		for (const name of Object.keys(targets)) {
			if ((await stat(join(outDir, name))).mtimeMs < src.mtimeMs) return false;
		}
		return true;
	} catch {
		return false;
	}
}

if (!(await upToDate())) {
	const svg = await readFile(source);
	await mkdir(outDir, { recursive: true });
	for (const [name, [size, pad]] of Object.entries(targets)) {
		const inner = Math.round(size * (1 - 2 * pad));
		const logo = await sharp(svg, { density: 72 * (inner / 512) * 4 })
			.resize(inner, inner)
			.png()
			.toBuffer();
		const png = pad
			? await sharp({ create: { width: size, height: size, channels: 4, background } })
					.composite([{ input: logo, gravity: 'centre' }])
					.png()
					.toBuffer()
			: logo;
		await writeFile(join(outDir, name), png);
	}
	console.log(`icons: generated ${Object.keys(targets).length} PNGs in static/generated`);
}
