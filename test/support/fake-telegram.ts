// A small fake Telegram Bot API server for tests: node:http on 127.0.0.1:0, real Bot API shapes
// (POST /bot<token>/<method>, JSON or form bodies, {"ok":true,"result":...} / {"ok":false,...}).
// Records every call; can be switched to fail (500, or 429 with retry_after) for a while.
import { type IncomingMessage, type Server, type ServerResponse, createServer } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface Call {
  method: string;
  token: string;
  params: Record<string, unknown>;
  at: number;
  failed: boolean;
}

export interface StoredMessage {
  message_id: number;
  from: Record<string, unknown>;
  chat: { id: number; type: string; first_name?: string; title?: string };
  date: number;
  text: string;
  reply_markup?: unknown;
  edit_date?: number;
  entities?: TextEntity[];
  /** Sent with disable_notification. */
  silent?: boolean;
  /** A photo message (sendPhoto): `text` is '' and the words are the caption, as Telegram stores them. */
  photo?: PhotoSize[];
  /** A document message (sendDocument). */
  document?: { file_id: string; file_unique_id: string; file_name: string; file_size: number };
  caption?: string;
  caption_entities?: TextEntity[];
}

/** The Bot API's PhotoSize. The fake lists one size, the picture as uploaded (Telegram adds smaller ones). */
export interface PhotoSize {
  file_id: string;
  file_unique_id: string;
  width: number;
  height: number;
  file_size: number;
}

/** A file part of a multipart/form-data upload. */
export class UploadedFile {
  constructor(
    readonly filename: string,
    readonly bytes: Buffer,
  ) {}
}

/** An outage to play: `remaining` calls fail (all, if unset), then `then` takes over (or the API recovers). */
type Failure = { status: 500 | 429 | 502; retryAfter?: number; methods?: string[]; remaining?: number; then?: Failure };

const BOT_ID = 7000000001;

export class FakeTelegram {
  readonly calls: Call[] = [];
  private server!: Server;
  apiRoot = '';
  private updates: Record<string, unknown>[] = [];
  private nextUpdateId = 1;
  private nextMessageId = 1;
  private waiters = new Set<() => void>();
  private failure: Failure | null = null;
  readonly messages = new Map<string, StoredMessage>(); // `${chatId}:${messageId}`
  commands: unknown[] = [];
  /** The menu per scope, keyed by the scope's JSON ("default" when none was given). */
  readonly menus = new Map<string, unknown[]>();
  /** Chats whose user blocked the bot: sendMessage answers 403 as Telegram does. */
  readonly blocked = new Set<number>();
  /**
   * Chats the bot knows (getChat answers them): a user's private chat exists for a bot once the user started it,
   * so tests add ids here; sendText adds its chat too. Any other id: 400 "chat not found", as Telegram answers.
   */
  readonly knownChats = new Set<number>();
  /** Every file the bot uploaded, by the file_id the fake gave it (the photo's bytes, for assertions). */
  readonly files = new Map<string, UploadedFile>();
  private nextFileId = 1;
  readonly token: string;

  constructor(token = '123456:TEST-token_abc') {
    this.token = token;
  }

  async start(): Promise<this> {
    this.server = createServer((req, res) => void this.handle(req, res));
    await new Promise<void>((r) => this.server.listen(0, '127.0.0.1', r));
    this.apiRoot = `http://127.0.0.1:${(this.server.address() as AddressInfo).port}`;
    return this;
  }

  async close(): Promise<void> {
    for (const w of this.waiters) w();
    this.server.closeAllConnections();
    await new Promise<void>((r) => this.server.close(() => r()));
  }

  /** Answer errors (to every method but getUpdates unless `methods` says) until recover() or `remaining` calls. */
  fail(f: Failure): void {
    this.failure = f;
  }
  recover(): void {
    this.failure = null;
  }

  // ---------- what tests inject ----------

  private push(update: Record<string, unknown>): number {
    const id = this.nextUpdateId++;
    this.updates.push({ update_id: id, ...update });
    for (const w of this.waiters) w();
    return id;
  }

  user(id: number) {
    return { id, is_bot: false, first_name: `User${id}`, username: `user${id}` };
  }

