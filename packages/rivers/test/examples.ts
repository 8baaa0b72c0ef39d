/**
 * Type-checks every `@example` block of the library and the CLI (packages/rivers/src,
 * packages/cli/src) with the TypeScript compiler API, the way the repository's tsconfig checks code.
 *
 * Each example becomes a virtual module beside the file it documents, so it sees what a reader
 * would have at hand: the exports of that file and of its folder's other modules, the user API
 * (`@rivers-orchestrator/rivers`) and the plugin API (`@rivers-orchestrator/rivers/plugin`), `z`
 * from zod, plus the imports it writes itself. Its body is the top level of an ES module (examples
 * may `await`, and `export default` a project).
 *
 * Examples use names from their context (`ws`, `project`, `store`, `runId`, …). A free name is
 * declared `any` for the example, except where it is called or constructed (`foo(…)`, `new Foo()`):
 * a free function or class is how a renamed or removed API shows up, so it stays an error. An
 * example that calls a helper of its own (a hypothetical `train()`) declares it.
 */
import { readdirSync, readFileSync } from 'node:fs'
import path from 'node:path'

import ts from 'typescript'

/** One `@example` block: where it is, and its code. */
export interface Example {
  file: string
  /** 1-based line of the `@example` tag. */
  line: number
  code: string
}

/** A diagnostic of an example, as `file:line: message`. */
export interface ExampleProblem {
  example: string
  message: string
}

/**
 * The `@example` blocks of the non-test `.ts` files under `roots`.
 *
 * @example
 * const examples = findExamples(['packages/rivers/src'])
 */
export function findExamples(roots: readonly string[]): Example[] {
  const out: Example[] = []
  const walk = (dir: string): void => {
    for (const e of readdirSync(dir, { withFileTypes: true })) {
      const p = path.join(dir, e.name)
      if (e.isDirectory()) walk(p)
      else if (e.name.endsWith('.ts') && !/\.test(-d)?\.ts$|\.d\.ts$/.test(e.name)) out.push(...examplesOf(p))
    }
  }
  for (const r of roots) walk(r)
  return out
}

