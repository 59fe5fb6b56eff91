/**
 * Tokenizer of the scst.conf language.
 *
 * Unlike Perl scstadmin (scstadmin.md §4.1), comments, quotes and backslash
 * escapes are handled here in one pass, so that `\"` works inside quotes,
 * `\{` is a literal brace, `\ ` keeps a blank inside a word and `#` inside
 * quotes is literal (§15.1 items 3 and 6). Where Perl would silently read
 * something else than we do (a `#` glued to the end of a word), the lexer
 * reports an error instead of guessing.
 */
import type { DiagnosticSink } from './diagnostics.js';

export interface Position {
  line: number;
  column: number;
}

export interface WordToken extends Position {
  kind: 'word';
  /** The token's value: quotes removed, escapes resolved. */
  text: string;
  quoted: boolean;
}

export interface PunctuationToken extends Position {
  kind: 'open' | 'close' | 'newline' | 'eof';
}

export type Token = WordToken | PunctuationToken;

/** Characters that separate tokens on a line (Perl's `\s` minus the newline). */
export function isBlank(ch: string | undefined): boolean {
  return ch === ' ' || ch === '\t' || ch === '\r' || ch === '\f' || ch === '\v';
}

function endsWord(ch: string | undefined): boolean {
  return ch === undefined || ch === '\n' || ch === '{' || ch === '}' || isBlank(ch);
}

function quoteForMessage(ch: string): string {
  return ch === '"' ? `'"'` : `'${ch}'`;
}

export function tokenize(text: string, sink: DiagnosticSink): Token[] {
  return new Lexer(text, sink).run();
}

class Lexer {
  private index = 0;
  private line = 1;
  private column = 1;
  private readonly tokens: Token[] = [];
  /** Index just after the last `\X` escape (its X is not a blank for comments). */
  private escapeEnd = -1;

  constructor(
    private readonly text: string,
    private readonly sink: DiagnosticSink,
  ) {}

  run(): Token[] {
    for (;;) {
      const ch = this.peek();
      if (ch === undefined) {
        this.tokens.push({ kind: 'eof', ...this.position() });
        return this.tokens;
      }
      if (ch === '\n') {
        this.tokens.push({ kind: 'newline', ...this.position() });
        this.advance();
      } else if (isBlank(ch)) {
        this.advance();
      } else if (ch === '#') {
        this.comment();
      } else if (ch === '{' || ch === '}') {
        this.tokens.push({ kind: ch === '{' ? 'open' : 'close', ...this.position() });
        this.advance();
      } else if (ch === '"') {
        this.quotedWord();
      } else {
        this.plainWord();
      }
    }
  }

  private peek(offset = 0): string | undefined {
    return this.text[this.index + offset];
  }

  private position(): Position {
    return { line: this.line, column: this.column };
  }

  private advance(): void {
    if (this.text[this.index] === '\n') {
      this.line += 1;
      this.column = 1;
    } else {
      this.column += 1;
    }
    this.index += 1;
  }

  private skipToEndOfLine(): void {
    while (this.peek() !== undefined && this.peek() !== '\n') this.advance();
  }

  /**
   * A `#` at the start of a line or after a blank starts a comment. A `#`
   * glued to preceding text is refused: Perl's comment regex would also
   * remove the character before it (`DEVICE d2#c` → `DEVICE d`, §4.1 step 2),
   * so the file means different things to the two tools.
   */
  private comment(): void {
    const previous = this.index > 0 ? this.text[this.index - 1] : undefined;
    const escaped = this.escapeEnd === this.index;
    if (previous !== undefined && previous !== '\n' && (escaped || !isBlank(previous))) {
      this.sink.error(
        this.position(),
        `'#' directly after ${quoteForMessage(previous)}: write '\\#' for a literal '#', ` +
          `or put a blank before the comment (Perl scstadmin would also drop the ${quoteForMessage(previous)})`,
      );
    }
    this.skipToEndOfLine();
  }

  /** Reads `\X` at the current index; returns the character it stands for. */
  private escape(): string {
    const next = this.peek(1);
    if (next === undefined || next === '\n') {
      this.sink.warning(
        this.position(),
        `a backslash at the end of a line is kept as a literal '\\' (there is no line continuation)`,
      );
      this.advance();
      return '\\';
    }
    this.advance();
    this.advance();
    this.escapeEnd = this.index;
    return next;
  }

  private plainWord(): void {
    const start = this.position();
    let value = '';
    for (;;) {
      const ch = this.peek();
      // A '#' ends the word; run() then reports it as glued to this word.
      if (endsWord(ch) || ch === '#') break;
      if (ch === '\\') {
        value += this.escape();
      } else {
        value += ch;
        this.advance();
      }
    }
    this.tokens.push({ kind: 'word', text: value, quoted: false, ...start });
  }

  private quotedWord(): void {
    const start = this.position();
    this.advance(); // opening quote
    let value = '';
    for (;;) {
      const ch = this.peek();
      if (ch === undefined || ch === '\n') {
        this.sink.error(start, `unterminated quoted string: expected a closing '"' before the end of the line`);
        break;
      }
      if (ch === '"') {
        this.advance();
        this.checkAfterClosingQuote();
        break;
      }
      if (ch === '\\') {
        value += this.escape();
      } else {
        value += ch;
        this.advance();
      }
    }
    this.tokens.push({ kind: 'word', text: value, quoted: true, ...start });
  }

  /**
   * `"a b"c` is two tokens to Perl; we refuse text glued to a closing quote
   * rather than guess. A glued '#' is left to comment() to report.
   */
  private checkAfterClosingQuote(): void {
    const ch = this.peek();
    if (endsWord(ch) || ch === '#') return;
    this.sink.error(
      this.position(),
      `unexpected ${quoteForMessage(ch as string)} right after a closing quote: put a blank between tokens or quote the whole value`,
    );
  }
}
