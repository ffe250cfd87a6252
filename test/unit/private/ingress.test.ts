import { buildIngressRules, IngressOptions } from '../../../lib/private/ingress';

const OPTIONS: IngressOptions = {
  hostname: 'code.example.com',
  service: 'http://localhost:8080',
  teamName: 'myteam',
  accessAudience: 'aud-123',
};

describe('buildIngressRules', () => {
  test('gives exactly two rules', () => {
    // THEN
    expect(buildIngressRules(OPTIONS)).toHaveLength(2);
  });

  test('sends the hostname to the service first', () => {
    // WHEN
    const [first] = buildIngressRules(OPTIONS);

    // THEN
    expect(first.hostname).toBe('code.example.com');
    expect(first.service).toBe('http://localhost:8080');
  });

  test('requires an Access token for the application\'s audience at the origin', () => {
    // WHEN
    const [first] = buildIngressRules(OPTIONS);

    // THEN
    expect(first.originRequest).toEqual({ access: { required: true, teamName: 'myteam', audTag: ['aud-123'] } });
  });

  test('ends with a catch-all that answers 404 and matches any hostname', () => {
    // WHEN
    const rules = buildIngressRules(OPTIONS);
    const last = rules[rules.length - 1];

    // THEN
    expect(last).toEqual({ service: 'http_status:404' });
    expect(last.hostname).toBeUndefined();
  });
});

describe('buildIngressRules with further hostnames', () => {
  const rules = buildIngressRules({
    ...OPTIONS,
    extraRoutes: [
      { hostname: 'code-ssh.example.com', service: 'ssh://localhost:22', accessAudience: 'aud-ssh' },
      { hostname: '3000-code.example.com', service: 'http://localhost:3000', accessAudience: 'aud-123' },
    ],
  });

  test('routes the editor first, then each further hostname in order, then the catch-all last', () => {
    expect(rules.map((r) => [r.hostname, r.service])).toEqual([
      ['code.example.com', 'http://localhost:8080'],
      ['code-ssh.example.com', 'ssh://localhost:22'],
      ['3000-code.example.com', 'http://localhost:3000'],
      [undefined, 'http_status:404'],
    ]);
  });

  test("requires at the origin an Access token for each hostname's own application", () => {
    expect(rules[1].originRequest).toEqual({ access: { required: true, teamName: 'myteam', audTag: ['aud-ssh'] } });
    expect(rules[2].originRequest).toEqual({ access: { required: true, teamName: 'myteam', audTag: ['aud-123'] } });
  });
});
