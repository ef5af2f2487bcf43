import * as fs from 'fs';
import * as path from 'path';

const root = path.join(__dirname, '..');
const pkg = JSON.parse(fs.readFileSync(path.join(root, 'package.json'), 'utf8'));

describe('package entry points', () => {
  test.each(['.', './aws', './gcp', './azure', './tf'])('%s maps to a compiled file whose source exists', (subpath) => {
    const target: string = pkg.exports[subpath].default;
    // dist/ is built by `npm ci` (prepare); the source it is compiled from must exist.
    const source = target.replace(/^\.\/dist\//, '').replace(/\.js$/, '.ts');
    expect(fs.existsSync(path.join(root, source))).toBe(true);
    expect(pkg.exports[subpath].types).toBe(target.replace(/\.js$/, '.d.ts'));
  });

  test('main, types and the bin point into dist/lib', () => {
    expect(pkg.main).toBe(pkg.exports['.'].default.replace(/^\.\//, ''));
    expect(fs.existsSync(path.join(root, 'lib', 'index.ts'))).toBe(true);
    expect(fs.existsSync(path.join(root, pkg.bin['agent-guardrails']))).toBe(true);
  });

  test('policies ship with the package', () => {
    expect(pkg.files).toEqual(expect.arrayContaining(['policies', 'dist/lib', 'dist/constructs', 'dist-handler', 'bin']));
  });
});
