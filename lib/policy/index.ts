export type { EditorPolicyProps } from './editor-policy';
export { EditorPolicy } from './editor-policy';
