/**
 * Credentials written into a URL (`https://user:password@host/`) must never reach an attempt's detail, a log
 * line or an error message: history and logs are read by people who hold no provider secrets.
 */

/**
 * `scheme://userinfo@`, up to the authority's last `@` (a password may itself hold an `@`, as the URL parser
 * reads it). The authority ends at `/`, `?`, `#`, a backslash (read as `/` in http(s)) or white space, so an
 * `@` in a path or a query is never taken for userinfo.
 */
const USERINFO = /\b([a-z][a-z\d+.-]*:\/\/)[^\s/?#\\@]*(?:@[^\s/?#\\@]*)*@/gi;

/**
 * `text` with the userinfo (user name and password) of every URL in it replaced by `***`: a URL, or a message
 * that quotes URLs (`GET https://user:pw@host/x failed: …`). Everything else is kept as written.
 */
export function redactUrl(text: string): string {
  return text.replace(USERINFO, '$1***@');
}