function examplesOf(file: string): Example[] {
  const text = readFileSync(file, 'utf8')
  const out: Example[] = []
  for (const m of text.matchAll(/\/\*\*([\s\S]*?)\*\//g)) {
    const lines = m[1]!.split('\n').map((l) => l.replace(/^\s*\* ?/, ''))
    const startLine = text.slice(0, m.index).split('\n').length
    for (let i = 0; i < lines.length; i++) {
      if (!/^@example\b/.test(lines[i]!.trim())) continue
      const body: string[] = []
      const first = lines[i]!.trim().replace(/^@example\s*/, '')
      if (first !== '') body.push(first)
      let j = i + 1
      // A tag starts at the margin; an indented `@name` is a decorator in the code.
      while (j < lines.length && !/^@\w+/.test(lines[j]!)) body.push(lines[j++]!)
      const code = body
        .join('\n')
        .replace(/^```\w*\n?|\n?```$/g, '')
        .trim()
      if (code !== '') out.push({ file, line: startLine + i, code })
    }
  }
  return out
}

/**
 * Type-checks examples; returns their problems (none when every example compiles).
 *
 * @example
 * const problems = checkExamples(findExamples(['packages/rivers/src']), 'tsconfig.json')
 */
export function checkExamples(examples: readonly Example[], tsconfig: string): ExampleProblem[] {
  const parsed = ts.getParsedCommandLineOfConfigFile(
    tsconfig,
    {},
    { ...ts.sys, onUnRecoverableConfigFileDiagnostic: () => {} },
  )
  if (parsed === undefined) throw new Error(`cannot read ${tsconfig}`)
  // Free names are `any`: callbacks on them have no type to infer, which is not the example's fault.
  const options: ts.CompilerOptions = { ...parsed.options, noEmit: true, noUnusedLocals: false, noImplicitAny: false }
  const virtual = new Map<string, { example: Example; head: string; body: string; free: Set<string> }>()
  examples.forEach((ex, n) => {
    const name = path.join(path.dirname(ex.file), `__example_${n}__.ts`)
    virtual.set(name, { example: ex, ...split(ex), free: new Set() })
  })
  const source = (v: { example: Example; head: string; body: string; free: Set<string> }): string => {
    const mine = (x: Named) => !declares(v.head, x.name) && !declares(v.body, x.name)
    const own = exportsOf(v.example.file).filter(mine)
    const from = `./${path.basename(v.example.file).replace(/\.ts$/, '.js')}`
    const taken = new Set([...own.map((x) => x.name), ...v.free])
    const siblings = folderExports(v.example.file).filter((x) => mine(x) && !taken.has(x.name))
    for (const x of siblings) taken.add(x.name)
    const user = USER_API.filter((x) => mine(x) && !taken.has(x.name))
    for (const x of user) taken.add(x.name)
    const plugin = PLUGIN_API.filter((x) => mine(x) && !taken.has(x.name))
    const usesZod = /\bz\./.test(v.body) && !declares(v.head, 'z') && !declares(v.body, 'z')
    return [
      v.head,
      importLine(own, from),
      ...[...new Set(siblings.map((x) => x.from))].map((f) =>
        importLine(
          siblings.filter((x) => x.from === f),
          `./${path.basename(f).replace(/\.ts$/, '.js')}`,
        ),
      ),
      importLine(user, '@rivers-orchestrator/rivers'),
      importLine(plugin, '@rivers-orchestrator/rivers/plugin'),
      usesZod ? "import { z } from 'zod'" : '',
      ...[...v.free].map((x) => `declare const ${x}: any`),
      // Top level of a module: `await` and `export default` work as in a project file.
      `${v.body}\nexport {}`,
    ].join('\n')
  }
  const check = (): Map<string, readonly ts.Diagnostic[]> => {
    const host = ts.createCompilerHost(options)
    const read = host.readFile.bind(host)
    const exists = host.fileExists.bind(host)
    host.readFile = (f) => (virtual.has(f) ? source(virtual.get(f)!) : read(f))
    host.fileExists = (f) => virtual.has(f) || exists(f)
    const program = ts.createProgram([...virtual.keys()], options, host)
    const out = new Map<string, readonly ts.Diagnostic[]>()
    for (const f of virtual.keys()) {
      const sf = program.getSourceFile(f)!
      out.set(f, [...program.getSyntacticDiagnostics(sf), ...program.getSemanticDiagnostics(sf)])
    }
    return out
  }
  // First pass: find the free names; declare those that are values, not called APIs.
  for (const [f, diagnostics] of check()) {
    const v = virtual.get(f)!
    for (const d of diagnostics) {
      if (![2304, 2552, 18004].includes(d.code) || d.start === undefined || d.file === undefined) continue
      const token = findToken(d.file, d.start)
      if (token === undefined || isCalled(token)) continue
      v.free.add(token.text)
    }
  }
  const problems: ExampleProblem[] = []
  for (const [f, diagnostics] of check()) {
    const v = virtual.get(f)!
    for (const d of diagnostics)
      problems.push({
        example: `${path.relative(process.cwd(), v.example.file)}:${v.example.line}`,
        message: ts.flattenDiagnosticMessageText(d.messageText, '\n'),
      })
  }
  return problems
}

/** The example's own imports (top of the module) and the rest (the body). */
function split(ex: Example): { head: string; body: string } {
  const head: string[] = []
  const body: string[] = []
  let inImport = false
  for (const line of ex.code.split('\n')) {
    if (inImport || /^import\s/.test(line)) {
      head.push(line)
      inImport = !/from\s+['"][^'"]+['"]|^import\s+['"]/.test(line)
    } else body.push(line)
  }
  return { head: head.join('\n'), body: body.join('\n') }
}

/** An exported name, and whether it is a value (else only a type). */
interface Named {
  name: string
  value: boolean
}

function importLine(names: readonly Named[], from: string): string {
  if (names.length === 0) return ''
  return `import { ${names.map((x) => (x.value ? x.name : `type ${x.name}`)).join(', ')} } from '${from}'`
}

function declares(code: string, name: string): boolean {
  return (
    new RegExp(`(?:\\bimport\\b[^;]*?[{,\\s]|const |let |var |function |class |type |interface )${name}\\b`).test(
      code,
    ) || new RegExp(`(?:const|let|var)\\s*\\{[^}]*\\b${name}\\b[^}]*\\}\\s*=`).test(code)
  )
}

const exportsCache = new Map<string, Named[]>()
function exportsOf(file: string): Named[] {
  let names = exportsCache.get(file)
  if (names === undefined) {
    const sf = ts.createSourceFile(file, readFileSync(file, 'utf8'), ts.ScriptTarget.ES2022, true)
    const found = new Map<string, boolean>()
    for (const st of sf.statements) {
      const mods = ts.canHaveModifiers(st) ? ts.getModifiers(st) : undefined
      const exported = mods?.some((m) => m.kind === ts.SyntaxKind.ExportKeyword) ?? false
      if (!exported) continue
      if (ts.isVariableStatement(st))
        for (const d of st.declarationList.declarations) if (ts.isIdentifier(d.name)) found.set(d.name.text, true)
      if (
        (ts.isFunctionDeclaration(st) || ts.isClassDeclaration(st) || ts.isEnumDeclaration(st)) &&
        st.name !== undefined
      )
        found.set(st.name.text, true)
      if ((ts.isInterfaceDeclaration(st) || ts.isTypeAliasDeclaration(st)) && !found.has(st.name.text))
        found.set(st.name.text, false)
    }
    names = [...found].map(([name, value]) => ({ name, value }))
    exportsCache.set(file, names)
  }
  return names
}

function findToken(sf: ts.SourceFile, pos: number): ts.Identifier | undefined {
  let found: ts.Identifier | undefined
  const visit = (n: ts.Node): void => {
    if (pos < n.getStart(sf) || pos >= n.getEnd()) return
    if (ts.isIdentifier(n)) found = n
    ts.forEachChild(n, visit)
  }
  visit(sf)
  return found
}

function isCalled(id: ts.Identifier): boolean {
  const p = id.parent
  return (ts.isCallExpression(p) || ts.isNewExpression(p) || ts.isDecorator(p)) && p.expression === id
}

/** Exports of the other modules of a file's folder that no two of them share (with their module). */
function folderExports(file: string): (Named & { from: string })[] {
  const dir = path.dirname(file)
  const all: (Named & { from: string })[] = []
  for (const f of readdirSync(dir)) {
    const p = path.join(dir, f)
    if (p === file || !f.endsWith('.ts') || /\.test(-d)?\.ts$|\.fixture\.ts$|\.d\.ts$|^index\.ts$/.test(f)) continue
    for (const x of exportsOf(p)) all.push({ ...x, from: p })
  }
  const count = new Map<string, number>()
  for (const x of all) count.set(x.name, (count.get(x.name) ?? 0) + 1)
  return all.filter((x) => count.get(x.name) === 1)
}

/** The names a public face exports (re-exports followed), values and types. */
function publicNames(file: string): Named[] {
  const sf = ts.createSourceFile(file, readFileSync(file, 'utf8'), ts.ScriptTarget.ES2022, true)
  const out = new Map<string, boolean>()
  const add = (name: string, value: boolean): void => void out.set(name, (out.get(name) ?? false) || value)
  for (const st of sf.statements) {
    if (!ts.isExportDeclaration(st) || st.moduleSpecifier === undefined || !ts.isStringLiteral(st.moduleSpecifier))
      continue
    const target = path.resolve(path.dirname(file), st.moduleSpecifier.text.replace(/\.js$/, '.ts'))
    if (st.exportClause !== undefined && ts.isNamedExports(st.exportClause)) {
      const values = new Map([...exportsOf(target), ...publicNames(target)].map((x) => [x.name, x.value]))
      for (const e of st.exportClause.elements)
        add(e.name.text, !st.isTypeOnly && !e.isTypeOnly && values.get(e.name.text) !== false)
    } else for (const x of [...exportsOf(target), ...publicNames(target)]) add(x.name, !st.isTypeOnly && x.value)
  }
  return [...out].map(([name, value]) => ({ name, value }))
}

const SRC = path.resolve(path.dirname(new URL(import.meta.url).pathname), '..', 'src')
const USER_API = publicNames(path.join(SRC, 'index.ts'))
const PLUGIN_API = publicNames(path.join(SRC, 'plugin.ts'))
