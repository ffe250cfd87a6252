import { Testing } from 'cdktf';
// The matchers' type declarations (toHaveResourceWithProperties, …) for every test file.
import 'cdktf/lib/testing/adapters/jest';

Testing.setupJest();
