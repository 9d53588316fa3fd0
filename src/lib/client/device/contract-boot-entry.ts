import { pdfjsUrl, pdfWorkerUrl } from 'virtual:sealpass/pdfjs-urls';
import { PDF_OPEN_OPTIONS } from '../pdf-options';
import { bootContract } from './contract-boot';

/**
 * The entry of the contract boot script, the classic script app.html runs before SvelteKit starts:
 * bundled on its own by the `sealpass-contract-boot` Vite plugin (vite.config.ts), which
 * provides the client build's URLs of pdf.js's module and worker as the virtual module above.
 */
bootContract(pdfWorkerUrl, pdfjsUrl, PDF_OPEN_OPTIONS);
