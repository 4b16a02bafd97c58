import type { Cheerio, CheerioAPI } from 'cheerio/slim';
import type { Element } from 'domhandler';

/** Text helpers of the form parser, and the facts about a page read once for all its forms. */

export function squash(text: string): string {
  return text.replace(/\s+/g, ' ').trim();
}

/** Lower-case words: `firstName` → `first name`, `your-email` → `your email`, `input_1.3` → `input 1 3`. */
export function normalizeHint(text: string): string {
  return text
    .replace(/([a-z])([A-Z])/g, '$1 $2')
    .toLowerCase()
    .normalize('NFD')
    .replace(/([a-z])\p{M}+/gu, '$1')
    .normalize('NFC')
    .replace(/[^\p{L}\p{N}*]+/gu, ' ')
    .trim();
}

export function resolveUrl(href: string | undefined, base: string): string | undefined {
  if (href === undefined) return undefined;
  try {
    return new URL(href.trim(), base).href;
  } catch {
    return undefined;
  }
}

/** Text of an element without the text of the controls it contains. */
export function ownText(el: Cheerio<Element>): string {
  const clone = el.clone();
  clone.find('input, select, textarea, button, script, style, option').remove();
  return squash(clone.text());
}

/** True when an inline style (or a stylesheet rule's body) keeps the element from being seen. */
export function styleHides(style: string | undefined): boolean {
  if (!style) return false;
  const s = style.toLowerCase().replace(/\s+/g, '');
  if (/display:none|visibility:hidden|opacity:0(\.0+)?(;|$)/.test(s)) return true;
  if (/(left|top|right|text-indent):-\d{3,}/.test(s)) return true;
  // Pushed off-screen by a margin (`margin: 0 0 0 -9999px`, `margin-left: -5000px`).
  if (/margin(-left|-top|-right)?:[^;]*-\d{3,}(px|em|rem)?/.test(s)) return true;
  if (/(height|max-height):0(px)?(;|$)/.test(s) && /overflow:hidden/.test(s)) return true;
  if (/(^|;)width:0(px)?(;|$)/.test(s) && /(^|;)height:0(px)?(;|$)/.test(s)) return true;
  if (/transform:scale\(0\)/.test(s)) return true;
  return /clip:rect\(0/.test(s);
}

export interface PageContext {
  labelsFor: Map<string, Element[]>;
  /** Classes and ids a `<style>` block of the page hides (`.hp-wrap { display: none }`). */
  hiddenClasses: Set<string>;
  hiddenIds: Set<string>;
}

export function readPageContext($: CheerioAPI): PageContext {
  return { labelsFor: collectLabels($), ...hiddenByStylesheet($) };
}

function collectLabels($: CheerioAPI): Map<string, Element[]> {
  const map = new Map<string, Element[]>();
  $('label[for]').each((_, label) => {
    const target = label.attribs.for;
    if (!target) return;
    const list = map.get(target) ?? [];
    list.push(label);
    map.set(target, list);
  });
  return map;
}

/** Simple `.class` / `#id` selectors whose rule hides the element: honeypot wrappers are often hidden this way. */
function hiddenByStylesheet($: CheerioAPI): Pick<PageContext, 'hiddenClasses' | 'hiddenIds'> {
  const hiddenClasses = new Set<string>();
  const hiddenIds = new Set<string>();
  const css = $('style')
    .toArray()
    .map((style) => $(style).text())
    .join('\n')
    .replace(/\/\*[\s\S]*?\*\//g, '');
  for (const rule of css.matchAll(/([^{}@]+)\{([^{}]*)\}/g)) {
    if (!styleHides(rule[2]?.replace(/!important/g, ''))) continue;
    for (const selector of (rule[1] ?? '').split(',')) {
      // Only the last compound of the selector names the hidden element: `form .hp input` → skip, `.hp` → keep.
      const match = selector.trim().match(/^[a-z]*([.#])([\w-]+)$/i);
      if (!match?.[2]) continue;
      (match[1] === '.' ? hiddenClasses : hiddenIds).add(match[2]);
    }
  }
  return { hiddenClasses, hiddenIds };
}
