// Replies and alerts are Telegram HTML (parse_mode "HTML"): every interpolated string goes through esc(),
// and markup is only ever added by these helpers. The terminal shows the same text with the tags removed.

const ESCAPES: Record<string, string> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;' };

/** Escape text for Telegram HTML (the only entities Telegram needs: & < > and " inside attributes). */
export const esc = (s: string | number): string => String(s).replace(/[&<>"]/g, (c) => ESCAPES[c]!);

/** Bold: the number that matters. The argument is escaped. */
export const b = (s: string | number): string => `<b>${esc(s)}</b>`;

/** Monospace (tickers, ids). The argument is escaped. */
export const code = (s: string | number): string => `<code>${esc(s)}</code>`;

/** Bold around text that is already HTML (built from these helpers). */
export const bRaw = (html: string): string => `<b>${html}</b>`;

/** Telegram HTML -> plain text, as Telegram shows it (tags dropped, entities decoded): for the terminal and for length checks. */
export function toPlain(html: string): string {
  return html
    .replace(/<[^>]*>/g, '')
    .replace(/&lt;/g, '<')
    .replace(/&gt;/g, '>')
    .replace(/&quot;/g, '"')
    .replace(/&amp;/g, '&');
}
