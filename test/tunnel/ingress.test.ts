import { buildIngressRules, IngressOptions } from '../../lib/tunnel/ingress';

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
