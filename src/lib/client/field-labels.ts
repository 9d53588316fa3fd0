import { m } from '$lib/paraglide/messages';
import type { Field, FieldKind, Signer } from '$lib/domain/envelope';
import type { ReadinessProblem } from '$lib/domain/field-layout';

/** The field editor's names for the kinds of field, in the language shown. */
export const fieldKindLabel: Record<FieldKind, () => string> = {
	signature: m.field_kind_signature,
	seal: m.field_kind_seal,
	date: m.field_kind_date,
	'riding-seam': m.field_kind_riding_seam
};

/** A signer's name for the editor; '?' for an id the contract no longer has. */
export function signerName(signers: readonly Signer[], id: string): string {
	return signers.find((s) => s.id === id)?.name ?? '?';
}

/** What a screen reader hears for a placed field: its kind, signer, page and whether required. */
export function fieldLabel(field: Field, signers: readonly Signer[]): string {
	return m.editor_field_label({
		kind: fieldKindLabel[field.kind](),
		name: signerName(signers, field.signerId),
		page: field.page,
		required: field.required ? m.editor_required() : m.editor_optional()
	});
}

/** Why the layout cannot be sent yet, in words (SPEC L8). */
export function readinessText(problem: ReadinessProblem, signers: readonly Signer[]): string {
	if (problem.code === 'NO_SIGNERS') return m.ready_no_signers();
	if (problem.code === 'SIGNER_WITHOUT_FIELD')
		return m.ready_signer_without_field({ name: signerName(signers, problem.signerId) });
	if (problem.code === 'RIDING_SEAM_ONE_PAGE') return m.ready_riding_seam_one_page();
	return m.ready_field_invalid();
}

/** The signer's contract view's names for the kinds of field, in the language shown. */
export const viewFieldKindLabel: Record<FieldKind, () => string> = {
	signature: m.view_field_kind_signature,
	seal: m.view_field_kind_seal,
	date: m.view_field_kind_date,
	'riding-seam': m.view_field_kind_riding_seam
};
