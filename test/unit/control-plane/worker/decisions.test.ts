import { ServedEditor } from '../../../../lib/control-plane/worker/contract';
import { decideStart, EditorRecord, NEW_RECORD, noneRunning, originAnswered, parseRecord, planStops, runningRecord } from '../../../../lib/control-plane/worker/decisions';

const LIMITS = { expectedSeconds: 180, startTimeoutSeconds: 600, maxStartsPerHour: 3 };
const NOW = 1_800_000_000_000;
const MINUTE = 60_000;

describe('decideStart', () => {
  test('a stopped editor starts: the record says starting since now and counts the start', () => {
    expect(decideStart({ state: 'stopped', since: NOW - 5 * MINUTE, starts: [] }, NOW, LIMITS))
      .toEqual({ action: 'start', record: { state: 'starting', since: NOW, starts: [NOW] }, secondsLeft: 180 });
  });

  test('while a start is under way, a visit waits and says how long is left', () => {
    expect(decideStart({ state: 'starting', since: NOW - MINUTE, starts: [NOW - MINUTE] }, NOW, LIMITS)).toEqual({ action: 'wait', secondsLeft: 120 });
    expect(decideStart({ state: 'starting', since: NOW - 5 * MINUTE, starts: [NOW - 5 * MINUTE] }, NOW, LIMITS)).toEqual({ action: 'wait', secondsLeft: 0 });
  });

  test('a start that took longer than its timeout may be tried again', () => {
    expect(decideStart({ state: 'starting', since: NOW - 11 * MINUTE, starts: [NOW - 11 * MINUTE] }, NOW, LIMITS)).toMatchObject({ action: 'start' });
  });

  test('the starts of the last hour are limited; older ones are forgotten', () => {
    const full: EditorRecord = { state: 'running', since: 0, starts: [NOW - 50 * MINUTE, NOW - 30 * MINUTE, NOW - 10 * MINUTE] };
    expect(decideStart(full, NOW, LIMITS)).toEqual({ action: 'limited', retryAfterSeconds: 600 });
    const aged = { ...full, starts: [NOW - 61 * MINUTE, ...full.starts.slice(1)] };
    expect(decideStart(aged, NOW, LIMITS)).toEqual({ action: 'start', record: { state: 'starting', since: NOW, starts: [...full.starts.slice(1), NOW] }, secondsLeft: 180 });
  });
});

describe('records', () => {
  test.each<[string, string | null]>([['absent', null], ['not JSON', '{'], ['of another shape', '{"state":"gone","since":1,"starts":[]}']])('a record %s reads as new', (_case, text) => {
    expect(parseRecord(text)).toBe(NEW_RECORD);
  });

  test('a record is read back as written; running keeps the last hour\'s starts', () => {
    const record: EditorRecord = { state: 'starting', since: NOW, starts: [NOW - 70 * MINUTE, NOW - MINUTE] };
    expect(parseRecord(JSON.stringify(record))).toEqual(record);
    expect(runningRecord(record, NOW)).toEqual({ state: 'running', since: NOW, starts: [NOW - MINUTE] });
  });
});

const editor = (name: string): ServedEditor => ({ name, hostname: `${name}.Code.example.com`, accessAudience: `aud-${name}`, dropletTag: `tag-${name}`, markerTag: `idle-${name}`, stack: `editors-${name}` });
const [ALICE, BOB, CAROL, DAVE] = ['alice', 'bob', 'carol', 'dave'].map(editor);

describe('planStops', () => {
  test('stops the editors whose droplets are all powered off, and no other', () => {
    const plans = planStops(new Map([
      [ALICE, [{ id: 1, status: 'off' }]],
      [BOB, [{ id: 2, status: 'active' }]],
      [CAROL, [{ id: 3, status: 'off' }, { id: 4, status: 'new' }]],
      [DAVE, []],
    ]));
    expect(plans).toEqual([{ editor: ALICE, dropletIds: [1] }]);
  });
});

describe('noneRunning', () => {
  test.each<[string, Array<{ id: number; status: string }>, boolean]>([
    ['no droplet (stopped)', [], true],
    ['a powered-off droplet', [{ id: 1, status: 'off' }], true],
    ['a droplet being made (booting)', [{ id: 1, status: 'new' }], false],
    ['an active droplet (code-server briefly down)', [{ id: 1, status: 'active' }], false],
  ])('%s: a start is needed: %s', (_case, droplets, needed) => {
    expect(noneRunning(droplets)).toBe(needed);
  });
});

describe('originAnswered', () => {
  test.each([[200, true], [101, true], [404, true], [500, true], [502, false], [503, false], [504, false], [521, false], [530, false]])('status %i: answered %s', (status, answered) => {
    expect(originAnswered(status)).toBe(answered);
  });
});