  /** A text message; a leading /command gets a bot_command entity like the real client sends. */
  sendText(fromUserId: number, text: string, opts: { chatId?: number; dateMs?: number } = {}): number {
    const chatId = opts.chatId ?? fromUserId;
    this.knownChats.add(chatId);
    const m = /^\/\S+/.exec(text);
    const message = {
      message_id: this.nextMessageId++,
      from: this.user(fromUserId),
      chat: chatId > 0 ? { id: chatId, type: 'private', first_name: `User${chatId}` } : { id: chatId, type: 'group', title: 'Group' },
      date: Math.floor((opts.dateMs ?? Date.now()) / 1000),
      text,
      ...(m ? { entities: [{ type: 'bot_command', offset: 0, length: m[0].length }] } : {}),
    };
    return this.push({ message });
  }

  /** A tap on an inline button of a message the bot sent. */
  press(fromUserId: number, message: { chat: { id: number }; message_id: number }, data: string): string {
    const stored = this.messages.get(`${message.chat.id}:${message.message_id}`);
    const id = String(this.nextUpdateId * 1000 + 7);
    this.push({
      callback_query: {
        id,
        from: this.user(fromUserId),
        chat_instance: `ci${message.chat.id}`,
        message: stored ?? message,
        data,
      },
    });
    return id;
  }

  // ---------- views for assertions ----------

  callsTo(method: string, ok = true): Call[] {
    return this.calls.filter((c) => c.method === method && (!ok || !c.failed));
  }

  sentTo(chatId: number): StoredMessage[] {
    return [...this.messages.values()].filter((m) => m.chat.id === chatId).sort((a, b) => a.message_id - b.message_id);
  }

  async waitFor<T>(probe: () => T | undefined | false | null, timeoutMs = 5000, what = 'condition'): Promise<T> {
    const until = Date.now() + timeoutMs;
    for (;;) {
      const v = probe();
      if (v) return v;
      if (Date.now() > until) throw new Error(`timed out waiting for ${what}`);
      await new Promise((r) => setTimeout(r, 15));
    }
  }

  // ---------- the server ----------

