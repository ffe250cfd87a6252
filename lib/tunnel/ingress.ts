/** A hostname cloudflared routes besides the editor's, each with the Access audience its origin accepts. */
export interface ExtraRoute {
  /** The public hostname. */
  readonly hostname: string;
  /** Where cloudflared forwards it on the droplet, e.g. `ssh://localhost:22` or `http://localhost:3000`. */
  readonly service: string;
  /** The AUD tag of the Access application guarding the hostname. */
  readonly accessAudience: string;
}
