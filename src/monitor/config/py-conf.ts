// The seed stored a device's constructor arguments as a Python string loaded with eval().
// We read the same strings as data only: JSON, or a Python literal dict (single quotes,
// True/False/None, tuples, trailing commas). Anything else — a name, a call, an operator,
// a lambda — is a parse error, never executed.

/** Result of {@link parsePyConf}: the dict, or why the string is not one. */
export type PyConfResult =
  | {
      /** The string is a dict. */
      ok: true;
      /** The parsed dict. */
      value: Record<string, unknown>;
    }
  | {
      /** The string is not a dict, or cannot be parsed as data. */
      ok: false;
      /** Why, e.g. where the parse stopped. */
      error: string;
    };

const maxLength = 65_536;
const maxDepth = 32;

const constants: Record<string, unknown> = {
  True: true,
  False: false,
  None: null,
  true: true,
  false: false,
  null: null,
};

class ParseFailure extends Error {}

/**
 * Parses a `pyConf` string (JSON or a Python literal dict) as data, never evaluating it.
 *
 * @example
 * ```ts
 * parsePyConf("{'path': '/dev/ttyUSB0', 'baudRate': 9600, 'debug': True}")
 * // { ok: true, value: { path: '/dev/ttyUSB0', baudRate: 9600, debug: true } }
 * parsePyConf("__import__('os').system('rm -rf /')")
 * // { ok: false, error: 'unexpected "_" at 0: only literals (dict, list, str, number, True/False/None) are allowed' }
 * ```
 */
export function parsePyConf(text: string): PyConfResult {
  if (text.length > maxLength) return { ok: false, error: `longer than ${maxLength} characters` };
  const parser = new Parser(text);
  try {
    const value = parser.document();
    if (typeof value !== 'object' || value === null || Array.isArray(value)) {
      return {
        ok: false,
        error: 'must be a dict ({...}), got a ' + (Array.isArray(value) ? 'list' : typeof value),
      };
    }
    return { ok: true, value: value as Record<string, unknown> };
  } catch (error) {
    if (error instanceof ParseFailure) return { ok: false, error: error.message };
    throw error;
  }
}

class Parser {
  private pos = 0;

  constructor(private readonly text: string) {}

  document(): unknown {
    const value = this.value(0);
    this.space();
    if (this.pos < this.text.length) this.fail('after the end of the value');
    return value;
  }

  private fail(what: string): never {
    const ch = this.text[this.pos];
    const near = ch === undefined ? 'end of text' : `"${ch}"`;
    throw new ParseFailure(
      `unexpected ${near} at ${this.pos} ${what}: only literals (dict, list, str, number, True/False/None) are allowed`,
    );
  }

  private space(): void {
    while (this.pos < this.text.length) {
      const ch = this.text[this.pos]!;
      if (ch === ' ' || ch === '\t' || ch === '\n' || ch === '\r') this.pos++;
      else if (ch === '#') {
        while (this.pos < this.text.length && this.text[this.pos] !== '\n') this.pos++;
      } else break;
    }
  }

  private value(depth: number): unknown {
    if (depth > maxDepth) this.fail(`(nested deeper than ${maxDepth})`);
    this.space();
    const ch = this.text[this.pos];
    if (ch === '{') return this.dict(depth);
    if (ch === '[') return this.sequence(']', depth);
    if (ch === '(') return this.sequence(')', depth);
    if (ch === '"' || ch === "'") return this.string();
    if (ch !== undefined && /[-+0-9.]/.test(ch)) return this.number();
    const word = /^[A-Za-z_][A-Za-z0-9_]*/.exec(this.text.slice(this.pos, this.pos + 64))?.[0];
    if (word !== undefined && Object.hasOwn(constants, word)) {
      const after = this.text[this.pos + word.length];
      if (after === undefined || !/[A-Za-z0-9_.(]/.test(after)) {
        this.pos += word.length;
        return constants[word];
      }
    }
    return this.fail('where a value was expected');
  }

  private dict(depth: number): Record<string, unknown> {
    this.pos++;
    const entries: Array<[string, unknown]> = [];
    for (;;) {
      this.space();
      if (this.text[this.pos] === '}') break;
      const key = this.value(depth + 1);
      if (typeof key !== 'string' && typeof key !== 'number')
        this.fail('(dict keys must be strings or numbers)');
      this.space();
      if (this.text[this.pos] !== ':') this.fail('where ":" was expected');
      this.pos++;
      entries.push([String(key), this.value(depth + 1)]);
      this.space();
      if (this.text[this.pos] === ',') this.pos++;
      else if (this.text[this.pos] !== '}') this.fail('where "," or "}" was expected');
    }
    this.pos++;
    // fromEntries defines own properties, so a "__proto__" key cannot reach the prototype.
    return Object.fromEntries(entries);
  }

  private sequence(close: string, depth: number): unknown[] {
    this.pos++;
    const items: unknown[] = [];
    for (;;) {
      this.space();
      if (this.text[this.pos] === close) break;
      items.push(this.value(depth + 1));
      this.space();
      if (this.text[this.pos] === ',') this.pos++;
      else if (this.text[this.pos] !== close) this.fail(`where "," or "${close}" was expected`);
    }
    this.pos++;
    return items;
  }

  private string(): string {
    const quote = this.text[this.pos]!;
    if (this.text.startsWith(quote.repeat(3), this.pos))
      this.fail('(triple-quoted strings are not supported)');
    this.pos++;
    let out = '';
    for (;;) {
      const ch = this.text[this.pos];
      if (ch === undefined || ch === '\n') this.fail('inside a string (missing closing quote)');
      this.pos++;
      if (ch === quote) return out;
      if (ch !== '\\') {
        out += ch;
        continue;
      }
      const esc = this.text[this.pos++];
      const simple: Record<string, string> = {
        n: '\n',
        t: '\t',
        r: '\r',
        '\\': '\\',
        "'": "'",
        '"': '"',
        '/': '/',
        '0': '\0',
        b: '\b',
        f: '\f',
      };
      if (esc !== undefined && Object.hasOwn(simple, esc)) out += simple[esc]!;
      else if (esc === 'x' || esc === 'u') {
        const size = esc === 'x' ? 2 : 4;
        const hex = this.text.slice(this.pos, this.pos + size);
        if (!new RegExp(`^[0-9a-fA-F]{${size}}$`).test(hex)) this.fail('(bad \\x or \\u escape)');
        out += String.fromCharCode(parseInt(hex, 16));
        this.pos += size;
      } else {
        this.pos--;
        this.fail('(unknown escape)');
      }
    }
  }

  private number(): number {
    const match = /^[-+]?(0[xX][0-9a-fA-F_]+|(\d[\d_]*)?\.?\d[\d_]*([eE][-+]?\d+)?)/.exec(
      this.text.slice(this.pos),
    );
    if (!match) return this.fail('where a number was expected');
    const raw = match[0].replaceAll('_', '');
    this.pos += match[0].length;
    const after = this.text[this.pos];
    if (after !== undefined && /[A-Za-z0-9_.]/.test(after)) this.fail('(not a number)');
    const sign = raw.startsWith('-') ? -1 : 1;
    const body = raw.replace(/^[-+]/, '');
    const value = /^0[xX]/.test(body) ? sign * parseInt(body.slice(2), 16) : Number(raw);
    if (!Number.isFinite(value)) this.fail('(not a finite number)');
    return value;
  }
}
