// The order in which jest starts the VM tier's files when it runs several at a time (CI runs
// two: `--maxWorkers=2 --testSequencer ./test/integ/vm/sequencer.js`): the idle stop's machine,
// which mostly waits on its guest, beside the first boot's five machines; the real editor, which
// waits for its package's build, takes the first free worker. Other files follow in jest's order.
const Sequencer = require('@jest/test-sequencer').default;

const FIRST = ['idle-stop.test.ts', 'first-boot.test.ts', 'real-editor.test.ts'];

class VmTierSequencer extends Sequencer {
  sort(tests) {
    const rank = (test) => {
      const at = FIRST.findIndex((name) => test.path.endsWith(`/${name}`));
      return at < 0 ? FIRST.length : at;
    };
    return [...super.sort(tests)].sort((a, b) => rank(a) - rank(b));
  }
}

module.exports = VmTierSequencer;
