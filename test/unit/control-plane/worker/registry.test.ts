import { recordKey, REGISTRY_PREFIX, registryKey, ServedEditor } from '../../../../lib/control-plane/worker/contract';
import { KvListPage, KvStore, registeredEditors, REGISTRY_MEMO_MS, RegistryMemo, servedEditor } from '../../../../lib/control-plane/worker/registry';

const editor = (name: string): ServedEditor => ({
  name, hostname: `${name}.code.example.com`, accessAudience: `aud-${name}`, dropletTag: `tag-${name}`, markerTag: `idle-${name}`, stack: `editors-${name}`,
});
const ALICE = editor('alice');

describe('the registry\'s keys', () => {
  test('an editor is registered under editor:<hostname>, lower-case; its record is record:<name>', () => {
    expect(registryKey('Alice.Code.example.com')).toBe('editor:alice.code.example.com');
    expect(registryKey(ALICE.hostname).startsWith(REGISTRY_PREFIX)).toBe(true);
    expect(recordKey('alice')).toBe('record:alice');
  });

  test('no key has a character that a URL path escapes (Cloudflare\'s provider would store it percent-encoded)', () => {
    for (const key of [registryKey('alice-1.code.example.com'), recordKey('alice-1')]) expect(encodeURIComponent(key).replace(/%3A/g, ':')).toBe(key);
  });
});

describe('servedEditor', () => {
  test('reads the six fields of a registration and nothing else', () => {
    expect(servedEditor({ ...ALICE, extra: 'x' }, 'ALICE.code.example.com')).toEqual(ALICE);
  });

  test.each<[string, unknown]>([
    ['nothing', undefined],
    ['a string', 'alice'],
    ['a registration without its stack', { ...ALICE, stack: undefined }],
    ['a registration with an empty audience', { ...ALICE, accessAudience: '' }],
    ['a registration with a number for a name', { ...ALICE, name: 7 }],
  ])('%s is no registration', (_case, value) => {
    expect(servedEditor(value)).toBeUndefined();
  });

  test('a registration under another editor\'s hostname is none', () => {
    expect(servedEditor(ALICE, 'bob.code.example.com')).toBeUndefined();
  });
});

