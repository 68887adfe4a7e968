// Vitest configuration for the front-end's pure logic: Node environment, tests kept outside the served src/.
import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    environment: 'node',
    include: ['test/**/*.test.js'],
  },
});
