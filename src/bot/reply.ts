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

/** "/setcap@MyBot 40" -> { name: 'setcap', args: '40' }; null if the line is not a command. */
export function parseCommandLine(line: string): { name: string; args: string } | null {
  const m = /^\/([A-Za-z0-9_]{1,32})(?:@[A-Za-z0-9_]+)?(?:\s+([\s\S]*))?$/.exec(line.trim());
  if (!m) return null;
  return { name: m[1]!.toLowerCase(), args: (m[2] ?? '').trim() };
}

/** The terminal's rendering of a reply: the text, then one line per button row with what to type. */
export function renderPlain(r: Reply): string {
  if (!r.buttons?.length) return r.text;
  const rows = r.buttons.map((row) => `  ${row.map((b) => `[${b.text}: ${b.typed}]`).join('  ')}`);
  return `${r.text}\n${rows.join('\n')}`;
}

/** Telegram limits a message to 4096 characters; long lists are cut with a note. */
export function clip(text: string, max = 4000): string {
  return text.length <= max ? text : `${text.slice(0, max - 20)}\n… (cut, too long)`;
}
