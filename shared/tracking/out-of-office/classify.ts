import { type Language, ownText } from './return-date';

/**
 * Is an inbound mail an auto-reply, and if so an out-of-office one?
 *
 * Precedence (first rule that applies decides):
 * 1. Auto-reply or not:
 *    a. an auto-reply header: RFC 3834 `Auto-Submitted` other than `no`, `X-Autoreply`, `X-Autorespond`,
 *       `Precedence: auto_reply`, Exchange's `X-MS-Exchange-Inbox-Rules-Loop` /
 *       `X-MS-Exchange-Generated-Message-Source`, or a `multipart/report` body (delivery/read receipt);
 *    b. an auto-reply subject ("Automatic reply:", "Abwesenheitsnotiz", "Out of Office:" at the start…);
 *    c. a weak header (`X-Auto-Response-Suppress`, `Precedence: bulk|junk|list`, which people's mail
 *       clients and mailing lists also send) together with auto-reply wording in the body;
 *    d. without any `Auto-Submitted` header, a body that declares itself automatic ("This is an
 *       automatic reply"). An explicit `Auto-Submitted: no` is trusted: only the subject can overrule it.
 *    Otherwise `not_auto_reply`: a person writing "I'm out of the office" is a person replying.
 * 2. Kind of auto-reply:
 *    a. a receipt subject or report body → `other_auto_reply`;
 *    b. a permanent departure ("no longer with the company", "mailbox no longer monitored") →
 *       `other_auto_reply`, even under an "Out of Office" subject: there is no return to wait for;
 *    c. an out-of-office subject or away wording in the reply's own text → `out_of_office`;
 *    d. anything else (ticket received, "we answer within 24 h") → `other_auto_reply`.
 * Only the reply's own text is read: a quoted original may say anything.
 */

export type AutoReplyKind = 'out_of_office' | 'other_auto_reply' | 'not_auto_reply';

export interface InboundMail {
  /** Header names lower-case. */
  headers: ReadonlyMap<string, string>;
  subject?: string;
  text?: string;
}

export interface AutoReplyClassification {
  kind: AutoReplyKind;
  language?: Language;
  /** Why, for logs: the signals that decided. */
  evidence: string;
}

const LETTER_BEFORE = '(?<!\\p{L})';
const LETTER_AFTER = '(?!\\p{L})';
const anywhere = (list: readonly string[]) => new RegExp(`${LETTER_BEFORE}(?:${list.join('|')})${LETTER_AFTER}`, 'iu');
/** At the subject's start, after any "[EXTERNAL]"-style tags. */
const leading = (list: readonly string[]) =>
  new RegExp(`^\\s*(?:\\[[^\\]]*\\]\\s*)*(?:${list.join('|')})${LETTER_AFTER}`, 'iu');

interface LanguagePhrases {
  language: Language;
  /** Subjects only auto-responders write, wherever they stand in the subject. */
  autoSubject: RegExp;
  /** Subjects that say "away" when they open the subject. */
  awaySubject: RegExp;
  /** Body wording of someone away for a while. */
  away: RegExp;
  /** Body wording of a message that says it was sent automatically. */
  automatic: RegExp;
  /** Body wording of someone gone for good or a mailbox nobody reads. */
  gone: RegExp;
}