  private async body(req: IncomingMessage): Promise<Record<string, unknown>> {
    const chunks: Buffer[] = [];
    for await (const c of req) chunks.push(c as Buffer);
    const bytes = Buffer.concat(chunks);
    const type = req.headers['content-type'] ?? '';
    // Uploads (sendPhoto with an InputFile): grammY streams multipart/form-data, files as parts of their own.
    const boundary = /^multipart\/form-data;\s*boundary=("?)([^";]+)\1/i.exec(type)?.[2];
    if (boundary) return parseMultipart(bytes, boundary);
    const raw = bytes.toString('utf8');
    if (!raw) return {};
    if (type.includes('application/json')) return JSON.parse(raw) as Record<string, unknown>;
    if (type.includes('application/x-www-form-urlencoded')) {
      const out: Record<string, unknown> = {};
      for (const [k, v] of new URLSearchParams(raw)) {
        try {
          out[k] = JSON.parse(v);
        } catch {
          out[k] = v;
        }
      }
      return out;
    }
    throw new Error(`unsupported content-type ${type}`);
  }

  private reply(res: ServerResponse, status: number, body: unknown): void {
    if (res.destroyed) return;
    res.writeHead(status, { 'content-type': 'application/json' });
    res.end(JSON.stringify(body));
  }

  private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const m = /^\/bot([^/]+)\/(\w+)$/.exec(req.url ?? '');
    if (!m || req.method !== 'POST') return this.reply(res, 404, { ok: false, error_code: 404, description: 'Not Found' });
    const [, token, method] = m as unknown as [string, string, string];
    let params: Record<string, unknown>;
    try {
      params = await this.body(req);
    } catch (err) {
      return this.reply(res, 400, { ok: false, error_code: 400, description: `Bad Request: ${(err as Error).message}` });
    }
    const call: Call = { method, token, params, at: Date.now(), failed: false };
    this.calls.push(call);
    if (token !== this.token) {
      call.failed = true;
      return this.reply(res, 401, { ok: false, error_code: 401, description: 'Unauthorized' });
    }
    const f = this.failure;
    if (f && (f.methods ? f.methods.includes(method) : method !== 'getUpdates')) {
      call.failed = true;
      if (f.remaining !== undefined && --f.remaining <= 0) this.failure = f.then ?? null;
      if (f.status === 429)
        return this.reply(res, 429, {
          ok: false,
          error_code: 429,
          description: `Too Many Requests: retry after ${f.retryAfter ?? 1}`,
          parameters: { retry_after: f.retryAfter ?? 1 },
        });
      return this.reply(res, f.status, { ok: false, error_code: f.status, description: 'Internal Server Error' });
    }
    try {
      const result = await this.dispatch(method, params, res);
      if (result instanceof ApiError) {
        call.failed = true;
        return this.reply(res, result.code, { ok: false, error_code: result.code, description: result.description });
      }
      this.reply(res, 200, { ok: true, result });
    } catch (err) {
      call.failed = true;
      this.reply(res, 500, { ok: false, error_code: 500, description: (err as Error).message });
    }
  }

  private async dispatch(method: string, p: Record<string, unknown>, res: ServerResponse): Promise<unknown> {
    switch (method) {
      case 'getMe':
        return { id: BOT_ID, is_bot: true, first_name: 'Band Bot', username: 'band_test_bot', can_join_groups: true, can_read_all_group_messages: false, supports_inline_queries: false };
      case 'deleteWebhook':
        return true;
      case 'setMyCommands':
        // Each scope has its own menu (Bot API: BotCommandScope; absent = default).
        this.commands = (p.commands as unknown[]) ?? [];
        this.menus.set(scopeKey(p.scope), this.commands);
        return true;
      case 'getMyCommands':
        return this.menus.get(scopeKey(p.scope)) ?? [];
      case 'getUpdates':
        return this.getUpdates(p, res);
      case 'sendMessage': {
        const chatId = Number(p.chat_id);
        if (!Number.isFinite(chatId)) return new ApiError(400, 'Bad Request: chat not found');
        if (this.blocked.has(chatId)) return new ApiError(403, 'Forbidden: bot was blocked by the user');
        if (typeof p.text !== 'string' || p.text.length === 0) return new ApiError(400, 'Bad Request: message text is empty');
        const parsed = parseEntities(p.text, p.parse_mode);
        if ('error' in parsed) return new ApiError(400, `Bad Request: can't parse entities: ${parsed.error}`);
        if (parsed.text.length > 4096) return new ApiError(400, 'Bad Request: message is too long');
        const msg: StoredMessage = {
          message_id: this.nextMessageId++,
          from: { id: BOT_ID, is_bot: true, first_name: 'Band Bot', username: 'band_test_bot' },
          chat: chatId > 0 ? { id: chatId, type: 'private', first_name: `User${chatId}` } : { id: chatId, type: 'group', title: 'Group' },
          date: Math.floor(Date.now() / 1000),
          text: parsed.text,
          ...(parsed.entities.length ? { entities: parsed.entities } : {}),
          ...(p.reply_markup ? { reply_markup: p.reply_markup } : {}),
          ...(p.disable_notification ? { silent: true } : {}),
        };
        this.messages.set(`${chatId}:${msg.message_id}`, msg);
        return msg;
      }
      case 'sendPhoto':
        return this.sendFile('photo', p);
      case 'sendDocument':
        return this.sendFile('document', p);
      case 'editMessageText':
      case 'editMessageReplyMarkup': {
        const key = `${Number(p.chat_id)}:${Number(p.message_id)}`;
        const msg = this.messages.get(key);
        if (!msg) return new ApiError(400, 'Bad Request: message to edit not found');
        if (method === 'editMessageText' && msg.photo) return new ApiError(400, 'Bad Request: there is no text in the message to edit');
        const parsed = method === 'editMessageText' ? parseEntities(String(p.text), p.parse_mode) : { text: msg.text, entities: [] };
        if ('error' in parsed) return new ApiError(400, `Bad Request: can't parse entities: ${parsed.error}`);
        if (parsed.text.length > 4096) return new ApiError(400, 'Bad Request: MESSAGE_TOO_LONG');
        const text = parsed.text;
        const markup = p.reply_markup;
        if (text === msg.text && JSON.stringify(markup) === JSON.stringify(msg.reply_markup))
          return new ApiError(400, 'Bad Request: message is not modified: specified new message content and reply markup are exactly the same as a current content and reply markup of the message');
        msg.text = text;
        if (markup) msg.reply_markup = markup;
        else delete msg.reply_markup;
        msg.edit_date = Math.floor(Date.now() / 1000);
        return msg;
      }
      case 'answerCallbackQuery':
        return true;
      case 'getChat': {
        // ChatFullInfo as the Bot API sends it (fields that matter here; the real one has more).
        const chatId = Number(p.chat_id);
        if (!Number.isSafeInteger(chatId) || !this.knownChats.has(chatId)) return new ApiError(400, 'Bad Request: chat not found');
        return chatId > 0
          ? { id: chatId, type: 'private', first_name: `User${chatId}`, username: `user${chatId}`, accent_color_id: 0, max_reaction_count: 11 }
          : { id: chatId, type: 'group', title: 'Group', accent_color_id: 0, max_reaction_count: 11 };
      }
      default:
        return new ApiError(404, `Not Found: method ${method} not supported by the fake`);
    }
  }

  /**
   * sendPhoto and sendDocument as the Bot API takes them: the file as an uploaded part (by its "attach://" reference,
   * or the part named after the field), or for a photo a file_id the fake gave out before; an optional caption of at
   * most 1024 characters after its entities are parsed. A photo is PNG only here (at most 10 MB), a document any
   * non-empty file (at most 50 MB). Answers a Message with `photo` (PhotoSize[]) or `document`, and the caption.
   */
  private sendFile(field: 'photo' | 'document', p: Record<string, unknown>): StoredMessage | ApiError {
    const chatId = Number(p.chat_id);
    if (!Number.isFinite(chatId)) return new ApiError(400, 'Bad Request: chat not found');
    if (this.blocked.has(chatId)) return new ApiError(403, 'Forbidden: bot was blocked by the user');
    const ref = p[field];
    let file: UploadedFile | undefined;
    if (ref instanceof UploadedFile) file = ref;
    else if (typeof ref === 'string' && ref.startsWith('attach://')) {
      const part = p[ref.slice('attach://'.length)];
      if (part instanceof UploadedFile) file = part;
    } else if (typeof ref === 'string' && field === 'photo') file = this.files.get(ref);
    if (!file) return new ApiError(400, `Bad Request: there is no ${field} in the request`);
    if (file.bytes.length === 0) return new ApiError(400, 'Bad Request: file must be non-empty');
    if (file.bytes.length > (field === 'photo' ? 10 : 50) * 1024 * 1024) return new ApiError(400, 'Bad Request: file is too big');
    const size = field === 'photo' ? pngSize(file.bytes) : null;
    if (field === 'photo' && !size) return new ApiError(400, 'Bad Request: IMAGE_PROCESS_FAILED');
    const caption = p.caption === undefined ? undefined : String(p.caption);
    const parsed = caption === undefined ? { text: '', entities: [] } : parseEntities(caption, p.parse_mode);
    if ('error' in parsed) return new ApiError(400, `Bad Request: can't parse entities: ${parsed.error}`);
    if (parsed.text.length > 1024) return new ApiError(400, 'Bad Request: message caption is too long');
    const fileId = `${field === 'photo' ? 'photo' : 'doc'}-${this.nextFileId++}`;
    this.files.set(fileId, file);
    const ids = { file_id: fileId, file_unique_id: `u${fileId}`, file_size: file.bytes.length };
    const msg: StoredMessage = {
      message_id: this.nextMessageId++,
      from: { id: BOT_ID, is_bot: true, first_name: 'Band Bot', username: 'band_test_bot' },
      chat: chatId > 0 ? { id: chatId, type: 'private', first_name: `User${chatId}` } : { id: chatId, type: 'group', title: 'Group' },
      date: Math.floor(Date.now() / 1000),
      text: '',
      ...(size ? { photo: [{ ...ids, width: size.width, height: size.height }] } : { document: { ...ids, file_name: file.filename || 'file' } }),
      ...(caption !== undefined && parsed.text !== '' ? { caption: parsed.text } : {}),
      ...(parsed.entities.length ? { caption_entities: parsed.entities } : {}),
      ...(p.reply_markup ? { reply_markup: p.reply_markup } : {}),
      ...(p.disable_notification ? { silent: true } : {}),
    };
    this.messages.set(`${chatId}:${msg.message_id}`, msg);
    // A file message has no text field on the wire.
    const { text: _text, ...wire } = msg;
    return wire as StoredMessage;
  }

  /** The bytes of a document message's file. */
  documentBytes(msg: StoredMessage): Buffer {
    const f = msg.document ? this.files.get(msg.document.file_id) : undefined;
    if (!f) throw new Error(`message ${msg.message_id} has no document`);
    return f.bytes;
  }

  /** The bytes of a photo message's picture. */
  photoBytes(msg: StoredMessage): Buffer {
    const id = msg.photo?.at(-1)?.file_id;
    const f = id === undefined ? undefined : this.files.get(id);
    if (!f) throw new Error(`message ${msg.message_id} has no photo`);
    return f.bytes;
  }

  private async getUpdates(p: Record<string, unknown>, res: ServerResponse): Promise<unknown> {
    const offset = Number(p.offset ?? 0);
    const timeout = Number(p.timeout ?? 0);
    const limit = Number(p.limit ?? 100);
    // Confirming an offset forgets everything before it, as Telegram does.
    if (offset > 0) this.updates = this.updates.filter((u) => (u.update_id as number) >= offset);
    const pick = () => this.updates.slice(0, limit);
    if (pick().length > 0 || timeout <= 0) return pick();
    await new Promise<void>((resolve) => {
      const done = () => {
        clearTimeout(t);
        this.waiters.delete(done);
        resolve();
      };
      const t = setTimeout(done, timeout * 1000);
      this.waiters.add(done);
      res.on('close', done);
    });
    return pick();
  }
}

