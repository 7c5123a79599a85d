// Stands in for node:crypto in the browser bundle (see vite.config.mjs): the SDK's webhook
// verifier is the only user, and the console never calls it.
const unavailable = () => {
  throw new Error('node:crypto is not available in the browser');
};
export const createHmac = unavailable;
export const timingSafeEqual = unavailable;
