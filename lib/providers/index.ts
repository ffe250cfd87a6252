export type { ProviderOptions } from './provider-options';
