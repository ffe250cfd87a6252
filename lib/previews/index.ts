export type { PreviewOptions } from './preview-options';
