/** One command's usage text: `signet <path> --help` prints it; `signet --help` lists every usage line. */
export interface CommandHelp {
  /** "keys create", "sweep", ... */
  path: string;
  usage: string;
  summary: string;
  flags: ReadonlyArray<readonly [flag: string, meaning: string]>;
}
