import { load } from 'cheerio/slim';
import { type FormFetchOptions, fetchPage } from './fetch';
import type { ParsedForm } from './form-model';
import { normalizeHint } from './page-context';
import { parseForms } from './parse';

/**
 * Finding a lead's contact form from its company web site: the home page, then one level of its links whose
 * text or path says "contact" (in the languages below). Nothing is submitted here.
 */

/** "Contact" in link texts and paths: English, German, Nordic, Spanish, Portuguese, Italian, French, Dutch,
 * Japanese, Chinese, Korean, Russian, Turkish, Hungarian, Finnish, Indonesian, Vietnamese. */
const CONTACT_WORDS =
  /contact|kontakt|contacto|contato|contatti|contattaci|contactez|contacter|contactenos|fale conosco|get in touch|reach (out|us)|talk to (us|sales|an expert)|enquir|inquir|お問い?合わ?せ|問合せ|联系|聯絡|聯繫|연락|문의|контакт|связат|iletisim|kapcsolat|yhteys|hubungi|lien he/;
/** Pages that sometimes hold the contact form; tried only after the contact pages. */
const MAYBE_WORDS = /support|sales|demo|quote|help|about|impressum|ueber uns|uber uns|a propos|chi siamo|会社概要/;
const NOT_PAGES = /\.(pdf|jpe?g|png|gif|svg|webp|zip|docx?|xlsx?|pptx?|mp4|mp3|ics|vcf|xml|json|css|js)$/i;

export interface ContactLink {
  url: string;
  text: string;
  score: number;
}

function siteKey(host: string): string {
  return host.toLowerCase().replace(/^www\./, '');
}

function decodedPath(url: URL): string {
  try {
    return decodeURIComponent(url.pathname);
  } catch {
    return url.pathname;
  }
}

/** Links of a page that may lead to its contact form, most promising first; same site only; pure. */
export function contactLinks(html: string, pageUrl: string, limit = 4): ContactLink[] {
  const $ = load(html);
  const page = new URL(pageUrl);
  page.hash = '';
  const base = (() => {
    const href = $('base[href]').first().attr('href');
    try {
      return href ? new URL(href, pageUrl).href : pageUrl;
    } catch {
      return pageUrl;
    }
  })();
  const best = new Map<string, ContactLink & { order: number }>();
  $('a[href], area[href]').each((order, el) => {
    let target: URL;
    try {
      target = new URL((el.attribs.href ?? '').trim(), base);
    } catch {
      return;
    }
    if (target.protocol !== 'http:' && target.protocol !== 'https:') return;
    if (siteKey(target.hostname) !== siteKey(page.hostname)) return;
    target.hash = '';
    if (target.href === page.href || NOT_PAGES.test(target.pathname)) return;
    const $el = $(el);
    const text = [
      $el.text(),
      el.attribs.title ?? '',
      el.attribs['aria-label'] ?? '',
      $el.find('img[alt]').attr('alt') ?? '',
    ]
      .join(' ')
      .replace(/\s+/g, ' ')
      .trim();
    const hintText = normalizeHint(text);
    // A menu label or a path segment says "contact" in a few words; a blog post that mentions it does not.
    const shortText = hintText.split(' ').length <= 3;
    const segments = decodedPath(target)
      .split('/')
      .map(normalizeHint)
      .filter((segment) => segment && segment.split(' ').length <= 3);
    let score = 0;
    if (CONTACT_WORDS.test(hintText)) score += shortText ? 10 : 3;
    if (segments.some((segment) => CONTACT_WORDS.test(segment))) score += 8;
    if (score === 0) {
      if (shortText && MAYBE_WORDS.test(hintText)) score += 2;
      if (segments.some((segment) => MAYBE_WORDS.test(segment))) score += 1;
    }
    if (score === 0) return;
    if (shortText) score += 2;
    score -= Math.max(0, target.pathname.split('/').filter(Boolean).length - 1);
    // `www.` or not, the same page.
    const key = `${siteKey(target.hostname)}${target.pathname}${target.search}`;
    const existing = best.get(key);
    if (!existing || existing.score < score) {
      best.set(key, { url: target.href, text: text.slice(0, 80), score, order: existing?.order ?? order });
    }
  });
  return [...best.values()]
    .sort((a, b) => b.score - a.score || a.order - b.order)
    .slice(0, limit)
    .map(({ url, text, score }) => ({ url, text, score }));
}

export interface FoundContactPage {
  /** The page that holds the form (after redirects). */
  url: string;
  /** Its best contact form. */
  form: ParsedForm;
  via: 'home' | 'link';
}

export interface ContactPageSearch {
  page?: FoundContactPage;
  /** The home page's HTTP status (after redirects). */
  homeStatus: number;
  /** Every page fetched, in order. */
  tried: string[];
}

export interface FindContactPageOptions extends FormFetchOptions {
  /** How many linked pages to try at most (default 4). */
  maxPages?: number;
}

function contactForm(forms: ParsedForm[]): ParsedForm | undefined {
  const first = forms[0];
  return first?.kind === 'contact' ? first : undefined;
}

/**
 * Look for the contact form of a web site: the pages its home page links to as "contact" first, then the
 * home page itself. A submittable form wins; else the first contact form found (a captcha-protected form
 * is still the lead's contact form: a person can use it). Throws when the home page cannot be fetched.
 */
export async function findContactPage(
  websiteUrl: string,
  options: FindContactPageOptions = {},
): Promise<ContactPageSearch> {
  const { maxPages = 4, ...fetchOptions } = options;
  const home = await fetchPage(websiteUrl, fetchOptions);
  const tried = [home.url];
  if (home.status >= 300) return { homeStatus: home.status, tried };

  let fallback: FoundContactPage | undefined;
  for (const link of contactLinks(home.body, home.url, maxPages)) {
    let page: Awaited<ReturnType<typeof fetchPage>>;
    try {
      page = await fetchPage(link.url, fetchOptions);
    } catch (error) {
      // A refused or unreachable linked page is just not the one; a refusal of the site itself was thrown above.
      tried.push(`${link.url} (${(error as Error).message.split('\n')[0]})`);
      continue;
    }
    tried.push(page.url);
    if (page.status >= 300) continue;
    const form = contactForm(parseForms(page.body, page.url));
    if (!form) continue;
    const found: FoundContactPage = { url: page.url, form, via: 'link' };
    if (form.submittable) return { page: found, homeStatus: home.status, tried };
    fallback ??= found;
  }
  const homeForm = contactForm(parseForms(home.body, home.url));
  if (homeForm && (homeForm.submittable || !fallback)) {
    return { page: { url: home.url, form: homeForm, via: 'home' }, homeStatus: home.status, tried };
  }
  const search: ContactPageSearch = { homeStatus: home.status, tried };
  if (fallback) search.page = fallback;
  return search;
}
