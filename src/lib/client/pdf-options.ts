/**
 * Where the prebuild step (scripts/prepare-assets.mjs) copies pdf.js's data files. Served from
 * our origin and precached by the service worker, so CJK text (CMaps), the 14 standard fonts and
 * the JPX/JBIG2 decoders (wasm) are there with the network off.
 */
const PDFJS_ASSETS = '/generated/pdfjs/';

/**
 * How every document is opened with pdf.js, by the app (pdf-viewer.ts) and by the boot script
 * (contract-boot-entry.ts, bundled into the contract boot script): one place, so a contract opened at
 * boot is opened exactly as the app would. isEvalSupported: false keeps pdf.js inside our CSP
 * (no 'unsafe-eval') and shuts the font-program eval path that crafted PDFs have abused
 * (CVE-2024-4367). Plain data, no imports: it is on the boot script's path too.
 */
export const PDF_OPEN_OPTIONS = {
	isEvalSupported: false,
	enableXfa: false,
	stopAtErrors: false,
	cMapUrl: `${PDFJS_ASSETS}cmaps/`,
	cMapPacked: true,
	standardFontDataUrl: `${PDFJS_ASSETS}standard_fonts/`,
	wasmUrl: `${PDFJS_ASSETS}wasm/`
} as const;
