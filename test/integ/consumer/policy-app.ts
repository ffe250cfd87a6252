import { App } from 'cdktf';
import { BasicStack, readSettings } from '../../../examples/main';
import { EditorPolicy } from '../../../lib';

// The basic example under a platform's policy that allows the sizes of ZTCS_ALLOWED_SIZES (comma
// separated): `cdktf synth` of this app fails and says why when the example's size is not one of
// them (test/integ/consumer/editor-policy.test.ts).
const app = new App();
new BasicStack(app, 'basic', readSettings(process.env));
new EditorPolicy({ tags: ['team:platform'], allowedSizes: (process.env.ZTCS_ALLOWED_SIZES ?? '').split(',') }).applyTo(app);
app.synth();
