export type { ProviderOptions, StackProviderConfigs } from './provider-options';
