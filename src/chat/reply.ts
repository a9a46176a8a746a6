// Transport-agnostic replies: text plus optional buttons. Telegram renders buttons as an inline
// keyboard (callback data = `data`); the terminal prints the typed equivalent (`typed`).
import { esc, toPlain } from './html.js';

export interface Button {
  text: string;
  /** Callback data (<= 64 bytes): carries a fingerprint so a stale button cannot act twice. */
  data: string;
  /** What to type in the terminal to do the same thing. */
  typed: string;
}

export interface Reply {
  /** Telegram HTML (parse_mode "HTML"): built with src/chat/html.ts, every interpolated string escaped. */
  text: string;
  buttons?: Button[][];
  /** Commands on the keyboard below the text box (Telegram's reply keyboard); the terminal ignores it. */
  keyboard?: string[][];
  /** A picture (a chart): Telegram sends it as a photo with `text` as its caption (see photoCaption); the terminal saves it to a file. */
  photo?: { png: Buffer; filename: string };
  /** A file (the /export CSV): Telegram sends it as a document with `text` as its caption; the terminal saves it. */
  document?: { bytes: Buffer; filename: string };
}

/** Telegram's limit on a photo's caption: characters of text, after the HTML tags are parsed. */
export const CAPTION_MAX = 1024;

/**
 * A photo reply's text as Telegram takes it: all of it as the caption when it fits; otherwise the first paragraph (up
 * to the first blank line) as the caption, and the rest as a message of its own after the photo.
 */
export function photoCaption(html: string): { caption: string; rest: string | null } {
  if (toPlain(html).length <= CAPTION_MAX) return { caption: html, rest: null };
  const cut = html.indexOf('\n\n');
  const head = cut >= 0 ? html.slice(0, cut) : (html.split('\n')[0] ?? '');
  const rest = html.slice(head.length).replace(/^\n+/, '');
  const caption = toPlain(head).length <= CAPTION_MAX ? head : esc(`${toPlain(head).slice(0, CAPTION_MAX - 1)}…`);
  return { caption, rest: rest.trim() === '' ? null : rest };
}

export const reply = (text: string, buttons?: Button[][]): Reply => (buttons ? { text, buttons } : { text });

/**
 * "/setcap@MyBot 40" -> { name: 'setcap', args: '40', target: 'MyBot' }; null if the line is not a command.
 * `target` is the @bot the command is addressed to (undefined when none): a transport that knows its
 * own username must ignore commands addressed to another bot.
 */
export function parseCommandLine(line: string): { name: string; args: string; target?: string } | null {
  const m = /^\/([A-Za-z0-9_]{1,32})(?:@([A-Za-z0-9_]+))?(?:\s+([\s\S]*))?$/.exec(line.trim());
  if (!m) return null;
  const cmd = { name: m[1]!.toLowerCase(), args: (m[3] ?? '').trim() };
  return m[2] ? { ...cmd, target: m[2] } : cmd;
}

/** The terminal's rendering of a reply: the text, then one line per button row with what to type. */
export function renderPlain(r: Reply): string {
  if (!r.buttons?.length) return toPlain(r.text);
  const rows = r.buttons.map((row) => `  ${row.map((b) => `[${b.text}: ${b.typed}]`).join('  ')}`);
  return `${toPlain(r.text)}\n${rows.join('\n')}`;
}

/**
 * Telegram limits a message to 4096 characters (of text, after the HTML tags are parsed). A long reply is split into
 * several messages at line breaks: a row is never cut (a line is self-contained HTML: tags never span lines here).
 * A single line longer than the limit is shown as plain text, cut.
 */
export function splitMessage(html: string, max = 4000): string[] {
  const parts: string[] = [];
  let cur = '';
  for (const line of html.split('\n')) {
    const piece = toPlain(line).length > max ? esc(`${toPlain(line).slice(0, max - 20)}… (cut)`) : line;
    const next = cur === '' ? piece : `${cur}\n${piece}`;
    if (toPlain(next).length > max && cur !== '') {
      parts.push(cur);
      cur = piece;
    } else cur = next;
  }
  if (cur !== '' || parts.length === 0) parts.push(cur);
  return parts;
}

/** For an edit (one message only): the first part of a long text, with a note that it goes on. */
export function clip(html: string, max = 4000): string {
  const parts = splitMessage(html, max - 30);
  return parts.length === 1 ? parts[0]! : `${parts[0]}\n… (cut, too long)`;
}
