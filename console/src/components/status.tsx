// A status is a word first, with a symbol and a colour as extra cues (never colour alone).

const GOOD = new Set(['OK', 'APPLIED', 'NO_CHANGE', 'RECOGNISED', 'VALID', 'ACKNOWLEDGED', 'DELIVERED', 'DONE', 'ACTIVE', 'IN_FORCE']);
const WARN = new Set([
  'STALE', 'LATE', 'QUARANTINED', 'NEVER_SYNCED', 'PENDING_APPROVAL', 'SUSPENDED', 'EXPIRED', 'RETRY_WAIT', 'SENDING', 'BUILT',
  'TIER_NOT_RECOGNISED', 'NOT_LISTED', 'NO_DATA', 'RECEIPT_OVERDUE', 'RECTIFICATION', 'DRAFT', 'SIGNED', 'STALE_DATA',
  'AGREEMENT_NOT_IN_FORCE', 'SUPERSEDED',
]);
const BAD = new Set([
  'FAILING', 'FAILED', 'REJECTED', 'REVOKED', 'DEAD_LETTER', 'RECEIPT_MISMATCH', 'REFUSED', 'INVALID_CODE', 'NO_AGREEMENT',
  'REJECTED_BY_PARTNER', 'TERMINATED',
]);

export function tone(word: string): 'good' | 'warn' | 'bad' | 'neutral' {
  if (GOOD.has(word)) return 'good';
  if (WARN.has(word)) return 'warn';
  if (BAD.has(word)) return 'bad';
  return 'neutral';
}

const SYMBOL = { good: '✓', warn: '!', bad: '✕', neutral: '·' } as const;

export function Status({ word }: { word: string | null | undefined }) {
  if (!word) return <span class="muted">—</span>;
  const t = tone(word);
  return (
    <span class={`status status-${t}`}>
      <span aria-hidden="true">{SYMBOL[t]} </span>
      {word}
    </span>
  );
}
