/**
 * The client build's URLs of pdf.js's main module chunk and worker asset, known only once the
 * app's chunks are named: provided to the contract boot script's own build by the
 * `sealpass-contract-boot` Vite plugin (vite.config.ts). Not importable from the app itself.
 */
declare module 'virtual:sealpass/pdfjs-urls' {
	export const pdfjsUrl: string;
	export const pdfWorkerUrl: string;
}