/** The inline buttons of a message as the bot sent it (its recorded reply_markup), row by row flattened. */
export function buttonsOf(msg: StoredMessage): { text: string; callback_data: string }[] {
  const kb = (msg.reply_markup as { inline_keyboard?: { text: string; callback_data: string }[][] } | undefined)?.inline_keyboard;
  return kb ? kb.flat() : [];
}

/** The callback data of the button whose label matches `label`; throws if the message has no such button. */
export function buttonData(msg: StoredMessage, label: RegExp): string {
  const b = buttonsOf(msg).find((x) => label.test(x.text));
  if (!b) throw new Error(`no button matching ${label} on message ${msg.message_id}: ${JSON.stringify(buttonsOf(msg).map((x) => x.text))}`);
  return b.callback_data;
}

/** Fields whose value is text as typed: never read as JSON (a caption "50" stays a string). */
const TEXT_FIELDS = new Set(['text', 'caption', 'parse_mode']);

/** multipart/form-data -> fields (JSON values decoded, as the form-urlencoded path does) and UploadedFile parts. */
export function parseMultipart(body: Buffer, boundary: string): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  const delimiter = Buffer.from(`--${boundary}`);
  let at = body.indexOf(delimiter);
  if (at < 0) throw new Error('multipart body without its boundary');
  for (;;) {
    at += delimiter.length;
    if (body.subarray(at, at + 2).toString('latin1') === '--') return out;
    if (body.subarray(at, at + 2).toString('latin1') === '\r\n') at += 2;
    const next = body.indexOf(delimiter, at);
    if (next < 0) throw new Error('multipart body is not closed');
    // The CRLF before a delimiter belongs to the delimiter, not to the part.
    const part = body.subarray(at, body.subarray(next - 2, next).toString('latin1') === '\r\n' ? next - 2 : next);
    const headEnd = part.indexOf('\r\n\r\n');
    if (headEnd < 0) throw new Error('multipart part without headers');
    const head = part.subarray(0, headEnd).toString('utf8');
    const value = part.subarray(headEnd + 4);
    const name = /(?:^|[;\s])name="([^"]*)"/i.exec(head)?.[1];
    if (name === undefined) throw new Error('multipart part without a name');
    const filename = /filename=("?)([^";\r\n]*)\1/i.exec(head)?.[2];
    if (filename !== undefined) out[name] = new UploadedFile(filename, Buffer.from(value));
    else {
      const text = value.toString('utf8');
      try {
        out[name] = TEXT_FIELDS.has(name) ? text : JSON.parse(text);
      } catch {
        out[name] = text;
      }
    }
    at = next;
  }
}

