// Transport-agnostic replies: text plus optional buttons. Telegram renders buttons as an inline
// keyboard (callback data = `data`); the terminal prints the typed equivalent (`typed`).
export interface Button {
  text: string;
  /** Callback data (<= 64 bytes): carries a fingerprint so a stale button cannot act twice. */
  data: string;
  /** What to type in the terminal to do the same thing. */
  typed: string;
}

export interface Reply {
  /** Plain text (no parse mode): market titles and user input need no escaping. */
  text: string;
  buttons?: Button[][];
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
  if (!r.buttons?.length) return r.text;
  const rows = r.buttons.map((row) => `  ${row.map((b) => `[${b.text}: ${b.typed}]`).join('  ')}`);
  return `${r.text}\n${rows.join('\n')}`;
}

/** Telegram limits a message to 4096 characters; long text is cut with a note. Every Telegram send and edit goes through it. */
export function clip(text: string, max = 4000): string {
  if (text.length <= max) return text;
  let cut = text.slice(0, max - 20);
  // Don't leave half of a surrogate pair (an emoji) at the end.
  if (/[\uD800-\uDBFF]$/.test(cut)) cut = cut.slice(0, -1);
  return `${cut}\n… (cut, too long)`;
}
