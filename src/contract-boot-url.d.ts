/**
 * The URL of this build's contract boot script (content-named, so cached immutable), known only
 * once the client build has named it: provided to the server by the `sealpass-contract-boot`
 * Vite plugin (vite.config.ts). In dev, the dev server's empty /contract-boot.js.
 */
declare module 'virtual:sealpass/contract-boot-url' {
	export const contractBootUrl: string;
}