const PHRASES: readonly LanguagePhrases[] = [
  {
    language: 'en',
    autoSubject: anywhere(['automatic reply', 'auto[- ]?reply', 'auto[- ]?response', 'automatic response']),
    awaySubject: leading([
      'out of (?:the )?office',
      'ooo',
      'away from (?:the )?office',
      '(?:on )?(?:vacation|holiday|leave)',
    ]),
    away: anywhere([
      'out of (?:the )?office',
      'on (?:annual |parental |maternity |paternity |sick |medical |study )?leave',
      'on (?:vacation|holidays?|sabbatical)',
      '(?:annual|parental|maternity|paternity|sick) leave',
      'vacation',
      'away from (?:the office|my desk|work|e-?mail)',
      "(?:i am|i'm|i will be|i'll be|currently) (?:away|out|travell?ing|absent|off)",
      'business trip',
      'limited access to (?:my )?e-?mail',
      'back (?:in the office|at work|at my desk|on|from)',
      'return(?:ing)? (?:to the office|to work|on)',
      '(?:upon|after|on) my return',
      'out of town',
      'office (?:is|will be) closed',
    ]),
    automatic: anywhere([
      'this is an automat(?:ic|ed) (?:reply|response|message)',
      'auto-?generated',
      'automatically generated',
      'do not reply to this',
    ]),
    gone: anywhere([
      'no longer (?:with|at|employed|working|part of|monitored|in use|active)',
      '(?:has|have) left (?:the company|the firm|the organi[sz]ation)',
    ]),
  },
  {
    language: 'de',
    autoSubject: anywhere(['abwesenheitsnotiz', 'abwesenheitsmeldung', 'automatische antwort', 'autom\\. antwort']),
    awaySubject: leading(['abwesen(?:d|heit)', 'nicht im büro', 'im urlaub', 'außer haus']),
    away: anywhere([
      'abwesen(?:d|heit)',
      'nicht im (?:büro|hause?|office)',
      'außer haus',
      '\\p{L}*urlaub\\p{L}*',
      'elternzeit',
      'mutterschutz',
      'dienstreise',
      'geschäftsreise',
      'krank\\p{L}*',
      'betriebsferien',
      'wieder (?:im büro|erreichbar|da|zurück|für sie da|im hause?)',
      'rückkehr',
    ]),
    automatic: anywhere([
      'automatisch (?:generiert|erstellt|versendet|verschickt)',
      'automatische (?:antwort|nachricht|benachrichtigung)',
    ]),
    gone: anywhere([
      'nicht mehr (?:im unternehmen|für|bei|tätig|aktiv|besetzt|erreichbar)',
      'nicht mehr (?:gelesen|abgerufen)',
      'hat das unternehmen verlassen',
      'ausgeschieden',
    ]),
  },
  {
    language: 'fr',
    autoSubject: anywhere(['réponse automatique', 'message automatique', "message d['’]absence"]),
    awaySubject: leading(['absente? du bureau', 'absence', 'absente?', 'en congés?', 'hors du bureau']),
    away: anywhere([
      'absente?',
      'absence',
      'congés?',
      'vacances',
      'en déplacement',
      'hors du bureau',
      'pas au bureau',
      'de retour',
      'mon retour',
      'arrêt maladie',
    ]),
    automatic: anywhere(['réponse automatique', 'message automatique', 'généré automatiquement']),
    gone: anywhere([
      'ne fait plus partie',
      "n['’]est plus (?:en poste|au sein|dans|chez|employé|consultée?)",
      "n['’]est plus (?:lue|relevée)",
      'a quitté (?:la société|l.entreprise)',
    ]),
  },
  {
    language: 'es',
    autoSubject: anywhere([
      'respuesta automática',
      'mensaje automático',
      'respuesta de ausencia',
      'mensaje de ausencia',
    ]),
    awaySubject: leading(['fuera de (?:la )?oficina', 'ausente', 'ausencia', 'de vacaciones']),
    away: anywhere([
      'fuera de (?:la )?oficina',
      'ausente',
      'ausencia',
      'vacaciones',
      'de viaje',
      'de permiso',
      'de baja',
      'de vuelta',
      'de regreso',
      'regresaré',
      'volveré',
      'mi regreso',
      'mi vuelta',
    ]),
    automatic: anywhere(['respuesta automática', 'mensaje automático', 'generado automáticamente']),
    gone: anywhere(['ya no (?:trabaja|forma parte|está en|se revisa|es monitoreada)', 'ha dejado la empresa']),
  },
  {
    language: 'it',
    autoSubject: anywhere(['risposta automatica', 'messaggio automatico', 'messaggio di assenza']),
    awaySubject: leading(['fuori (?:ufficio|sede)', 'assente', 'assenza', 'in ferie']),
    away: anywhere([
      'fuori (?:ufficio|sede)',
      'assente',
      'assenza',
      'ferie',
      'vacanza',
      'in viaggio',
      'trasferta',
      'rientr\\p{L}*',
      'di ritorno',
      'mio ritorno',
      'congedo',
      'malattia',
    ]),
    automatic: anywhere(['risposta automatica', 'messaggio automatico', 'generato automaticamente']),
    gone: anywhere(['non (?:lavora|fa) più', 'non è più (?:attiva|monitorata|in uso)', "ha lasciato l['’]azienda"]),
  },
  {
    language: 'nl',
    autoSubject: anywhere([
      'automatisch antwoord',
      'afwezigheidsbericht',
      'afwezigheidsmelding',
      'automatisch bericht',
    ]),
    awaySubject: leading(['afwezig', 'niet aanwezig', 'buiten kantoor', 'met vakantie']),
    away: anywhere([
      'afwezig',
      'afwezigheid',
      'niet (?:op kantoor|aanwezig|bereikbaar)',
      'vakantie',
      'verlof',
      'op reis',
      'weer (?:aanwezig|op kantoor|bereikbaar|terug)',
      'terug op',
      'ben ik terug',
      'ziek',
    ]),
    automatic: anywhere(['automatisch (?:antwoord|bericht|gegenereerd|verstuurd)']),
    gone: anywhere([
      'niet (?:meer|langer) (?:werkzaam|in dienst|actief|in gebruik|gelezen)',
      'heeft het bedrijf verlaten',
    ]),
  },
  {
    language: 'pt',
    autoSubject: anywhere(['resposta automática', 'mensagem automática', 'mensagem de ausência']),
    awaySubject: leading(['ausente do escritório', 'fora do escritório', 'ausente', 'ausência', '(?:de|em) férias']),
    away: anywhere([
      'ausente',
      'ausência',
      'fora do escritório',
      'férias',
      'de licença',
      'licença',
      'em viagem',
      'de volta',
      'meu retorno',
      'regress(?:o|arei)',
      'volt(?:o|arei)',
      'estarei fora',
    ]),
    automatic: anywhere(['resposta automática', 'mensagem automática', 'gerada automaticamente']),
    gone: anywhere([
      'não (?:trabalha|faz) mais',
      'já não (?:trabalha|faz parte)',
      'não é mais monitorad[oa]',
      'deixou a empresa',
    ]),
  },
];

