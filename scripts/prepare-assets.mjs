// Prebuild step (npm run build / dev): puts generated static assets into static/generated, which
// is gitignored, so no binary is committed and nothing can drift from its source.
// 1. Every PNG icon the web app manifest and iOS need, from the one source SVG.
// 2. pdf.js's CMaps, standard fonts and wasm decoders, copied from the installed pdfjs-dist so
//    they always match its version; served from our origin, the service worker precaches them
//    and Chinese contracts render offline (NOTES-stack: pdf.js offline).
import sharp from 'sharp';
import { cp, mkdir, readFile, writeFile, stat, rm } from 'node:fs/promises';
import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
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

const pdfjsRoot = dirname(createRequire(import.meta.url).resolve('pdfjs-dist/package.json'));
const pdfjsVersion = JSON.parse(await readFile(join(pdfjsRoot, 'package.json'), 'utf8')).version;
const pdfjsOut = join(outDir, 'pdfjs');
const stamp = join(pdfjsOut, 'VERSION');
// Copied again only when pdfjs-dist changes: assets from another version could mis-decode.
const current = await readFile(stamp, 'utf8').catch(() => null);
if (current !== pdfjsVersion) {
	await rm(pdfjsOut, { recursive: true, force: true });
	const copied = [];
	for (const dir of ['cmaps', 'standard_fonts', 'wasm']) {
		if (!existsSync(join(pdfjsRoot, dir))) continue;
		await cp(join(pdfjsRoot, dir), join(pdfjsOut, dir), { recursive: true });
		copied.push(dir);
	}
	await writeFile(stamp, pdfjsVersion);
	console.log(`pdfjs ${pdfjsVersion}: copied ${copied.join(', ')} to static/generated/pdfjs`);
}
