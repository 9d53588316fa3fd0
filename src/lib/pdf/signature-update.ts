import { appendUpdate, dictBytes, type UpdateObject } from './incremental';
import { LazyReadError, PdfReader, isName } from './pdf-reader';
import { Dict, Name, Num, Raw, Ref } from './pdf-syntax';

/*
 * The PDF half of a PAdES signature: an incremental update holding a signature field (merged
 * with an invisible widget, as most signers write it), the form that lists it and a /Sig
 * dictionary with a /ByteRange and a zero-filled /Contents hole, then the CMS put into the hole.
 * Only the trailer, the catalog, the form and the first page's place in the page tree are read,
 * so signing a 200-page contract does not parse its pages. The CMS itself is the caller's.
 */

export interface SignatureSlotOptions {
	subFilter: 'ETSI.CAdES.detached';
	/** The /M entry: the claimed signing time. */
	signingTime: Date;
	reason?: string;
	location?: string;
	/** Bytes reserved for the DER CMS (the hole holds twice as many hex digits). */
	contentsBytes: number;
	/** The file identifier to write when the file has none (else the update's /ID varies). */
	fileId: Uint8Array;
}

/** The file with its signature update and the hole still empty. */
export interface SignatureSlot {
	bytes: Uint8Array<ArrayBuffer>;
	/** [0, offset of `<`, offset after `>`, bytes after it]: what the signature covers. */
	byteRange: [number, number, number, number];
}

/** A /ByteRange written before the offsets are known, patched in place (same width) after. */
const RANGE_PLACEHOLDER = '[0 0000000000 0000000000 0000000000]';

/**
 * Appends the signature field, its form entry and an empty /Sig dictionary to `pdf` and fixes
 * the byte range around the hole. Throws LazyReadError for a file whose structure the lazy
 * reader does not handle (the caller then signs with a full parser).
 */
export function prepareSignatureSlot(pdf: Uint8Array, opts: SignatureSlotOptions): SignatureSlot {
	const reader = new PdfReader(pdf);
	const rootRef = reader.trailer.get('Root');
	const catalog = reader.dict(rootRef);
	if (!(rootRef instanceof Ref) || !catalog) throw new LazyReadError('No catalog');
	const firstPage = firstPageRef(reader, catalog);

	let next = reader.size;
	const sigN = next++;
	const fieldN = next++;
	const objects: UpdateObject[] = [];

	// The form: an existing one (in the catalog or its own object) gains the field.
	const formValue = catalog.get('AcroForm');
	const existing = reader.dict(formValue);
	const form = new Dict(existing?.map);
	const fields = reader.resolve(form.get('Fields'));
	const list = Array.isArray(fields) ? [...fields] : [];
	const taken = new Set<string>();
	for (const field of list) {
		const t = reader.dict(field)?.get('T');
		if (t instanceof Raw) taken.add(stringText(t.bytes));
	}
	let i = 1;
	while (taken.has(`Signature_${i}`)) i++;
	list.push(new Ref(fieldN, 0));
	form.set('Fields', list);
	// SignaturesExist | AppendOnly: readers keep later changes to incremental updates.
	form.set('SigFlags', Num.of(3));
	if (formValue instanceof Ref && existing) {
		objects.push({ n: formValue.n, g: formValue.g, bytes: dictBytes(form) });
	} else {
		const formN = next++;
		objects.push({ n: formN, g: 0, bytes: dictBytes(form) });
		const updated = new Dict(catalog.map);
		updated.set('AcroForm', new Ref(formN, 0));
		objects.push({ n: rootRef.n, g: rootRef.g, bytes: dictBytes(updated) });
	}

	const field = new Dict([
		['FT', new Name('Sig')],
		['T', literal(`Signature_${i}`)],
		['V', new Ref(sigN, 0)],
		['Type', new Name('Annot')],
		['Subtype', new Name('Widget')],
		// Print | Locked: an invisible widget nobody can move or delete.
		['F', Num.of(132)],
		['P', firstPage],
		['Rect', [Num.of(0), Num.of(0), Num.of(0), Num.of(0)]]
	]);
	objects.push({ n: fieldN, g: 0, bytes: dictBytes(field) });

	// The /Sig dictionary is written as text, so the hole's place in it is known.
	const head =
		`<</Type /Sig /Filter /Adobe.PPKLite /SubFilter /${opts.subFilter}` +
		` /ByteRange ${RANGE_PLACEHOLDER} /Contents `;
	const hole = `<${'0'.repeat(opts.contentsBytes * 2)}>`;
	let tail = ` /M ${latin1(literal(pdfDate(opts.signingTime)).bytes)}`;
	if (opts.reason) tail += ` /Reason ${latin1(textString(opts.reason).bytes)}`;
	if (opts.location) tail += ` /Location ${latin1(textString(opts.location).bytes)}`;
	tail += '>>';
	objects.push({ n: sigN, g: 0, bytes: ascii(head + hole + tail) });

	const id = reader.trailer.get('ID');
	const hexId = new Raw(ascii(`<${hex(opts.fileId)}>`));
	const { bytes, contentAt } = appendUpdate(pdf, reader, objects, {
		ID: id ?? [hexId, hexId]
	});
	const sigAt = contentAt.get(sigN)!;
	const a = sigAt + head.length;
	const c = a + hole.length;
	const byteRange: SignatureSlot['byteRange'] = [0, a, c, bytes.length - c];
	const range = `[0 ${a} ${c} ${byteRange[3]}`.padEnd(RANGE_PLACEHOLDER.length - 1, ' ') + ']';
	const rangeAt = sigAt + head.indexOf(RANGE_PLACEHOLDER);
	bytes.set(ascii(range), rangeAt);
	return { bytes, byteRange };
}

