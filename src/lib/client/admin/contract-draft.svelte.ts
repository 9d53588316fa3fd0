import { m } from '$lib/paraglide/messages';
import type { OrgUser } from '$lib/domain/api-types';
import type { Party, SigningOrder } from '$lib/domain/envelope';
import { DEFAULT_REMINDERS } from '$lib/domain/deadline';
import type { CertificationLevel } from '$lib/domain/personal-certification';
import { ApiError } from '../api';
import { pdfUploadMessage } from './contract-display';
import type { ContractForm } from './contracts';
import { errorMessage } from '../error-message';

/** The most signers and parties the upload form offers to add (the server checks its own limits). */
export const MAX_SIGNERS = 20;
export const MAX_PARTIES = 10;

interface Accounts {
	me: { id: string };
	users: OrgUser[];
}

let nextKey = 0;
const key = () => ++nextKey;

/** One signer row of the upload form: an existing account, or a new person to invite. */
export class SignerRow {
	readonly key = key();
	mode = $state<'existing' | 'new'>('new');
	userId = $state('');
	name = $state('');
	contact = $state('');
	order = $state(1);

	constructor(order: number, existingUserId?: string) {
		this.order = order;
		if (existingUserId !== undefined) {
			this.mode = 'existing';
			this.userId = existingUserId;
		}
	}
}

/** One party of the upload form with its signers. */
export class PartyRow {
	readonly key = key();
	name = $state('');
	kind = $state<Party['kind']>('organisation');
	signers = $state<SignerRow[]>([]);

	constructor(kind: Party['kind'], first: SignerRow) {
		this.kind = kind;
		this.signers = [first];
	}
}

/**
 * What the admin has typed into the upload form so far. Our organisation comes first, signed by
 * the admin; the counterparties are added by the admin. Everything typed stays here when the
 * server refuses the upload, so only the message changes.
 */
export class ContractDraft {
	title = $state('');
	file = $state<File | null>(null);
	signingOrder = $state<SigningOrder>('sequential');
	deadline = $state('');
	/** Remind the signers who still must act (SPEC DL6); only sent along with a deadline. */
	remind = $state(true);
	remindFirstDays = $state(DEFAULT_REMINDERS.firstDaysBefore);
	remindEveryDays = $state(DEFAULT_REMINDERS.everyDays);
	/** The level every signer must be certified to (SPEC PC11); '' = no requirement. */
	requiredLevel = $state<CertificationLevel | ''>('');
	parties = $state<PartyRow[]>([]);
	readonly #accounts: () => Accounts | null;

	/** `accounts` reads the page's data: the signed-in admin and the accounts they may name. */
	constructor(accounts: () => Accounts | null) {
		this.#accounts = accounts;
		this.parties = [new PartyRow('organisation', new SignerRow(1, accounts()?.me.id ?? ''))];
	}

	get signerCount() {
		return this.parties.reduce((n, p) => n + p.signers.length, 0);
	}

	addParty(kind: Party['kind']) {
		this.parties.push(new PartyRow(kind, new SignerRow(this.signerCount + 1)));
	}
	addSigner(party: PartyRow) {
		party.signers.push(new SignerRow(this.signerCount + 1));
	}
	/** Removing a party's last signer removes the party. */
	removeSigner(party: PartyRow, row: SignerRow) {
		party.signers = party.signers.filter((s) => s !== row);
		if (party.signers.length === 0) this.parties = this.parties.filter((p) => p !== party);
	}

	/** The contact of an account, sent along so they can be notified. */
	#userContact(userId: string) {
		return this.#accounts()?.users.find((u) => u.id === userId)?.contact ?? '';
	}

	/** The form as POST /api/admin/contracts expects it beside the PDF. */
	toForm(): ContractForm {
		return {
			title: this.title,
			signingOrder: this.signingOrder,
			deadline: this.deadline || null,
			requiredLevel: this.requiredLevel || null,
			reminders:
				this.deadline && this.remind
					? {
							firstDaysBefore: Number(this.remindFirstDays),
							everyDays: Number(this.remindEveryDays)
						}
					: null,
			parties: this.parties.map((p) => ({
				name: p.name,
				kind: p.kind,
				signers: p.signers.map((s) => ({
					name: s.mode === 'new' ? s.name : '',
					contact: s.mode === 'new' ? s.contact : this.#userContact(s.userId) || null,
					userId: s.mode === 'existing' ? s.userId : null,
					order: Number(s.order) || 1
				}))
			}))
		};
	}
}

/** The upload's refusal in words that point at the field (or the numbered signer) to fix. */
export function contractFormMessage(caught: unknown): string {
	if (!(caught instanceof ApiError)) return errorMessage(caught);
	const d = caught.details;
	if (caught.code === 'PDF_MALFORMED') return pdfUploadMessage(caught);
	if (caught.code === 'CONTRACT_INVALID') {
		if (d.field === 'title') return m.contract_invalid_title();
		if (d.field === 'deadline') return m.contract_invalid_deadline();
		if (d.field === 'reminders') return m.deadline_invalid_reminders();
		if (d.field === 'party') return m.contract_invalid_party();
		if (d.field === 'duplicate') return m.contract_invalid_duplicate();
		if (d.field === 'signers') return m.contract_invalid_signers();
	}
	const index = typeof d.index === 'number' ? d.index + 1 : null;
	const base = errorMessage(caught);
	return index !== null &&
		['CONTACT_INVALID', 'REAL_NAME_INVALID', 'CONTRACT_INVALID', 'NOTIFY_UNAVAILABLE'].includes(
			caught.code
		)
		? m.contract_invalid_signer({ n: index, message: base })
		: base;
}
