/**
 * Statement structure of scst.conf: lines of words, each optionally owning a
 * `{ … }` block. Knows nothing about keywords (see builder.ts).
 *
 * Differences from Perl's parseStanza (scstadmin.md §4.1 step 5, §15.1 items
 * 4 and 5), all of which lose data there: the last statement before `}` or the
 * end of the file is kept (one-line blocks, a final line without newline); a
 * `{` alone on a line belongs to the statement on the line before; text after
 * `}` on the same line and unbalanced braces are errors.
 */
import type { DiagnosticSink } from './diagnostics.js';
import type { Position, Token, WordToken } from './lexer.js';

export interface Block {
  statements: Statement[];
  /** Where the `{` is. */
  open: Position;
}

export interface Statement {
  words: WordToken[];
  block?: Block;
}

export function parseStatements(tokens: readonly Token[], sink: DiagnosticSink): Statement[] {
  return new StatementParser(tokens, sink).parseFile();
}

function describeToken(token: Token): string {
  return token.kind === 'word' ? `'${token.text}'` : `'{'`;
}

class StatementParser {
  private index = 0;
  /** A `{` already reported as text after `}` (not reported twice). */
  private reportedAfterClose: Token | undefined;

  constructor(
    private readonly tokens: readonly Token[],
    private readonly sink: DiagnosticSink,
  ) {}

  parseFile(): Statement[] {
    return this.parseBody(undefined, '');
  }

  private next(): Token {
    const token = this.tokens[this.index];
    // The token list always ends with 'eof'; stay on it.
    if (token.kind !== 'eof') this.index += 1;
    return token;
  }

  private peek(): Token {
    return this.tokens[this.index];
  }

  /**
   * Statements up to the `}` matching `open` (or the end of the file at top
   * level). `ownerText` is the words of the statement owning the block, for messages.
   */
  private parseBody(open: Position | undefined, ownerText: string): Statement[] {
    const statements: Statement[] = [];
    let words: WordToken[] = [];
    // The last statement if it ended with a newline and has no block: a `{`
    // on a later line (only blank lines between) belongs to it.
    let awaitingBlock: Statement | undefined;

    const finishStatement = (): Statement | undefined => {
      if (words.length === 0) return undefined;
      const statement: Statement = { words };
      statements.push(statement);
      words = [];
      return statement;
    };

    for (;;) {
      const token = this.next();
      switch (token.kind) {
        case 'word':
          words.push(token);
          break;
        case 'newline': {
          const statement = finishStatement();
          if (statement) awaitingBlock = statement;
          break;
        }
        case 'open': {
          const owner = finishStatement() ?? awaitingBlock;
          if (!owner && this.reportedAfterClose !== token) {
            this.sink.error(
              token,
              `'{' without a statement before it: a block must follow a header such as 'DEVICE <name>'`,
            );
          }
          awaitingBlock = undefined;
          const words = owner ? owner.words.map((w) => w.text).join(' ') : '';
          const block: Block = { statements: this.parseBody(token, words), open: token };
          if (owner) owner.block = block;
          break;
        }
        case 'close':
          finishStatement();
          if (open === undefined) {
            this.sink.error(token, `unexpected '}': no block is open`);
            awaitingBlock = undefined;
            break;
          }
          this.checkRestOfLineAfterClose();
          return statements;
        case 'eof':
          finishStatement();
          if (open !== undefined) {
            const of = ownerText ? ` of '${ownerText}'` : '';
            this.sink.error(open, `'{'${of} is never closed: expected '}' before the end of the file`);
          }
          return statements;
      }
    }
  }

  /** Perl parses `} trailing words` as a statement of the enclosing block (§4.1). */
  private checkRestOfLineAfterClose(): void {
    const token = this.peek();
    if (token.kind === 'word' || token.kind === 'open') {
      this.sink.error(token, `unexpected ${describeToken(token)} after '}': start it on a new line`);
      this.reportedAfterClose = token;
    }
  }
}
