import { mkdtempSync, rmSync } from 'fs';
import { tmpdir } from 'os';
import { join } from 'path';
import { ApiStandIn } from './stand-in';
import { StackConfig, TerraformWorkspace } from './terraform';

/** The warnings Terraform gives for our configurations, each expected (see the README). */
export const EXPECTED_WARNINGS = {
  /** From `init`: with a local mirror, the lock file holds locally computed checksums only. */
  localChecksums: 'Incomplete lock file information for providers',
  /** From plans: the tunnel configuration stays in Cloudflare after a destroy. */
  tunnelConfigurationStays: 'Resource Destruction Considerations',
};

/** Timeouts of this tier only: real providers, one process each per command. */
export const STEP_TIMEOUT_MS = 10 * 60_000;

/**
 * What a test file of the tier shares: a stand-in of the APIs, one provider plugin cache, and
 * the workspaces it opened (removed at the end), with the time spent in Terraform.
 */
export class TerraformTier {
  public readonly standIn = new ApiStandIn();
  private readonly workspaces: TerraformWorkspace[] = [];
  private pluginCache = '';
  private started = 0;

  /** Registers the set-up and clean-up with jest; call in a describe block. */
  public hooks(name: string): void {
    beforeAll(async () => {
      this.started = Date.now();
      this.pluginCache = mkdtempSync(join(tmpdir(), 'ztcs-plugin-cache-'));
      await this.standIn.start();
    });
    afterAll(async () => {
      await this.standIn.stop();
      for (const workspace of this.workspaces) workspace.remove();
      rmSync(this.pluginCache, { recursive: true, force: true });
      const terraformSeconds: Record<string, number> = {};
      for (const w of this.workspaces) {
        for (const [command, s] of Object.entries(w.seconds)) terraformSeconds[command] = (terraformSeconds[command] ?? 0) + s;
      }
      const detail = Object.entries(terraformSeconds).map(([c, s]) => `${c} ${s.toFixed(1)} s`).join(', ');
      console.log(`Terraform tier, ${name}: ${((Date.now() - this.started) / 1000).toFixed(1)} s (${detail})`);
    });
  }

  /**
   * A new workspace configured with `config`, pointed at the stand-in (every provider, or those of
   * `providers`), and initialized.
   */
  public async workspace(
    config: StackConfig,
    providers = this.standIn.providerSettings(),
  ): Promise<{ workspace: TerraformWorkspace; initWarnings: string[] }> {
    const workspace = new TerraformWorkspace(this.pluginCache);
    this.workspaces.push(workspace);
    workspace.configure(config, providers);
    const diagnostics = await workspace.init();
    return { workspace, initWarnings: [...new Set(diagnostics.map((d) => d.summary))] };
  }
}