/** Read and delivery receipts, whatever the language. */
const RECEIPT_SUBJECT =
  /^\s*(?:(?:read|gelesen|lu|leído|letto|gelezen|lida|delivered|zugestellt|undeliverable|unzustellbar|non remis|returned mail)\s*:|delivery status notification|mail delivery failed)/iu;

type PhraseKind = Exclude<keyof LanguagePhrases, 'language'>;

interface Hit {
  language: Language;
  kind: PhraseKind;
  words: string;
  at: number;
}

/** Each language's first match of each kind, in the order they appear in the text. */
function hitsIn(text: string, kinds: readonly PhraseKind[]): Hit[] {
  const hits = PHRASES.flatMap((phrases) =>
    kinds.flatMap((kind) => {
      const found = phrases[kind].exec(text);
      return found ? [{ language: phrases.language, kind, words: found[0], at: found.index }] : [];
    }),
  );
  return hits.sort((a, b) => a.at - b.at);
}

/** The strong and the weak auto-reply headers present, as "name: value". */
function headerSignals(headers: ReadonlyMap<string, string>): { strong: string[]; weak: string[] } {
  const strong: string[] = [];
  const weak: string[] = [];
  const note = (list: string[], name: string) => list.push(`${name}: ${headers.get(name)?.trim()}`);
  const autoSubmitted = headers.get('auto-submitted')?.trim().toLowerCase();
  if (autoSubmitted && autoSubmitted !== 'no') note(strong, 'auto-submitted');
  for (const name of [
    'x-autoreply',
    'x-autorespond',
    'x-ms-exchange-inbox-rules-loop',
    'x-ms-exchange-generated-message-source',
  ]) {
    if (headers.has(name)) note(strong, name);
  }
  const precedence = headers.get('precedence')?.trim().toLowerCase() ?? '';
  if (/auto[_-]reply/.test(precedence)) note(strong, 'precedence');
  else if (/^(?:bulk|junk|list)$/.test(precedence)) note(weak, 'precedence');
  if (/multipart\/report/i.test(headers.get('content-type') ?? '')) note(strong, 'content-type');
  if (headers.has('x-auto-response-suppress')) note(weak, 'x-auto-response-suppress');
  return { strong, weak };
}

/** The language most phrases were found in; on a tie, the one found first in the subject, then the body. */
function languageOf(hits: readonly Hit[]): Language | undefined {
  const counts = new Map<Language, number>();
  for (const hit of hits) counts.set(hit.language, (counts.get(hit.language) ?? 0) + 1);
  let best: Language | undefined;
  for (const hit of hits)
    if (best === undefined || (counts.get(hit.language) ?? 0) > (counts.get(best) ?? 0)) best = hit.language;
  return best;
}

const describe = (hits: readonly Hit[]) => hits.map((hit) => `${hit.kind} "${hit.words}" (${hit.language})`).join(', ');

export function classifyAutoReply(mail: InboundMail): AutoReplyClassification {
  const subject = mail.subject ?? '';
  const body = ownText(mail.text ?? '');
  const { strong, weak } = headerSignals(mail.headers);
  const subjectHits = hitsIn(subject, ['autoSubject', 'awaySubject']);
  const bodyHits = hitsIn(body, ['away', 'automatic', 'gone']);
  const receipt = RECEIPT_SUBJECT.test(subject) || strong.some((signal) => signal.startsWith('content-type'));
  const language = languageOf([...subjectHits, ...bodyHits]);
  const reasons = [
    ...strong.map((signal) => `header ${signal}`),
    ...weak.map((signal) => `weak header ${signal}`),
    ...(subjectHits.length > 0 ? [`subject ${describe(subjectHits)}`] : []),
    ...(receipt ? ['receipt'] : []),
    ...(bodyHits.length > 0 ? [`body ${describe(bodyHits)}`] : []),
  ];
  const evidence = reasons.join('; ') || 'no auto-reply header, subject or wording';
  const declaredAutomatic = bodyHits.some((hit) => hit.kind === 'automatic');
  const isAutoReply =
    strong.length > 0 ||
    subjectHits.length > 0 ||
    receipt ||
    (weak.length > 0 && bodyHits.length > 0) ||
    (!mail.headers.has('auto-submitted') && declaredAutomatic);
  if (!isAutoReply) return { kind: 'not_auto_reply', evidence };
  const withLanguage = (kind: AutoReplyKind) => ({ kind, ...(language && { language }), evidence });
  if (receipt || bodyHits.some((hit) => hit.kind === 'gone')) return withLanguage('other_auto_reply');
  const away = subjectHits.some((hit) => hit.kind === 'awaySubject') || bodyHits.some((hit) => hit.kind === 'away');
  return withLanguage(away ? 'out_of_office' : 'other_auto_reply');
}
