import { REGISTRY_PREFIX, registryKey, ServedEditor } from './contract';

/** A page of a KV namespace's keys, as `list` answers. */
export interface KvListPage {
  readonly keys: ReadonlyArray<{ readonly name: string; readonly metadata?: unknown }>;
  readonly list_complete: boolean;
  readonly cursor?: string;
}

/** The KV namespace's calls the Worker makes. */
export interface KvStore {
  get(key: string): Promise<string | null>;
  put(key: string, value: string): Promise<void>;
  list(options: { prefix: string; cursor?: string }): Promise<KvListPage>;
}

const EDITOR_FIELDS = ['name', 'hostname', 'accessAudience', 'dropletTag', 'markerTag', 'stack'] as const;

/**
 * An editor's registration read from KV (its value parsed, or its metadata), or undefined when it
 * is not one: every field of {@link ServedEditor} a non-empty string, and its hostname the one it
 * is registered under when that is given.
 */
export function servedEditor(value: unknown, hostname?: string): ServedEditor | undefined {
  if (typeof value !== 'object' || value === null) return undefined;
  const fields = value as Record<string, unknown>;
  if (!EDITOR_FIELDS.every((field) => typeof fields[field] === 'string' && fields[field] !== '')) return undefined;
  const editor = Object.fromEntries(EDITOR_FIELDS.map((field) => [field, fields[field]])) as unknown as ServedEditor;
  return hostname === undefined || editor.hostname.toLowerCase() === hostname.toLowerCase() ? editor : undefined;
}

function parseJson(text: string | null): unknown {
  if (text === null) return undefined;
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}

/** How long an isolate keeps what it read of an editor's registration (or of its absence): a minute. */
export const REGISTRY_MEMO_MS = 60_000;

/**
 * The registrations an isolate has read, by hostname, misses too: a visit reads an editor's entry
 * from KV at most once per {@link REGISTRY_MEMO_MS}, so that a running editor's traffic costs no
 * KV read, and a host nobody registered costs one a minute whatever its traffic.
 */
export class RegistryMemo {
  private readonly entries = new Map<string, { readonly editor: Promise<ServedEditor | undefined>; readonly until: number }>();

  constructor(private readonly now: () => number = () => Date.now(), private readonly memoMs = REGISTRY_MEMO_MS) {}

  /**
   * The editor registered at `hostname`, from the memo or else from KV through `read`. When the
   * read fails, what the memo held before is kept another minute (a running editor's traffic goes
   * on through a KV outage); with nothing held before, the failure is thrown and not kept.
   */
  public async editorAt(hostname: string, read: (key: string) => Promise<string | null>): Promise<ServedEditor | undefined> {
    const host = hostname.toLowerCase();
    const kept = this.entries.get(host);
    if (kept && kept.until > this.now()) return kept.editor;
    // The promise is kept, so that visits meanwhile share the one read.
    const editor = read(registryKey(host)).then((text) => {
      const found = servedEditor(parseJson(text), host);
      if (text !== null && !found) console.error(`registry: ${registryKey(host)} is not an editor's registration; its host is served as unregistered`);
      return found;
    }, async (error: unknown) => {
      if (!kept) throw error;
      console.error(`registry: reading ${registryKey(host)} failed, kept what was read before: ${String(error)}`);
      return kept.editor;
    });
    this.entries.set(host, { editor, until: this.now() + this.memoMs });
    editor.catch(() => {
      if (this.entries.get(host)?.editor === editor) this.entries.delete(host);
    });
    return editor;
  }
}

/**
 * Every registered editor, from the registry's metadata: one list call per page (KV's pages hold
 * up to 1,000 keys), following the cursor, and no read of an entry. An entry whose metadata is no
 * editor is skipped and logged.
 */
export async function registeredEditors(kv: KvStore): Promise<ServedEditor[]> {
  const editors: ServedEditor[] = [];
  let cursor: string | undefined;
  do {
    const page = await kv.list({ prefix: REGISTRY_PREFIX, ...(cursor === undefined ? {} : { cursor }) });
    for (const key of page.keys) {
      const editor = servedEditor(key.metadata, key.name.slice(REGISTRY_PREFIX.length));
      if (editor) editors.push(editor);
      else console.error(`registry: ${key.name} has no editor's registration in its metadata; skipped`);
    }
    cursor = page.list_complete ? undefined : page.cursor;
  } while (cursor);
  return editors;
}
