import { TerraformStack } from 'cdktf';
import { Construct } from 'constructs';
import { ExampleSettings, providers, requiredProps, runAsApp } from './settings';
import { FirewallProtocol, Home, ZeroTrustCodeServer } from '../lib';

/**
 * Every option on: a GitHub team on top of the allowed emails, one identity provider (so sign-in
 * goes straight to it), a smaller droplet with a swap file, restricted egress, backups,
 * extensions, settings, repositories and dotfiles, a larger home volume, SSH through Access and
 * previews of dev servers on ports 3000 and 5173.
 */
export class CompleteStack extends TerraformStack {
  public readonly codeServer: ZeroTrustCodeServer;

  constructor(scope: Construct, id: string, settings: ExampleSettings) {
    super(scope, id);
    providers(this);

    this.codeServer = new ZeroTrustCodeServer(this, 'CodeServer', {
      ...requiredProps(settings, `complete-${settings.hostname}`),
      access: {
        allow: {
          emails: settings.allowedEmails,
          githubOrganizations: [{ name: settings.githubOrganization, identityProviderId: settings.githubIdentityProviderId, team: 'developers' }],
        },
        excludeRules: { emails: ['former-employee@example.com'] },
        identityProviderIds: [settings.githubIdentityProviderId],
        sessionDuration: '12h',
      },
      droplet: {
        region: 'ams3',
        size: 's-2vcpu-2gb',
        backups: true,
        tags: ['team-platform'],
        outboundRules: [
          // HTTPS and HTTP: apt, GitHub releases, Open VSX, git.
          { protocol: FirewallProtocol.TCP, portRange: '443' },
          { protocol: FirewallProtocol.TCP, portRange: '80' },
          // cloudflared's connections to Cloudflare's edge.
          { protocol: FirewallProtocol.TCP, portRange: '7844' },
          { protocol: FirewallProtocol.UDP, portRange: '7844' },
          { protocol: FirewallProtocol.UDP, portRange: '53' },
          { protocol: FirewallProtocol.UDP, portRange: '123' },
        ],
      },
      boot: {
        userName: 'dev',
        extensions: ['esbenp.prettier-vscode', 'dbaeumer.vscode-eslint'],
        settings: { 'editor.formatOnSave': true, 'workbench.colorTheme': 'Default Dark Modern' },
        gitRepositories: ['https://github.com/coder/code-server.git'],
        dotfilesRepository: 'https://github.com/example-org/dotfiles.git',
        reconnectionGraceSeconds: 7 * 24 * 3600,
      },
      home: Home.volume({ sizeGib: 50, tags: ['team-platform'] }),
      ssh: {},
      previews: { ports: [3000, 5173] },
    });
  }
}

runAsApp(module, (app, settings) => new CompleteStack(app, 'complete', settings));
