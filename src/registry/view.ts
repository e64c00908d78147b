// The agreement as the API shows it: the stored facts plus what is computed (status, exchange link).
import { agreementStatusOn } from '../domain/agreements.js';
import type { Agreement, AgreementStatus, IsoDate } from '../domain/types.js';

export interface ExchangeLink {
  partnerCode: string;
  enabled: boolean;
}

export type AgreementView = Agreement & { status: AgreementStatus; exchange: ExchangeLink | null };

export function agreementView(a: Agreement, today: IsoDate, exchange: ExchangeLink | null): AgreementView {
  return { ...a, status: agreementStatusOn(a, today), exchange };
}

export function agreementListView(
  agreements: readonly Agreement[],
  today: IsoDate,
  exchangeOf: (agreementId: string) => ExchangeLink | null,
): { count: number; economyCount: number; agreements: AgreementView[] } {
  const economies = new Set(agreements.flatMap((a) => a.economies));
  return {
    count: agreements.length,
    economyCount: economies.size,
    agreements: agreements.map((a) => agreementView(a, today, exchangeOf(a.id))),
  };
}
