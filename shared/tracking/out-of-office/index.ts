import { type AutoReplyKind, classifyAutoReply, type InboundMail } from './classify';
import { type ReturnDateOptions, readReturnDate } from './return-date';

export { type AutoReplyClassification, type AutoReplyKind, classifyAutoReply, type InboundMail } from './classify';
export { type Language, ownText, type ReturnDate, type ReturnDateOptions, readReturnDate } from './return-date';

export interface OutOfOfficeReturn {
  kind: AutoReplyKind;
  /** First day back (YYYY-MM-DD in the person's zone), when an out-of-office reply names one. */
  returnDate?: string;
}

/**
 * What an inbound mail means for the sequence: its kind and, for an out-of-office reply, the first day
 * back it names. The body is read first; the subject ("Abwesend bis 12.01.") only when the body names no
 * date. Defaults (7 days without a date, 60 at most) are the caller's.
 */
export function outOfOfficeReturn(mail: InboundMail, options: Omit<ReturnDateOptions, 'language'>): OutOfOfficeReturn {
  const { kind, language } = classifyAutoReply(mail);
  if (kind !== 'out_of_office') return { kind };
  const dateOptions = { ...options, ...(language && { language }) };
  const found = readReturnDate(mail.text ?? '', dateOptions) ?? readReturnDate(mail.subject ?? '', dateOptions);
  return found ? { kind, returnDate: found.date } : { kind };
}
