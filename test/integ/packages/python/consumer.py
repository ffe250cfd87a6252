"""A Python cdktf app that uses the built wheel the way a platform team would.

Synthesizes the stacks ``basic`` and ``options`` into the directory given as the only argument.
test/integ/packages/consumer-stacks.ts builds the same configurations in TypeScript; the two
syntheses must be the same Terraform.
"""
import sys

from cdktf import App, TerraformStack
from cdktf_cdktf_provider_cloudflare.provider import CloudflareProvider
from cdktf_cdktf_provider_digitalocean.provider import DigitaloceanProvider
from cdktf_cdktf_provider_tls.provider import TlsProvider
from constructs import Construct

from cdktf_zero_trust_code_server import (
    AccessOptions,
    AccessRuleSet,
    BootOptions,
    DropletOptions,
    FirewallProtocol,
    GithubOrganization,
    Home,
    OutboundRule,
    ZeroTrustCodeServer,
)


class CodeServerStack(TerraformStack):
    """The three providers and one editor in the examples' placeholder account and zone."""

    def __init__(self, scope: Construct, id: str, **props) -> None:
        super().__init__(scope, id)
        CloudflareProvider(self, "cloudflare")
        DigitaloceanProvider(self, "digitalocean")
        TlsProvider(self, "tls")
        ZeroTrustCodeServer(
            self,
            "CodeServer",
            cloudflare_account_id="00000000000000000000000000000000",
            cloudflare_zone_id="11111111111111111111111111111111",
            zone_name="example.com",
            team_name="example-team",
            **{"access": AccessOptions(allow=AccessRuleSet(emails=["developer@example.com"])), **props},
        )


def main() -> None:
    app = App(outdir=sys.argv[1])
    # One developer, every default: the examples' basic stack.
    CodeServerStack(app, "basic", hostname="code.example.com")
    # A GitHub organization rule, extensions and a smaller droplet, with groups of structs, a union
    # class, an enum and a map.
    CodeServerStack(
        app,
        "options",
        hostname="python.example.com",
        access=AccessOptions(
            allow=AccessRuleSet(
                emails=["developer@example.com"],
                github_organizations=[
                    GithubOrganization(
                        name="example-org",
                        identity_provider_id="22222222-2222-2222-2222-222222222222",
                        team="platform",
                    )
                ],
            ),
        ),
        droplet=DropletOptions(
            size="s-2vcpu-2gb",
            region="ams3",
            outbound_rules=[
                OutboundRule(protocol=FirewallProtocol.TCP, port_range="443"),
                OutboundRule(protocol=FirewallProtocol.UDP, port_range="53"),
                OutboundRule(protocol=FirewallProtocol.TCP, port_range="7844"),
                OutboundRule(protocol=FirewallProtocol.UDP, port_range="7844"),
            ],
        ),
        boot=BootOptions(
            extensions=["ms-python.python", "esbenp.prettier-vscode@10.4.0"],
            settings={"editor.formatOnSave": True, "python.analysis.typeCheckingMode": "basic"},
            user_name="dev",
        ),
        home=Home.volume(size_gib=40),
    )
    app.synth()


if __name__ == "__main__":
    main()
