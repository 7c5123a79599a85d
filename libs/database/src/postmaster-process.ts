import { existsSync, readlinkSync, realpathSync } from 'node:fs';
import path from 'node:path';

/**
 * What the process named in a postmaster.pid is. A pid outlives its process: after a crash the
 * number may belong to anything by the next start — a shell whose command line says "postgres",
 * another cluster's postmaster. Only this cluster's own postmaster may be stopped.
 *
 * - `this-cluster`: a `postgres` executable whose working directory is exactly this data
 *   directory (the postmaster changes into its data directory at start, however it was launched).
 * - `other`: anything else, including a process that is gone or that we may not inspect (as root
 *   we may inspect every process; otherwise our postmaster runs as us).
 * - `unknown`: there is no /proc to ask (macOS): nothing can be concluded.
 */
export type PostmasterIdentity = 'this-cluster' | 'other' | 'unknown';

/** Linux appends this to the target of /proc/<pid>/exe or cwd when the file is gone. */
const DELETED_SUFFIX = ' (deleted)';

function realpathOrSelf(file: string): string {
  try {
    return realpathSync(file);
  } catch {
    return path.resolve(file);
  }
}

export function identifyPostmaster(pid: number, dataDir: string): PostmasterIdentity {
  if (!existsSync('/proc/self/exe')) return 'unknown';
  let executable: string;
  let workingDir: string;
  try {
    executable = readlinkSync(`/proc/${pid}/exe`);
    workingDir = readlinkSync(`/proc/${pid}/cwd`);
  } catch {
    return 'other';
  }
  // A postmaster outlives the replacement of its binaries; it is still this cluster's.
  const binary = path.basename(executable.endsWith(DELETED_SUFFIX) ? executable.slice(0, -DELETED_SUFFIX.length) : executable);
  return binary === 'postgres' && workingDir === realpathOrSelf(dataDir) ? 'this-cluster' : 'other';
}
