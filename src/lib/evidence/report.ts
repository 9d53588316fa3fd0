import type { EvidenceCheck, EvidenceReport } from './verify';

/*
 * The verifier's report as plain text for people (the CLI's default output): the verdict first,
 * then every signer's checks and the archive's, each with its rule and, when failed, its code.
 */

const MARK: Record<EvidenceCheck['status'], string> = {
	passed: 'ok  ',
	failed: 'FAIL',
	'not-checked': '--  '
};

function line(check: EvidenceCheck): string {
	const code = check.status === 'failed' ? ` ${check.code}:` : '';
	return `    ${MARK[check.status]} ${check.name} (${check.rule})${code} ${check.detail}`;
}

export function formatReport(report: EvidenceReport): string {
	const { envelope } = report;
	const out = [
		`SealPass evidence: ${envelope.title} (${envelope.id}, revision ${envelope.revision})`,
		`Rendered by: ${report.renderer}`,
		report.verdict === 'valid' ? 'Verdict: VALID' : `Verdict: INVALID (${report.codes.join(', ')})`,
		''
	];
	report.signers.forEach((signer, i) => {
		const who = signer.signerId ?? 'unreadable manifest';
		const how = [
			signer.algorithm ?? 'unknown key',
			signer.decision ?? 'no decision',
			signer.deviceTime ? `device clock ${signer.deviceTime}` : null,
			`received ${signer.receivedAt}`
		].filter(Boolean);
		out.push(
			`Signer ${i + 1}: ${who} (submission ${signer.submissionId}, credential ${signer.credentialId})`
		);
		out.push(`    ${how.join(', ')}`);
		out.push(...signer.checks.map(line), '');
	});
	out.push('Archive and final PDF:', ...report.checks.map(line), '');
	if (report.notChecked.length) {
		out.push('Not checked (the verdict does not cover these):');
		out.push(...report.notChecked.map((n) => `    - ${n.name}: ${n.reason}`), '');
	}
	return out.join('\n');
}
