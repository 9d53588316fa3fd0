// Could @libpdf/core replace our lazy reader and rewriter (src/lib/pdf/pdf-syntax.ts,
// pdf-reader.ts, rewrite.ts) on render's read + write path? The same stamping work done both
// ways on the same file in the same process: our render() (lazy read, verbatim rewrite) against
// @libpdf/core loading the file, drawing the same images on the same pages and saving an
// incremental update. Bundled by vite.node.config.ts, driven by bench/run.mjs (`libpdf`), each
// memory figure in a fresh process. A measurement only: render() keeps our reader.
import { PDF, PdfArray, PdfString } from '@libpdf/core';
import { createHash } from 'node:crypto';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { render } from '$lib/pdf/render';
import { loadCase, median } from './render-bench';

type Case = ReturnType<typeof loadCase>;

/**
 * render()'s stamping done with @libpdf/core: the riding seam's seal on every page (drawn
 * whole, where render() draws one slice per page: the same number of pages changed, a little
 * less drawing), the signature and the seal field on the last page, the free seal on page 1.
 */
async function libpdfStamp(
	{ original, assets, manifest }: Case,
	fixedId = false
): Promise<Uint8Array> {
	const doc = await PDF.load(original);
	// Our renderer writes no trailer /ID and @libpdf/core then makes a random one; the fixed
	// variant shows whether that is the only source of difference between two runs.
	if (fixedId) {
		const id = new Uint8Array(16).fill(7);
		doc.context.info.trailer.set(
			'ID',
			PdfArray.of(new PdfString(id, 'hex'), new PdfString(id.slice(), 'hex'))
		);
	}
	const images = new Map([...assets].map(([hash, bytes]) => [hash, doc.embedImage(bytes)]));
	const pages = doc.getPages();
	const seam = manifest.ridingSeams[0]!;
	for (const page of pages) {
		page.drawImage(images.get(seam.image)!, { x: page.width - 40, y: 380, width: 40, height: 40 });
	}
	const last = pages[pages.length - 1]!;
	for (const fill of manifest.fills) {
		const { x, y, width, height } = fill.rect;
		last.drawImage(images.get(fill.image)!, { x, y, width, height });
	}
	const free = manifest.seals[0]!;
	pages[0]!.drawImage(images.get(free.image)!, {
		x: free.centre.x - 60,
		y: free.centre.y - 60,
		width: 120,
		height: 120
	});
	return doc.save({ incremental: true });
}

const sha = (bytes: Uint8Array) => createHash('sha256').update(bytes).digest('hex');

function qpdfStatus(pdf: Uint8Array): number {
	const dir = mkdtempSync(join(tmpdir(), 'sealpass-libpdf-'));
	try {
		writeFileSync(join(dir, 'out.pdf'), pdf);
		execFileSync('qpdf', ['--check', join(dir, 'out.pdf')], { stdio: 'pipe' });
		return 0;
	} catch (error) {
		return (error as { status: number }).status;
	} finally {
		rmSync(dir, { recursive: true, force: true });
	}
}

/** Warmed-up medians of both paths on one file, their outputs' determinism and soundness. */
async function measureTime(dir: string, name: string): Promise<Record<string, unknown>> {
	const c = loadCase(dir, name);
	const runs = 9;
	const ours = () => render(c.original, [c.manifest], c.assets);
	const theirs = () => libpdfStamp(c);
	// Two runs each first: JIT and caches warm, and the pairs show whether output repeats.
	const [ours1, ours2] = [await ours(), await ours()];
	const [theirs1, theirs2] = [await theirs(), await theirs()];
	const oursMs = await median(runs, ours);
	const theirsMs = await median(runs, theirs);
	return {
		case: name,
		pages: c.c.pages,
		input_bytes: c.original.byteLength,
		ours_ms: +oursMs.toFixed(1),
		libpdf_ms: +theirsMs.toFixed(1),
		libpdf_over_ours_time: +(theirsMs / oursMs).toFixed(3),
		ours_output_growth_bytes: ours1.byteLength - c.original.byteLength,
		libpdf_output_growth_bytes: theirs1.byteLength - c.original.byteLength,
		ours_deterministic: sha(ours1) === sha(ours2),
		libpdf_deterministic: sha(theirs1) === sha(theirs2),
		libpdf_deterministic_with_fixed_id:
			sha(await libpdfStamp(c, true)) === sha(await libpdfStamp(c, true)),
		libpdf_keeps_input_prefix: sha(theirs1.subarray(0, c.original.byteLength)) === sha(c.original),
		ours_qpdf_check: qpdfStatus(ours1),
		libpdf_qpdf_check: qpdfStatus(theirs1)
	};
}

/** Peak RSS one stamping adds to a fresh process, for either path. */
async function measureMemory(
	dir: string,
	name: string,
	which: 'ours' | 'libpdf'
): Promise<Record<string, unknown>> {
	const c = loadCase(dir, name);
	const baseline = process.memoryUsage().rss;
	if (which === 'ours') await render(c.original, [c.manifest], c.assets);
	else await libpdfStamp(c);
	return { [`${which}_peak_rss_bytes`]: process.resourceUsage().maxRSS * 1024 - baseline };
}

/** Child-process entry: `time DIR CASE` or `memory-ours|memory-libpdf DIR CASE`; one JSON line. */
export async function main(argv: string[]): Promise<void> {
	const [mode, dir, name] = argv;
	const result =
		mode === 'time'
			? await measureTime(dir!, name!)
			: await measureMemory(dir!, name!, mode === 'memory-ours' ? 'ours' : 'libpdf');
	console.log(JSON.stringify(result));
}
