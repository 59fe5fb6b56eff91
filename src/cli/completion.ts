/**
 * Bash completion: `scstadmin-ts --completion bash` prints a script that
 * completes option names (single-dash, as scstadmin users type them) and,
 * for options whose value is a live object, the object names obtained by
 * calling back `scstadmin-ts --complete <kind>` (quiet: names only).
 */
import type { LiveScst } from '../model/live.js';
import type { CommandArgs } from './args.js';
import { OPTIONS, type CompletionKind } from './options.js';
import { sorted } from './format.js';

/** Object kinds `--complete` understands. */
export const COMPLETION_KINDS = ['handler', 'device', 'driver', 'target', 'group', 'dgrp', 'tgrp'] as const;

/** Names of one kind, one per line; `-driver`/`-target`/`-dev_group` narrow targets, groups and target groups. */
export function listCompletions(live: LiveScst, kind: string, args: CommandArgs): string {
  const driver = args.value('driver');
  const target = args.value('target');
  const deviceGroup = args.value('dev_group');
  const drivers = [...live.drivers].filter(([name]) => driver === undefined || name === driver);
  let names: Iterable<string>;
  switch (kind) {
    case 'handler':
      names = live.handlers.keys();
      break;
    case 'device':
      names = live.devices.keys();
      break;
    case 'driver':
      names = live.drivers.keys();
      break;
    case 'target':
      names = drivers.flatMap(([, d]) => [...d.targets.keys()]);
      break;
    case 'group':
      names = drivers.flatMap(([, d]) => [...d.targets].filter(([t]) => target === undefined || t === target).flatMap(([, t]) => [...t.groups.keys()]));
      break;
    case 'dgrp':
      names = live.deviceGroups.keys();
      break;
    case 'tgrp':
      names = [...live.deviceGroups]
        .filter(([name]) => deviceGroup === undefined || name === deviceGroup)
        .flatMap(([, dg]) => [...dg.targetGroups.keys()]);
      break;
    default:
      names = [];
  }
  return sorted(new Set(names))
    .map((name) => `${name}\n`)
    .join('');
}

function caseFor(kind: CompletionKind): string {
  switch (kind) {
    case 'file':
      return 'COMPREPLY=( $(compgen -f -- "$cur") )';
    case 'dir':
      return 'COMPREPLY=( $(compgen -d -- "$cur") )';
    case 'shell':
      return 'COMPREPLY=( $(compgen -W "bash" -- "$cur") )';
    default:
      return `COMPREPLY=( $(compgen -W "$(_scstadmin_ts_names ${kind})" -- "$cur") )`;
  }
}

export function completionScript(): string {
  const options = OPTIONS.filter((o) => o.name !== 'complete').map((o) => (o.extension ? `--${o.aliases?.[0] ?? o.name}` : `-${o.name}`));
  const byKind = new Map<CompletionKind, string[]>();
  for (const def of OPTIONS) {
    if (def.complete === undefined || def.value === 'flag') continue;
    const spellings = [`-${def.name}`, `--${def.name}`, ...(def.aliases ?? []).map((a) => `--${a}`)];
    byKind.set(def.complete, [...(byKind.get(def.complete) ?? []), ...spellings]);
  }
  const cases = [...byKind].map(([kind, spellings]) => `        ${spellings.join('|')})\n            ${caseFor(kind)}\n            return ;;`).join('\n');
  return `# bash completion for scstadmin-ts (and scstadmin when it is scstadmin-ts)
# Install: scstadmin-ts --completion bash > /etc/bash_completion.d/scstadmin-ts

_scstadmin_ts_names() {
    # Pass on the addressing options already typed so that names are narrowed.
    local -a ctx=()
    local i
    for (( i = 1; i < COMP_CWORD; i++ )); do
        case "\${COMP_WORDS[i]}" in
            -driver|--driver|-target|--target|-dev_group|--dev_group|-emulate|--emulate|-sysfs_root|--sysfs_root|--sysfs-root)
                ctx+=( "\${COMP_WORDS[i]}" "\${COMP_WORDS[i+1]}" ) ;;
        esac
    done
    "\${COMP_WORDS[0]}" "\${ctx[@]}" --complete "$1" 2>/dev/null
}

_scstadmin_ts() {
    local cur prev
    cur="\${COMP_WORDS[COMP_CWORD]}"
    prev="\${COMP_WORDS[COMP_CWORD-1]}"
    case "$prev" in
${cases}
    esac
    if [[ "$cur" == -* ]]; then
        COMPREPLY=( $(compgen -W "${options.join(' ')}" -- "$cur") )
    fi
}

complete -F _scstadmin_ts scstadmin-ts scstadmin
`;
}
