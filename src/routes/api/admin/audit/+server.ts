import { json } from '@sveltejs/kit';
import * as v from 'valibot';
import { getApp } from '$lib/server/platform/app';
import { AUDIT_PAGE_MAX, listAudit } from '$lib/server/audit';
import { requireAdmin } from '$lib/server/platform/guards';
import { apiError } from '$lib/server/platform/http';
import type { AuditPageResponse } from '$lib/domain/api-types';

const positiveInt = v.pipe(v.string(), v.regex(/^[1-9]\d{0,15}$/), v.transform(Number));
// Empty parameters mean "not given", so a form that submits an empty filter still works.
const Query = v.object({
	cursor: v.optional(v.union([v.literal(''), positiveInt]), ''),
	limit: v.optional(v.union([v.literal(''), v.pipe(positiveInt, v.maxValue(AUDIT_PAGE_MAX))]), ''),
	subject: v.optional(v.pipe(v.string(), v.trim(), v.maxLength(200)), '')
});

/** The organisation's audit trail, newest first, one page at a time, with the signed head (SPEC A1, A9, A10). */
export async function GET({ locals, url }) {
	const user = requireAdmin(locals.user);
	const parsed = v.safeParse(Query, Object.fromEntries(url.searchParams));
	if (!parsed.success) {
		return apiError('BAD_REQUEST', `Expected cursor, limit (1–${AUDIT_PAGE_MAX}) and subject`);
	}
	const { cursor, limit, subject } = parsed.output;
	const body: AuditPageResponse = await listAudit(getApp().database.db, user.org_id, {
		cursor: cursor === '' ? null : cursor,
		limit: limit === '' ? 50 : limit,
		subject: subject === '' ? null : subject
	});
	return json(body);
}
