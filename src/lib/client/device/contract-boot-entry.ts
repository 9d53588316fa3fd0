import { pdfjsUrl, pdfWorkerUrl } from 'virtual:sealpass/pdfjs-urls';
import { PDF_OPEN_OPTIONS } from '../pdf-options';
import { bootContract } from './contract-boot';
import { releaseScriptPreloads } from './shell-preloads';

/**
 * The entry of the contract boot script, the classic script app.html runs before SvelteKit starts:
 * bundled on its own by the `sealpass-contract-boot` Vite plugin (vite.config.ts), which
 * provides the client build's URLs of pdf.js's module and worker as the virtual module above.
 */
// The shell's module preloads wait only while page 1 is being drawn here (shell-preloads.ts).
if (!bootContract(pdfWorkerUrl, pdfjsUrl, PDF_OPEN_OPTIONS)) releaseScriptPreloads(document);
