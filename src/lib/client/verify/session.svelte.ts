import { certificateContractId } from './pdf-contract-id';
import { verifyInWorker, type VerifyRun } from './run';
import type { VerifyOutcome, VerifyStep } from './protocol';

/*
 * The verify page's state: the picked files (PDF, archive, and the font file when the archive's
 * font was not at hand), the running check and its outcome. Every pick starts a new check and
 * cancels the one running, so the answer shown is always about the files shown.
 */
export class VerifySession {
	pdf = $state<File | null>(null);
	archive = $state<File | null>(null);
	font = $state<File | null>(null);
	step = $state<VerifyStep | null>(null);
	outcome = $state.raw<VerifyOutcome | null>(null);
	/** The id the picked PDF's certificate names (null until read, or when it names none). */
	pdfContractId = $state<string | null>(null);
	#run: VerifyRun | null = null;

	pick(slot: 'pdf' | 'archive' | 'font', file: File | null): void {
		this[slot] = file;
		void this.#check();
	}

	async #check(): Promise<void> {
		this.#run?.cancel();
		this.#run = null;
		this.outcome = null;
		this.pdfContractId = null;
		const { pdf, archive, font } = this;
		if (!pdf && !archive) {
			this.step = null;
			return;
		}
		this.step = 'reading';
		const read = async (file: File | null) =>
			file ? new Uint8Array(await file.arrayBuffer()) : null;
		const request = { pdf: await read(pdf), archive: await read(archive), font: await read(font) };
		// Another pick while the files were read: that pick runs its own check.
		if (pdf !== this.pdf || archive !== this.archive || font !== this.font) return;
		const run = verifyInWorker(request, (step) => {
			if (this.#run === run) this.step = step;
		});
		this.#run = run;
		const outcome = await run.result;
		if (this.#run !== run) return;
		this.#run = null;
		this.step = null;
		this.outcome = outcome;
		// The footer is read after the verdict, and only for a PDF checked alone (an archive names
		// its own contract): pdf.js opening the whole file beside the check, its worker's start
		// included, held the verdict back by about as long as the open itself on two cores.
		if (outcome.kind === 'pdf' && request.pdf) {
			const id = await certificateContractId(request.pdf);
			if (this.#run === null && pdf === this.pdf && archive === this.archive) {
				this.pdfContractId = id;
			}
		}
	}

	dispose(): void {
		this.#run?.cancel();
		this.#run = null;
	}
}
