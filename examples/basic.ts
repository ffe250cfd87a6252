import { TerraformStack } from 'cdktf';
import { Construct } from 'constructs';
import { ExampleSettings, providers, requiredProps, runAsApp } from './settings';
import { ZeroTrustCodeServer, ZeroTrustCodeServerProps } from '../lib';

/**
 * The smallest useful deployment: one developer, the defaults for everything else. `changes` are
 * props set on top, as a later deployment would change them (the Terraform tier plans such changes).
 */
export class BasicStack extends TerraformStack {
  public readonly codeServer: ZeroTrustCodeServer;

  constructor(scope: Construct, id: string, settings: ExampleSettings, changes: Partial<ZeroTrustCodeServerProps> = {}) {
    super(scope, id);
    providers(this);

    this.codeServer = new ZeroTrustCodeServer(this, 'CodeServer', { ...requiredProps(settings, settings.hostname), ...changes });
  }
}

runAsApp(module, (app, settings) => new BasicStack(app, 'basic', settings));
