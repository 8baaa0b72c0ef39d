/**
 * Errors of the automation module, one constructor per kind. Messages name the test, the sample or
 * option at fault, and say how to fix it.
 */
import { RiversError } from '../errors.js'

/**
 * A sample given to a statistical test is empty, too small, ragged, or holds a value that is not a
 * finite number.
 *
 * @example
 * throw invalidSample('ks', 'b', 'value NaN (index 2) is not a finite number', 'drop or impute missing values first')
 */
export function invalidSample(test: string, sample: 'a' | 'b', problem: string, fix: string): RiversError {
  return new RiversError('RIVERS_INVALID_SAMPLE', `${test} test: sample ${sample}: ${problem}.\nFix: ${fix}.`)
}

/**
 * An option of a statistical test is out of range (a bandwidth that is not positive, a permutation
 * count that is not a positive integer).
 *
 * @example
 * throw invalidTestOption('mmd', 'bandwidth', -1, 'a positive number')
 */
export function invalidTestOption(test: string, option: string, got: unknown, expected: string): RiversError {
  return new RiversError(
    'RIVERS_INVALID_TEST_OPTION',
    `${test} test: option ${option} is ${String(got)}.\nFix: give ${option} as ${expected}, or leave it out for the default.`,
  )
}