const PNG_SIGNATURE = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);

/** A PNG's width and height from its IHDR chunk; null for anything that is not a PNG. */
export function pngSize(bytes: Buffer): { width: number; height: number } | null {
  if (bytes.length < 24 || !bytes.subarray(0, 8).equals(PNG_SIGNATURE) || bytes.subarray(12, 16).toString('latin1') !== 'IHDR') return null;
  return { width: bytes.readUInt32BE(16), height: bytes.readUInt32BE(20) };
}

class ApiError {
  constructor(
    readonly code: number,
    readonly description: string,
  ) {}
}

/** A Bot API scope (an object, or its JSON string in a form-encoded call) as a stable key. */
export function scopeKey(scope: unknown): string {
  const v = typeof scope === 'string' ? (JSON.parse(scope) as unknown) : scope;
  if (!v || typeof v !== 'object') return 'default';
  const o = v as Record<string, unknown>;
  return JSON.stringify(Object.fromEntries(Object.keys(o).sort().map((k) => [k, o[k]])));
}

/** Telegram's HTML parse mode, as far as the bot uses it: the tags it allows, entities for &amp; &lt; &gt; &quot;. */
const HTML_TAGS = new Set(['b', 'strong', 'i', 'em', 'u', 'ins', 's', 'strike', 'del', 'code', 'pre', 'a', 'tg-spoiler', 'blockquote']);
const HTML_ENTITIES: Record<string, string> = { amp: '&', lt: '<', gt: '>', quot: '"' };

