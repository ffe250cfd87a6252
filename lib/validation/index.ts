export { PropValidation } from './prop-validation';
