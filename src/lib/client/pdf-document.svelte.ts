import type { PDFDocumentProxy } from 'pdfjs-dist';
import type { PageSize } from '$lib/domain/envelope';
import { openPdf } from './pdf-viewer';

/**
 * PDF bytes opened with pdf.js for a page list (the admin's contract and field editor pages),
 * opened again when the bytes change (a replaced document) and destroyed when the component
 * goes. Made during a component's initialisation: its effect belongs to that component.
 */
export class OpenedPdf {
	/** The open document; null while it opens, or when it could not be opened. */
	doc = $state.raw<PDFDocumentProxy | null>(null);
	/** Each page's displayed size in PDF points (rotation applied), read from the document. */
	sizes = $state.raw<PageSize[]>([]);
	/** Why it could not be opened. */
	failed = $state<string | null>(null);

	constructor(bytes: () => Uint8Array) {
		$effect(() => {
			// pdf.js may transfer (detach) the buffer it is given: the caller's bytes stay usable.
			const copy = bytes().slice();
			let opened: PDFDocumentProxy | null = null;
			let cancelled = false;
			this.failed = null;
			(async () => {
				try {
					opened = await openPdf(copy);
					const sizes = await pageSizes(opened);
					if (cancelled) return;
					this.sizes = sizes;
					this.doc = opened;
				} catch (caught) {
					if (!cancelled) this.failed = caught instanceof Error ? caught.message : String(caught);
				}
			})();
			return () => {
				cancelled = true;
				this.doc = null;
				void opened?.destroy();
			};
		});
	}
}

/** The displayed size of every page, as the page frames lay them out. */
async function pageSizes(doc: PDFDocumentProxy): Promise<PageSize[]> {
	const pages = await Promise.all(
		Array.from({ length: doc.numPages }, (_, i) => doc.getPage(i + 1))
	);
	return pages.map((page) => {
		const { width, height } = page.getViewport({ scale: 1 });
		return { width, height };
	});
}