describe('RegistryMemo', () => {
  let now: number;
  let memo: RegistryMemo;
  let entries: Map<string, string>;
  let reads: string[];
  const read = async (key: string) => {
    reads.push(key);
    return entries.get(key) ?? null;
  };
  beforeEach(() => {
    now = 1_800_000_000_000;
    memo = new RegistryMemo(() => now);
    entries = new Map([[registryKey(ALICE.hostname), JSON.stringify(ALICE)]]);
    reads = [];
  });

  test('reads a host\'s registration once a minute, whatever its case and however many visits', async () => {
    expect(await memo.editorAt('alice.code.example.com', read)).toEqual(ALICE);
    now += REGISTRY_MEMO_MS - 1;
    expect(await memo.editorAt('ALICE.code.example.com', read)).toEqual(ALICE);
    expect(reads).toEqual([registryKey(ALICE.hostname)]);
    now += 1;
    expect(await memo.editorAt('alice.code.example.com', read)).toEqual(ALICE);
    expect(reads).toHaveLength(2);
  });

  test('keeps a miss a minute too: a registration added meanwhile is seen once the minute is over', async () => {
    expect(await memo.editorAt('bob.code.example.com', read)).toBeUndefined();
    entries.set(registryKey('bob.code.example.com'), JSON.stringify(editor('bob')));
    now += REGISTRY_MEMO_MS - 1;
    expect(await memo.editorAt('bob.code.example.com', read)).toBeUndefined();
    now += 1;
    expect(await memo.editorAt('bob.code.example.com', read)).toEqual(editor('bob'));
    expect(reads).toEqual([registryKey('bob.code.example.com'), registryKey('bob.code.example.com')]);
  });

  test('visits meanwhile share the one read', async () => {
    const [first, second] = await Promise.all([memo.editorAt(ALICE.hostname, read), memo.editorAt(ALICE.hostname, read)]);
    expect([first, second]).toEqual([ALICE, ALICE]);
    expect(reads).toHaveLength(1);
  });

  const failing = async (): Promise<string | null> => { throw new Error('KV unavailable'); };

  test('a failed read with nothing read before is thrown and not kept: the next visit reads again', async () => {
    await expect(memo.editorAt(ALICE.hostname, failing)).rejects.toThrow('KV unavailable');
    expect(await memo.editorAt(ALICE.hostname, read)).toEqual(ALICE);
    expect(reads).toHaveLength(1);
  });

  test('a failed read keeps what was read before another minute, so that a running editor stays served through a KV outage', async () => {
    expect(await memo.editorAt(ALICE.hostname, read)).toEqual(ALICE);
    now += REGISTRY_MEMO_MS;
    const error = jest.spyOn(console, 'error').mockImplementation(() => undefined);
    try {
      expect(await memo.editorAt(ALICE.hostname, failing)).toEqual(ALICE);
      expect(error).toHaveBeenCalledWith(expect.stringContaining('KV unavailable'));
    } finally {
      error.mockRestore();
    }
    now += REGISTRY_MEMO_MS - 1;
    expect(await memo.editorAt(ALICE.hostname, failing)).toEqual(ALICE);
    now += 1;
    entries.clear();
    expect(await memo.editorAt(ALICE.hostname, read)).toBeUndefined();
  });

  test('an entry that is not a registration serves its host as unregistered', async () => {
    entries.set(registryKey(ALICE.hostname), '{not json');
    const error = jest.spyOn(console, 'error').mockImplementation(() => undefined);
    try {
      expect(await memo.editorAt(ALICE.hostname, read)).toBeUndefined();
      expect(error).toHaveBeenCalledWith(expect.stringContaining(registryKey(ALICE.hostname)));
    } finally {
      error.mockRestore();
    }
  });
});

describe('registeredEditors', () => {
  /** A KV namespace that answers list in pages of `pageSize`, its cursor the next key's index. */
  function pagedKv(keys: Array<{ name: string; metadata?: unknown }>, pageSize: number) {
    const lists: Array<{ prefix: string; cursor?: string }> = [];
    const kv: KvStore = {
      get: async () => { throw new Error('the cron reads no entry'); },
      put: async () => { throw new Error('the list writes nothing'); },
      list: async (options): Promise<KvListPage> => {
        lists.push(options);
        const matching = keys.filter((key) => key.name.startsWith(options.prefix));
        const from = Number(options.cursor ?? 0);
        const page = matching.slice(from, from + pageSize);
        const done = from + pageSize >= matching.length;
        return { keys: page, list_complete: done, ...(done ? {} : { cursor: String(from + pageSize) }) };
      },
    };
    return { kv, lists };
  }

  test('pages through the registry with the cursor, one list call per page, from the metadata alone', async () => {
    const editors = ['alice', 'bob', 'carol', 'dave', 'erin'].map(editor);
    const { kv, lists } = pagedKv([
      ...editors.map((e) => ({ name: registryKey(e.hostname), metadata: e })),
      { name: recordKey('alice'), metadata: { state: 'stopped' } },
    ], 2);
    expect(await registeredEditors(kv)).toEqual(editors);
    expect(lists).toEqual([{ prefix: REGISTRY_PREFIX }, { prefix: REGISTRY_PREFIX, cursor: '2' }, { prefix: REGISTRY_PREFIX, cursor: '4' }]);
  });

  test('skips an entry without a registration in its metadata, and says which', async () => {
    const { kv } = pagedKv([{ name: registryKey('bob.code.example.com') }, { name: registryKey(ALICE.hostname), metadata: ALICE }], 1000);
    const error = jest.spyOn(console, 'error').mockImplementation(() => undefined);
    try {
      expect(await registeredEditors(kv)).toEqual([ALICE]);
      expect(error).toHaveBeenCalledWith(expect.stringContaining(registryKey('bob.code.example.com')));
    } finally {
      error.mockRestore();
    }
  });
});
