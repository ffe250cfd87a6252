import { STATUS_PATH } from '../../../../lib/control-plane/worker/contract';
import { aboutHowLong, escapeHtml, failedStartPage, limitedPage, refusedPage, startingPage } from '../../../../lib/control-plane/worker/page';

describe('the pages', () => {
  test.each([[0, 'less than a minute'], [44, 'less than a minute'], [60, 'about a minute'], [180, 'about 3 minutes'], [200, 'about 3 minutes'], [600, 'about 10 minutes']])('%i seconds read as %s', (seconds, text) => {
    expect(aboutHowLong(seconds)).toBe(text);
  });

  test('the starting page says how long, polls the status path, and reloads when the editor is ready', () => {
    const page = startingPage('alice', 180, 2000);
    expect(page).toContain('<h1>Your editor is starting</h1>');
    expect(page).toContain('about 3 minutes');
    expect(page).toContain(`fetch(${JSON.stringify(STATUS_PATH)}`);
    expect(page).toContain('if(s.ready){location.reload()');
    expect(page).toContain('setTimeout(poll,2000)');
  });

  test('names are escaped', () => {
    expect(escapeHtml('<a href="x">&\'')).toBe('&#60;a href=&#34;x&#34;&#62;&#38;&#39;');
    expect(startingPage('<script>', 60)).not.toContain('<script>alert');
    expect(limitedPage('<b>', 600)).toContain('&#60;b&#62;\'s editor was started too many times');
    expect(limitedPage('bob', 600)).toContain('Try again in about 10 minutes');
  });

  test('the refused page tells the developer to sign in through Access', () => {
    expect(refusedPage()).toContain('sign in');
  });

  test('the failed start\'s page says to reload to try again', () => {
    expect(failedStartPage('<alice>')).toContain('&#60;alice&#62;\'s editor is stopped, and asking for its start failed. Reload this page to try again');
  });
});