export interface TextEntity {
  type: string;
  offset: number;
  length: number;
}

/**
 * Text with parse_mode HTML -> what Telegram stores: the plain text and its entities. A stray "<" or "&", an unknown
 * or unclosed tag is refused, as Telegram refuses it (400 "can't parse entities"): an unescaped market title fails here.
 */
export function parseEntities(text: string, parseMode: unknown): { text: string; entities: TextEntity[] } | { error: string } {
  if (parseMode !== 'HTML') return { text, entities: [] };
  let out = '';
  const entities: TextEntity[] = [];
  const open: { tag: string; offset: number }[] = [];
  for (let i = 0; i < text.length; ) {
    const c = text[i]!;
    if (c === '<') {
      const m = /^<(\/?)([a-z-]+)(?:\s[^<>]*)?>/.exec(text.slice(i));
      if (!m || !HTML_TAGS.has(m[2]!)) return { error: `unsupported start tag at byte offset ${i}` };
      if (m[1]) {
        const top = open.pop();
        if (!top || top.tag !== m[2]) return { error: `unmatched end tag at byte offset ${i}, expected "</${top?.tag ?? ''}>"` };
        entities.push({ type: top.tag === 'b' || top.tag === 'strong' ? 'bold' : top.tag, offset: top.offset, length: out.length - top.offset });
      } else open.push({ tag: m[2]!, offset: out.length });
      i += m[0].length;
    } else if (c === '&') {
      const m = /^&(#\d+|[a-z]+);/.exec(text.slice(i));
      if (!m) return { error: `unexpected "&" at byte offset ${i}` };
      const name = m[1]!;
      const ch = name.startsWith('#') ? String.fromCodePoint(Number(name.slice(1))) : HTML_ENTITIES[name];
      if (ch === undefined) return { error: `unsupported entity "&${name};"` };
      out += ch;
      i += m[0].length;
    } else if (c === '>') {
      return { error: `unexpected ">" at byte offset ${i}` };
    } else {
      out += c;
      i++;
    }
  }
  if (open.length) return { error: `can't find end tag corresponding to start tag "${open.at(-1)!.tag}"` };
  return { text: out, entities };
}
