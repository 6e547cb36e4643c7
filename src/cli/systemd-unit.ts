// Text written into systemd unit files and environment files by `raspimon init`, escaped by
// systemd's own rules (systemd.unit(5) "Specifiers", systemd.service(5) "Command lines",
// systemd.exec(5) "EnvironmentFile="), so a path with spaces or a password with `%40`
// reaches the program as written. Pure.
import { InitError } from './errors.js';

/** Control characters (a newline would end the setting and start another). */
// eslint-disable-next-line no-control-regex
const controlChars = /[\u0000-\u001f\u007f]/;

function refuseControl(what: string, text: string): void {
  if (controlChars.test(text))
    throw new InitError(
      `${what} ${JSON.stringify(text)} holds a control character (a newline, tab, …), which a systemd unit cannot carry; choose another`,
    );
}

/**
 * A path for a unit setting that takes the rest of the line as one path
 * (`WorkingDirectory=`, `EnvironmentFile=`): every `%` doubled, as systemd expands
 * specifiers there (`%h`, `%i`, …; `%40` is an error and the setting is dropped).
 */
export function unitPath(path: string): string {
  refuseControl('the path', path);
  return path.replaceAll('%', '%%');
}

/**
 * One word of an `ExecStart=` command line: `%` doubled (specifiers), `$` doubled (variable
 * expansion), and double-quoted with `\` and `"` escaped when it has whitespace, quotes, a
 * backslash or a `;` (which would split it into words or commands).
 */
export function execWord(word: string): string {
  refuseControl('the command word', word);
  const escaped = word.replaceAll('%', '%%').replaceAll('$', '$$$$');
  if (escaped !== '' && !/[\s"'\\;]/.test(escaped)) return escaped;
  return `"${escaped.replace(/[\\"]/g, '\\$&')}"`;
}

/**
 * One `NAME=value` line of an environment file (`EnvironmentFile=`): systemd expands no
 * specifiers there; the value is single-quoted (taken literally), or double-quoted with
 * `\`, `"`, `$` and `` ` `` escaped when it holds a single quote.
 */
export function envFileLine(name: string, value: string): string {
  refuseControl(`the value of ${name}`, value);
  if (!value.includes("'")) return `${name}='${value}'`;
  return `${name}="${value.replace(/[\\"$`]/g, '\\$&')}"`;
}