/** Puts the DER CMS into the slot's hole (zero-padded); throws if it does not fit. */
export function fillSignatureSlot(slot: SignatureSlot, der: Uint8Array): Uint8Array<ArrayBuffer> {
	const [, a, c] = slot.byteRange;
	const room = (c - a - 2) / 2;
	if (der.length > room) {
		throw new Error(`The signature needs ${der.length} bytes, the placeholder holds ${room}`);
	}
	slot.bytes.set(ascii(hex(der)), a + 1);
	return slot.bytes;
}

/** The leftmost leaf of the page tree: the field's page, read without walking the others. */
function firstPageRef(reader: PdfReader, catalog: Dict): Ref {
	let ref = catalog.get('Pages');
	for (let depth = 0; depth < 64; depth++) {
		if (!(ref instanceof Ref)) break;
		const node = reader.dict(ref);
		if (!node) break;
		const kids = reader.resolve(node.get('Kids'));
		if (isName(node.get('Type'), 'Page') || !Array.isArray(kids)) return ref;
		ref = kids[0];
	}
	throw new LazyReadError('No first page');
}

/** PDF date (7.9.4) in UTC. */
function pdfDate(date: Date): string {
	const iso = date.toISOString();
	return `D:${iso.slice(0, 19).replace(/[-T:]/g, '')}Z`;
}

/** A literal string of ASCII text, with the characters 7.3.4.2 asks to escape escaped. */
function literal(text: string): Raw {
	return new Raw(ascii(`(${text.replace(/[\\()]/g, (ch) => `\\${ch}`)})`));
}

/** A text string (7.9.2.2): literal when it is printable ASCII, else UTF-16BE with its BOM. */
function textString(text: string): Raw {
	if (/^[\x20-\x7e]*$/.test(text)) return literal(text);
	let digits = 'FEFF';
	for (let i = 0; i < text.length; i++) {
		digits += text.charCodeAt(i).toString(16).padStart(4, '0').toUpperCase();
	}
	return new Raw(ascii(`<${digits}>`));
}

/**
 * The text of a string as written (literal or hex; UTF-16BE with its BOM or one byte a
 * character), enough to compare field names: octal escapes are read, other escapes dropped.
 */
function stringText(raw: Uint8Array): string {
	const text = latin1(raw);
	let bytes: number[];
	if (text.startsWith('<')) {
		const digits = text.slice(1, -1).replace(/[^0-9a-fA-F]/g, '');
		bytes =
			(digits.length % 2 ? `${digits}0` : digits).match(/../g)?.map((h) => parseInt(h, 16)) ?? [];
	} else {
		const body = text
			.slice(1, -1)
			.replace(/\\([0-7]{1,3}|.)/gs, (_, e: string) =>
				/^[0-7]/.test(e) ? String.fromCharCode(parseInt(e, 8) & 0xff) : e === 'n' ? '\n' : e
			);
		bytes = Array.from(body, (ch) => ch.charCodeAt(0));
	}
	if (bytes[0] === 0xfe && bytes[1] === 0xff) {
		let out = '';
		for (let k = 2; k + 1 < bytes.length; k += 2)
			out += String.fromCharCode((bytes[k]! << 8) | bytes[k + 1]!);
		return out;
	}
	return String.fromCharCode(...bytes);
}

function ascii(text: string): Uint8Array {
	const out = new Uint8Array(text.length);
	for (let i = 0; i < text.length; i++) out[i] = text.charCodeAt(i) & 0xff;
	return out;
}

function latin1(bytes: Uint8Array): string {
	let s = '';
	for (const b of bytes) s += String.fromCharCode(b);
	return s;
}

function hex(bytes: Uint8Array): string {
	let s = '';
	for (const b of bytes) s += b.toString(16).padStart(2, '0');
	return s;
}
